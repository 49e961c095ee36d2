"""Receptive-field arithmetic of conv / pool stacks, with branches and per-axis values.

A network is a :class:`Stack` of nodes: a :class:`Layer` (convolution or pooling
with kernel, stride, padding and dilation per axis) or a :class:`Branch` (paths
that run side by side and are merged by concatenation or addition).  For every
node :func:`analyze` gives the output size and, in input-pixel units, the
receptive-field size ``r``, the effective stride (jump) ``j`` and the effective
padding ``P``, with the recurrences of Araujo, Norris & Sim, "Computing Receptive
Fields of Convolutional Neural Networks", Distill 2019, eqs. 5-9 (dilation enters
through the dilated kernel ``d (k - 1) + 1``)::

    n_out = floor((n_in + 2 p - d (k - 1) - 1) / s) + 1
    r_l   = r_{l-1} + (d (k - 1)) j_{l-1}
    j_l   = j_{l-1} s
    P_l   = P_{l-1} + p j_{l-1}

Output unit ``i`` of a layer sees input pixels ``[i j - P, i j - P + r - 1]``.
A branch's field is the union of its paths' fields (the widest path decides); when
the paths' field centres differ the block is *misaligned* and the misalignment
(in input pixels) is reported.

Stacks come from the ``torch.nn`` modules of real architectures
(:func:`stack_from_module`, :func:`arch_stack`) or from a JSON file
(:func:`stack_from_json`).  This module imports torch only when a module is walked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from torch import nn

Pair = tuple[int, int]
LayerKind = Literal["conv", "pool"]
PoolOp = Literal["max", "avg"]
MergeOp = Literal["concat", "add"]

MAX_SIZE = 100_000  # pixels per axis; beyond this a stack file is surely a typo
MAX_NODES = 2_000


class StackError(ValueError):
    """A layer stack is invalid (bad sizes, unknown layer type, broken JSON...)."""


def _pair(value: Any, what: str, *, minimum: int, where: str) -> Pair:
    """Return ``value`` (an int or two ints) as an (height, width) pair, validated."""
    if isinstance(value, bool):
        raise StackError(f"{where}: {what} must be an integer, not {value!r}")
    if isinstance(value, int):
        items: list[Any] = [value, value]
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        items = list(value)
    else:
        raise StackError(
            f"{where}: {what} must be an integer or [height, width], not {value!r}"
        )
    for v in items:
        if isinstance(v, bool) or not isinstance(v, int):
            raise StackError(f"{where}: {what} must be whole numbers, not {v!r}")
        if v < minimum:
            raise StackError(f"{where}: {what} must be at least {minimum}, got {v}")
        if v > MAX_SIZE:
            raise StackError(f"{where}: {what} = {v} is absurdly large")
    return int(items[0]), int(items[1])


@dataclass(frozen=True)
class Layer:
    """A convolution or pooling layer; every geometric value is a (height, width) pair.

    Attributes
    ----------
    name
        Qualified name (the ``torch.nn`` module path, e.g. ``"layer1.0.conv1"``).
    kind
        ``"conv"`` or ``"pool"``.
    channels
        Output channels of a convolution (``None`` for pooling or when unknown).
    ceil_mode
        PyTorch's pooling ``ceil_mode`` (rounds the output size up).
    pool_op
        ``"max"`` or ``"avg"`` for pooling layers.
    """

    name: str
    kind: LayerKind
    kernel: Pair
    stride: Pair = (1, 1)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    channels: int | None = None
    ceil_mode: bool = False
    pool_op: PoolOp = "max"

    def __post_init__(self) -> None:
        where = f"layer {self.name!r}"
        if self.kind not in ("conv", "pool"):
            raise StackError(
                f"{where}: unknown layer type {self.kind!r} (conv or pool)"
            )
        _pair(self.kernel, "kernel", minimum=1, where=where)
        _pair(self.stride, "stride", minimum=1, where=where)
        _pair(self.padding, "padding", minimum=0, where=where)
        _pair(self.dilation, "dilation", minimum=1, where=where)
        if self.channels is not None and not 1 <= self.channels <= 65_536:
            raise StackError(
                f"{where}: channels must be in 1..65536, got {self.channels}"
            )
        if self.pool_op not in ("max", "avg"):
            raise StackError(
                f"{where}: pool op must be max or avg, got {self.pool_op!r}"
            )


@dataclass(frozen=True)
class Branch:
    """Paths applied to the same input and merged (Inception concat, ResNet add).

    An empty path is the identity (a ResNet shortcut without downsampling).
    """

    name: str
    paths: tuple[tuple[Node, ...], ...]
    merge: MergeOp = "concat"

    def __post_init__(self) -> None:
        if len(self.paths) < 2:
            raise StackError(f"block {self.name!r}: a branch needs at least two paths")
        if self.merge not in ("concat", "add"):
            raise StackError(f"block {self.name!r}: merge must be concat or add")


Node = Layer | Branch


@dataclass(frozen=True)
class Stack:
    """A network's conv / pool trunk and the input it is analysed at."""

    name: str
    input_size: Pair
    nodes: tuple[Node, ...]
    in_channels: int = 1

    def __post_init__(self) -> None:
        _pair(self.input_size, "input size", minimum=1, where=f"stack {self.name!r}")
        if not self.nodes:
            raise StackError(f"stack {self.name!r} has no layers")
        if not 1 <= self.in_channels <= 64:
            raise StackError(f"stack {self.name!r}: in_channels must be in 1..64")

    def with_input_size(self, size: int | Pair) -> Stack:
        """Return the same stack analysed at another input size."""
        return replace(
            self,
            input_size=_pair(
                size, "input size", minimum=1, where=f"stack {self.name!r}"
            ),
        )

    def layers(self) -> list[Layer]:
        """Return every layer, depth first, in execution order."""
        return list(_iter_layers(self.nodes))


