"""Sphere tracing and DVR's secant against the analytic ray–sphere intersection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.core.rays.roots import secant_trace, sphere_trace, sphere_trace_image
from explorer.core.rays.scenes import Scene

SPHERE = Scene("sphere").sdf


def analytic_hit(o: np.ndarray, d: np.ndarray) -> float:
    """First root of ‖o + t d‖ = 1 for unit d: t = −b − √(b² − c)."""
    b = float(o @ d)
    c = float(o @ o) - 1.0
    return -b - math.sqrt(b * b - c)


ORIGIN = np.array([-3.0, 0.4, 0.2])
D = np.array([1.0, 0.05, -0.1]) / np.linalg.norm([1.0, 0.05, -0.1])


def test_sphere_tracing_hits_the_unit_sphere_at_the_analytic_point() -> None:
    res = sphere_trace(SPHERE, ORIGIN, D, near=0.0, far=10.0, eps=1e-9)
    assert res.hit
    t = analytic_hit(ORIGIN, D)
    assert res.t == pytest.approx(t, abs=1e-8)
    assert res.point is not None
    assert np.linalg.norm(res.point) == pytest.approx(1.0, abs=1e-8)
    # Each step moves by the SDF value it measured.
    ts = [s.t for s in res.steps]
    np.testing.assert_allclose(np.diff(ts), [s.value for s in res.steps[:-1]])


def test_sphere_tracing_on_axis_reaches_the_hit_in_one_step() -> None:
    res = sphere_trace(SPHERE, np.array([-3.0, 0, 0]), np.array([1.0, 0, 0]))
    # The SDF of a sphere is exact: from t = 0 one step of 2 lands on x = −1.
    assert res.hit and res.t == pytest.approx(2.0)
    assert len(res.steps) == 2


def test_secant_agrees_with_the_analytic_root() -> None:
    res = secant_trace(SPHERE, ORIGIN, D, near=0.0, far=6.0, n_march=16, n_secant=12)
    assert res.hit
    assert res.t == pytest.approx(analytic_hit(ORIGIN, D), abs=1e-9)
    kinds = [s.kind for s in res.steps]
    assert kinds[:16] == ["march"] * 16 and set(kinds[16:]) == {"secant"}


def test_missing_ray_reports_no_hit() -> None:
    up = np.array([-3.0, 1.5, 0.0])
    assert not sphere_trace(SPHERE, up, np.array([1.0, 0, 0])).hit
    assert not secant_trace(SPHERE, up, np.array([1.0, 0, 0])).hit


def test_batched_sphere_tracing_matches_single_rays() -> None:
    o = np.array([[-3.0, 0.0, 0.0], [-3.0, 0.6, 0.0], [-3.0, 2.0, 0.0]])
    d = np.tile([1.0, 0.0, 0.0], (3, 1))
    t = sphere_trace_image(SPHERE, o, d, near=0.0, far=10.0, eps=1e-7)
    assert t[0] == pytest.approx(2.0, abs=1e-6)
    assert t[1] == pytest.approx(3.0 - 0.8, abs=1e-6)
    assert math.isnan(t[2])


def test_bad_rays_are_rejected() -> None:
    with pytest.raises(ValueError, match="non-zero"):
        sphere_trace(SPHERE, ORIGIN, np.zeros(3))
    with pytest.raises(ValueError, match="near < far"):
        secant_trace(SPHERE, ORIGIN, D, near=2.0, far=1.0)
