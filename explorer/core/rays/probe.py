"""Everything the Rays panel shows about one selected ray, computed in one call.

:func:`probe_ray` renders the ray (NeRF eq. 3), and where the scene has an SDF
also sphere-traces it (Hart 1996), marches + secant-refines it (DVR, Niemeyer et
al. 2020), samples f(t) along it and the SDF on a slice through it.  For an
analytic scene this takes a few milliseconds; for a learned SDF or NeRF each of
those is a network evaluation, so the panel runs :func:`probe_requests` in a
worker and posts each new request to it (the newest wins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from explorer.core.contour import contour_lines
from explorer.core.progress import JobControl
from explorer.core.rays.camera import Camera
from explorer.core.rays.render import RayConfig, RaySamples, render_ray
from explorer.core.rays.roots import TraceResult, secant_trace, sphere_trace

FloatArray = np.ndarray
SLICE_COLS, SLICE_ROWS = 160, 128
PROBE_KEY = "ray"  # the job control's mailbox key of the selected-ray requests


@dataclass(frozen=True, eq=False)
class RayProbe:
    """One selected ray and what the panel draws of it.

    Attributes
    ----------
    pixel
        (u, v) of the ray.
    ray
        The samples along the ray (σ, α, T, weights, colour).
    sphere, secant
        Sphere tracing and march + secant results (``None`` without an SDF).
    f_t
        (t, f(o + t d)) at 200 points along the ray (``None`` without an SDF).
    slice_values, extent
        The SDF on the plane through the ray and the camera's up direction,
        (rows, cols), and (near, far, half height) of that plane.
    hit
        The first surface point (sphere tracing, else secant, else the expected
        depth of an opaque ray), or ``None``.
    contour
        (t, s) of the slice's zero level set, NaN-separated (``None`` without an
        SDF): traced here so a worker's probe leaves the GUI thread only drawing.
    """

    pixel: tuple[int, int]
    ray: RaySamples
    sphere: TraceResult | None = None
    secant: TraceResult | None = None
    f_t: tuple[FloatArray, FloatArray] | None = None
    slice_values: FloatArray | None = None
    extent: tuple[float, float, float] = (0.0, 1.0, 0.0)
    hit: FloatArray | None = None
    contour: tuple[FloatArray, FloatArray] | None = None


def probe_ray(
    field: Any,
    sdf: Callable[[FloatArray], Any] | None,
    camera: Camera,
    pixel: tuple[int, int],
    cfg: RayConfig,
) -> RayProbe:
    """Return the :class:`RayProbe` of pixel ``(u, v)`` seen by ``camera``.

    ``field`` is what :func:`render_ray` samples (σ and colour); ``sdf`` the signed
    distance function of the scene, or ``None`` (fog, NeRF).  The ray's stratified
    jitter is seeded by the pixel, so the same pixel gives the same samples.
    """
    u, v = pixel
    o, d = camera.pixel_rays(np.array(float(u)), np.array(float(v)))
    ray = render_ray(field, o, d, cfg, np.random.default_rng(u * 7919 + v))
    sphere: TraceResult | None = None
    secant: TraceResult | None = None
    f_t = None
    values = None
    extent = (cfg.near, cfg.far, 0.0)
    contour = None
    if sdf is not None:
        sphere = sphere_trace(
            sdf, o, d, near=cfg.near, far=cfg.far, eps=1e-4, max_steps=64
        )
        secant = secant_trace(
            sdf,
            o,
            d,
            near=cfg.near,
            far=cfg.far,
            n_march=max(2, min(cfg.n_samples, 128)),
        )
        ts = np.linspace(cfg.near, cfg.far, 200)
        f_t = (ts, np.asarray(sdf(o + ts[:, None] * d), dtype=np.float64))
        values, extent = sdf_slice(sdf, camera, o, d, cfg)
        t0, t1, half = extent
        rows, cols = values.shape  # sampled at linspace(t0, t1) × linspace(−h, h)
        contour = contour_lines(
            values, 0.0, np.linspace(t0, t1, cols), np.linspace(-half, half, rows)
        )
    hit = None
    if sphere is not None and sphere.hit:
        hit = sphere.point
    elif secant is not None and secant.hit:
        hit = secant.point
    elif ray.opacity > 0.5 and np.isfinite(ray.depth):
        hit = o + ray.depth * d
    return RayProbe(
        pixel=(u, v),
        ray=ray,
        sphere=sphere,
        secant=secant,
        f_t=f_t,
        slice_values=values,
        extent=extent,
        hit=hit,
        contour=contour,
    )


def sdf_slice(
    sdf: Callable[[FloatArray], Any],
    camera: Camera,
    o: FloatArray,
    d: FloatArray,
    cfg: RayConfig,
) -> tuple[FloatArray, tuple[float, float, float]]:
    """Return the SDF on the plane through the ray and the camera's up direction.

    Rows run along the in-plane direction ``e`` ⟂ ``d`` (−half … half), columns
    along the ray (near … far).
    """
    up = np.asarray(camera.rotation()[:, 1])
    e = up - (up @ d) * d
    e = e / max(float(np.linalg.norm(e)), 1e-12)
    half = 0.5 * (cfg.far - cfg.near) * SLICE_ROWS / SLICE_COLS
    ts = np.linspace(cfg.near, cfg.far, SLICE_COLS)
    ss = np.linspace(-half, half, SLICE_ROWS)
    pts = o + ts[None, :, None] * d + ss[:, None, None] * e
    values = np.asarray(sdf(pts), dtype=np.float64)
    return values, (cfg.near, cfg.far, half)


def probe_requests(
    *, control: JobControl, idle_s: float = 0.5
) -> Iterator[tuple[int, RayProbe]]:
    """Yield ``(serial, probe)`` for the ray requests posted under :data:`PROBE_KEY`.

    A request is ``(serial, (field, sdf, camera, pixel, cfg))``: the arguments of
    :func:`probe_ray` and a number the panel uses to know the newest one is shown.
    Only the newest request waiting is probed (dragging never builds a backlog);
    the job ends after ``idle_s`` seconds without a request, or when stopped.
    """
    while not control.stopping:
        request = control.take(PROBE_KEY, timeout=idle_s)
        if request is None:
            return
        serial, args = request
        yield int(serial), probe_ray(*args)
