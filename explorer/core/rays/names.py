"""The choices the Rays panel and ``explorer rays`` offer (torch- and numpy-free).

One source for the names and ranges: the core validates against them, the CLI
offers them as ``choices=`` and the panel fills its combo boxes and slider
ranges from them.
"""

from __future__ import annotations

from typing import Literal

LastDelta = Literal["far", "1e10"]
LearnedKind = Literal["sdf", "nerf"]

SCENE_NAMES = ("sphere", "box", "torus", "blob", "fog", "scene")
SHAPES = ("sphere", "box", "torus", "blob")
LAST_DELTAS: tuple[LastDelta, ...] = ("far", "1e10")
TRACE_METHODS = ("sphere", "secant")

# The panel's extra scene entries (fields trained in the panel) and what it trains.
LEARNED_NERF = "learned NeRF"
LEARNED_SDF = "learned SDF"
PANEL_SCENES = (*SCENE_NAMES, LEARNED_NERF, LEARNED_SDF)
LEARNED_KINDS: tuple[LearnedKind, ...] = ("sdf", "nerf")
LEARNED_LABELS = {"sdf": "SDF fit", "nerf": "tiny NeRF"}
IMAGE_SIZES = (64, 128, 256)

# The defaults both the panel and ``explorer rays`` start from.
DEFAULT_DENSITY = 1.0
DEFAULT_SHARPNESS = 20.0
DEFAULT_SAMPLES = 64
DEFAULT_NEAR = 1.0
DEFAULT_FAR = 5.0
DEFAULT_EIKONAL_WEIGHT = 0.1  # λ of the SDF fit's eikonal term
DEFAULT_NORMAL_WEIGHT = 1.0  # τ of its normal term

# The ranges the panel offers (inside what the core configs accept).
DENSITY_RANGE = (0.0, 10.0)
SHARPNESS_RANGE = (1.0, 100.0)
SAMPLES_RANGE = (2, 256)
NEAR_FAR_RANGE = (0.0, 8.0)
MIN_SEGMENT = 0.05  # the panel keeps far ≥ near + this
JITTER_RANGE = (0.0, 1.0)
FREQS_RANGE = (0, 10)
EIKONAL_RANGE = (0.0, 1.0)
NORMAL_RANGE = (0.0, 2.0)
