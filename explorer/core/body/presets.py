"""Pose presets (T-pose, A-pose, arm raised, elbow bent, forearm twisted) for any rig.

Presets are defined by where limbs point in the world (up, left, front found
from the skeleton itself), then converted to each bone's local Euler angles, so
the same preset works on anny's rig (bones in Blender's axes) and on SMPL's
(world-aligned axes).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from explorer.core.body.model import (
    F64,
    BodyModel,
    axis_angle_matrix,
    matrix_to_euler,
    rotation_between,
)
from explorer.core.body.names import PRESET_NAMES
from explorer.core.body.pose import Pose
from explorer.core.body.skinning import forward_kinematics

# Landmark → bone name, per rig family.
_LANDMARKS: dict[str, dict[str, str]] = {
    "anny": {
        "root": "root",
        "head": "head",
        "shoulder.L": "upperarm01.L",
        "elbow.L": "lowerarm01.L",
        "twist.L": "lowerarm02.L",
        "wrist.L": "wrist.L",
        "shoulder.R": "upperarm01.R",
        "elbow.R": "lowerarm01.R",
        "wrist.R": "wrist.R",
        "ankle.L": "foot.L",
        "toe.L": "toe3-1.L",
    },
    "smpl": {
        "root": "pelvis",
        "head": "head",
        "shoulder.L": "left_shoulder",
        "elbow.L": "left_elbow",
        "twist.L": "left_wrist",
        "wrist.L": "left_wrist",
        "shoulder.R": "right_shoulder",
        "elbow.R": "right_elbow",
        "wrist.R": "right_wrist",
        "ankle.L": "left_ankle",
        "toe.L": "left_foot",
    },
}


class _Rig:
    """World directions and landmark bones of a model; pose edits in world terms."""

    def __init__(self, model: BodyModel) -> None:
        self.model = model
        names = set(model.bone_names)
        for family, marks in _LANDMARKS.items():
            if set(marks.values()) <= names:
                self.marks = marks
                self.family = family
                break
        else:
            raise ValueError(
                "pose presets need a human rig (anny or SMPL joints); "
                f"{model.name} has "
                "other bone names"
            )
        j = model.rest.joints
        up = j[self._b("head")] - j[self._b("root")]
        self.up = up / np.linalg.norm(up)
        left = j[self._b("shoulder.L")] - j[self._b("shoulder.R")]
        left -= np.dot(left, self.up) * self.up
        self.left = left / np.linalg.norm(left)
        front = j[self._b("toe.L")] - j[self._b("ankle.L")]
        front -= np.dot(front, self.up) * self.up + np.dot(front, self.left) * self.left
        self.front = front / np.linalg.norm(front)
        self.rot = np.tile(np.eye(3), (model.n_bones, 1, 1))

    def _b(self, mark: str) -> int:
        return self.model.bone_index(self.marks[mark])

    def _world(self) -> F64:
        world, _ = forward_kinematics(
            self.model.rest.bone_frames, self.model.bone_parents, self.rot
        )
        return world

    def rotate_world(self, bone: int, r_world: F64) -> None:
        """Rotate ``bone`` (and what hangs on it) by ``r_world`` about its joint."""
        w = self._world()[bone, :3, :3]
        a = w @ self.rot[bone].T  # the bone's frame before its own rotation
        self.rot[bone] = a.T @ r_world @ a @ self.rot[bone]

    def aim(self, bone: str, tip: str, direction: F64) -> None:
        """Rotate landmark ``bone`` so that joint ``tip`` lies along ``direction``."""
        j = self._world()[:, :3, 3]
        b, t = self._b(bone), self._b(tip)
        self.rotate_world(b, rotation_between(j[t] - j[b], direction))

    def straighten(self, root: str, middle: str, tip: str) -> None:
        """Rotate landmark ``middle`` so that ``tip`` continues root → middle."""
        j = self._world()[:, :3, 3]
        self.aim(middle, tip, j[self._b(middle)] - j[self._b(root)])

    def twist(self, bone: str, degrees: float) -> None:
        """Twist landmark ``bone`` about its own long axis.

        On anny's rig a bone runs along its local y axis (Blender's bones), so the
        twist is a turn about y: the angles read (0°, 180°, 0°), as the preset
        means.  On SMPL's world-aligned frames the twist is about the line from
        the joint to the wrist (the forearm's line when ``bone`` is the wrist).
        """
        if self.family == "anny":
            b = self._b(bone)
            self.rot[b] = self.rot[b] @ axis_angle_matrix([0.0, 1.0, 0.0], degrees)
            return
        j = self._world()[:, :3, 3]
        b, wrist = self._b(bone), self._b("wrist.L")
        axis = j[wrist] - j[b if b != wrist else self._b("elbow.L")]
        self.rotate_world(b, axis_angle_matrix(axis, degrees))

    def pose(self) -> Pose:
        """Return the edited pose as Euler angles."""
        return Pose(np.array([matrix_to_euler(r) for r in self.rot]))


def _arms(rig: _Rig, down_degrees: float) -> None:
    t = np.deg2rad(down_degrees)
    for side, sign in (("L", 1.0), ("R", -1.0)):
        target = sign * np.cos(t) * rig.left - np.sin(t) * rig.up
        rig.aim(f"shoulder.{side}", f"wrist.{side}", target)


def _t_pose(rig: _Rig) -> None:
    for side in ("L", "R"):
        rig.straighten(f"shoulder.{side}", f"elbow.{side}", f"wrist.{side}")
    _arms(rig, 0.0)


def _a_pose(rig: _Rig) -> None:
    _t_pose(rig)
    _arms(rig, 45.0)


def _arm_raised(rig: _Rig) -> None:
    _t_pose(rig)
    t = np.deg2rad(15.0)
    rig.aim("shoulder.L", "wrist.L", np.cos(t) * rig.up + np.sin(t) * rig.left)


def _elbow_bent(rig: _Rig) -> None:
    _t_pose(rig)
    rig.aim("elbow.L", "wrist.L", rig.front)


def _twisted(rig: _Rig) -> None:
    _t_pose(rig)
    rig.twist("twist.L", 180.0)


def _bent_twisted(rig: _Rig) -> None:
    _elbow_bent(rig)
    rig.twist("twist.L", 180.0)


_PRESETS: dict[str, Callable[[_Rig], None]] = {
    "rest": lambda rig: None,
    "T-pose": _t_pose,
    "A-pose": _a_pose,
    "arm raised": _arm_raised,
    "elbow bent": _elbow_bent,
    "forearm twisted 180°": _twisted,
    "bent + twisted": _bent_twisted,
}


def preset_pose(model: BodyModel, name: str) -> Pose:
    """Return the preset pose ``name`` (one of :data:`PRESET_NAMES`) for ``model``.

    Raises
    ------
    ValueError
        For an unknown preset, or a rig whose joints are not recognised.
    """
    if name not in _PRESETS:
        raise ValueError(
            f"unknown pose preset {name!r}; known: {', '.join(PRESET_NAMES)}"
        )
    rig = _Rig(model)
    _PRESETS[name](rig)
    return rig.pose()


def world_directions(model: BodyModel) -> dict[str, F64]:
    """Return the model's unit ``up``, ``left`` and ``front`` directions (world)."""
    rig = _Rig(model)
    return {"up": rig.up, "left": rig.left, "front": rig.front}
