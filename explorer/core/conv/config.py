"""Limits of every convolution setting: one source for the panel and the CLI.

:data:`LIMITS` holds the (low, high) of each whole number; :class:`LayerConfig`
and :class:`SegmentConfig` check against it, and the panel's state takes its
field limits from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from explorer.core.conv.names import Arch, Mode
from explorer.core.state import StateBase, limits

LIMITS: dict[str, tuple[int, int]] = {
    "input": (1, 64),  # side of an input image (larger ones are down-sampled)
    "kernel": (1, 9),  # side of a kernel
    "stride": (1, 8),
    "padding": (0, 16),
    "dilation": (1, 8),
    "filters": (1, 8),
    "matrix_1d": (2, 16),  # input length of the 1-D band matrix
    "matrix_2d": (2, 6),  # input side of the 2-D band matrix in the panel
    "matrix_pixels": (1, 256),  # the CLI's largest matrix input (16 × 16)
    "pool": (1, 8),
    "up_kernel": (1, 8),
    "up_stride": (1, 4),
    "unet_input": (8, 4096),
    "unet_depth": (1, 6),
    "seg_steps": (1, 5000),
    "seg_channels": (2, 32),
    "seg_batch": (1, 256),
    "eval_every": (1, 1000),
    "digit": (0, 4999),
}
# the largest value a kernel, input or matrix entry may hold (a typo'd 1e308 would
# overflow every sum)
MAX_ABS_VALUE = 1e6


def _lim(name: str) -> dict[str, object]:
    lo, hi = LIMITS[name]
    return limits(lo, hi)


@dataclass(frozen=True)
class LayerConfig(StateBase):
    """One convolution layer's geometry and mode (the kernel is passed apart)."""

    VERSION: ClassVar[int] = 1
    mode: Mode = "corr"
    stride: int = field(default=1, metadata=_lim("stride"))
    padding: int = field(default=0, metadata=_lim("padding"))
    dilation: int = field(default=1, metadata=_lim("dilation"))


@dataclass(frozen=True)
class SegmentConfig(StateBase):
    """The FCN-vs-U-Net segmentation experiment on MNIST digits (28 × 28)."""

    VERSION: ClassVar[int] = 1
    archs: tuple[Arch, ...] = ("fcn", "unet")
    steps: int = field(default=300, metadata=_lim("seg_steps"))
    channels: int = field(default=8, metadata=_lim("seg_channels"))
    batch: int = field(default=16, metadata=_lim("seg_batch"))
    eval_every: int = field(default=10, metadata=_lim("eval_every"))
    lr: float = field(default=1e-2, metadata=limits(1e-5, 1.0))
    noise: float = field(default=0.3, metadata=limits(0.0, 2.0))
    train_digits: int = field(default=1000, metadata=limits(16, 4800))
    shown: int = field(default=4, metadata=limits(1, 8))
