"""Samples along rays and volume rendering exactly as NeRF eq. 3.

For samples t_1 < … < t_N on a ray r(t) = o + t d (Mildenhall et al. 2020, eq. 3):

    δ_i = t_{i+1} − t_i,   α_i = 1 − exp(−σ_i δ_i),
    T_i = exp(−Σ_{j<i} σ_j δ_j) = Π_{j<i} (1 − α_j),   w_i = T_i α_i,
    C = Σ_i w_i c_i,   opacity = Σ_i w_i = 1 − T_{N+1}.

The last interval has no t_{N+1}; the choice is explicit here: ``"far"`` ends it at
the far bound (δ_N = far − t_N, an honest quadrature of the integral up to far),
``"1e10"`` is the NeRF code's trick (δ_N = 10¹⁰), which makes any medium with
σ_N > 0 — even very thin fog — fully opaque at the last sample.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from explorer.core.progress import Progress
from explorer.core.rays.camera import Camera, normalize
from explorer.core.rays.names import LAST_DELTAS, LastDelta

FloatArray = NDArray[np.floating[Any]]
NERF_LAST_DELTA = 1e10


class Field(Protocol):
    """Anything with a density σ(x) and an emitted colour c(x) (a scene, a NeRF)."""

    def density(self, p: FloatArray) -> FloatArray:
        """Return σ at points ``p`` (..., 3)."""
        ...

    def color(self, p: FloatArray) -> FloatArray:
        """Return RGB at points ``p`` (..., 3)."""
        ...


@dataclass(frozen=True)
class RayConfig:
    """How rays are sampled and composited.

    Attributes
    ----------
    n_samples
        Samples per ray N.
    near, far
        The ray segment [near, far] (distances along the unit direction).
    stratified
        Jitter each sample inside its bin (NeRF eq. 2) instead of the bin's start.
    jitter
        Fraction of the bin the stratified jitter may use (0 = none, 1 = NeRF).
    last_delta
        ``"far"`` or ``"1e10"``: the length given to the last interval.
    """

    n_samples: int = 64
    near: float = 1.0
    far: float = 5.0
    stratified: bool = False
    jitter: float = 1.0
    last_delta: LastDelta = "far"

    def __post_init__(self) -> None:
        if not 1 <= self.n_samples <= 4096:
            raise ValueError(f"samples per ray must be 1..4096, got {self.n_samples}")
        if not (np.isfinite(self.near) and np.isfinite(self.far)):
            raise ValueError("near and far must be finite numbers")
        if self.near < 0.0:
            raise ValueError(f"near must be ≥ 0, got {self.near}")
        if self.near >= self.far:
            raise ValueError(
                f"near ({self.near}) must be smaller than far ({self.far})"
            )
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError(f"jitter must be in [0, 1], got {self.jitter}")
        if self.last_delta not in LAST_DELTAS:
            raise ValueError(
                f"last_delta must be 'far' or '1e10', got {self.last_delta!r}"
            )


def sample_t(
    cfg: RayConfig, shape: tuple[int, ...] = (), rng: np.random.Generator | None = None
) -> FloatArray:
    """Return sample distances, shape ``shape + (N,)``, sorted along the last axis.

    The segment is cut into N equal bins of width h = (far − near)/N; sample i sits
    at the start of bin i, t_i = near + i h, or with ``stratified`` at
    near + (i + jitter·u_i) h with u_i ~ U[0, 1) (NeRF eq. 2).
    """
    n = cfg.n_samples
    h = (cfg.far - cfg.near) / n
    offsets = np.zeros((*shape, n))
    if cfg.stratified and cfg.jitter > 0.0:
        gen = rng if rng is not None else np.random.default_rng(0)
        offsets = cfg.jitter * gen.random((*shape, n))
    out: FloatArray = cfg.near + (np.arange(n) + offsets) * h
    return out


def deltas(t: FloatArray, far: float, last: LastDelta) -> FloatArray:
    """Return δ_i = t_{i+1} − t_i with the chosen last interval (see module doc)."""
    tail = (
        far - t[..., -1:]
        if last == "far"
        else np.full_like(t[..., -1:], NERF_LAST_DELTA)
    )
    out: FloatArray = np.concatenate([np.diff(t, axis=-1), tail], axis=-1)
    return out


@dataclass(frozen=True)
class Composite:
    """The per-sample quantities of NeRF eq. 3 (arrays (..., N)) and the results."""

    delta: FloatArray
    alpha: FloatArray
    transmittance: FloatArray
    weights: FloatArray
    opacity: FloatArray
    depth: FloatArray


def composite_weights(
    t: FloatArray, sigma: FloatArray, far: float, last: LastDelta = "far"
) -> Composite:
    """Return δ, α, T, w, opacity and expected depth of samples ``t`` with σ ``sigma``.

    ``depth`` is the expected termination distance given that the ray terminates,
    Σ w_i t_i / Σ w_i (NaN where the opacity is 0).
    """
    delta = deltas(t, far, last)
    tau = sigma * delta
    alpha = -np.expm1(-tau)
    # T_i = exp(−Σ_{j<i} σ_j δ_j): an exclusive cumulative sum.
    optical = np.cumsum(tau, axis=-1) - tau
    trans = np.exp(-optical)
    weights = trans * alpha
    opacity = weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.where(opacity > 0.0, (weights * t).sum(axis=-1) / opacity, np.nan)
    return Composite(delta, alpha, trans, weights, opacity, depth)


@dataclass(frozen=True)
class RaySamples:
    """Everything along one ray, for plots, tables and the CLI."""

    origin: FloatArray
    direction: FloatArray
    t: FloatArray
    points: FloatArray
    sigma: FloatArray
    colors: FloatArray
    delta: FloatArray
    alpha: FloatArray
    transmittance: FloatArray
    weights: FloatArray
    running_rgb: FloatArray
    rgb: FloatArray
    opacity: float
    depth: float

    def records(self) -> list[dict[str, object]]:
        """Return one dict per sample (t, delta, sigma, alpha, T, weight, rgb)."""
        return [
            {
                "t": float(self.t[i]),
                "delta": float(self.delta[i]),
                "sigma": float(self.sigma[i]),
                "alpha": float(self.alpha[i]),
                "transmittance": float(self.transmittance[i]),
                "weight": float(self.weights[i]),
                "rgb": [float(c) for c in self.colors[i]],
            }
            for i in range(len(self.t))
        ]

    def to_dict(self) -> dict[str, object]:
        """Return the JSON document of ``explorer rays samples``."""
        return {
            "origin": self.origin.tolist(),
            "direction": self.direction.tolist(),
            "samples": self.records(),
            "rgb": self.rgb.tolist(),
            "depth": None if not np.isfinite(self.depth) else float(self.depth),
            "opacity": float(self.opacity),
        }


def render_ray(
    fld: Field,
    origin: FloatArray,
    direction: FloatArray,
    cfg: RayConfig,
    rng: np.random.Generator | None = None,
) -> RaySamples:
    """Return the samples and the composited colour of one ray through ``fld``.

    Raises
    ------
    ValueError
        For a zero or non-finite direction or origin.
    """
    o = np.asarray(origin, dtype=np.float64).reshape(3)
    if not np.all(np.isfinite(o)):
        raise ValueError("the ray origin must be finite")
    d = normalize(np.asarray(direction, dtype=np.float64).reshape(3))
    t = sample_t(cfg, (), rng)
    pts = o + t[:, None] * d
    sigma = np.asarray(fld.density(pts), dtype=np.float64)
    colors = np.asarray(fld.color(pts), dtype=np.float64)
    comp = composite_weights(t, sigma, cfg.far, cfg.last_delta)
    running = np.cumsum(comp.weights[:, None] * colors, axis=0)
    return RaySamples(
        origin=o,
        direction=d,
        t=t,
        points=pts,
        sigma=sigma,
        colors=colors,
        delta=comp.delta,
        alpha=comp.alpha,
        transmittance=comp.transmittance,
        weights=comp.weights,
        running_rgb=running,
        rgb=running[-1],
        opacity=float(comp.opacity),
        depth=float(comp.depth),
    )


@dataclass(frozen=True)
class RenderedImage:
    """An image rendered by volume rendering: colour, opacity and depth per pixel."""

    rgb: FloatArray  # (H, W, 3) in [0, 1]
    opacity: FloatArray  # (H, W)
    depth: FloatArray  # (H, W), NaN where nothing was hit


RAY_BLOCK = 4096
"""Rays per block of :func:`render_rays` (×N samples of float32 fit in L2)."""

_COLOR_BLOCK = 16384  # points per call of the field's colour


def render_rays(
    fld: Field,
    origins: FloatArray,
    dirs: FloatArray,
    cfg: RayConfig,
    rng: np.random.Generator | None = None,
    skip_budget: float = 1.0 / 512.0,
    chunk: int = 8,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (rgb (R, 3), opacity (R,), depth (R,)) of R rays, computed in float32.

    Two savings keep the result within ``skip_budget`` of NeRF eq. 3 per channel
    (1/512: below one grey level of an 8-bit image):

    * early ray termination: densities are evaluated ``chunk`` samples at a time
      and a ray stops once T < budget/2 (all later weights sum to less);
    * colour (with its shading normal, the costly part of an analytic field) is
      evaluated only where it can be seen: per ray, the smallest weights whose
      sum stays within budget/2 are skipped (colours lie in [0, 1]).

    Rays are rendered in blocks of :data:`RAY_BLOCK` so that the per-sample arrays
    stay in cache; the result does not depend on the block size.
    """
    n_rays = origins.shape[0]
    if cfg.stratified and cfg.jitter > 0.0:
        t = sample_t(cfg, (n_rays,), rng).astype(np.float32)
        delta = deltas(t, cfg.far, cfg.last_delta)
    else:
        # Every ray has the same samples: one row, broadcast.
        row = sample_t(cfg).astype(np.float32)
        t = np.broadcast_to(row, (n_rays, cfg.n_samples))
        delta = np.broadcast_to(deltas(row, cfg.far, cfg.last_delta), t.shape)
    # Sample-major (N, R): the per-sample steps below run over contiguous rows.
    t, delta = t.T, delta.T
    o32 = origins.astype(np.float32)
    d32 = dirs.astype(np.float32)
    rgb = np.zeros((n_rays, 3))
    opacity = np.zeros(n_rays)
    depth = np.zeros(n_rays)
    # Reused by every block: fresh arrays of this size would be returned to the
    # OS and faulted in again block after block.
    work = np.empty((3, cfg.n_samples, min(n_rays, RAY_BLOCK)), dtype=np.float32)
    for r0 in range(0, n_rays, RAY_BLOCK):
        r1 = min(n_rays, r0 + RAY_BLOCK)
        rgb[r0:r1], opacity[r0:r1], depth[r0:r1] = _render_block(
            fld,
            o32[r0:r1],
            d32[r0:r1],
            t[:, r0:r1],
            delta[:, r0:r1],
            skip_budget,
            chunk,
            work[:, :, : r1 - r0],
        )
    return np.clip(rgb, 0.0, 1.0), opacity, depth


