"""WaveNet's causal dilated convolutions: which past samples one output sees.

A causal 1-D convolution with kernel k and dilation d looks at the inputs
t, t − d, …, t − (k − 1)·d.  A stack of them sees ``1 + Σ_l (k − 1)·d_l`` samples
(van den Oord et al. 2016, WaveNet, §2.1): linear in the depth with d = 1,
exponential with d = 1, 2, 4, …
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.nn import functional as F

from explorer.core.ar.config import LIMITS
from explorer.core.ar.names import DilationPreset

MAX_DILATION = 4096
MAX_FIELD = 1_000_000


def check_dilations(dilations: Sequence[int], kernel: int) -> tuple[int, ...]:
    """Return ``dilations`` as a tuple after checking them and ``kernel``.

    Raises
    ------
    ValueError
        For an empty list, a dilation < 1 or > 4,096, too many layers, or a kernel
        outside its limits.
    """
    out = tuple(int(d) for d in dilations)
    if not out:
        raise ValueError("the dilation list is empty: give at least one, e.g. 1,2,4")
    lo, hi = LIMITS["wave_kernel"]
    if not lo <= kernel <= hi:
        raise ValueError(f"kernel must be {lo} … {hi}, got {kernel}")
    if len(out) > 64:
        raise ValueError(f"at most 64 layers, got {len(out)}")
    for d in out:
        if not 1 <= d <= MAX_DILATION:
            raise ValueError(f"each dilation must be 1 … {MAX_DILATION:,}, got {d}")
    return out


def preset_dilations(preset: DilationPreset, layers: int) -> tuple[int, ...]:
    """Return the dilations of ``preset`` for ``layers`` layers.

    ``ones``: 1, 1, …; ``doubling``: 1, 2, 4, …; ``blocks``: 1, 2, 4, 8, 1, 2, …
    (WaveNet repeats 1 … 512 blocks; here blocks of four so they show on screen).
    """
    if preset == "ones":
        return (1,) * layers
    if preset == "doubling":
        return tuple(2**i for i in range(layers))
    if preset == "blocks":
        return tuple(2 ** (i % 4) for i in range(layers))
    raise ValueError(f"unknown preset {preset!r}: use ones, doubling or blocks")


def receptive_field(dilations: Sequence[int], kernel: int) -> int:
    """Return 1 + Σ (k − 1)·d_l, the samples one output of the stack sees."""
    return 1 + sum((kernel - 1) * int(d) for d in dilations)


def milliseconds(field: int, sample_rate: float) -> float:
    """Return the milliseconds of audio ``field`` samples span at ``sample_rate``."""
    return 1000.0 * field / float(sample_rate)


def tree(dilations: Sequence[int], kernel: int) -> list[NDArray[np.int64]]:
    """Return, per level (input first, output last), the time offsets ≤ 0 that feed
    the output at offset 0 through the stack."""
    levels = [np.array([0], dtype=np.int64)]
    for d in reversed(tuple(dilations)):
        below = levels[0][:, None] - d * np.arange(kernel)[None, :]
        levels.insert(0, np.unique(below))
    return levels


class CausalConv1d(nn.Conv1d):
    """A 1-D convolution padded on the left only: output t sees inputs ≤ t."""

    def __init__(self, kernel: int, dilation: int) -> None:
        super().__init__(1, 1, kernel, dilation=dilation)
        self.left = (kernel - 1) * dilation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(F.pad(x, (self.left, 0)))


def gradient_field(dilations: Sequence[int], kernel: int) -> NDArray[np.int64]:
    """Return the input offsets (≤ 0) that the last output's gradient reaches.

    Computed through a real stack of causal dilated convolutions (positive
    weights, so no path cancels).
    """
    ds = check_dilations(dilations, kernel)
    n = receptive_field(ds, kernel)
    if n > MAX_FIELD:
        raise ValueError(f"the field of {n:,} samples is too long to trace")
    stack = nn.Sequential(*(CausalConv1d(kernel, d) for d in ds)).double()
    with torch.no_grad():
        for p in stack.parameters():
            p.fill_(0.5)
    length = n + 8
    x = torch.ones(1, 1, length, dtype=torch.float64, requires_grad=True)
    stack(x)[0, 0, -1].backward()
    assert x.grad is not None
    (idx,) = np.nonzero(x.grad[0, 0].numpy())
    return (idx - (length - 1)).astype(np.int64)
