"""The flow choices the CLI and the panel offer (no torch, no numpy)."""

from __future__ import annotations

from typing import Literal, get_args

DataName = Literal["moons", "ring", "checkerboard", "spiral", "points"]
MixName = Literal["alternate", "rotation", "learned"]
KindName = Literal["coupling", "planar"]

DATA_NAMES: tuple[str, ...] = get_args(DataName)
BUILTIN_DATA: tuple[str, ...] = DATA_NAMES[:-1]  # all but "points"
MIX_NAMES: tuple[str, ...] = get_args(MixName)
KIND_NAMES: tuple[str, ...] = get_args(KindName)

DATA_TITLES: dict[str, str] = {
    "moons": "Two moons",
    "ring": "Ring of 8 Gaussians",
    "checkerboard": "Checkerboard",
    "spiral": "Spiral",
    "points": "Your points (click to draw)",
}
MIX_TITLES: dict[str, str] = {
    "alternate": "Alternate halves",
    "rotation": "Fixed rotation",
    "learned": "Learned 2×2 (Glow)",
}
KIND_TITLES: dict[str, str] = {
    "coupling": "RealNVP coupling",
    "planar": "Planar",
}

MAX_POINTS = 2000  # drawn or read points
POINT_STD = 0.08  # σ of the Gaussian bump around each drawn point
CHECKPOINT_FORMAT = "explorer.flow"
PROBE_KEY = "probe"  # the clicked point, posted to a running job
PROBE_ACTION = "probe"  # one-shot: a held job reports the probe without a step