def _iter_layers(nodes: Iterable[Node]) -> Iterable[Layer]:
    for node in nodes:
        if isinstance(node, Layer):
            yield node
        else:
            for path in node.paths:
                yield from _iter_layers(path)


# -- arithmetic ---------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Where a feature map sits in input space, per axis (height, width).

    ``r``: receptive field, ``j``: jump (effective stride), ``p``: effective padding,
    ``size``: the map's size, ``misalignment``: spread of field centres of merged paths.
    """

    size: Pair
    r: Pair
    j: Pair
    p: Pair
    misalignment: tuple[float, float] = (0.0, 0.0)

    @staticmethod
    def identity(size: Pair) -> Geometry:
        """Return the geometry of the input itself (r = 1, j = 1, P = 0)."""
        return Geometry(size=size, r=(1, 1), j=(1, 1), p=(0, 0))

    def box(self, i: int, j: int) -> Box:
        """Return the input-space box seen by output unit (row ``i``, column ``j``)."""
        top = i * self.j[0] - self.p[0]
        left = j * self.j[1] - self.p[1]
        return Box(
            top=top, left=left, bottom=top + self.r[0] - 1, right=left + self.r[1] - 1
        )

    def center_unit(self, input_size: Pair) -> tuple[int, int]:
        """Return the unit whose field centre is nearest the centre of the input."""
        unit = []
        for a in (0, 1):
            target = (input_size[a] - 1) / 2.0
            raw = (target + self.p[a] - (self.r[a] - 1) / 2.0) / self.j[a]
            unit.append(min(max(round(raw), 0), self.size[a] - 1))
        return unit[0], unit[1]

    def center(self, axis: int, i: int) -> float:
        """Return the field centre of unit ``i`` along ``axis`` (0 rows, 1 columns)."""
        return i * self.j[axis] - self.p[axis] + (self.r[axis] - 1) / 2.0


@dataclass(frozen=True)
class Box:
    """An inclusive pixel box in input coordinates; may reach outside the image."""

    top: int
    left: int
    bottom: int
    right: int

    @property
    def height(self) -> int:
        """Rows covered."""
        return self.bottom - self.top + 1

    @property
    def width(self) -> int:
        """Columns covered."""
        return self.right - self.left + 1

    def clipped(self, size: Pair) -> Box:
        """Return the part of the box inside an image of ``size`` (rows, columns)."""
        return Box(
            top=max(self.top, 0),
            left=max(self.left, 0),
            bottom=min(self.bottom, size[0] - 1),
            right=min(self.right, size[1] - 1),
        )


def output_size(
    n: int,
    kernel: int,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    ceil_mode: bool = False,
) -> int:
    """Return the output length ``floor((n + 2p - d(k-1) - 1)/s) + 1`` of one axis.

    With ``ceil_mode`` it rounds up as PyTorch's pooling does (a last window that
    would start in the right padding is dropped).
    """
    span = n + 2 * padding - dilation * (kernel - 1) - 1
    if span < 0:
        return 0
    if not ceil_mode:
        return span // stride + 1
    out = -(-span // stride) + 1
    if (out - 1) * stride >= n + padding:
        out -= 1
    return out


def _apply_layer(g: Geometry, layer: Layer) -> Geometry:
    size: list[int] = []
    r: list[int] = []
    jump: list[int] = []
    pad: list[int] = []
    for a in (0, 1):
        k, s, p, d = (
            layer.kernel[a],
            layer.stride[a],
            layer.padding[a],
            layer.dilation[a],
        )
        n = output_size(g.size[a], k, s, p, d, layer.ceil_mode)
        if n < 1:
            axis = "height" if a == 0 else "width"
            raise StackError(
                f"layer {layer.name!r}: output {axis} would be {n} (< 1): input {axis} "
                f"{g.size[a]} is too small for kernel {k}, dilation {d}, padding {p}"
            )
        size.append(n)
        r.append(g.r[a] + d * (k - 1) * g.j[a])
        jump.append(g.j[a] * s)
        pad.append(g.p[a] + p * g.j[a])
    return Geometry(
        size=(size[0], size[1]),
        r=(r[0], r[1]),
        j=(jump[0], jump[1]),
        p=(pad[0], pad[1]),
    )


def compose(outer: Geometry, inner: Geometry) -> Geometry:
    """Return ``inner`` (relative to ``outer``'s map) expressed in input pixels."""
    r = tuple(outer.r[a] + (inner.r[a] - 1) * outer.j[a] for a in (0, 1))
    j = tuple(outer.j[a] * inner.j[a] for a in (0, 1))
    p = tuple(outer.p[a] + inner.p[a] * outer.j[a] for a in (0, 1))
    mis = tuple(
        inner.misalignment[a] * outer.j[a] + outer.misalignment[a] for a in (0, 1)
    )
    return Geometry(
        size=inner.size,
        r=(r[0], r[1]),
        j=(j[0], j[1]),
        p=(p[0], p[1]),
        misalignment=(mis[0], mis[1]),
    )


@dataclass(frozen=True)
class Row:
    """One line of the layer table: a layer, or the merge of a branch.

    For a merge row, ``kernel`` / ``stride`` / ``padding`` describe the whole block
    as one equivalent layer (its field, jump and padding relative to its input).
    """

    name: str
    kind: Literal["conv", "pool", "concat", "add"]
    depth: int
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    channels: int | None
    geometry: Geometry
    input_size: Pair

    @property
    def output_size(self) -> Pair:
        """The feature map size (rows, columns)."""
        return self.geometry.size

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-able values (a square pair collapses to one int)."""
        g = self.geometry
        return {
            "name": self.name,
            "type": self.kind,
            "kernel": _squash(self.kernel),
            "stride": _squash(self.stride),
            "padding": _squash(self.padding),
            "dilation": _squash(self.dilation),
            "output_size": _squash(g.size),
            "rf": _squash(g.r),
            "effective_stride": _squash(g.j),
            "effective_padding": _squash(g.p),
            "misalignment": g.misalignment[0]
            if g.misalignment[0] == g.misalignment[1]
            else list(g.misalignment),
        }


def _squash(pair: Pair) -> int | list[int]:
    return pair[0] if pair[0] == pair[1] else [pair[0], pair[1]]


def _walk(
    nodes: Sequence[Node],
    start: Geometry,
    origin: Geometry,
    depth: int,
    rows: list[Row],
) -> Geometry:
    """Append rows for ``nodes`` and return the geometry after them.

    ``start`` is relative to the block being analysed; ``origin`` maps it to input
    pixels, so rows always show input-pixel values.
    """
    g = start
    for node in nodes:
        if isinstance(node, Layer):
            before = g
            g = _apply_layer(g, node)
            rows.append(
                Row(
                    name=node.name,
                    kind=node.kind,
                    depth=depth,
                    kernel=node.kernel,
                    stride=node.stride,
                    padding=node.padding,
                    dilation=node.dilation,
                    channels=node.channels,
                    geometry=compose(origin, g),
                    input_size=before.size,
                )
            )
        else:
            block = _merge(node, g.size, compose(origin, g), depth, rows)
            rows.append(
                Row(
                    name=node.name,
                    kind=node.merge,
                    depth=depth,
                    kernel=block.r,
                    stride=block.j,
                    padding=block.p,
                    dilation=(1, 1),
                    channels=None,
                    geometry=compose(origin, compose(g, block)),
                    input_size=g.size,
                )
            )
            g = compose(g, block)
    return g


def _merge(
    branch: Branch, size: Pair, origin: Geometry, depth: int, rows: list[Row]
) -> Geometry:
    """Return the block's geometry relative to its input; path rows go to ``rows``."""
    outs = [
        _walk(path, Geometry.identity(size), origin, depth + 1, rows)
        for path in branch.paths
    ]
    first = outs[0]
    for k, g in enumerate(outs[1:], start=1):
        if g.size != first.size:
            raise StackError(
                f"block {branch.name!r}: path 1 gives a {first.size[0]}×{first.size[1]}"
                f" map but path {k + 1} gives {g.size[0]}×{g.size[1]}; they cannot be "
                f"merged ({branch.merge})"
            )
        if g.j != first.j:
            raise StackError(
                f"block {branch.name!r}: paths have different effective strides "
                f"({first.j} vs {g.j}); their units do not line up"
            )
    r: list[int] = []
    p: list[int] = []
    mis: list[float] = []
    for a in (0, 1):
        lo = min(-g.p[a] for g in outs)
        hi = max(-g.p[a] + g.r[a] - 1 for g in outs)
        centers = [g.center(a, 0) for g in outs]
        inner_mis = max(g.misalignment[a] for g in outs)
        r.append(hi - lo + 1)
        p.append(-lo)
        mis.append(max(max(centers) - min(centers), inner_mis))
    return Geometry(
        size=first.size,
        r=(r[0], r[1]),
        j=first.j,
        p=(p[0], p[1]),
        misalignment=(mis[0], mis[1]),
    )


def analyze(stack: Stack) -> list[Row]:
    """Return the layer table of ``stack``: one row per layer and per branch merge.

    Raises
    ------
    StackError
        When a layer's output would be smaller than 1 pixel or branches disagree.
    """
    rows: list[Row] = []
    start = Geometry.identity(stack.input_size)
    _walk(stack.nodes, start, start, 0, rows)
    return rows


# -- JSON stacks ----------------------------------------------------------------------

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
    size = _pair(data.get("input_size", 64), "input_size", minimum=1, where="stack")
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
                    kernel=_pair(item["kernel"], "kernel", minimum=1, where=where),
                    stride=_pair(
                        item.get("stride", 1), "stride", minimum=1, where=where
                    ),
                    padding=_pair(
                        item.get("padding", 0), "padding", minimum=0, where=where
                    ),
                    dilation=_pair(
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
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StackError(f"cannot read {p.name}: {exc}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StackError(
            f"{p.name} is not valid JSON: {exc.msg} at line {exc.lineno}, "
            f"column {exc.colno}"
        ) from exc
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
            "kernel": _squash(n.kernel),
            "stride": _squash(n.stride),
            "padding": _squash(n.padding),
            "dilation": _squash(n.dilation),
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
        "input_size": _squash(stack.input_size),
        "in_channels": stack.in_channels,
        "layers": [node(n, "") for n in stack.nodes],
    }


# -- stacks of torch modules ---------------------------------------------------------


def stack_from_module(
    module: nn.Module, input_size: int | Pair, *, name: str = "", in_channels: int = 3
) -> Stack:
    """Return the conv / pool trunk of a ``torch.nn`` module, found by walking it.

    Containers are walked in registration order; convolutions and pooling become
    layers; modules with a ``rf_paths()`` method (residual and Inception blocks,
    see :mod:`explorer.core.rf_archs`) become branches; normalisation,
    activations and dropout do not move the field and are skipped.  The walk stops
    at the first adaptive pool, flatten or linear layer (the classifier head).

    Raises
    ------
    StackError
        For a module type whose effect on the field is unknown.
    """
    nodes, _ = _walk_module(module, "")
    return Stack(
        name=name or type(module).__name__.lower(),
        input_size=_pair(input_size, "input size", minimum=1, where="stack"),
        nodes=tuple(nodes),
        in_channels=in_channels,
    )


def _walk_module(module: nn.Module, prefix: str) -> tuple[list[Node], bool]:
    """Return the nodes of ``module`` and whether the classifier head was reached."""
    from torch import nn

    paths_fn = getattr(module, "rf_paths", None)
    if callable(paths_fn):
        paths: list[tuple[Node, ...]] = []
        for child_names in paths_fn():
            path: list[Node] = []
            for child in child_names:
                sub, _ = _walk_module(
                    module.get_submodule(child),
                    f"{prefix}.{child}" if prefix else child,
                )
                path.extend(sub)
            paths.append(tuple(path))
        merge: MergeOp = getattr(module, "rf_merge", "concat")
        return [Branch(name=prefix or "block", paths=tuple(paths), merge=merge)], False
    if isinstance(module, nn.Conv2d):
        if isinstance(module.padding, str):
            raise StackError(
                f"{prefix}: padding={module.padding!r} is not supported; "
                "give the padding as numbers"
            )
        return [
            Layer(
                name=prefix,
                kind="conv",
                kernel=_tup(module.kernel_size),
                stride=_tup(module.stride),
                padding=_tup(module.padding),
                dilation=_tup(module.dilation),
                channels=module.out_channels,
            )
        ], False
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        dilation = getattr(module, "dilation", 1)
        return [
            Layer(
                name=prefix,
                kind="pool",
                kernel=_tup(module.kernel_size),
                stride=_tup(module.stride or module.kernel_size),
                padding=_tup(module.padding),
                dilation=_tup(dilation),
                ceil_mode=bool(module.ceil_mode),
                pool_op="max" if isinstance(module, nn.MaxPool2d) else "avg",
            )
        ], False
    if isinstance(
        module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d, nn.Flatten, nn.Linear)
    ):
        return [], True
    if isinstance(
        module,
        (
            nn.ReLU,
            nn.ReLU6,
            nn.LeakyReLU,
            nn.GELU,
            nn.Tanh,
            nn.Sigmoid,
            nn.SiLU,
            nn.ELU,
            nn.BatchNorm2d,
            nn.GroupNorm,
            nn.LayerNorm,
            nn.InstanceNorm2d,
            nn.Dropout,
            nn.Dropout2d,
            nn.Identity,
            nn.LocalResponseNorm,
        ),
    ):
        return [], False
    children = list(module.named_children())
    if not children:
        raise StackError(
            f"{prefix or 'model'}: cannot tell how a "
            f"{type(module).__name__} changes the receptive field"
        )
    nodes: list[Node] = []
    for child_name, child in children:
        sub, head = _walk_module(
            child, f"{prefix}.{child_name}" if prefix else child_name
        )
        nodes.extend(sub)
        if head:
            return nodes, True
    return nodes, False


