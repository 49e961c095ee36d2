"""The convolution panel's settings: one frozen, versioned dataclass.

The ranges come from :data:`explorer.core.conv.config.LIMITS` (the CLI's too).
An opened image is not a field: the panel's ``state()`` stores its pixels next
to these settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from explorer.core.conv.config import LIMITS, MAX_ABS_VALUE
from explorer.core.conv.names import KernelName, Mode, PatternName, UnetPadding
from explorer.core.state import StateBase, StateError, limits

# the panel's editor shows kernels up to 7 × 7 (a 9 × 9 table does not fit a
# projector at ×2); the CLI takes up to 9 × 9
PANEL_KERNEL = (1, 7)
SEED_LIMITS = (0, 1_000_000)
MATRIX_2D_MAX = 6  # a 6 × 6 input gives a 16 × 36 matrix: still legible
TABS: tuple[str, ...] = ("layer", "matrix", "backward", "upsample", "unet", "segment")
TAB_TITLES: dict[str, str] = {
    "layer": "Correlation vs convolution",
    "matrix": "Band matrix",
    "backward": "Backward pass",
    "upsample": "Pooling && upsampling",  # && shows one & in a tab
    "unet": "U-Net sizes",
    "segment": "FCN vs U-Net",
}
Source = Literal["digit", "pattern", "image"]
SOBEL_X = ((-1.0, 0.0, 1.0), (-2.0, 0.0, 2.0), (-1.0, 0.0, 1.0))


def _lim(name: str) -> dict[str, object]:
    return limits(*LIMITS[name])


@dataclass(frozen=True)
class ConvState(StateBase):
    """What the convolution panel's controls show."""

    VERSION: ClassVar[int] = 1
    tab: Literal["layer", "matrix", "backward", "upsample", "unet", "segment"] = "layer"
    source: Source = "digit"
    digit: int = field(default=0, metadata=_lim("digit"))
    pattern: PatternName = "square"
    preset: KernelName | Literal["custom"] = "sobel-x"
    kernel_size: int = field(default=3, metadata=limits(*PANEL_KERNEL))
    kernel: tuple[tuple[float, ...], ...] = SOBEL_X
    mode: Mode = "corr"
    stride: int = field(default=1, metadata=_lim("stride"))
    padding: int = field(default=0, metadata=limits(0, 8))
    dilation: int = field(default=1, metadata=limits(1, 4))
    filters: int = field(default=1, metadata=limits(1, 6))
    cell: tuple[int, int] = (0, 0)
    matrix_1d: bool = False
    matrix_size: int = field(default=5, metadata=_lim("matrix_1d"))
    up_kernel: int = field(default=3, metadata=limits(1, 6))
    up_stride: int = field(default=2, metadata=_lim("up_stride"))
    unet_input: int = field(default=572, metadata=_lim("unet_input"))
    unet_depth: int = field(default=4, metadata=_lim("unet_depth"))
    unet_padding: UnetPadding = "valid"
    seg_steps: int = field(default=300, metadata=limits(10, 3000))
    seed: int = field(default=0, metadata=limits(*SEED_LIMITS))

    def __post_init__(self) -> None:
        super().__post_init__()
        rows = {len(r) for r in self.kernel}
        lo, hi = PANEL_KERNEL
        if not self.kernel or len(rows) != 1:
            raise StateError("kernel: expected equal rows of numbers")
        if not (lo <= len(self.kernel) <= hi and lo <= rows.pop() <= hi):
            raise StateError(f"kernel: expected {lo}…{hi} rows and columns")
        if any(abs(v) > MAX_ABS_VALUE for r in self.kernel for v in r):
            raise StateError(f"kernel: entries must lie within ±{MAX_ABS_VALUE:g}")
        if not self.matrix_1d and self.matrix_size > MATRIX_2D_MAX:
            raise StateError(
                f"matrix_size: at most {MATRIX_2D_MAX} for a 2-D input (16 in 1-D)"
            )
        if min(self.cell) < 0:
            raise StateError("cell: expected a row and column ≥ 0")
