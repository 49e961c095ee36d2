"""Built-in scenes: analytic signed distance, density and colour fields.

Every scene is an implicit surface (a signed distance function, SDF: negative
inside) except ``fog``, a homogeneous cube of constant density whose SDF is the
cube's own (its boundary is what a tracer finds).  Densities of the SDF scenes
follow VolSDF (Yariv et al. 2021, eq. 2–3): σ(x) = α Ψ_β(−d(x)) with α = 1/β and
Ψ_β the CDF of a zero-mean Laplace distribution of scale β; the panel's
"sharpness" is 1/β.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.floating[Any]]
SdfFn = Callable[[FloatArray], FloatArray]

SCENE_NAMES = ("sphere", "box", "torus", "blob", "fog", "scene")

# Okabe–Ito colours (colour-blind safe), as albedos in [0, 1].
_ORANGE = (0.902, 0.624, 0.0)
_SKY = (0.337, 0.706, 0.914)
_GREEN = (0.0, 0.620, 0.451)
_VERMILION = (0.835, 0.369, 0.0)
_BLUE = (0.0, 0.447, 0.698)
_YELLOW = (0.941, 0.894, 0.259)
_FOG = (0.85, 0.85, 0.92)
_TETRA = np.array([[1, -1, -1], [-1, -1, 1], [-1, 1, -1], [1, 1, 1]], dtype=np.float64)
_LIGHT = np.array([0.5, 0.8, 0.6]) / np.linalg.norm([0.5, 0.8, 0.6])


def length(v: FloatArray) -> FloatArray:
    """Return the Euclidean norm along the last axis (einsum: faster than norm)."""
    out: FloatArray = np.sqrt(np.einsum("...i,...i->...", v, v))
    return out


def sdf_sphere(
    p: FloatArray,
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
    radius: float = 1.0,
) -> FloatArray:
    """Return the signed distance to a sphere: ‖p − c‖ − r."""
    out: FloatArray = length(p - np.asarray(center, dtype=p.dtype)) - radius
    return out


def sdf_box(
    p: FloatArray,
    half: tuple[float, float, float] = (0.6, 0.6, 0.6),
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> FloatArray:
    """Return the signed distance to an axis-aligned box of half extents ``half``."""
    q = np.abs(p - np.asarray(center, dtype=p.dtype)) - np.asarray(half, dtype=p.dtype)
    outside = length(np.maximum(q, 0.0))
    # Elementwise maxima: a reduction over a length-3 last axis is slow in numpy.
    inside = np.minimum(np.maximum(np.maximum(q[..., 0], q[..., 1]), q[..., 2]), 0.0)
    out: FloatArray = outside + inside
    return out


def sdf_torus(
    p: FloatArray,
    major: float = 0.7,
    minor: float = 0.25,
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> FloatArray:
    """Return the signed distance to a torus around the y axis (ring in xz)."""
    q = p - np.asarray(center, dtype=p.dtype)
    ring = np.hypot(q[..., 0], q[..., 2]) - major
    out: FloatArray = np.hypot(ring, q[..., 1]) - minor
    return out


def smooth_min(a: FloatArray, b: FloatArray, k: float) -> FloatArray:
    """Return the polynomial smooth minimum of ``a`` and ``b`` (Quílez), blend ``k``."""
    h = np.clip(0.5 + 0.5 * (b - a) / k, 0.0, 1.0)
    out: FloatArray = b + (a - b) * h - k * h * (1.0 - h)
    return out


def _blob(p: FloatArray) -> FloatArray:
    a = sdf_sphere(p, (-0.45, -0.1, 0.0), 0.5)
    b = sdf_sphere(p, (0.45, -0.1, 0.0), 0.45)
    c = sdf_sphere(p, (0.0, 0.45, 0.0), 0.4)
    return smooth_min(smooth_min(a, b, 0.3), c, 0.3)


def _scene_parts(p: FloatArray) -> FloatArray:
    """Return the SDFs of the composition's parts, shape (..., 3)."""
    return np.stack(
        [
            sdf_sphere(p, (-0.6, 0.1, 0.0), 0.45),
            sdf_box(p, (0.32, 0.32, 0.32), (0.6, 0.0, 0.0)),
            sdf_torus(p, 0.45, 0.12, (0.0, -0.45, 0.25)),
        ],
        axis=-1,
    )


def _scene_sdf(p: FloatArray) -> FloatArray:
    parts = _scene_parts(p)
    out: FloatArray = np.minimum(
        np.minimum(parts[..., 0], parts[..., 1]), parts[..., 2]
    )
    return out


_SCENE_ALBEDO = np.array([_VERMILION, _BLUE, _GREEN])

_SDFS: dict[str, SdfFn] = {
    "sphere": lambda p: sdf_sphere(p),
    "box": lambda p: sdf_box(p),
    "torus": lambda p: sdf_torus(p),
    "blob": _blob,
    "fog": lambda p: sdf_box(p, (0.5, 0.5, 0.5)),
    "scene": lambda p: _scene_sdf(p),
}

_ALBEDO = {
    "sphere": _ORANGE,
    "box": _SKY,
    "torus": _GREEN,
    "blob": _YELLOW,
    "fog": _FOG,
}


