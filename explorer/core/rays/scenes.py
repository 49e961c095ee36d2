"""Built-in scenes: analytic signed distance, density and colour fields.

Every scene is an implicit surface (a signed distance function, SDF: negative
inside) except ``fog``, a homogeneous cube of constant density whose SDF is the
cube's own (its boundary is what a tracer finds).  Densities of the SDF scenes
follow VolSDF (Yariv et al. 2021, eq. 2–3): σ(x) = α Ψ_β(−d(x)) with α = 1/β and
Ψ_β the CDF of a zero-mean Laplace distribution of scale β; the panel's
"sharpness" is 1/β.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.rays.names import SCENE_NAMES

FloatArray = NDArray[np.floating[Any]]
SdfFn = Callable[[FloatArray], FloatArray]


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


def _norm3(x: FloatArray, y: FloatArray, z: FloatArray) -> FloatArray:
    # Component-wise: the ops run on whole arrays, not on a length-3 last axis.
    # in place: the same sums in the same order as x*x + y*y + z*z, with one
    # temporary instead of four
    out: FloatArray = np.asarray(x * x)  # one point: a 0-d array, not a scalar
    tmp = np.asarray(y * y)
    out += tmp
    np.multiply(z, z, out=tmp)
    out += tmp
    return np.sqrt(out, out=out)


def _shifted(
    p: FloatArray, center: tuple[float, float, float]
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the components of ``p − center``: new arrays of p's dtype (the SDFs
    below work in them in place; never scalars, also for one point)."""
    x, y, z = (np.empty(p.shape[:-1], dtype=p.dtype) for _ in range(3))
    return (
        np.subtract(p[..., 0], center[0], out=x),
        np.subtract(p[..., 1], center[1], out=y),
        np.subtract(p[..., 2], center[2], out=z),
    )


def _one_point_too(sdf: Callable[..., FloatArray]) -> Callable[..., FloatArray]:
    """Let ``sdf`` (which works in place on arrays) take one point (3,) as well."""

    @functools.wraps(sdf)
    def wrapped(p: FloatArray, *args: Any, **kwargs: Any) -> FloatArray:
        if np.ndim(p) == 1:
            one: FloatArray = sdf(np.asarray(p)[None], *args, **kwargs)[0]
            return one
        return sdf(p, *args, **kwargs)

    return wrapped


@_one_point_too
def sdf_sphere(
    p: FloatArray,
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
    radius: float = 1.0,
) -> FloatArray:
    """Return the signed distance to a sphere: ‖p − c‖ − r."""
    out: FloatArray = _norm3(*_shifted(p, center)) - radius
    return out


