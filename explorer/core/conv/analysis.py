"""Everything the panel shows for one input, kernel and layer, in one call.

:func:`analyse` runs the layer forwards (both modes, a bank of filters), lists
the products of one output cell, builds the band matrix of a small version of
the input, runs the backward pass three ways, max-pools the input and
upsamples it back four ways.  The forward part is computed at once; the band matrix, the
backward pass and the upsampling when first read.  For a 64 × 64 input each
takes a few milliseconds (``benchmarks/bench_conv.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.backward import Backward, backward
from explorer.core.conv.config import LayerConfig
from explorer.core.conv.kernels import kernel_preset
from explorer.core.conv.layer import (
    Term,
    apply,
    check_geometry,
    correlate,
    effective_kernel,
    is_point_symmetric,
    window_terms,
)
from explorer.core.conv.matrix import conv_matrix, transposed
from explorer.core.conv.names import KERNEL_NAMES
from explorer.core.conv.pooling import (
    Pooled,
    bed_of_nails,
    max_pool,
    max_pool_backward,
    max_unpool,
    nearest,
    overlap_count,
    transposed_upsample,
)

Array = NDArray[np.float64]


def shrink(image: Array, h: int, w: int) -> Array:
    """Return ``image`` averaged down (or repeated up) to h × w pixels."""
    rows = np.arange(image.shape[0]) * h // image.shape[0]
    cols = np.arange(image.shape[1]) * w // image.shape[1]
    total = np.zeros((h, w))
    count = np.zeros((h, w))
    np.add.at(total, (rows[:, None], cols[None, :]), image)
    np.add.at(count, (rows[:, None], cols[None, :]), 1.0)
    filled = count > 0
    out = np.zeros((h, w))
    out[filled] = total[filled] / count[filled]
    if not filled.all():  # upsampling: nearest pixel
        r = np.minimum(np.arange(h) * image.shape[0] // h, image.shape[0] - 1)
        c = np.minimum(np.arange(w) * image.shape[1] // w, image.shape[1] - 1)
        out[~filled] = image[np.ix_(r, c)][~filled]
    return out


@dataclass(frozen=True)
class MatrixView:
    """The band matrix of a small input and the two identities it shows."""

    image: Array  # the small input (1 × n or n × n)
    kernel: Array
    matrix: Array | None
    output: Array | None
    forward_error: float  # max |C·vec(I) − layer output|
    transpose_error: float  # max |Cᵀ·g − transposed convolution of g|
    problem: str = ""


@dataclass(frozen=True)
class Upsampling:
    """A 2 × 2 max-pool of the input, its gradient, and four ways back up."""

    pooled: Pooled
    pool_gradient: Array  # ∂(Σ pooled)/∂x: 1 at each window's max
    nearest: Array
    bed_of_nails: Array
    max_unpool: Array
    transposed: Array
    overlap: Array
    kernel: int
    stride: int


@dataclass(frozen=True)
class Analysis:
    """What the panel shows; ``output`` is the layer in the chosen mode.

    The band matrix, the backward pass and the upsampling are computed when
    first asked for (the panel draws the page in view first, the others on
    later frames).
    """

    image: Array
    kernel: Array
    cfg: LayerConfig
    output: Array
    other: Array  # the same layer in the other mode
    symmetric: bool
    mode_difference: float  # max |correlation − convolution|
    bank: list[Array]
    bank_names: list[str]
    cell: tuple[int, int]
    terms: list[Term]
    matrix_size: int = 5
    matrix_1d: bool = False
    up_kernel: int = 3
    up_stride: int = 2

    @cached_property
    def matrix(self) -> MatrixView:
        """The band matrix of the input shrunk to ``matrix_size``."""
        return matrix_view(
            self.image, self.kernel, self.cfg, self.matrix_size, self.matrix_1d
        )

    @cached_property
    def backward(self) -> Backward:
        """The backward pass for L = ½‖I′‖², three ways."""
        return backward(self.image, self.kernel, self.cfg)

    @cached_property
    def upsampling(self) -> Upsampling:
        """The 2 × 2 max-pool of the input and its four upsamplings."""
        return upsampling(self.image, self.up_kernel, self.up_stride)

    def with_cell(self, cell: tuple[int, int]) -> Analysis:
        """Return this analysis for another output cell (what was computed is kept)."""
        r, c = cell
        out = dataclasses.replace(
            self, cell=cell, terms=window_terms(self.image, self.kernel, self.cfg, r, c)
        )
        for name in ("matrix", "backward", "upsampling"):
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name]
        return out


def matrix_view(
    image: Array, kernel: Array, cfg: LayerConfig, size: int, one_d: bool
) -> MatrixView:
    """Return the band matrix for ``image`` shrunk to 1 × size or size × size.

    In 1-D the middle row of the shrunk image and of the kernel are used.
    """
    if one_d:
        small = shrink(image, size, size)[size // 2][None, :]
        k = kernel[kernel.shape[0] // 2][None, :]
    else:
        small, k = shrink(image, size, size), kernel
    try:
        c = conv_matrix(small.shape, k, cfg)
    except ValueError as exc:
        return MatrixView(small, k, None, None, np.nan, np.nan, str(exc))
    out = apply(small, k, cfg)
    g = np.random.default_rng(0).normal(size=out.shape)
    t_err = np.abs(c.T @ g.ravel() - transposed(g, k, small.shape, cfg).ravel())
    return MatrixView(
        small,
        k,
        c,
        out,
        float(np.abs(c @ small.ravel() - out.ravel()).max()),
        float(t_err.max()),
    )


def upsampling(image: Array, kernel: int, stride: int) -> Upsampling:
    """Return the pool of ``image`` and its four upsamplings (uniform k × k kernel).

    The transposed convolution's kernel is uniform with weight s²/k², so the
    average output equals the average input and only the overlap varies.
    """
    pooled = max_pool(image, 2, 2)
    y = pooled.output
    w = np.full((kernel, kernel), stride**2 / kernel**2)
    return Upsampling(
        pooled=pooled,
        pool_gradient=max_pool_backward(np.ones_like(y), pooled),
        nearest=nearest(y, 2),
        bed_of_nails=bed_of_nails(y, 2),
        max_unpool=max_unpool(y, pooled),
        transposed=transposed_upsample(y, w, stride),
        overlap=overlap_count(min(y.shape), kernel, stride),
        kernel=kernel,
        stride=stride,
    )


def filter_bank(kernel: Array, filters: int) -> tuple[list[Array], list[str]]:
    """Return ``filters`` kernels: the edited one, then presets other than identity."""
    kernels, names = [kernel], ["your kernel"]
    for name in KERNEL_NAMES:
        if len(kernels) >= filters:
            break
        if name != "identity":
            kernels.append(kernel_preset(name, kernel.shape[0]))
            names.append(name)
    return kernels, names


def analyse(
    image: Array,
    kernel: Array,
    cfg: LayerConfig,
    *,
    cell: tuple[int, int] = (0, 0),
    filters: int = 1,
    matrix_size: int = 5,
    matrix_1d: bool = False,
    up_kernel: int = 3,
    up_stride: int = 2,
) -> Analysis:
    """Return the panel's whole analysis (``cell`` is clamped to the output).

    Raises
    ------
    ValueError
        When the kernel does not fit the padded input (no output at all), or
        the input is too small for a 2 × 2 pool.
    """
    check_geometry(image.shape, kernel.shape, cfg)
    out = apply(image, kernel, cfg)
    other_mode = "conv" if cfg.mode == "corr" else "corr"
    other = correlate(
        image,
        effective_kernel(kernel, other_mode),
        stride=cfg.stride,
        padding=cfg.padding,
        dilation=cfg.dilation,
    )
    r = min(max(cell[0], 0), out.shape[0] - 1)
    c = min(max(cell[1], 0), out.shape[1] - 1)
    kernels, names = filter_bank(kernel, filters)
    bank = []
    for k in kernels:
        try:
            bank.append(apply(image, k, cfg))
        except ValueError:  # a fixed-size preset (3 × 3) larger than the input
            bank.append(np.zeros_like(out))
    return Analysis(
        image=image,
        kernel=kernel,
        cfg=cfg,
        output=out,
        other=other,
        symmetric=is_point_symmetric(kernel),
        mode_difference=float(np.abs(out - other).max()),
        bank=[b if b.shape == out.shape else np.zeros_like(out) for b in bank],
        bank_names=names,
        cell=(r, c),
        terms=window_terms(image, kernel, cfg, r, c),
        matrix_size=matrix_size,
        matrix_1d=matrix_1d,
        up_kernel=up_kernel,
        up_stride=up_stride,
    )
