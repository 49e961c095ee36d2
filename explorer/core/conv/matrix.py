"""Convolution as a matrix: the band matrix C, its transpose, the backward pass.

With the input flattened row-major, the layer is ``vec(I′) = C · vec(I)``: row
``r`` of C holds the kernel entries at the columns of the pixels output ``r``
reads (the kernel's entries run along C's diagonals; the seed's Figure 3).
Its transpose spreads a vector back over the input, ``Cᵀ · g``: the transposed
convolution, and for ``g = δ^(l) = ∂L/∂I′`` the input gradient δ^(l−1) of
backpropagation, which for stride 1 is also the full convolution
``δ^(l) * ROT180(w)`` (padded by k − 1 all round).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LIMITS, LayerConfig
from explorer.core.conv.layer import check_geometry, correlate, effective_kernel

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _as_float(a: NDArray[Any]) -> Array:
    return np.asarray(a, dtype=np.float64)


@dataclass(frozen=True)
class Sparse:
    """C as coordinates: ``C[rows[t], cols[t]] += vals[t]`` (shape rows × cols)."""

    rows: IntArray
    cols: IntArray
    vals: Array
    shape: tuple[int, int]

    def dense(self) -> Array:
        """Return C as a dense array."""
        out = np.zeros(self.shape)
        np.add.at(out, (self.rows, self.cols), self.vals)
        return out

    def matvec(self, x: Array) -> Array:
        """Return C · x."""
        return _as_float(
            np.bincount(
                self.rows, weights=self.vals * x[self.cols], minlength=self.shape[0]
            )
        )

    def rmatvec(self, g: Array) -> Array:
        """Return Cᵀ · g."""
        return _as_float(
            np.bincount(
                self.cols, weights=self.vals * g[self.rows], minlength=self.shape[1]
            )
        )


def conv_sparse(in_shape: tuple[int, int], kernel: Array, cfg: LayerConfig) -> Sparse:
    """Return the band matrix C of the layer (zero padding drops out of it)."""
    h, w = in_shape
    oh, ow = check_geometry(in_shape, kernel.shape, cfg)
    k = effective_kernel(kernel, cfg.mode)
    kh, kw = k.shape
    i = np.arange(oh)[:, None, None, None]
    j = np.arange(ow)[None, :, None, None]
    m = np.arange(kh)[None, None, :, None]
    n = np.arange(kw)[None, None, None, :]
    row = cfg.stride * i + cfg.dilation * m - cfg.padding
    col = cfg.stride * j + cfg.dilation * n - cfg.padding
    inside = (row >= 0) & (row < h) & (col >= 0) & (col < w)
    out_index = np.broadcast_to(i * ow + j, inside.shape)
    in_index = np.broadcast_to(row * w + col, inside.shape)
    return Sparse(
        rows=out_index[inside].astype(np.int64),
        cols=in_index[inside].astype(np.int64),
        vals=np.broadcast_to(k[None, None], inside.shape)[inside].astype(np.float64),
        shape=(oh * ow, h * w),
    )


def conv_matrix(in_shape: tuple[int, int], kernel: Array, cfg: LayerConfig) -> Array:
    """Return the dense band matrix C (rows: outputs, columns: input pixels).

    Raises
    ------
    ValueError
        When the input has more pixels than ``LIMITS["matrix_pixels"]`` (256),
        or the kernel does not fit.
    """
    pixels = in_shape[0] * in_shape[1]
    hi = LIMITS["matrix_pixels"][1]
    if pixels > hi:
        raise ValueError(
            f"a {in_shape[0]} × {in_shape[1]} input has {pixels:,} pixels; the matrix "
            f"is drawn for at most {hi} (e.g. 16 × 16 or 1 × 16 … 1 × 256)"
        )
    return conv_sparse(in_shape, kernel, cfg).dense()


def transposed(
    g: Array, kernel: Array, in_shape: tuple[int, int], cfg: LayerConfig
) -> Array:
    """Return the transposed convolution of ``g``: each g(i, j) adds g·K into the input.

    "The input as weight, add up the filters in the output": the pixels output
    (i, j) read in the forward pass each receive ``g(i, j) · K``; pixels in the
    padding are dropped.  This is ``Cᵀ · vec(g)`` computed without C.
    """
    h, w = in_shape
    k = effective_kernel(kernel, cfg.mode)
    s, d, p = cfg.stride, cfg.dilation, cfg.padding
    gh, gw = g.shape
    kh, kw = k.shape
    out = np.zeros((h + 2 * p + s * gh + d * kh, w + 2 * p + s * gw + d * kw))
    for m in range(kh):
        for n in range(kw):
            out[
                d * m : d * m + s * (gh - 1) + 1 : s,
                d * n : d * n + s * (gw - 1) + 1 : s,
            ] += k[m, n] * g
    return out[p : p + h, p : p + w].copy()


def flipped_full(
    delta: Array, kernel: Array, in_shape: tuple[int, int], cfg: LayerConfig
) -> Array:
    """Return δ^(l−1) as the seed writes it: δ^(l) * ROT180(w), a full correlation.

    δ is spread onto the stride grid (s − 1 zeros between entries), padded by
    d(k − 1) all round and correlated with the rotated (dilated) kernel; the
    result covers the padded input, whose padding is then cut off.  For stride 1,
    no padding and no dilation this is exactly the seed's formula.
    """
    h, w = in_shape
    k = effective_kernel(kernel, cfg.mode)
    s, d, p = cfg.stride, cfg.dilation, cfg.padding
    gh, gw = delta.shape
    spread = np.zeros((s * (gh - 1) + 1, s * (gw - 1) + 1))
    spread[::s, ::s] = delta
    kh, kw = k.shape
    full = np.pad(spread, ((d * (kh - 1),) * 2, (d * (kw - 1),) * 2))
    grad = correlate(full, k[::-1, ::-1], dilation=d)
    # rows the last stride step never reached get no gradient
    grad = np.pad(
        grad,
        (
            (0, max(0, h + 2 * p - grad.shape[0])),
            (0, max(0, w + 2 * p - grad.shape[1])),
        ),
    )
    return grad[p : p + h, p : p + w].copy()


def weight_gradient_correlation(
    image: Array, delta: Array, kernel_shape: tuple[int, int], cfg: LayerConfig
) -> Array:
    """Return ∂L/∂K as a correlation of the padded input with δ^(l).

    ∂L/∂K_eff(m, n) = Σ_ij δ(i, j) · I_p(s·i + d·m, s·j + d·n): the input
    correlated with δ (δ dilated by the stride, the steps by the dilation).  For
    true convolution the kernel is used rotated, so its gradient is rotated back.
    """
    xp = np.pad(image, cfg.padding)
    kh, kw = kernel_shape
    s, d = cfg.stride, cfg.dilation
    gh, gw = delta.shape
    out = np.zeros(kernel_shape)
    for m in range(kh):
        for n in range(kw):
            window = xp[
                d * m : d * m + s * (gh - 1) + 1 : s,
                d * n : d * n + s * (gw - 1) + 1 : s,
            ]
            out[m, n] = float(np.sum(window * delta))
    return out[::-1, ::-1].copy() if cfg.mode == "conv" else out


def im2col(image: Array, kernel_shape: tuple[int, int], cfg: LayerConfig) -> Array:
    """Return X with ``vec(I′) = X · vec(K_eff)``: a row of window pixels per output."""
    kh, kw = kernel_shape
    xp = np.pad(image, cfg.padding)
    oh, ow = check_geometry(image.shape, kernel_shape, cfg)
    s, d = cfg.stride, cfg.dilation
    cols = [
        xp[
            d * m : d * m + s * (oh - 1) + 1 : s, d * n : d * n + s * (ow - 1) + 1 : s
        ].ravel()
        for m in range(kh)
        for n in range(kw)
    ]
    return np.stack(cols, axis=1)
