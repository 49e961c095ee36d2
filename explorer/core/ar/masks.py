"""Masked convolutions, the PixelCNN blind spot and the Gated PixelCNN's two stacks.

Mask convention of van den Oord et al. 2016 (Pixel Recurrent Neural Networks,
§3.4; one channel here): a k × k kernel sees the rows above its centre and the
pixels left of it in the centre row.  **Mask A** (first layer) excludes the
centre itself — the pixel being predicted; **mask B** (later layers) includes it,
since the centre of a hidden map already holds only the past.

Which input pixels one output depends on is read from the real stack: the
gradient of that output with respect to the input image (torch autograd).  The
weights are positive and the input is all ones, so no dependency can cancel to
zero by chance (every path through the stack adds a positive amount).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.nn import functional as F

from explorer.core.ar.config import check_kernel, check_layers
from explorer.core.ar.names import ArchName
from explorer.core.progress import Progress

BoolMap = NDArray[np.bool_]


def conv_mask(kernel: int, kind: str) -> torch.Tensor:
    """Return the k × k 0/1 mask of type ``"A"`` (no centre) or ``"B"`` (centre)."""
    c = kernel // 2
    mask = torch.zeros(kernel, kernel)
    mask[:c, :] = 1.0
    mask[c, :c] = 1.0
    if kind == "B":
        mask[c, c] = 1.0
    elif kind != "A":
        raise ValueError(f"mask type must be 'A' or 'B', got {kind!r}")
    return mask


class MaskedConv2d(nn.Conv2d):
    """A ``Conv2d`` whose kernel is multiplied by a mask A or B at every call."""

    mask: torch.Tensor

    def __init__(
        self, in_channels: int, out_channels: int, kernel: int, kind: str
    ) -> None:
        super().__init__(in_channels, out_channels, kernel, padding=kernel // 2)
        self.register_buffer("mask", conv_mask(kernel, kind)[None, None])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.conv2d(x, self.weight * self.mask, self.bias, padding=self.padding)


def pixelcnn_stack(layers: int, kernel: int, channels: int = 1) -> nn.Sequential:
    """Return L masked k × k convolutions, mask A first, mask B after (no activation).

    The blind spot is a property of the masks' geometry; a nonlinearity between
    the layers would not change which pixels are reachable.
    """
    check_layers(layers)
    check_kernel(kernel)
    mods: list[nn.Module] = [MaskedConv2d(1, channels, kernel, "A")]
    mods += [MaskedConv2d(channels, channels, kernel, "B") for _ in range(layers - 1)]
    return nn.Sequential(*mods)


class GatedLayer(nn.Module):
    """One layer of the Gated PixelCNN (van den Oord et al. 2016b, Fig. 2).

    The vertical stack convolves with a ⌈k/2⌉ × k kernel over the rows above and
    the current row; shifted down one row it feeds the horizontal stack, which
    convolves a 1 × (⌊k/2⌋ + 1) kernel over the pixel and those to its left; on
    the first layer the centre tap is masked out (mask A), leaving ⌊k/2⌋ taps.
    Each output is tanh(a) · σ(b); later layers add a residual connection.
    """

    def __init__(self, channels_in: int, channels: int, kernel: int, first: bool):
        super().__init__()
        self.r = kernel // 2
        self.first = first
        self.v_conv = nn.Conv2d(channels_in, 2 * channels, (self.r + 1, kernel))
        self.v_to_h = nn.Conv2d(2 * channels, 2 * channels, 1)
        taps = self.r if first else self.r + 1
        self.h_conv = nn.Conv2d(channels_in, 2 * channels, (1, taps))
        self.h_out = nn.Conv2d(channels, channels, 1)

    def forward(
        self, v: torch.Tensor, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        r = self.r
        v_pre = self.v_conv(F.pad(v, (r, r, r, 0)))  # rows i − r … i
        shifted = F.pad(v_pre, (0, 0, 1, 0))[:, :, :-1, :]  # rows i − r − 1 … i − 1
        if self.first:  # mask A: the pixels strictly left of the centre
            h_in = F.pad(h, (r, 0, 0, 0))[:, :, :, :-1]
        else:
            h_in = F.pad(h, (r, 0, 0, 0))
        h_pre = self.h_conv(h_in) + self.v_to_h(shifted)
        va, vb = v_pre.chunk(2, dim=1)
        ha, hb = h_pre.chunk(2, dim=1)
        v_out = torch.tanh(va) * torch.sigmoid(vb)
        h_out = self.h_out(torch.tanh(ha) * torch.sigmoid(hb))
        if not self.first:
            h_out = h_out + h
        return v_out, h_out


class GatedStack(nn.Module):
    """L gated layers; the output is the horizontal stack's last map."""

    def __init__(self, layers: int, kernel: int, channels: int = 1) -> None:
        super().__init__()
        check_layers(layers)
        check_kernel(kernel)
        self.layers = nn.ModuleList(
            GatedLayer(1 if i == 0 else channels, channels, kernel, first=i == 0)
            for i in range(layers)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        v, h = x, x
        for layer in self.layers:
            v, h = layer(v, h)
        return h


def _positive_weights(model: nn.Module, seed: int = 0) -> None:
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(0.1 + torch.rand(p.shape, generator=gen, dtype=p.dtype))


@lru_cache(maxsize=8)
def build_stack(arch: ArchName, layers: int, kernel: int) -> nn.Module:
    """Return the stack ``arch`` (float64, positive weights) for dependency maps.

    Cached: a click on another pixel reuses the stack (its weights never change).
    """
    model: nn.Module
    if arch == "pixelcnn":
        model = pixelcnn_stack(layers, kernel)
    elif arch == "gated":
        model = GatedStack(layers, kernel)
    else:
        raise ValueError(f"unknown stack {arch!r}: use pixelcnn or gated")
    model = model.double()
    _positive_weights(model)
    model.requires_grad_(False)
    return model


def dependency_map(
    model: nn.Module, height: int, width: int, row: int, col: int
) -> BoolMap:
    """Return the input pixels output (``row``, ``col``) depends on (non-zero ∂y/∂x)."""
    if not (0 <= row < height and 0 <= col < width):
        raise ValueError(
            f"pixel ({row}, {col}) is outside the {height} × {width} image"
        )
    x = torch.ones(1, 1, height, width, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[0, :, row, col].sum().backward()
    assert x.grad is not None
    grad: NDArray[np.float64] = x.grad[0, 0].numpy()
    return np.asarray(np.abs(grad) > 0.0)


def causal_before(height: int, width: int, row: int, col: int) -> BoolMap:
    """Return the pixels that come before (``row``, ``col``) in raster order."""
    idx = np.arange(height * width).reshape(height, width)
    return np.asarray(idx < row * width + col)


@dataclass(frozen=True)
class BlindSpot:
    """What one output pixel sees, should see and misses (maps over the image)."""

    row: int
    col: int
    seen: BoolMap  # non-zero input gradient
    should: BoolMap  # earlier in raster order, inside the field's bounding box
    blind: BoolMap  # should and not seen

    @property
    def field_size(self) -> int:
        """Return how many input pixels the output depends on."""
        return int(self.seen.sum())

    @property
    def blind_size(self) -> int:
        """Return how many earlier pixels inside the field's box it misses."""
        return int(self.blind.sum())

    @property
    def leaks(self) -> int:
        """Return how many seen pixels are not in the past (0 for a causal stack)."""
        h, w = self.seen.shape
        return int((self.seen & ~causal_before(h, w, self.row, self.col)).sum())


def blind_spot(
    model: nn.Module, height: int, width: int, row: int, col: int
) -> BlindSpot:
    """Return the :class:`BlindSpot` of output (``row``, ``col``) of ``model``."""
    seen = dependency_map(model, height, width, row, col)
    past = causal_before(height, width, row, col)
    rows, cols = np.nonzero(seen)
    box = np.zeros_like(seen)
    if rows.size:
        box[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1] = True
    should = box & past
    return BlindSpot(row, col, seen, should, should & ~seen)


def reach(arch: ArchName, layers: int, kernel: int) -> int:
    """Return how many rows above (and columns aside) the stack can reach."""
    r = kernel // 2
    return layers * r + (1 if arch == "gated" else 0)


def offsets(
    arch: ArchName, layers: int, kernel: int
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Return (field, blind) as sorted (dy, dx) offsets of one output pixel.

    dy < 0 is above, dx > 0 to the right; computed on an image large enough that
    no border cuts the field.
    """
    n = reach(arch, layers, kernel)
    side = 2 * n + 1
    spot = blind_spot(build_stack(arch, layers, kernel), side, side, n, n)

    def listed(m: BoolMap) -> list[tuple[int, int]]:
        ys, xs = np.nonzero(m)
        return sorted((int(y) - n, int(x) - n) for y, x in zip(ys, xs, strict=True))

    return listed(spot.seen), listed(spot.blind)


def expected_counts(layers: int) -> tuple[int, int]:
    """Return (field, blind) pixel counts of a 3 × 3 A-then-B stack, in closed form.

    The bounding box holds L rows of 2L + 1 pixels above and L pixels to the left:
    2L(L + 1) earlier pixels, of which L(L − 1)/2 in the upper right are blind.
    """
    blind = layers * (layers - 1) // 2
    return 2 * layers * (layers + 1) - blind, blind


@dataclass(frozen=True, kw_only=True)
class SpotPair(Progress):
    """The blind spots of both stacks for one clicked output pixel."""

    layers: int
    kernel: int
    pixelcnn: BlindSpot
    gated: BlindSpot


def compare_stacks(
    layers: int, kernel: int, row: int, col: int, side: int = 28
) -> Iterator[SpotPair]:
    """Yield once: the :class:`BlindSpot` of PixelCNN and of Gated PixelCNN."""
    pair = SpotPair(
        step=1,
        total=1,
        layers=layers,
        kernel=kernel,
        pixelcnn=blind_spot(
            build_stack("pixelcnn", layers, kernel), side, side, row, col
        ),
        gated=blind_spot(build_stack("gated", layers, kernel), side, side, row, col),
    )
    yield pair