def _render_block(
    fld: Field,
    o: FloatArray,
    d: FloatArray,
    t: FloatArray,
    delta: FloatArray,
    budget: float,
    chunk: int,
    work: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Return (rgb, opacity, depth) of rays ``o``, ``d`` with samples ``t`` (N, R).

    ``work`` (3, N, R) float32 is scratch space.
    """
    sigma, tau, optical = work
    _densities(fld, o, d, t, delta, -np.log(0.5 * budget), chunk, sigma)
    np.multiply(sigma, delta, out=tau)
    # T_i = exp(−Σ_{j<i} σ_j δ_j) (NeRF eq. 3), an exclusive running sum.
    optical[0] = 0.0
    for i in range(1, tau.shape[0]):
        np.add(optical[i - 1], tau[i - 1], out=optical[i])
    weights = np.exp(np.negative(optical, out=optical), out=optical)
    alpha = np.expm1(np.negative(tau, out=tau), out=tau)
    weights *= np.negative(alpha, out=alpha)
    opacity = weights.sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.where(opacity > 0.0, (weights * t).sum(axis=0) / opacity, np.nan)
    n_rays = o.shape[0]
    idx = np.flatnonzero(_seen(weights, 0.5 * budget))
    samples, rays = np.divmod(idx, n_rays)
    rgb = np.zeros((n_rays, 3))
    for c0 in range(0, idx.size, _COLOR_BLOCK):
        r = rays[c0 : c0 + _COLOR_BLOCK]
        s = samples[c0 : c0 + _COLOR_BLOCK]
        pts = _points(o[r], d[r], t[s, r][None, :])[0]
        colors = np.asarray(fld.color(pts), dtype=np.float32)
        w = weights.ravel()[idx[c0 : c0 + _COLOR_BLOCK]]
        for c in range(3):
            rgb[:, c] += np.bincount(r, weights=w * colors[:, c], minlength=n_rays)
    return rgb, opacity, depth


def _points(o: FloatArray, d: FloatArray, t: FloatArray) -> FloatArray:
    """Return o + t d, shape (S, R, 3), for rays (R, 3) and distances ``t`` (S, R).

    The result is a view of a (3, S, R) array: its components ``p[..., k]`` are
    contiguous, which fields that work component-wise (the analytic scenes) read
    fastest.
    """
    out = np.empty((3, *t.shape), dtype=np.float32)
    for k in range(3):
        np.multiply(t, d[:, k], out=out[k])
        out[k] += o[:, k]
    moved: FloatArray = np.moveaxis(out, 0, -1)
    return moved


def _densities(
    fld: Field,
    o: FloatArray,
    d: FloatArray,
    t: FloatArray,
    delta: FloatArray,
    stop: float,
    chunk: int,
    sigma: FloatArray,
) -> None:
    """Fill ``sigma`` (N, R) ``chunk`` samples at a time until Σ σδ ≥ ``stop``.

    Samples after a ray's stop are set to σ = 0.
    """
    n, n_rays = t.shape
    sigma.fill(0.0)
    optical = np.zeros(n_rays, dtype=np.float32)
    active = np.arange(n_rays)
    for c0 in range(0, n, chunk):
        c1 = min(n, c0 + chunk)
        every = active.size == n_rays
        tc = t[c0:c1] if every else t[c0:c1, active]
        pts = _points(o, d, tc) if every else _points(o[active], d[active], tc)
        block = np.asarray(fld.density(pts.reshape(-1, 3)), dtype=np.float32)
        block = block.reshape(tc.shape)
        dc = delta[c0:c1] if every else delta[c0:c1, active]
        tau = (block * dc).sum(axis=0)
        if every:
            sigma[c0:c1] = block
            optical += tau
            active = np.flatnonzero(optical < stop)
        else:
            sigma[c0:c1, active] = block
            optical[active] += tau
            active = active[optical[active] < stop]
        if active.size == 0:
            break


def _seen(weights: FloatArray, budget: float) -> NDArray[np.bool_]:
    """Return where colour is needed (N, R): all but the smallest weights ≤ budget.

    Per ray (column), the k smallest weights with cumulative sum ≤ ``budget`` may
    be skipped; skipping only weights below the (k+1)-th smallest keeps that
    bound even with ties (tied weights are kept).  A ray whose weights ≤ budget
    sum to at most budget skips all of them, without sorting.
    """
    small = weights <= budget
    seen: NDArray[np.bool_] = ~small
    mass = np.where(small, weights, 0.0).sum(axis=0)
    need = mass > budget
    n_need = int(np.count_nonzero(need))
    if n_need == 0:
        return seen
    # Gathering the columns to sort pays only when few rays need it.
    cols = np.flatnonzero(need) if 4 * n_need < weights.shape[1] else None
    w = weights if cols is None else weights[:, cols]
    n, m = w.shape
    ascending = np.full((n + 1, m), np.inf, dtype=weights.dtype)
    ascending[:n] = np.sort(np.ascontiguousarray(w.T), axis=1).T
    total = np.zeros(m, dtype=weights.dtype)
    k = np.zeros(m, dtype=np.intp)
    for i in range(n):
        total += ascending[i]
        k += total <= budget
    kept = w >= ascending[k, np.arange(m)]
    if cols is None:
        return kept
    seen[:, cols] = kept
    return seen


def render_image(
    fld: Field, camera: Camera, cfg: RayConfig, *, seed: int = 0
) -> RenderedImage:
    """Return the whole image of ``camera`` rendered through ``fld``."""
    *_, last = render_progressive(
        fld, camera, cfg, seed=seed, rows_per_yield=camera.height
    )
    return last.image


@dataclass(frozen=True, kw_only=True)
class RenderProgress(Progress):
    """A partly rendered image: rows ``[0, rows_done)`` are final."""

    image: RenderedImage
    rows_done: int = 0
    scene_key: str = ""


def render_progressive(
    fld: Field,
    camera: Camera,
    cfg: RayConfig,
    *,
    seed: int = 0,
    rows_per_yield: int = 8,
    key: str = "",
) -> Iterator[RenderProgress]:
    """Yield the image of ``camera`` a band of rows at a time (coarse to final).

    ``key`` is passed through so a caller can drop images of an outdated setting.
    """
    if rows_per_yield < 1:
        raise ValueError("rows_per_yield must be at least 1")
    h, w = camera.height, camera.width
    rgb = np.zeros((h, w, 3))
    opacity = np.zeros((h, w))
    depth = np.full((h, w), np.nan)
    origins, dirs = camera.all_rays()
    rng = np.random.default_rng(seed)
    for r0 in range(0, h, rows_per_yield):
        r1 = min(h, r0 + rows_per_yield)
        o = origins[r0:r1].reshape(-1, 3)
        d = dirs[r0:r1].reshape(-1, 3)
        c, a, z = render_rays(fld, o, d, cfg, rng)
        rgb[r0:r1] = c.reshape(r1 - r0, w, 3)
        opacity[r0:r1] = a.reshape(r1 - r0, w)
        depth[r0:r1] = z.reshape(r1 - r0, w)
        yield RenderProgress(
            step=r1,
            total=h,
            rows_done=r1,
            scene_key=key,
            message=f"rendered rows {r1}/{h}",
            image=RenderedImage(rgb.copy(), opacity.copy(), depth.copy()),
        )
