"""One selected ray, probed: render, root finding, f(t) and the SDF slice agree."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.progress import LocalControl
from explorer.core.rays.camera import Camera
from explorer.core.rays.probe import (
    PROBE_KEY,
    SLICE_COLS,
    SLICE_ROWS,
    probe_ray,
    probe_requests,
)
from explorer.core.rays.render import RayConfig
from explorer.core.rays.scenes import Scene


def test_probe_of_the_centre_ray_hits_the_unit_sphere() -> None:
    scene = Scene("sphere")
    camera = Camera()
    cfg = RayConfig(n_samples=64, near=1.0, far=5.0)
    probe = probe_ray(scene, scene.sdf, camera, (32, 32), cfg)
    o, d = probe.ray.origin, probe.ray.direction
    b = float(o @ d)
    t_hit = -b - math.sqrt(b * b - (o @ o - 1.0))
    assert probe.sphere is not None and probe.sphere.hit
    assert probe.sphere.t == pytest.approx(t_hit, abs=1e-3)
    assert probe.secant is not None and probe.secant.t == pytest.approx(t_hit, abs=1e-4)
    assert probe.hit is not None and np.linalg.norm(probe.hit) == pytest.approx(
        1.0, abs=1e-3
    )
    # f(t) along the ray is ‖o + t d‖ − 1
    assert probe.f_t is not None
    t, f = probe.f_t
    np.testing.assert_allclose(
        f, np.linalg.norm(o + t[:, None] * d, axis=1) - 1.0, atol=1e-9
    )
    # the slice holds the SDF on a plane containing the ray: its middle row (s ≈ 0)
    # is f along the ray, at the slice's own t samples
    assert probe.slice_values is not None
    assert probe.slice_values.shape == (SLICE_ROWS, SLICE_COLS)
    near, far, half = probe.extent
    assert (near, far) == (1.0, 5.0) and half > 0
    ts = np.linspace(near, far, SLICE_COLS)
    ss = np.linspace(-half, half, SLICE_ROWS)
    row = int(np.argmin(np.abs(ss)))
    on_ray = np.linalg.norm(o + ts[:, None] * d, axis=1) - 1.0
    assert np.abs(probe.slice_values[row] - on_ray).max() < 2 * half / SLICE_ROWS
    # the slice's zero contour (traced in the probe, off the GUI thread) meets the
    # ray where the ray enters the sphere
    assert probe.contour is not None
    ct, cs = probe.contour
    near_ray = np.isfinite(ct) & (np.abs(cs) < 2 * half / SLICE_ROWS)
    assert near_ray.any()
    assert ct[near_ray].min() == pytest.approx(t_hit, abs=(far - near) / SLICE_COLS)


def test_probe_without_sdf_and_as_a_job() -> None:
    fog = Scene("fog", fog_density=2.0)
    cfg = RayConfig(n_samples=32, near=1.0, far=5.0)
    control = LocalControl()
    control.post((1, (fog, None, Camera(), (9, 9), cfg)), PROBE_KEY)
    control.post((2, (fog, None, Camera(), (5, 7), cfg)), PROBE_KEY)  # newest wins
    ((serial, probe),) = list(probe_requests(control=control, idle_s=0.0))
    assert serial == 2
    assert probe.pixel == (5, 7)
    assert probe.sphere is None and probe.f_t is None and probe.slice_values is None
    assert probe.contour is None
    again = probe_ray(fog, None, Camera(), (5, 7), cfg)
    np.testing.assert_array_equal(again.ray.sigma, probe.ray.sigma)  # seeded by pixel