def _tup(v: int | tuple[int, ...]) -> Pair:
    if isinstance(v, int):
        return (v, v)
    return (int(v[0]), int(v[-1]))


# -- the architecture catalogue ------------------------------------------------------


@dataclass(frozen=True)
class ArchInfo:
    """A built-in architecture: how to build it and the input it is analysed at."""

    key: str
    title: str
    input_size: int
    in_channels: int
    note: str = field(default="")


ARCHS: dict[str, ArchInfo] = {
    a.key: a
    for a in (
        ArchInfo(
            "lenet5",
            "LeNet-5 (LeCun et al. 1998)",
            32,
            1,
            "C1-S2-C3-S4-C5 with average-pool subsampling",
        ),
        ArchInfo(
            "alexnet",
            "AlexNet (torchvision layout)",
            224,
            3,
            "11×11 stride-4 first layer, three max pools",
        ),
        ArchInfo(
            "vgg16",
            "VGG-16 (torchvision layout)",
            224,
            3,
            "thirteen stacked 3×3 convolutions, five 2×2 pools",
        ),
        ArchInfo(
            "resnet18",
            "ResNet-18 (torchvision layout)",
            224,
            3,
            "basic blocks; identity shortcuts are a second path",
        ),
        ArchInfo(
            "resnet50",
            "ResNet-50 (torchvision layout)",
            224,
            3,
            "bottleneck blocks with the stride in the 3×3 convolution",
        ),
        ArchInfo(
            "inception",
            "Inception-style (GoogLeNet stem + 3a, 3b)",
            224,
            3,
            "four parallel paths concatenated: 1×1, 3×3, 5×5, pool",
        ),
        ArchInfo(
            "wavenet",
            "WaveNet-style dilated stack",
            128,
            1,
            "3×3 residual convolutions with dilation 1, 2, 4, … 32",
        ),
        ArchInfo(
            "mnist_cnn",
            "Live MNIST CNN",
            28,
            1,
            "the small CNN the panel trains on MNIST",
        ),
    )
}

