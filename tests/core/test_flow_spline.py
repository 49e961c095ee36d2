"""The 1-D change of variables: the monotone map h and p_x = p_z(h(x))·|h′(x)|."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.interpolate import PchipInterpolator
from scipy.stats import norm

from explorer.core.flow.spline import (
    DEFAULT_KNOTS,
    MonotoneMap,
    integral,
    mass_edges,
    normal_cdf,
)


def test_x_equals_2z_gives_log_normal_of_variance_4() -> None:
    h = MonotoneMap.from_knots([(-4.0, -2.0), (0.0, 0.0), (4.0, 2.0)])  # z = x / 2
    assert float(h.log_px(0.0)) == pytest.approx(norm(0, 2).logpdf(0.0), abs=1e-12)
    assert float(h.log_px(0.0)) == pytest.approx(-1.6121, abs=1e-4)
    xs = np.linspace(-6, 6, 25)
    assert np.allclose(h.log_px(xs), norm(0, 2).logpdf(xs), atol=1e-12)


def test_h_is_scipys_pchip_inside_the_knots() -> None:
    knots = np.array(DEFAULT_KNOTS)
    h = MonotoneMap.from_knots(knots)
    ref = PchipInterpolator(knots[:, 0], knots[:, 1])
    xs = np.linspace(knots[0, 0], knots[-1, 0], 301)
    assert np.allclose(h.h(xs), ref(xs), atol=1e-12)
    assert np.allclose(h.dh(xs), ref.derivative()(xs), atol=1e-10)


def test_h_is_increasing_and_continues_linearly() -> None:
    h = MonotoneMap.from_knots(DEFAULT_KNOTS)
    xs = np.linspace(-8, 8, 2001)
    assert np.all(np.diff(h.h(xs)) > 0)
    # beyond the last knot: a line with the end slope
    end = h.mk[-1]
    assert float(h.h(5.0)) == pytest.approx(h.zk[-1] + end * 2.0)


def test_density_integrates_to_the_mass_of_the_interval() -> None:
    h = MonotoneMap.from_knots(DEFAULT_KNOTS)
    xs = np.linspace(-4, 4, 4001)
    got = integral(xs, h.px(xs))
    want = norm.cdf(float(h.h(4.0))) - norm.cdf(float(h.h(-4.0)))
    assert got == pytest.approx(want, abs=1e-5)
    assert got == pytest.approx(1.0, abs=0.01)


def test_equal_mass_bands_hold_equal_mass_in_x() -> None:
    h = MonotoneMap.from_knots(DEFAULT_KNOTS)
    edges_z = mass_edges(5)
    assert np.allclose(np.diff(norm.cdf(edges_z)), 0.2)
    edges_x = h.inverse(np.clip(edges_z, -30, 30))
    for a, b in itertools.pairwise(edges_x):
        mass, _ = quad(lambda x: float(h.px(x)), a, b, limit=200)
        assert mass == pytest.approx(0.2, abs=1e-6)


def test_inverse_round_trips() -> None:
    h = MonotoneMap.from_knots(DEFAULT_KNOTS)
    zs = np.linspace(-5, 5, 101)
    assert np.allclose(h.h(h.inverse(zs)), zs, atol=1e-10)


def test_normal_cdf() -> None:
    zs = np.linspace(-4, 4, 17)
    assert np.allclose(normal_cdf(zs), norm.cdf(zs), atol=1e-14)
    assert math.isclose(float(normal_cdf(0.0)), 0.5)


@pytest.mark.parametrize(
    ("knots", "message"),
    [
        ([(0.0, 0.0), (1.0, -1.0), (2.0, 1.0)], "increasing"),
        ([(0.0, 0.0)], "2 to"),
        ([(0.0, 0.0), (0.0, 1.0)], "same x"),
        ([(0.0, float("nan")), (1.0, 1.0)], "NaN"),
    ],
)
def test_bad_knots_are_refused(knots: list[tuple[float, float]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        MonotoneMap.from_knots(knots)