def laplace_cdf(s: FloatArray, beta: float) -> FloatArray:
    """Return Ψ_β(s), the CDF of a zero-mean Laplace distribution of scale β."""
    e = 0.5 * np.exp(-np.abs(s) / beta)
    out: FloatArray = np.where(s <= 0.0, e, 1.0 - e)
    return out


@dataclass(frozen=True)
class Scene:
    """A built-in scene: ``sdf``, ``density`` and ``color`` at points of shape (..., 3).

    Attributes
    ----------
    name
        One of :data:`SCENE_NAMES`.
    sharpness
        1/β of the VolSDF density (SDF scenes): larger is a crisper surface.
    fog_density
        σ inside the ``fog`` cube (ignored by the other scenes).
    """

    name: str = "sphere"
    sharpness: float = 20.0
    fog_density: float = 1.0

    def __post_init__(self) -> None:
        if self.name not in SCENE_NAMES:
            known = ", ".join(SCENE_NAMES)
            raise ValueError(f"unknown scene {self.name!r}: choose one of {known}")
        if not 0.1 <= self.sharpness <= 1e4:
            raise ValueError(f"sharpness must be in [0.1, 10000], got {self.sharpness}")
        if not 0.0 <= self.fog_density <= 1e4:
            raise ValueError(f"density must be in [0, 10000], got {self.fog_density}")

    @property
    def is_fog(self) -> bool:
        """Return whether the scene is the homogeneous medium (no surface)."""
        return self.name == "fog"

    def sdf(self, p: FloatArray) -> FloatArray:
        """Return the signed distance at points ``p`` (negative inside)."""
        p = np.asarray(p)
        if p.dtype not in (np.float32, np.float64):
            p = p.astype(np.float64)
        return _SDFS[self.name](p)

    def density(self, p: FloatArray) -> FloatArray:
        """Return σ at ``p``: constant in the fog cube, VolSDF α Ψ_β(−d) otherwise."""
        p = np.asarray(p)
        if self.is_fog:
            a = np.abs(p)
            inside = (a[..., 0] <= 0.5) & (a[..., 1] <= 0.5) & (a[..., 2] <= 0.5)
            out: FloatArray = np.where(inside, self.fog_density, 0.0).astype(p.dtype)
            return out
        beta = 1.0 / self.sharpness
        return self.sharpness * laplace_cdf(-self.sdf(p), beta)

    def normal(self, p: FloatArray, eps: float = 1e-4) -> FloatArray:
        """Return the unit SDF gradient at ``p`` (tetrahedral differences)."""
        p = np.asarray(p)
        g = np.zeros_like(p)
        for k in _TETRA:
            g += k * self.sdf(p + eps * k)[..., None]
        out: FloatArray = g / np.maximum(length(g), 1e-12)[..., None]
        return out

    def albedo(self, p: FloatArray) -> FloatArray:
        """Return the base colour (RGB in [0, 1]) at ``p``."""
        p = np.asarray(p)
        if self.name == "scene":
            out: FloatArray = _SCENE_ALBEDO[np.argmin(_scene_parts(p), axis=-1)]
            return out
        return np.broadcast_to(np.asarray(_ALBEDO[self.name]), p.shape).copy()

    def color(self, p: FloatArray) -> FloatArray:
        """Return the emitted colour at ``p``: albedo with baked Lambert shading.

        The fog's colour is constant; surfaces get ``albedo · (0.3 + 0.7 max(0, n·l))``
        for a fixed light, so the colour does not depend on the view (as in tiny NeRF).
        """
        p = np.asarray(p)
        if self.is_fog:
            return self.albedo(p)
        shade = 0.3 + 0.7 * np.clip(self.normal(p) @ _LIGHT.astype(p.dtype), 0.0, 1.0)
        out: FloatArray = self.albedo(p) * shade[..., None]
        return out


@dataclass(frozen=True)
class SdfField:
    """Any SDF (e.g. a learned one) as a field: VolSDF density, shaded albedo.

    Attributes
    ----------
    sdf_fn
        Points (..., 3) → signed distances (...).
    sharpness
        1/β of the VolSDF density.
    albedo_rgb
        The constant base colour.
    """

    sdf_fn: SdfFn
    sharpness: float = 20.0
    albedo_rgb: tuple[float, float, float] = _SKY

    def sdf(self, p: FloatArray) -> FloatArray:
        """Return the signed distance at ``p``."""
        return self.sdf_fn(np.asarray(p))

    def density(self, p: FloatArray) -> FloatArray:
        """Return the VolSDF density α Ψ_β(−d) at ``p``."""
        return self.sharpness * laplace_cdf(-self.sdf(p), 1.0 / self.sharpness)

    def color(self, p: FloatArray) -> FloatArray:
        """Return albedo · (0.3 + 0.7 max(0, n·l)), n by tetrahedral differences."""
        p = np.asarray(p)
        g = np.zeros_like(p)
        for k in _TETRA:
            g += k * self.sdf(p + 1e-3 * k)[..., None]
        n = g / np.maximum(length(g), 1e-12)[..., None]
        shade = 0.3 + 0.7 * np.clip(n @ _LIGHT.astype(p.dtype), 0.0, 1.0)
        out: FloatArray = np.asarray(self.albedo_rgb) * shade[..., None]
        return out