ARCH_NAMES: tuple[str, ...] = tuple(ARCHS)


def arch_stack(key: str, input_size: int | Pair | None = None) -> Stack:
    """Return the stack of the built-in architecture ``key`` (see :data:`ARCHS`).

    The model is built on PyTorch's ``meta`` device (no weights are allocated) and
    walked with :func:`stack_from_module`.

    Raises
    ------
    StackError
        For an unknown key or an input too small for the network.
    """
    import torch

    from explorer.core.rf_archs import build_arch

    info = ARCHS.get(key)
    if info is None:
        raise StackError(
            f"unknown architecture {key!r}; choose one of {', '.join(ARCH_NAMES)}"
        )
    with torch.device("meta"):
        model = build_arch(key)
    stack = stack_from_module(
        model, input_size or info.input_size, name=key, in_channels=info.in_channels
    )
    analyze(stack)  # raise now when the input is too small
    return stack


def load_stack(spec: str, input_size: int | None = None) -> Stack:
    """Return the stack named by ``spec``: an architecture key or a JSON file path.

    Raises
    ------
    StackError
        For an unknown name, an unreadable file or an invalid stack.
    """
    if spec in ARCHS:
        return arch_stack(spec, input_size)
    path = Path(spec)
    if path.suffix.lower() != ".json" and not path.exists():
        raise StackError(
            f"{spec!r} is neither an architecture ({', '.join(ARCH_NAMES)})"
            " nor a stack JSON file"
        )
    if not path.exists():
        raise StackError(f"no such stack file: {spec}")
    stack = stack_from_json(path)
    if input_size is not None:
        stack = stack.with_input_size(input_size)
    analyze(stack)
    return stack


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


def table_text(rows: Sequence[Row]) -> str:
    """Return the layer table as aligned plain text (the CLI's human output)."""
    head = ("layer", "type", "k", "s", "p", "d", "out", "rf", "jump", "eff.pad")

    def fmt(pair: Pair) -> str:
        return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"

    lines = [head]
    for row in rows:
        g = row.geometry
        name = "  " * row.depth + row.name
        lines.append(
            (
                name,
                row.kind,
                fmt(row.kernel),
                fmt(row.stride),
                fmt(row.padding),
                fmt(row.dilation),
                fmt(g.size),
                fmt(g.r),
                fmt(g.j),
                fmt(g.p),
            )
        )
    widths = [max(len(line[c]) for line in lines) for c in range(len(head))]
    out = []
    for line in lines:
        cells = [line[0].ljust(widths[0]), line[1].ljust(widths[1])]
        cells += [v.rjust(w) for v, w in zip(line[2:], widths[2:], strict=True)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def misaligned_rows(rows: Sequence[Row]) -> list[Row]:
    """Return the merge rows whose paths' field centres do not coincide."""
    return [
        r
        for r in rows
        if r.kind in ("concat", "add") and max(r.geometry.misalignment) > 0
    ]
