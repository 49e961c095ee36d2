"""Receptive-field arithmetic of a stack, with branches and per-axis values.

For every node :func:`analyze` gives the output size and, in input-pixel units,
the receptive-field size ``r``, the effective stride (jump) ``j`` and the
effective padding ``P``, with the recurrences of Araujo, Norris & Sim, "Computing
Receptive Fields of Convolutional Neural Networks", Distill 2019, eqs. 5-9
(dilation enters through the dilated kernel ``d (k - 1) + 1``)::

    n_out = floor((n_in + 2 p - d (k - 1) - 1) / s) + 1
    r_l   = r_{l-1} + (d (k - 1)) j_{l-1}
    j_l   = j_{l-1} s
    P_l   = P_{l-1} + p j_{l-1}

Output unit ``i`` of a layer sees input pixels ``[i j - P, i j - P + r - 1]``.
A branch's field is the union of its paths' fields (the widest path decides); when
the paths' field centres differ the block is *misaligned* and the misalignment
(in input pixels) is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from explorer.core.rf.layers import (
    Branch,
    Layer,
    Node,
    Pair,
    Stack,
    StackError,
    squash,
)


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
    ``ceil_mode`` is the pool's PyTorch flag (its output size rounds up).
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
    ceil_mode: bool = False

    @property
    def output_size(self) -> Pair:
        """The feature map size (rows, columns)."""
        return self.geometry.size

    @property
    def rounds_up(self) -> bool:
        """Whether ``ceil_mode`` gives a larger map than the floor formula would."""
        if not self.ceil_mode:
            return False
        return any(
            output_size(
                self.input_size[a],
                self.kernel[a],
                self.stride[a],
                self.padding[a],
                self.dilation[a],
            )
            != self.geometry.size[a]
            for a in (0, 1)
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the row as JSON-able values (a square pair collapses to one int)."""
        g = self.geometry
        return {
            "name": self.name,
            "type": self.kind,
            "kernel": squash(self.kernel),
            "stride": squash(self.stride),
            "padding": squash(self.padding),
            "dilation": squash(self.dilation),
            "output_size": squash(g.size),
            "rf": squash(g.r),
            "effective_stride": squash(g.j),
            "effective_padding": squash(g.p),
            "misalignment": g.misalignment[0]
            if g.misalignment[0] == g.misalignment[1]
            else list(g.misalignment),
        }


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
                    ceil_mode=node.ceil_mode,
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
