"""Contours of sampled fields land on the true level set."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.contour import contour_lines


def test_circle_level_set_in_data_coordinates() -> None:
    # f = ‖(x, y) − c‖ − r on a non-square, offset grid: the 0-level curve is the
    # circle, within the linear interpolation error of the grid.
    xs = np.linspace(-3.0, 1.0, 81)
    ys = np.linspace(0.0, 2.0, 41)
    c, r = np.array([-1.0, 1.0]), 0.7
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    f = np.hypot(xx - c[0], yy - c[1]) - r
    x, y = contour_lines(f, 0.0, xs, ys)
    assert len(x) > 50 and not np.isnan(x).any()  # one closed curve, no gaps
    np.testing.assert_allclose(np.hypot(x - c[0], y - c[1]), r, atol=2e-3)
    # a different level is a different circle
    x2, y2 = contour_lines(f, 0.2, xs, ys)
    np.testing.assert_allclose(np.hypot(x2 - c[0], y2 - c[1]), r + 0.2, atol=2e-3)


def test_two_curves_are_separated_by_nan_and_no_crossing_is_empty() -> None:
    xs = np.linspace(0.0, 4.0, 41)
    ys = np.linspace(0.0, 1.0, 11)
    f = np.tile(np.sin(np.pi * xs / 2.0), (len(ys), 1))  # zero at x = 2 (and ends)
    x, _ = contour_lines(f, 0.5, xs, ys)  # sin = ½ at x = ⅓ and x = 1⅔
    assert np.isnan(x).sum() == 1
    finite = x[np.isfinite(x)]
    assert set(np.round(finite, 1)) == {0.3, 1.7}
    empty = contour_lines(f, 5.0, xs, ys)
    assert empty[0].size == 0 and empty[1].size == 0
    with pytest.raises(ValueError, match="need"):
        contour_lines(f, 0.0, ys, xs)
