"""What one convolution layer computes: correlation, convolution, output size.

The course writes the layer as a correlation (what deep-learning libraries call
"convolution")::

    I′(i, j) = Σ_{m,n} K(m, n) · I(s·i + d·m − p, s·j + d·n − p)

and true convolution as the same sum with ``I(i − m, j − n)``: correlation with
the kernel rotated by 180°.  The two agree for every input iff
``K(m, n) = K(−m, −n)`` (a point-symmetric kernel).  The output side is the
seed's ``(H + 2p − d(k − 1) − 1) / s + 1`` (floored).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LayerConfig

Array = NDArray[np.float64]


def output_size(
    n: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Return ⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, the seed's output size (may be ≤ 0)."""
    return (n + 2 * padding - dilation * (k - 1) - 1) // stride + 1


def effective_kernel(kernel: Array, mode: str) -> Array:
    """Return the kernel the layer correlates with: K, or ROT180(K) for ``conv``."""
    return kernel[::-1, ::-1].copy() if mode == "conv" else kernel


def is_point_symmetric(kernel: Array, tol: float = 1e-12) -> bool:
    """Return whether K(m, n) = K(−m, −n): correlation and convolution then agree."""
    return bool(np.allclose(kernel, kernel[::-1, ::-1], rtol=0.0, atol=tol))


def check_geometry(
    shape: tuple[int, ...], kernel_shape: tuple[int, ...], cfg: LayerConfig
) -> tuple[int, int]:
    """Return the output shape, or raise a ValueError saying why there is none.

    Raises
    ------
    ValueError
        When the (dilated) kernel is larger than the padded input.
    """
    return _geometry(shape, kernel_shape, cfg.stride, cfg.padding, cfg.dilation)


def _geometry(
    shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    stride: int,
    padding: int,
    dilation: int,
) -> tuple[int, int]:
    out = []
    for n, k, axis in zip(shape, kernel_shape, ("height", "width"), strict=True):
        span = dilation * (k - 1) + 1
        if span > n + 2 * padding:
            raise ValueError(
                f"the kernel spans {span} pixels but the padded input's {axis} is "
                f"{n + 2 * padding} (= {n} + 2·{padding}): no output"
            )
        out.append(output_size(n, k, stride, padding, dilation))
    return out[0], out[1]


def correlate(
    image: Array, kernel: Array, *, stride: int = 1, padding: int = 0, dilation: int = 1
) -> Array:
    """Return the zero-padded, strided, dilated correlation of ``image`` with K.

    One shifted slice per kernel entry (k² numpy operations), so a 64 × 64 input
    costs well under a millisecond.
    """
    if min(stride, dilation) < 1 or padding < 0:
        raise ValueError("stride and dilation must be ≥ 1 and padding ≥ 0")
    oh, ow = _geometry(image.shape, kernel.shape, stride, padding, dilation)
    xp = np.pad(np.asarray(image, dtype=np.float64), padding)
    out = np.zeros((oh, ow))
    kh, kw = kernel.shape
    for m in range(kh):
        r0 = dilation * m
        rows = slice(r0, r0 + stride * (oh - 1) + 1, stride)
        for n in range(kw):
            c0 = dilation * n
            out += kernel[m, n] * xp[rows, c0 : c0 + stride * (ow - 1) + 1 : stride]
    return out


def apply(image: Array, kernel: Array, cfg: LayerConfig) -> Array:
    """Return the layer's output: correlation, or convolution for mode ``conv``."""
    return correlate(
        image,
        effective_kernel(kernel, cfg.mode),
        stride=cfg.stride,
        padding=cfg.padding,
        dilation=cfg.dilation,
    )


def apply_bank(image: Array, kernels: list[Array], cfg: LayerConfig) -> Array:
    """Return the outputs of several kernels stacked: (filters, H′, W′)."""
    return np.stack([apply(image, k, cfg) for k in kernels])


@dataclass(frozen=True)
class Term:
    """One product of an output cell's sum: K(m, n) · I(row, col)."""

    m: int
    n: int
    row: int  # input row (may lie in the padding: then value is 0)
    col: int
    weight: float  # the kernel entry K(m, n) of the formula
    value: float  # the input value I(row, col), 0 in the padding
    padded: bool


def window_terms(
    image: Array, kernel: Array, cfg: LayerConfig, i: int, j: int
) -> list[Term]:
    """Return the products summed into output cell (i, j), in kernel order.

    For correlation, K(m, n) multiplies I(s·i + d·m − p, s·j + d·n − p); for
    convolution (the flipped kernel) K(m, n) multiplies the pixel mirrored in the
    window, so the same k² pixels are listed with the formula's weights.

    Raises
    ------
    IndexError
        When (i, j) is not an output cell.
    """
    oh, ow = check_geometry(image.shape, kernel.shape, cfg)
    if not (0 <= i < oh and 0 <= j < ow):
        raise IndexError(f"output cell ({i}, {j}) outside {oh} × {ow}")
    kh, kw = kernel.shape
    h, w = image.shape
    terms = []
    for m in range(kh):
        for n in range(kw):
            # the window offset the entry multiplies: (m, n), or mirrored for conv
            a, b = (kh - 1 - m, kw - 1 - n) if cfg.mode == "conv" else (m, n)
            row = cfg.stride * i + cfg.dilation * a - cfg.padding
            col = cfg.stride * j + cfg.dilation * b - cfg.padding
            inside = 0 <= row < h and 0 <= col < w
            value = float(image[row, col]) if inside else 0.0
            terms.append(Term(m, n, row, col, float(kernel[m, n]), value, not inside))
    return terms
