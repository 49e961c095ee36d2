"""Max-pooling forwards and backwards, and the four upsamplers of a decoder.

Max-pooling keeps each window's largest value and remembers where it was; its
backward pass sends each output's gradient to that arg-max only ("1 if it was
the max, else 0").  Upsampling back: nearest neighbour (copy), bed of nails
(value in the corner, zeros elsewhere), max-unpooling (value back where the
matching pool found it) and transposed convolution (each input scales the
kernel, the copies add up in the output).  For the last, the number of copies
landing on each output pixel (the overlap count) is uneven when k is not a
multiple of s: k = 3, s = 2 gives a checkerboard, k = 4, s = 2 an even
interior (Odena et al., "Deconvolution and checkerboard artifacts", Distill 2016).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LIMITS

Array = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Pooled:
    """A max-pool's output, the flat input index of each window's max, input shape."""

    output: Array
    argmax: IntArray
    in_shape: tuple[int, int]


def _check_window(shape: tuple[int, int], size: int, stride: int) -> tuple[int, int]:
    lo, hi = LIMITS["pool"]
    for name, v in (("pool size", size), ("pool stride", stride)):
        if not lo <= v <= hi:
            raise ValueError(f"{name} must be {lo}…{hi}, got {v}")
    if size > min(shape):
        raise ValueError(
            f"a {size} × {size} pool does not fit a {shape[0]} × {shape[1]} input"
        )
    return (shape[0] - size) // stride + 1, (shape[1] - size) // stride + 1


def max_pool(x: Array, size: int = 2, stride: int = 2) -> Pooled:
    """Return the max-pool of ``x`` and the arg-max of each window (first max wins)."""
    oh, ow = _check_window(x.shape, size, stride)
    h, w = x.shape
    rows = (stride * np.arange(oh))[:, None, None, None] + np.arange(size)[:, None]
    cols = (stride * np.arange(ow))[None, :, None, None] + np.arange(size)[None, :]
    flat = (rows * w + cols).reshape(oh, ow, size * size)
    values = x.ravel()[flat]
    pick = np.argmax(values, axis=2)
    argmax = np.take_along_axis(flat, pick[..., None], axis=2)[..., 0]
    return Pooled(values.max(axis=2), argmax.astype(np.int64), (h, w))


def max_pool_backward(grad: Array, pooled: Pooled) -> Array:
    """Return ∂L/∂x: each output's gradient at its window's arg-max, 0 elsewhere."""
    n = pooled.in_shape[0] * pooled.in_shape[1]
    out = np.bincount(pooled.argmax.ravel(), weights=grad.ravel(), minlength=n)
    return np.asarray(out, dtype=np.float64).reshape(pooled.in_shape)


def max_unpool(y: Array, pooled: Pooled) -> Array:
    """Return ``y`` put back where the matching max-pool found its maxima."""
    out = np.zeros(pooled.in_shape[0] * pooled.in_shape[1])
    out[pooled.argmax.ravel()] = y.ravel()
    return out.reshape(pooled.in_shape)


def nearest(y: Array, factor: int = 2) -> Array:
    """Return ``y`` upsampled by copying each value into a factor × factor block."""
    return np.repeat(np.repeat(y, factor, axis=0), factor, axis=1)


def bed_of_nails(y: Array, factor: int = 2) -> Array:
    """Return ``y`` upsampled: each value in its block's top-left corner, zeros else."""
    out = np.zeros((y.shape[0] * factor, y.shape[1] * factor))
    out[::factor, ::factor] = y
    return out


def transposed_upsample(
    y: Array, kernel: Array, stride: int = 2, padding: int = 0
) -> Array:
    """Return the transposed convolution of ``y``: Σ y(i, j) · K placed at (s·i, s·j).

    The full output has side (n − 1)·s + k; ``padding`` crops that many pixels
    from each side (as ``torch.nn.functional.conv_transpose2d`` does).
    """
    lo, hi = LIMITS["up_stride"]
    if not lo <= stride <= hi:
        raise ValueError(f"upsampling stride must be {lo}…{hi}, got {stride}")
    kh, kw = kernel.shape
    n, m = y.shape
    oh, ow = (n - 1) * stride + kh, (m - 1) * stride + kw
    if oh - 2 * padding < 1 or ow - 2 * padding < 1:
        raise ValueError(f"padding {padding} crops away the whole {oh} × {ow} output")
    out = np.zeros((oh, ow))
    for a in range(kh):
        for b in range(kw):
            out[
                a : a + stride * (n - 1) + 1 : stride,
                b : b + stride * (m - 1) + 1 : stride,
            ] += kernel[a, b] * y
    return out[padding : oh - padding, padding : ow - padding].copy()


def overlap_count(n: int, k: int, stride: int, padding: int = 0) -> Array:
    """Return how many kernel copies land on each output pixel of a transposed conv.

    The transposed convolution of an n × n map of ones with a k × k kernel of ones.
    """
    return transposed_upsample(np.ones((n, n)), np.ones((k, k)), stride, padding)


def upsample(
    method: str,
    y: Array,
    pooled: Pooled | None = None,
    *,
    kernel: Array | None = None,
    stride: int = 2,
) -> Array:
    """Return ``y`` upsampled by ``method`` (one of ``names.UPSAMPLERS``).

    Raises
    ------
    ValueError
        For an unknown method, max-unpooling without its pool, or transposed
        convolution without a kernel.
    """
    if method == "nearest":
        return nearest(y, stride)
    if method == "bed-of-nails":
        return bed_of_nails(y, stride)
    if method == "max-unpool":
        if pooled is None:
            raise ValueError("max-unpooling needs the indices of its max-pool")
        return max_unpool(y, pooled)
    if method == "transposed":
        if kernel is None:
            raise ValueError("transposed convolution needs a kernel")
        return transposed_upsample(y, kernel, stride)
    raise ValueError(f"unknown upsampling method {method!r}")
