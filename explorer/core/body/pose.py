"""A body pose (Euler angles per bone, root translation) and its JSON file format."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from explorer.core.body.model import F64, BodyModel, euler_to_matrix
from explorer.core.files import atomic_write

POSE_FORMAT = "explorer-body-pose"
POSE_VERSION = 1


@dataclass(frozen=True, eq=False)
class Pose:
    """Euler angles (K, 3) in degrees about each bone's rest axes, and a root shift.

    The rotation of bone k relative to its rest frame is
    ``R_x(euler[k, 0]) R_y(euler[k, 1]) R_z(euler[k, 2])``.
    """

    euler: F64
    translation: F64 = field(default_factory=lambda: np.zeros(3))

    def __post_init__(self) -> None:
        if self.euler.ndim != 2 or self.euler.shape[1] != 3:
            raise ValueError(f"pose angles must be (K, 3), got {self.euler.shape}")
        if self.translation.shape != (3,):
            raise ValueError(
                f"pose translation must be (3,), got {self.translation.shape}"
            )
        if not (
            np.all(np.isfinite(self.euler)) and np.all(np.isfinite(self.translation))
        ):
            raise ValueError("pose angles and translation must be finite numbers")

    @staticmethod
    def zeros(n_bones: int) -> Pose:
        """Return the rest pose of a skeleton with ``n_bones`` bones."""
        return Pose(np.zeros((n_bones, 3)))

    @property
    def n_bones(self) -> int:
        """Return the number of bones K."""
        return int(self.euler.shape[0])

    def rotations(self) -> F64:
        """Return the (K, 3, 3) local rotation matrices."""
        return euler_to_matrix(self.euler)

    def with_bone(self, bone: int, angles: Sequence[float] | F64) -> Pose:
        """Return a copy with bone ``bone``'s angles set to ``angles`` (degrees)."""
        euler = self.euler.copy()
        euler[bone] = np.asarray(angles, dtype=np.float64)
        return Pose(euler, self.translation.copy())

    def is_rest(self) -> bool:
        """Return True when no bone is rotated and the root is not shifted."""
        return not (np.any(self.euler) or np.any(self.translation))


def parse_rotation(model: BodyModel, text: str) -> tuple[int, F64]:
    """Return (bone index, angles) from ``"BONE=rx,ry,rz"`` (degrees).

    Raises
    ------
    ValueError
        With a message naming what is wrong (unknown bone, not three numbers).
    """
    name, sep, values = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected BONE=rx,ry,rz (degrees), got {text!r}")
    try:
        bone = model.bone_index(name.strip())
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    parts = [p for p in values.split(",") if p.strip()]
    try:
        angles = np.array([float(p) for p in parts])
    except ValueError:
        raise ValueError(
            f"angles for {name.strip()!r} must be numbers, got {values!r}"
        ) from None
    if angles.shape != (3,) or not np.all(np.isfinite(angles)):
        raise ValueError(
            f"give three finite angles in degrees for {name.strip()!r}, e.g. "
            f"{name.strip()}=0,0,90; got {values!r}"
        )
    return bone, angles


def pose_to_json(model: BodyModel, pose: Pose) -> dict[str, Any]:
    """Return the JSON document of ``pose`` (rotated bones only, by name)."""
    rotations = {
        model.bone_names[k]: [float(a) for a in pose.euler[k]]
        for k in range(pose.n_bones)
        if np.any(pose.euler[k])
    }
    return {
        "format": POSE_FORMAT,
        "version": POSE_VERSION,
        "model": model.name,
        "angles": "degrees, R = Rx(rx) Ry(ry) Rz(rz) about the bone's rest axes",
        "rotations": rotations,
        "translation": [float(t) for t in pose.translation],
        "shape": {k: float(v) for k, v in model.shape_values.items()},
    }


def pose_from_json(model: BodyModel, doc: Mapping[str, Any]) -> Pose:
    """Return the pose described by a document from :func:`pose_to_json`.

    Raises
    ------
    ValueError
        When the document is not a pose file or names an unknown bone.
    """
    if not isinstance(doc, Mapping) or doc.get("format") != POSE_FORMAT:
        raise ValueError(
            f'not an Explorer pose file (expected "format": "{POSE_FORMAT}")'
        )
    version = doc.get("version")
    if not isinstance(version, int) or version > POSE_VERSION:
        raise ValueError(f"unsupported pose file version {version!r}")
    rotations = doc.get("rotations", {})
    if not isinstance(rotations, Mapping):
        raise ValueError('"rotations" must map bone names to [rx, ry, rz]')
    pose = Pose.zeros(model.n_bones)
    for name, angles in rotations.items():
        try:
            bone = model.bone_index(str(name))
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None
        values = _three_numbers(angles, f"rotation of {name!r}")
        pose = pose.with_bone(bone, values)
    translation = _three_numbers(doc.get("translation", [0.0, 0.0, 0.0]), "translation")
    return Pose(pose.euler, translation)


def _three_numbers(value: object, what: str) -> F64:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 3
        or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value)
    ):
        raise ValueError(f"{what} must be three finite numbers, got {value!r}")
    return np.asarray(value, dtype=np.float64)


def save_pose(path: str | Path, model: BodyModel, pose: Pose) -> None:
    """Write ``pose`` to ``path`` as JSON, atomically (temp file + rename)."""
    atomic_write(path, json.dumps(pose_to_json(model, pose), indent=2))


def load_pose(path: str | Path, model: BodyModel) -> Pose:
    """Return the pose stored in the JSON file ``path``.

    Raises
    ------
    ValueError
        When the file is not readable JSON or not a valid pose for ``model``.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"cannot read pose file {Path(path).name}: {exc}") from None
    return pose_from_json(model, doc)
