"""The nodes of a conv / pool stack: layers, multi-path branches, the stack itself.

A network is a :class:`Stack` of nodes: a :class:`Layer` (convolution or pooling
with kernel, stride, padding and dilation per axis) or a :class:`Branch` (paths
that run side by side and are merged by concatenation or addition).  Every
geometric value is a (height, width) pair.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

Pair = tuple[int, int]
LayerKind = Literal["conv", "pool"]
PoolOp = Literal["max", "avg"]
MergeOp = Literal["concat", "add"]

MAX_SIZE = 100_000  # pixels per axis; beyond this a stack file is surely a typo
MAX_NODES = 2_000


class StackError(ValueError):
    """A layer stack is invalid (bad sizes, unknown layer type, broken JSON...)."""


def as_pair(value: Any, what: str, *, minimum: int, where: str) -> Pair:
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
        as_pair(self.kernel, "kernel", minimum=1, where=where)
        as_pair(self.stride, "stride", minimum=1, where=where)
        as_pair(self.padding, "padding", minimum=0, where=where)
        as_pair(self.dilation, "dilation", minimum=1, where=where)
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
        as_pair(self.input_size, "input size", minimum=1, where=f"stack {self.name!r}")
        if not self.nodes:
            raise StackError(f"stack {self.name!r} has no layers")
        if not 1 <= self.in_channels <= 64:
            raise StackError(f"stack {self.name!r}: in_channels must be in 1..64")

    def with_input_size(self, size: int | Pair) -> Stack:
        """Return the same stack analysed at another input size."""
        return replace(
            self,
            input_size=as_pair(
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


def squash(pair: Pair) -> int | list[int]:
    """Return a square pair as one int, else as ``[height, width]`` (JSON output)."""
    return pair[0] if pair[0] == pair[1] else [pair[0], pair[1]]
