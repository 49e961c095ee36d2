"""The posing job: loads a body once, then poses it for every request, latest first.

The panel runs :func:`pose_service` in its worker and posts :class:`PoseRequest`
objects through the job control under the key ``"pose"``; only the newest request
waiting is served, so dragging a slider never builds a backlog.  Each answer is a
:class:`BodyProgress` carrying the posed mesh(es), the volume and the time taken.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from explorer.core.body.model import BodyModel
from explorer.core.body.pose import Pose
from explorer.core.body.skinning import (
    SKINNING_METHODS,
    PosedMesh,
    Skinner,
    SkinningMethod,
    mesh_volume,
)
from explorer.core.progress import JobControl, Progress

_HEARTBEAT_S = (
    0.5  # an idle service still yields now and then: a yield is a cancel point
)
_WAIT_S = 0.1  # how long one look for a request waits
REQUEST_KEY = "pose"
"""The job-control key the panel posts :class:`PoseRequest` objects under."""


@dataclass(frozen=True, eq=False)
class PoseRequest:
    """What to show: a pose, how to skin it, and optionally a new shape.

    ``compare`` also skins with the other method (the split view).
    """

    pose: Pose
    method: SkinningMethod = "lbs"
    correctives: bool = True
    shape: Mapping[str, float] | None = None
    compare: bool = False

    def __post_init__(self) -> None:
        if self.method not in SKINNING_METHODS:
            raise ValueError(f"unknown skinning method {self.method!r}: use lbs or dqs")


@dataclass(frozen=True, kw_only=True)
class BodyProgress(Progress):
    """One answer of the posing job (or a loading step when ``meshes`` is empty).

    Attributes
    ----------
    model
        The body (set once loaded; a new object after a shape change).
    request
        The request answered, or ``None`` for loading steps and heartbeats.
    meshes
        Posed mesh per skinning method ("lbs", "dqs").
    volumes
        Posed volume (m³) per method.
    rest_volume
        Volume of the rest mesh for the current shape.
    seconds
        Time spent posing (all methods, normals included).
    problem
        Why a request gave no body to show (a pose whose numbers overflow), in
        words; the service goes on serving the next request.
    """

    model: BodyModel | None = None
    request: PoseRequest | None = None
    meshes: Mapping[str, PosedMesh] = field(default_factory=dict)
    volumes: Mapping[str, float] = field(default_factory=dict)
    rest_volume: float = float("nan")
    seconds: float = 0.0
    problem: str = ""


def _load(
    spec: str | Path | BodyModel,
    cache_dir: Path | None,
    shape: Mapping[str, float] | None,
    device: str,
) -> Iterator[BodyProgress | tuple[BodyModel, Skinner]]:
    from explorer.core.body.loading import load_body
    from explorer.core.device import resolve_device

    if isinstance(spec, BodyModel):
        model = spec if shape is None else spec.with_shape(shape)
    else:
        name = "anny" if str(spec) == "anny" else Path(spec).name
        yield BodyProgress(step=0, total=3, message=f"loading the {name} body…")
        model = load_body(spec, cache_dir=cache_dir, shape=shape)
    check_rest_finite(model)
    yield BodyProgress(
        step=1,
        total=3,
        message="preparing the skinning kernels (compiled on the first run)…",
        model=model,
    )
    skinner = Skinner(model, device=resolve_device(device, tiny=True))
    skinner.warm_up()
    if skinner.fallback_reason:
        yield BodyProgress(
            step=1, total=3, message=f"posing with torch: {skinner.fallback_reason}"
        )
    yield model, skinner


def _answer(
    step: int,
    model: BodyModel,
    skinner: Skinner,
    request: PoseRequest,
    rest_volume: float,
    total: int | None = None,
) -> BodyProgress:
    t0 = time.perf_counter()
    methods: list[SkinningMethod] = [request.method]
    if request.compare:
        methods += [m for m in SKINNING_METHODS if m != request.method]
    meshes: dict[str, PosedMesh] = {
        m: skinner.pose(request.pose, method=m, correctives=request.correctives)
        for m in methods
    }
    seconds = time.perf_counter() - t0
    volumes: dict[str, float] = {m: mesh.volume for m, mesh in meshes.items()}
    problem = _not_finite(meshes, volumes, request)
    if problem:
        # not a diverged training: the pose's numbers are too large to show
        return BodyProgress(
            step=step,
            total=total,
            model=model,
            request=request,
            problem=problem,
            message=problem,
        )
    return BodyProgress(
        step=step,
        total=total,
        model=model,
        request=request,
        meshes=meshes,
        volumes=volumes,
        rest_volume=rest_volume,
        seconds=seconds,
        message=f"posed with {request.method.upper()} in {seconds * 1000:.1f} ms",
        losses={"volume change": volumes[request.method] / rest_volume - 1.0},
    )


def _not_finite(
    meshes: Mapping[str, PosedMesh],
    volumes: Mapping[str, float],
    request: PoseRequest,
) -> str:
    """Return why the posed meshes cannot be shown, or "" when they can."""
    bad = [
        m.upper()
        for m, mesh in meshes.items()
        if not (np.isfinite(mesh.vertices).all() and math.isfinite(volumes[m]))
    ]
    if not bad:
        return ""
    pose = request.pose
    largest = max(
        float(np.abs(pose.translation).max(initial=0.0)),
        float(np.abs(pose.euler).max(initial=0.0)),
    )
    return (
        f"this pose gives no finite body under {' and '.join(bad)} (its largest "
        f"number is {largest:.3g}; angles are degrees, the shift metres): "
        "the last good pose stays on screen"
    )


def check_rest_finite(model: BodyModel) -> None:
    """Raise ``ValueError`` when ``model``'s rest mesh has NaN or infinite vertices."""
    bad = int((~np.isfinite(model.rest.vertices)).any(axis=1).sum())
    if bad:
        raise ValueError(
            f"{model.name}: {bad:,} of its {model.n_vertices:,} vertices are not "
            "finite numbers (NaN or ∞); the model file is damaged"
        )


