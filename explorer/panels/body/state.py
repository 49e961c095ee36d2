"""The body panel's settings: one frozen, versioned dataclass (sessions store it).

The keys are those the panel saved before it had a state class, so older
sessions still open (a missing ``version`` reads as the current one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from explorer.core.body.model import BodyModel
from explorer.core.body.names import COLOUR_MODES, POSE_ANGLE_LIMITS, SkinningMethod
from explorer.core.body.pose import Pose
from explorer.core.state import StateBase, StateError, limits


@dataclass(frozen=True)
class PoseAngles(StateBase):
    """A pose by bone name: Euler angles (degrees) of the rotated bones, root shift.

    The keys are those of a pose file (:func:`explorer.core.body.pose.pose_to_json`),
    whose other keys are ignored here.
    """

    rotations: dict[str, tuple[float, float, float]] = field(
        default_factory=dict, metadata=limits(*POSE_ANGLE_LIMITS)
    )
    translation: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @staticmethod
    def of(model: BodyModel, pose: Pose) -> PoseAngles:
        """Return the angles of ``pose`` on ``model`` (rotated bones only)."""
        rotations = {
            model.bone_names[k]: (
                float(pose.euler[k, 0]),
                float(pose.euler[k, 1]),
                float(pose.euler[k, 2]),
            )
            for k in range(pose.n_bones)
            if np.any(pose.euler[k])
        }
        t = pose.translation
        return PoseAngles(rotations, (float(t[0]), float(t[1]), float(t[2])))

    def to_pose(self, model: BodyModel) -> Pose:
        """Return the pose on ``model``.

        Raises
        ------
        ValueError
            When a rotated bone is not one of ``model``'s.
        """
        pose = Pose.zeros(model.n_bones)
        for name, angles in self.rotations.items():
            try:
                bone = model.bone_index(name)
            except KeyError as exc:
                raise ValueError(str(exc.args[0])) from None
            pose = pose.with_bone(bone, angles)
        return Pose(pose.euler, np.asarray(self.translation, dtype=np.float64))


@dataclass(frozen=True)
class BodyState(StateBase):
    """What the body panel shows: the body, its pose and shape, how it is drawn.

    Attributes
    ----------
    model
        "anny" or the path of the SMPL-family ``.npz`` shown.
    method
        The skinning shown ("lbs" or "dqs"; the split view shows both).
    split
        Whether LBS and DQS are shown side by side.
    correctives
        Whether SMPL's pose-corrective blend shapes are applied.
    colour
        The colouring, by its label (one of
        :data:`~explorer.core.body.names.COLOUR_MODES`).
    skeleton
        Whether the skeleton is drawn over the body.
    pose
        The pose (``None`` before a body is loaded).
    shape
        The shape values (phenotype or β; ``None`` before a body is loaded).
    selected
        The selected bone's name (``None``: the root).
    """

    VERSION: ClassVar[int] = 1
    model: str = "anny"
    method: SkinningMethod = "lbs"
    split: bool = False
    correctives: bool = True
    colour: str = "Skin"
    skeleton: bool = True
    pose: PoseAngles | None = None
    shape: dict[str, float] | None = None
    selected: str | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.colour not in COLOUR_MODES:
            offered = ", ".join(repr(c) for c in COLOUR_MODES)
            raise StateError(f"colour: expected one of {offered}, got {self.colour!r}")
