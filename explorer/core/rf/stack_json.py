"""Layer stacks as JSON documents (the format of ``assets/rf/*.json``) and edits.

The format is ``{"input_size": 64, "in_channels": 1, "layers": [{"type": "conv",
"kernel": 3, "stride": 1, "padding": 1, "dilation": 1, "channels": 16}, ...]}``;
any size may be ``[height, width]``; ``{"type": "branch", "merge": "concat",
"paths": [[...], [...]]}`` adds a multi-path block.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from explorer.core.reading import FileError, MiB, read_json
from explorer.core.rf.layers import (
    MAX_NODES,
    Branch,
    Layer,
    Node,
    Stack,
    StackError,
    as_pair,
    squash,
)

MAX_STACK_BYTES = 2 * MiB  # a 2,000-layer stack takes about 300 kB

_LAYER_KEYS = {
    "type",
    "name",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "channels",
    "ceil_mode",
    "op",
}


def stack_from_dict(data: Any, name: str = "custom") -> Stack:
    """Return the stack described by a parsed JSON document.

    The format is ``{"input_size": 64, "in_channels": 1, "layers": [{"type": "conv",
    "kernel": 3, "stride": 1, "padding": 1, "dilation": 1, "channels": 16}, ...]}``;
    any size may be ``[height, width]``; ``{"type": "branch", "merge": "concat",
    "paths": [[...], [...]]}`` adds a multi-path block.

    Raises
    ------
    StackError
        With a message naming the offending layer.
    """
    if not isinstance(data, Mapping):
        raise StackError(
            "a stack file must hold a JSON object with 'input_size' and 'layers'"
        )
    if "layers" not in data:
        raise StackError("the stack has no 'layers' list")
    layers = data["layers"]
    if not isinstance(layers, list) or not layers:
        raise StackError("'layers' must be a non-empty list")
    size = as_pair(data.get("input_size", 64), "input_size", minimum=1, where="stack")
    in_ch = data.get("in_channels", 1)
    if isinstance(in_ch, bool) or not isinstance(in_ch, int) or not 1 <= in_ch <= 64:
        raise StackError(
            f"stack: in_channels must be an integer in 1..64, not {in_ch!r}"
        )
    counter: dict[str, int] = {}
    nodes = _parse_nodes(layers, "", counter)
    if sum(counter.values()) > MAX_NODES:
        raise StackError(f"the stack has more than {MAX_NODES} layers")
    return Stack(
        name=str(data.get("name", name)),
        input_size=size,
        nodes=tuple(nodes),
        in_channels=in_ch,
    )


def _parse_nodes(items: list[Any], prefix: str, counter: dict[str, int]) -> list[Node]:
    nodes: list[Node] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"layer {index + 1}" + (f" of {prefix.rstrip('.')}" if prefix else "")
        if not isinstance(item, Mapping):
            raise StackError(
                f'{where}: expected an object like {{"type": "conv", '
                f'"kernel": 3}}, got {item!r}'
            )
        kind = item.get("type")
        if kind not in ("conv", "pool", "branch"):
            raise StackError(
                f"{where}: unknown layer type {kind!r} (use conv, pool or branch)"
            )
        counter[kind] = counter.get(kind, 0) + 1
        base = str(item.get("name", f"{kind}{counter[kind]}"))
        if not base.isidentifier():
            raise StackError(f"{where}: name {base!r} must be a plain identifier")
        if base in seen:
            raise StackError(f"{where}: the name {base!r} is used twice")
        seen.add(base)
        name = prefix + base
        if kind == "branch":
            paths = item.get("paths")
            if (
                not isinstance(paths, list)
                or len(paths) < 2
                or not all(isinstance(p, list) for p in paths)
            ):
                raise StackError(
                    f"{where}: a branch needs 'paths': a list of at least "
                    "two layer lists"
                )
            parsed = tuple(
                tuple(_parse_nodes(p, f"{name}.p{k}.", counter))
                for k, p in enumerate(paths)
            )
            nodes.append(
                Branch(name=name, paths=parsed, merge=item.get("merge", "concat"))
            )
            continue
        unknown = set(item) - _LAYER_KEYS
        if unknown:
            raise StackError(f"{where}: unknown keys {sorted(unknown)}")
        if "kernel" not in item:
            raise StackError(f"{where}: a {kind} layer needs a 'kernel'")
        channels = item.get("channels")
        if channels is not None and (
            isinstance(channels, bool) or not isinstance(channels, int)
        ):
            raise StackError(f"{where}: channels must be an integer")
        try:
            nodes.append(
                Layer(
                    name=name,
                    kind=kind,
                    kernel=as_pair(item["kernel"], "kernel", minimum=1, where=where),
                    stride=as_pair(
                        item.get("stride", 1), "stride", minimum=1, where=where
                    ),
                    padding=as_pair(
                        item.get("padding", 0), "padding", minimum=0, where=where
                    ),
                    dilation=as_pair(
                        item.get("dilation", 1), "dilation", minimum=1, where=where
                    ),
                    channels=channels if kind == "conv" else None,
                    ceil_mode=bool(item.get("ceil_mode", False)),
                    pool_op=item.get("op", "max"),
                )
            )
        except StackError as exc:
            raise StackError(str(exc).replace(f"layer {name!r}", where)) from None
    return nodes


def stack_from_json(path: str | Path) -> Stack:
    """Return the stack stored in the JSON file ``path`` (see :func:`stack_from_dict`).

    Raises
    ------
    StackError
        When the file cannot be read, is not JSON or describes an invalid stack.
    """
    p = Path(path)
    try:
        data = read_json(p, max_bytes=MAX_STACK_BYTES)
    except FileError as exc:
        raise StackError(str(exc)) from None
    try:
        return stack_from_dict(data, name=p.stem)
    except StackError as exc:
        raise StackError(f"{p.name}: {exc}") from None


def stack_to_dict(stack: Stack) -> dict[str, Any]:
    """Return ``stack`` in the JSON format :func:`stack_from_dict` reads."""

    def node(n: Node, prefix: str) -> dict[str, Any]:
        short = n.name[len(prefix) :] if n.name.startswith(prefix) else n.name
        if isinstance(n, Branch):
            return {
                "type": "branch",
                "name": short,
                "merge": n.merge,
                "paths": [
                    [node(c, f"{n.name}.p{k}.") for c in path]
                    for k, path in enumerate(n.paths)
                ],
            }
        d: dict[str, Any] = {
            "type": n.kind,
            "name": short,
            "kernel": squash(n.kernel),
            "stride": squash(n.stride),
            "padding": squash(n.padding),
            "dilation": squash(n.dilation),
        }
        if n.channels is not None:
            d["channels"] = n.channels
        if n.ceil_mode:
            d["ceil_mode"] = True
        if n.kind == "pool":
            d["op"] = n.pool_op
        return d

    return {
        "name": stack.name,
        "input_size": squash(stack.input_size),
        "in_channels": stack.in_channels,
        "layers": [node(n, "") for n in stack.nodes],
    }


def set_layer(stack: Stack, name: str, **changes: Any) -> Stack:
    """Return ``stack`` with the layer called ``name`` changed (e.g. ``dilation=2``).

    Integer values are applied to both axes.

    Raises
    ------
    StackError
        When no layer has that name or a value is invalid.
    """
    values = {
        k: (v, v) if isinstance(v, int) and k != "channels" else v
        for k, v in changes.items()
    }
    found = False

    def edit(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        nonlocal found
        out: list[Node] = []
        for n in nodes:
            if isinstance(n, Layer) and n.name == name:
                found = True
                out.append(replace(n, **values))  # type: ignore[arg-type]
            elif isinstance(n, Branch):
                out.append(replace(n, paths=tuple(edit(p) for p in n.paths)))
            else:
                out.append(n)
        return tuple(out)

    new_nodes = edit(stack.nodes)
    if not found:
        raise StackError(f"the stack has no layer called {name!r}")
    return replace(stack, nodes=new_nodes)
