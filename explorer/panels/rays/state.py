"""The Rays panel's settings: the field shown, how rays are sampled, what is trained."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from explorer.core.rays.names import (
    DEFAULT_DENSITY,
    DEFAULT_EIKONAL_WEIGHT,
    DEFAULT_FAR,
    DEFAULT_NEAR,
    DEFAULT_NORMAL_WEIGHT,
    DEFAULT_SAMPLES,
    DEFAULT_SHARPNESS,
    DENSITY_RANGE,
    EIKONAL_RANGE,
    FREQS_RANGE,
    IMAGE_SIZES,
    JITTER_RANGE,
    MIN_SEGMENT,
    NEAR_FAR_RANGE,
    NORMAL_RANGE,
    PANEL_SCENES,
    SAMPLES_RANGE,
    SHARPNESS_RANGE,
    LastDelta,
    LearnedKind,
)
from explorer.core.state import StateBase, StateError, limits


@dataclass(frozen=True)
class RaysState(StateBase):
    """What the controls say (saved with a session as ``to_dict()``).

    Attributes
    ----------
    scene
        One of :data:`~explorer.core.rays.names.PANEL_SCENES`.
    density, sharpness
        σ of the fog cube; 1/β of the VolSDF density of SDF scenes.
    n_samples, near, far, stratified, jitter, last_delta
        How each ray is sampled (see :class:`~explorer.core.rays.render.RayConfig`).
    n_freqs
        The tiny NeRF's positional-encoding frequencies L.
    image_size
        Width = height of the rendered image (one of ``IMAGE_SIZES``).
    pixel
        The selected pixel (column, row).
    shape
        The SDF fit's target: a built-in shape or ``"file: <name>"``.
    learn
        The learned field the run bar trains.
    eikonal_weight, normal_weight
        λ and τ of the SDF fit's loss.
    """

    VERSION: ClassVar[int] = 1
    scene: str = "sphere"
    density: float = field(default=DEFAULT_DENSITY, metadata=limits(*DENSITY_RANGE))
    sharpness: float = field(
        default=DEFAULT_SHARPNESS, metadata=limits(*SHARPNESS_RANGE)
    )
    n_samples: int = field(default=DEFAULT_SAMPLES, metadata=limits(*SAMPLES_RANGE))
    near: float = field(
        default=DEFAULT_NEAR,
        metadata=limits(NEAR_FAR_RANGE[0], NEAR_FAR_RANGE[1] - MIN_SEGMENT),
    )
    far: float = field(
        default=DEFAULT_FAR,
        metadata=limits(NEAR_FAR_RANGE[0] + MIN_SEGMENT, NEAR_FAR_RANGE[1]),
    )
    stratified: bool = False
    jitter: float = field(default=1.0, metadata=limits(*JITTER_RANGE))
    last_delta: LastDelta = "far"
    n_freqs: int = field(default=6, metadata=limits(*FREQS_RANGE))
    image_size: int = 128
    pixel: tuple[int, int] = field(default=(48, 64), metadata=limits(0, None))
    shape: str = "torus"
    learn: LearnedKind = "sdf"
    eikonal_weight: float = field(
        default=DEFAULT_EIKONAL_WEIGHT, metadata=limits(*EIKONAL_RANGE)
    )
    normal_weight: float = field(
        default=DEFAULT_NORMAL_WEIGHT, metadata=limits(*NORMAL_RANGE)
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.scene not in PANEL_SCENES:
            allowed = ", ".join(repr(s) for s in PANEL_SCENES)
            raise StateError(f"scene: expected one of {allowed}, got {self.scene!r}")
        if self.image_size not in IMAGE_SIZES:
            allowed = ", ".join(str(s) for s in IMAGE_SIZES)
            raise StateError(
                f"image_size: expected one of {allowed}, got {self.image_size}"
            )
        if self.far <= self.near:
            raise StateError(
                f"far: expected a number larger than near ({self.near:g}), "
                f"got {self.far:g}"
            )