@_one_point_too
def sdf_box(
    p: FloatArray,
    half: tuple[float, float, float] = (0.6, 0.6, 0.6),
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> FloatArray:
    """Return the signed distance to an axis-aligned box of half extents ``half``."""
    x, y, z = _shifted(p, center)
    qx, qy, qz = (
        np.subtract(np.abs(v, out=v), h, out=v)
        for v, h in zip((x, y, z), half, strict=True)
    )
    inside = np.maximum(qx, qy)
    np.maximum(inside, qz, out=inside)
    np.minimum(inside, 0.0, out=inside)
    outside = _norm3(*(np.maximum(v, 0.0, out=v) for v in (qx, qy, qz)))
    out: FloatArray = np.add(outside, inside, out=outside)
    return out


@_one_point_too
def sdf_torus(
    p: FloatArray,
    major: float = 0.7,
    minor: float = 0.25,
    center: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> FloatArray:
    """Return the signed distance to a torus around the y axis (ring in xz)."""
    x, y, z = _shifted(p, center)
    x *= x
    z *= z
    ring = np.sqrt(np.add(x, z, out=x), out=x)
    ring -= major
    ring *= ring
    y *= y
    out: FloatArray = np.sqrt(np.add(ring, y, out=ring), out=ring)
    out -= minor
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


def _scene_parts(p: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return the SDFs of the composition's parts (sphere, box, torus)."""
    return (
        sdf_sphere(p, (-0.6, 0.1, 0.0), 0.45),
        sdf_box(p, (0.32, 0.32, 0.32), (0.6, 0.0, 0.0)),
        sdf_torus(p, 0.45, 0.12, (0.0, -0.45, 0.25)),
    )


def _scene_sdf(p: FloatArray) -> FloatArray:
    a, b, c = _scene_parts(p)
    out: FloatArray = np.minimum(np.minimum(a, b), c)
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
    # Ψ_β(s) = 1/2 + sign(s)·(1 − e^{−|s|/β})/2, without a branchy np.where.
    half = np.multiply(np.expm1(np.abs(s) * (-1.0 / beta)), -0.5)
    out: FloatArray = np.copysign(half, s)
    out += 0.5
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
        # α Ψ_β(−d) = s/2 − sign(d)·(s/2)(1 − e^{−s|d|}) with α = s = 1/β: the
        # Laplace CDF folded into one pass per step.
        s = self.sharpness
        d = self.sdf(p)
        e = np.expm1(np.abs(d) * -s)
        e *= -0.5 * s
        out = np.copysign(e, d, out=e)
        np.subtract(0.5 * s, out, out=out)
        return out

    def normal(self, p: FloatArray, eps: float = 1e-4) -> FloatArray:
        """Return the unit SDF gradient at ``p`` (tetrahedral sum; exact for spheres).

        Computed in float64 whatever the dtype of ``p``: with an offset of 1e-4,
        float32 rounding of the points alone would tilt normals by ~1e-3.
        """
        p = np.asarray(p)
        gx, gy, gz = self._gradient(p.reshape(-1, 3), eps)
        inv = 1.0 / np.maximum(_norm3(gx, gy, gz), 1e-12)
        out: FloatArray = np.stack([gx * inv, gy * inv, gz * inv], axis=-1)
        return out.reshape(p.shape)

    def _gradient(
        self, p: FloatArray, eps: float
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Return Σ_k k f(p + εk) (tetrahedral sum ∝ ∇f) at ``p`` (M, 3), in float64.

        The box has a closed form of the same sum (to ~1e-12); the sphere gets
        its exact gradient (see :func:`_sphere_gradient`).
        """
        comps = _components64(p)
        if self.name == "sphere":
            return _sphere_gradient(comps, (0.0, 0.0, 0.0))
        if self.name == "box":
            return _box_tetra(comps, (0.6, 0.6, 0.6), (0.0, 0.0, 0.0), eps)
        return _tetra_sum(_SDFS[self.name], comps, eps)

    def albedo(self, p: FloatArray) -> FloatArray:
        """Return the base colour (RGB in [0, 1]) at ``p``."""
        p = np.asarray(p)
        if self.name == "scene":
            a, b, c = _scene_parts(p)
            # The first minimal part, as argmin would pick it.
            part = np.where(a <= np.minimum(b, c), 0, np.where(b <= c, 1, 2))
            out: FloatArray = _SCENE_ALBEDO[part]
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
        flat = p.reshape(-1, 3)
        if self.name == "scene":
            albedo, (gx, gy, gz) = _scene_shading(flat, 1e-4)
        else:
            albedo = np.asarray(_ALBEDO[self.name])
            gx, gy, gz = self._gradient(flat, 1e-4)
        lx, ly, lz = _LIGHT
        cos = (gx * lx + gy * ly + gz * lz) / np.maximum(_norm3(gx, gy, gz), 1e-12)
        shade = 0.3 + 0.7 * np.clip(cos, 0.0, 1.0)
        out: FloatArray = (albedo * shade[:, None]).reshape(p.shape)
        return out


Components = tuple[FloatArray, FloatArray, FloatArray]


def _components64(p: FloatArray) -> Components:
    """Return the x, y, z columns of ``p`` (M, 3) as contiguous float64 arrays."""
    return (
        p[:, 0].astype(np.float64),
        p[:, 1].astype(np.float64),
        p[:, 2].astype(np.float64),
    )


def _sphere_gradient(
    comps: Components, center: tuple[float, float, float]
) -> Components:
    """Return p − c, the sphere SDF's exact gradient direction.

    The tetrahedral sum is 4ε ∇f only to first order (the regular tetrahedron's
    third moments do not vanish): for a sphere of radius r its direction is off
    by ≲ ε/r (1e-4 for the unit sphere), so shades differ by < 1e-4 —
    far below the renderer's 1/512 — and this costs one subtraction.
    """
    x, y, z = comps
    return x - center[0], y - center[1], z - center[2]


def _box_tetra(
    comps: Components,
    half: tuple[float, float, float],
    center: tuple[float, float, float],
    eps: float,
) -> Components:
    """Return the box SDF's tetrahedral sum Σ_k k f(p + εk).

    Where one face's q_i = |p_i − c_i| − h_i exceeds the others by more than
    2√3 ε and they stay below −√3 ε, f = q_i on the whole tetrahedron: f is
    linear there and the sum is exactly 4ε sign(p_i − c_i) e_i.  Elsewhere
    (near edges and corners) the four SDF values are evaluated.
    """
    rel = [comps[j] - center[j] for j in range(3)]
    q = [np.abs(rel[j]) - half[j] for j in range(3)]
    margin = 2.0 * math.sqrt(3.0) * eps * (1.0 + 1e-6)
    grad = [np.zeros_like(rel[0]) for _ in range(3)]
    general = np.ones(rel[0].shape, dtype=bool)
    for i in range(3):
        others = [q[j] for j in range(3) if j != i]
        face = (
            (q[i] - np.maximum(others[0], others[1]) > margin)
            & (others[0] < -0.5 * margin)
            & (others[1] < -0.5 * margin)
        )
        grad[i][face] = np.copysign(4.0 * eps, rel[i][face])
        general &= ~face
    idx = np.flatnonzero(general)
    if idx.size:
        g = _tetra_sum(
            lambda r: sdf_box(r, half, center),
            (comps[0][idx], comps[1][idx], comps[2][idx]),
            eps,
        )
        for j in range(3):
            grad[j][idx] = g[j]
    return grad[0], grad[1], grad[2]


def _tetra_sum(sdf: SdfFn, comps: Components, eps: float) -> Components:
    """Return Σ_k k f(p + εk) over the tetrahedron's vertices k ∈ {±1}³.

    The sum is 4ε ∇f + O(ε²) where f is smooth (first order: the regular
    tetrahedron's third moments do not vanish).  ``comps`` are p's components;
    ``sdf`` gets points (M, 3) whose components are contiguous.
    """
    f = []
    for k in _TETRA:
        q = np.empty((3, comps[0].shape[0]))
        for j in range(3):
            np.add(comps[j], eps * k[j], out=q[j])
        f.append(sdf(q.T))
    f0, f1, f2, f3 = f
    return (f0 + f3) - (f1 + f2), (f2 + f3) - (f0 + f1), (f1 + f3) - (f0 + f2)


def _scene_shading(p: FloatArray, eps: float) -> tuple[FloatArray, Components]:
    """Return the albedo (M, 3) and a gradient vector of the composition at ``p``.

    The parts are 1-Lipschitz, so where the nearest part leads the others by more
    than 2√3 ε the tetrahedron's vertices (within √3 ε of p) all see that part
    alone: the composition's tetrahedral sum is that part's, at a third of the
    cost.  Points near a seam get the composition's own sum.
    """
    a, b, c = _scene_parts(p)
    part = np.where(a <= np.minimum(b, c), 0, np.where(b <= c, 1, 2))
    ab_lo, ab_hi = np.minimum(a, b), np.maximum(a, b)
    second = np.minimum(ab_hi, np.maximum(ab_lo, c))
    near_seam = second - np.minimum(ab_lo, c) <= 4.0 * eps
    comps = _components64(p)
    grad = np.empty((3, p.shape[0]))
    groups: list[tuple[Callable[[Components], Components], NDArray[np.bool_]]] = [
        (
            lambda q: _sphere_gradient(q, (-0.6, 0.1, 0.0)),
            ~near_seam & (part == 0),
        ),
        (
            lambda q: _box_tetra(q, (0.32, 0.32, 0.32), (0.6, 0.0, 0.0), eps),
            ~near_seam & (part == 1),
        ),
        (
            lambda q: _tetra_sum(
                lambda r: sdf_torus(r, 0.45, 0.12, (0.0, -0.45, 0.25)), q, eps
            ),
            ~near_seam & (part == 2),
        ),
        (lambda q: _tetra_sum(_scene_sdf, q, eps), near_seam),
    ]
    for gradient, mask in groups:
        idx = np.flatnonzero(mask)
        if idx.size:
            g = gradient((comps[0][idx], comps[1][idx], comps[2][idx]))
            for j in range(3):
                grad[j, idx] = g[j]
    return _SCENE_ALBEDO[part], (grad[0], grad[1], grad[2])


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
