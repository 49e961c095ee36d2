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
from explorer.core.body.names import POSE_ANGLE_LIMITS
from explorer.core.files import atomic_write
from explorer.core.reading import FileError, MiB, read_json

POSE_FORMAT = "explorer-body-pose"
POSE_VERSION = 1
MAX_POSE_BYTES = 1 * MiB  # an SMPL-X pose with every bone rotated is ~5 kB
MAX_ANGLE = POSE_ANGLE_LIMITS[1]  # degrees, in pose files and --rotate
MAX_TRANSLATION = 100.0  # metres
MAX_SHAPE_VALUE = 100.0  # β and phenotype values are checked by the body's own ranges


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
    if float(np.abs(angles).max()) > MAX_ANGLE:
        raise ValueError(
            f"angles for {name.strip()!r} must lie within ±{MAX_ANGLE:g}°, "
            f"got {values!r}"
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
    _check_header(doc)
    saved_for = doc.get("model")
    if isinstance(saved_for, str) and _model_kind(saved_for) != _model_kind(model.name):
        raise ValueError(
            f'unknown "model" {saved_for!r}: this pose was saved for another body '
            f"(the body shown is {model.name!r}); open that body first"
        )
    rotations = doc.get("rotations", {})
    if not isinstance(rotations, Mapping):
        raise ValueError('"rotations" must map bone names to [rx, ry, rz]')
    pose = Pose.zeros(model.n_bones)
    for name, angles in rotations.items():
        try:
            bone = model.bone_index(str(name))
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None
        values = _three_numbers(angles, f"rotation of {name!r}", MAX_ANGLE, "°")
        pose = pose.with_bone(bone, values)
    translation = _three_numbers(
        doc.get("translation", [0.0, 0.0, 0.0]), "translation", MAX_TRANSLATION, " m"
    )
    return Pose(pose.euler, translation)


_POSE_KEYS = frozenset(
    {"format", "version", "model", "angles", "rotations", "translation", "shape"}
)


def _check_header(doc: Mapping[str, Any]) -> None:
    unknown = sorted(str(k) for k in set(doc) - _POSE_KEYS)
    if unknown:
        raise ValueError(
            f"unknown key {unknown[0]!r} in the pose file (the keys are "
            f"{', '.join(sorted(_POSE_KEYS))})"
        )
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"the pose file has no valid version number ({version!r})")
    if version > POSE_VERSION:
        raise ValueError(
            f"pose file version {version} is newer than this Explorer reads "
            f"({POSE_VERSION}); update Explorer to open it"
        )
    saved_for = doc.get("model")
    if saved_for is not None and (not isinstance(saved_for, str) or not saved_for):
        raise ValueError(f'"model" must name a body, got {saved_for!r}')


def _model_kind(name: str) -> str:
    """Return the kind of body ``name`` is: any SMPL-family file fits another."""
    return "SMPL-family .npz" if name.lower().endswith(".npz") else name


def pose_shape_from_json(doc: Mapping[str, Any]) -> dict[str, float]:
    """Return the shape values (phenotype / β) stored in a pose document.

    Raises
    ------
    ValueError
        When ``"shape"`` is not a table of finite numbers.
    """
    shape = doc.get("shape", {})
    if not isinstance(shape, Mapping) or not all(
        isinstance(k, str)
        and isinstance(v, (int, float))
        and not isinstance(v, bool)
        and math.isfinite(v)
        and abs(v) <= MAX_SHAPE_VALUE
        for k, v in shape.items()
    ):
        raise ValueError('"shape" must map shape names to finite numbers')
    return {k: float(v) for k, v in shape.items()}


def _three_numbers(value: object, what: str, limit: float, unit: str) -> F64:
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 3
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in value
        )
    ):
        raise ValueError(f"{what} must be three finite numbers, got {value!r}")
    arr = np.asarray(value, dtype=np.float64)
    if float(np.abs(arr).max()) > limit:
        raise ValueError(
            f"{what}: each value must lie within ±{limit:g}{unit}, got {value!r}"
        )
    return arr


def save_pose(path: str | Path, model: BodyModel, pose: Pose) -> None:
    """Write ``pose`` to ``path`` as JSON, atomically (temp file + rename)."""
    atomic_write(path, json.dumps(pose_to_json(model, pose), indent=2))


def read_pose_file(path: str | Path) -> Mapping[str, Any]:
    """Return the document of the pose file ``path`` (header checked, not the bones).

    Raises
    ------
    ValueError
        (:class:`FileError` for an unreadable file) naming the file and the fault.
    """
    p = Path(path)
    try:
        doc = read_json(p, max_bytes=MAX_POSE_BYTES)
    except FileError as exc:
        raise ValueError(f"cannot read pose file {exc}") from None
    if not isinstance(doc, Mapping) or doc.get("format") != POSE_FORMAT:
        raise ValueError(
            f'{p.name}: not an Explorer pose file (expected "format": "{POSE_FORMAT}")'
        )
    try:
        _check_header(doc)
        pose_shape_from_json(doc)
    except ValueError as exc:
        raise ValueError(f"{p.name}: {exc}") from None
    return doc


def load_pose_shape(path: str | Path) -> dict[str, float]:
    """Return the shape values saved in the pose file ``path`` (may be empty).

    Raises
    ------
    ValueError
        When the file is not a readable pose file.
    """
    return pose_shape_from_json(read_pose_file(path))


def load_pose(path: str | Path, model: BodyModel) -> Pose:
    """Return the pose stored in the JSON file ``path``.

    Raises
    ------
    ValueError
        When the file is not readable JSON or not a valid pose for ``model``.
    """
    doc = read_pose_file(path)
    try:
        return pose_from_json(model, doc)
    except ValueError as exc:
        raise ValueError(f"{Path(path).name}: {exc}") from None
