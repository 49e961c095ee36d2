"""The body topic's choices, torch-free: what the CLI and the panel offer.

The CLI's ``choices=`` and the panel's lists and radio buttons come from here,
so a new skinning method, preset or export format is added in one place.
Importing this module loads neither torch nor anny.
"""

from __future__ import annotations

from typing import Literal

SkinningMethod = Literal["lbs", "dqs"]
SKINNING_METHODS: tuple[SkinningMethod, ...] = ("lbs", "dqs")

PRESET_NAMES: tuple[str, ...] = (
    "rest",
    "T-pose",
    "A-pose",
    "arm raised",
    "elbow bent",
    "forearm twisted 180°",
    "bent + twisted",
)

MESH_SUFFIXES: tuple[str, ...] = (".obj", ".ply", ".glb")
MESH_FILTERS = "Wavefront OBJ (*.obj);;Stanford PLY (*.ply);;glTF binary (*.glb)"

ColourMode = Literal["skin", "weight", "dominant"]
COLOUR_MODES: dict[str, ColourMode] = {
    "Skin": "skin",
    "Weight of the selected bone": "weight",
    "Dominant bone": "dominant",
}
"""How the mesh is coloured, by the label the panel shows (saved in sessions)."""

ANGLE_RANGE = (-180.0, 180.0)
"""A joint angle slider's range in degrees."""


def wrap_angle(degrees: float) -> float:
    """Return ``degrees`` in ANGLE_RANGE, (−180°, 180°]: the same turn about its axis.

    Each Euler angle is a turn about one axis, so wrapping each alone leaves the
    rotation as it was: 200° is shown as −160°.
    """
    wrapped = (float(degrees) + 180.0) % 360.0 - 180.0
    return 180.0 if wrapped == -180.0 else wrapped


POSE_ANGLE_LIMITS = (-360.0, 360.0)
"""The Euler angles (degrees) a saved pose may hold (pose files allow a full turn)."""