def pose_service(
    spec: str | Path | BodyModel = "anny",
    *,
    control: JobControl | None = None,
    cache_dir: Path | None = None,
    shape: Mapping[str, float] | None = None,
    device: str = "auto",
) -> Iterator[BodyProgress]:
    """Yield loading steps, then one :class:`BodyProgress` per request served.

    ``spec`` is "anny", the path of an SMPL-family ``.npz`` or a loaded model.  The
    requests are read with ``control.take("pose")`` (the newest posted wins); the
    service runs until ``control.stopping`` (or the worker ends it at a yield).
    Without a control it ends after the rest pose.
    """
    model: BodyModel | None = None
    skinner: Skinner | None = None
    for item in _load(spec, cache_dir, shape, device):
        if isinstance(item, tuple):
            model, skinner = item
        else:
            yield item
    assert model is not None and skinner is not None
    rest_volume = mesh_volume(model.rest.vertices, model.faces)
    step = 2
    yield _answer(
        step, model, skinner, PoseRequest(Pose.zeros(model.n_bones)), rest_volume
    )
    idle_since = time.monotonic()
    if control is None:
        return
    while not control.stopping:
        request = control.take(REQUEST_KEY, timeout=_WAIT_S)
        if request is None:
            if time.monotonic() - idle_since > _HEARTBEAT_S:
                idle_since = time.monotonic()
                yield BodyProgress(step=step, model=model, message="ready")
            continue
        if request.shape is not None and dict(request.shape) != dict(
            model.shape_values
        ):
            yield BodyProgress(step=step, model=model, message="reshaping the body…")
            model = model.with_shape(request.shape)
            skinner.set_model(model)
            rest_volume = mesh_volume(model.rest.vertices, model.faces)
        step += 1
        yield _answer(step, model, skinner, request, rest_volume)
        idle_since = time.monotonic()


def pose_sweep(
    spec: str | Path = "anny",
    *,
    bone: str = "lowerarm01.L",
    axis: int = 0,
    degrees: float = 120.0,
    frames: int = 60,
    method: SkinningMethod = "lbs",
    cache_dir: Path | None = None,
    device: str = "auto",
) -> Iterator[BodyProgress]:
    """Yield the body posed while one bone sweeps 0 → ``degrees`` → 0 (a slider drag).

    Raises
    ------
    ValueError
        For a bad axis (0, 1, 2), frame count or unknown bone.
    """
    if axis not in (0, 1, 2):
        raise ValueError(f"axis must be 0 (x), 1 (y) or 2 (z), got {axis}")
    if not 1 <= frames <= 100_000:
        raise ValueError(f"frames must be between 1 and 100000, got {frames}")
    model: BodyModel | None = None
    skinner: Skinner | None = None
    for item in _load(spec, cache_dir, None, device):
        if isinstance(item, tuple):
            model, skinner = item
        else:
            yield item
    assert model is not None and skinner is not None
    try:
        k = model.bone_index(bone)
    except KeyError as exc:
        raise ValueError(str(exc.args[0])) from None
    rest_volume = mesh_volume(model.rest.vertices, model.faces)
    for i in range(frames):
        angles = np.zeros(3)
        angles[axis] = degrees * np.sin(np.pi * i / max(frames - 1, 1))
        pose = Pose.zeros(model.n_bones).with_bone(k, angles)
        yield _answer(
            i + 1, model, skinner, PoseRequest(pose, method), rest_volume, total=frames
        )
