"""The perceptron rule, Novikoff's bound and the exact margin; the CSV readers."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from explorer.core.mlp import (
    PerceptronConfig,
    Points,
    augment,
    best_margin,
    make_points,
    points_csv,
    read_points_csv,
    read_target_csv,
)
from explorer.core.mlp.perceptron import run

XOR4 = Points(
    np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]),
    np.array([1, 1, -1, -1]),
)


def _fibonacci_sphere(n: int) -> np.ndarray:
    i = np.arange(n) + 0.5
    phi = np.arccos(1 - 2 * i / n)
    theta = np.pi * (1 + 5**0.5) * i
    return np.stack(
        [np.cos(theta) * np.sin(phi), np.sin(theta) * np.sin(phi), np.cos(phi)], 1
    )


def test_margin_of_a_symmetric_set_is_one() -> None:
    # x̃ = (1, ±1, t): by symmetry the best unit separator is u = (0, 1, 0), γ = 1
    t = np.array([-1.0, 0.0, 1.0])
    x = np.concatenate([np.stack([np.ones(3), t], 1), np.stack([-np.ones(3), t], 1)])
    pts = Points(x, np.array([1, 1, 1, -1, -1, -1]))
    m = best_margin(pts)
    assert m.separable and m.gamma is not None and m.u is not None
    assert m.gamma == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(m.u, [0.0, 1.0, 0.0], atol=1e-5)
    assert m.radius == pytest.approx(np.sqrt(3.0))
    assert m.bound == pytest.approx(3.0, rel=1e-5)


def test_margin_of_two_points_matches_the_closed_form() -> None:
    # x̃ = (1, 2, 0) → +1, (1, 0, 0) → −1: both constraints active,
    # w = (−1, 1, 0), γ = 1/‖w‖ = 1/√2, R = √5
    pts = Points(np.array([[2.0, 0.0], [0.0, 0.0]]), np.array([1, -1]))
    m = best_margin(pts)
    assert m.gamma == pytest.approx(1 / np.sqrt(2), abs=1e-6)
    assert m.bound == pytest.approx(10.0, rel=1e-5)


def test_no_direction_beats_the_computed_margin() -> None:
    pts = make_points("separable", 40, seed=3)
    m = best_margin(pts)
    assert m.gamma is not None
    a = pts.y[:, None] * augment(pts.x)
    brute = (a @ _fibonacci_sphere(200_000).T).min(axis=0).max()
    assert brute <= m.gamma + 1e-9
    assert brute >= m.gamma - 0.01


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_perceptron_on_separable_data_respects_novikoff(seed: int) -> None:
    pts = make_points("separable", 60, seed=seed)
    m = best_margin(pts)
    assert m.bound is not None
    steps = list(run(pts, PerceptronConfig(eta=0.5, max_updates=10_000), seed=seed))
    last = steps[-1]
    assert last.converged and last.errors == 0
    assert 0 < last.step <= m.bound
    # every update used a point misclassified by the w before it
    for before, after in itertools.pairwise(steps):
        if after.used >= 0:
            i = after.used
            assert pts.y[i] * (augment(pts.x)[i] @ before.w) <= 0
            np.testing.assert_allclose(
                after.w, before.w + 0.5 * 2 * pts.y[i] * augment(pts.x)[i]
            )


@pytest.mark.parametrize("name", ["xor", "circles"])
def test_perceptron_never_converges_on_non_separable_data(name: str) -> None:
    pts = make_points(name, 80, seed=0)
    assert not best_margin(pts).separable
    last = list(run(pts, PerceptronConfig(max_updates=500)))[-1]
    assert not last.converged and last.step == 500
    assert last.errors > 0 and min(last.sweep_history) > 0


def test_perceptron_cycles_on_the_four_xor_points() -> None:
    last = list(run(XOR4, PerceptronConfig(max_updates=100)))[-1]
    assert last.cycle is not None
    first, period = last.cycle
    assert period > 0
    # the cycle is real: rerunning shows w at update first + period equals w at first
    ws = {s.step: s.w for s in run(XOR4, PerceptronConfig(max_updates=100))}
    np.testing.assert_array_equal(ws[first], ws[first + period])


def test_points_csv_round_trip_and_labels(tmp_path: Path) -> None:
    pts = make_points("blobs", 30, seed=1)
    path = tmp_path / "p.csv"
    path.write_text(points_csv(pts))
    back = read_points_csv(path)
    np.testing.assert_array_equal(back.x, pts.x)
    np.testing.assert_array_equal(back.y, pts.y)
    path.write_text("0.1,0.2,0\n0.3,0.4,1\n")
    np.testing.assert_array_equal(read_points_csv(path).y, [-1, 1])


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x1,x2,label\n1,2,1\n1,nope,0\n", "line 3"),
        ("1,2,1\n1,2\n", "line 2"),
        ("1,2,1\nnan,2,0\n", "NaN"),
        ("1,2,1\n3,4,1\n", "same class"),
        ("1,2,1\n3,4,2\n", "labels must be"),
        ("1,2,1\n3,4,0\n5,6,-1\n", "labels must be"),
        ("x1,x2,label\n", "no points"),
    ],
)
def test_bad_points_csv_is_refused_with_a_message(
    tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(ValueError, match=words):
        read_points_csv(path)


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("0,0,1\n" * 100_001)
    with pytest.raises(ValueError, match="more than 100,000"):
        read_points_csv(path)


def test_target_csv(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("x,y\n0.5,1\n0,0\n1,2\n")
    x, y = read_target_csv(path)
    np.testing.assert_array_equal(x, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(y, [1.0, 0.0, 2.0])
    path.write_text("0.5,1\n0.5,2\n")
    with pytest.raises(ValueError, match="two distinct"):
        read_target_csv(path)
