"""The playground's MLP and the universal-approximation bumps, checked independently."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.mlp import MlpConfig, Points, make_points
from explorer.core.mlp.approx import (
    bumps_sum,
    even_bumps,
    network,
    sigmoid,
    sup_error,
    sweep,
    xs,
)
from explorer.core.mlp.data import target_values
from explorer.core.mlp.model import (
    affine_collapse,
    build,
    feature_matrix,
    load_model,
    save_model,
)
from explorer.core.mlp.train import predict, train

XOR4 = Points(
    np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]]),
    np.array([1, 1, -1, -1]),
)


@pytest.mark.parametrize("depth", [1, 3, 6])
def test_linear_mlp_is_the_product_of_its_affine_maps(depth: int) -> None:
    cfg = MlpConfig(hidden=(5,) * depth, activation="linear", features=("x1", "x2"))
    net = build(cfg, seed=depth)
    x = np.random.default_rng(0).uniform(-1, 1, (50, 2))
    with torch.no_grad():
        z = net(feature_matrix(x, cfg.features)).double().numpy()
    weights = net.weights()
    product = np.eye(2)
    for w, _ in weights:
        product = w @ product
    a, c = affine_collapse(weights)
    np.testing.assert_allclose(a, product[0], rtol=1e-12)
    np.testing.assert_allclose(z, x @ a + c, atol=1e-5)


def test_numpy_forward_matches_torch() -> None:
    cfg = MlpConfig(hidden=(6, 3), activation="tanh", features=("x1", "x2", "x1x2"))
    net = build(cfg, seed=1)
    x = np.random.default_rng(1).uniform(-1, 1, (20, 2))
    with torch.no_grad():
        p = torch.sigmoid(net(feature_matrix(x, cfg.features))).double().numpy()
    np.testing.assert_allclose(
        predict(net.weights(), "tanh", cfg.features, x), p, atol=1e-6
    )


def test_one_full_batch_step_of_logistic_regression_matches_the_gradient() -> None:
    # depth 0 with cross-entropy is logistic regression: ∇ = Xᵀ(p − y)/n
    pts = make_points("blobs", 40, seed=2)
    cfg = MlpConfig(hidden=(), lr=0.5, steps=1, test_fraction=0.0, report_every=1)
    ((w0, b0),) = build(cfg, seed=4).weights()
    *_, last = train(pts, cfg, seed=4)
    assert last.weights is not None
    ((w1, b1),) = last.weights
    # the split with test_fraction 0 keeps every point (in a seeded order)
    y = (pts.y + 1) / 2
    p = 1 / (1 + np.exp(-(pts.x @ w0[0] + b0[0])))
    np.testing.assert_allclose(w1[0], w0[0] - 0.5 * pts.x.T @ (p - y) / 40, atol=1e-5)
    np.testing.assert_allclose(b1, b0 - 0.5 * np.mean(p - y), atol=1e-5)


def test_linear_network_cannot_solve_xor_but_four_tanh_units_can() -> None:
    deep_linear = MlpConfig(
        hidden=(8, 8, 8), activation="linear", lr=0.1, steps=400, test_fraction=0.0
    )
    tanh4 = MlpConfig(
        hidden=(4,), activation="tanh", lr=0.5, steps=400, test_fraction=0.0
    )
    for seed in range(3):
        *_, lin = train(XOR4, deep_linear, seed=seed)
        assert lin.train_accuracy <= 0.75
        *_, nonlin = train(XOR4, tanh4, seed=seed)
        assert nonlin.train_accuracy == 1.0


def test_maps_and_weights_are_reported() -> None:
    pts = make_points("spiral", 60, seed=0)
    cfg = MlpConfig(hidden=(3, 10), steps=5, report_every=5)
    first, last = list(train(pts, cfg, seed=0))
    assert first.step == 0 and last.step == 5
    assert last.decision is not None and last.decision.shape == (60, 60)
    assert last.neurons is not None
    # 3 units of layer 0, then the first 8 of layer 1
    assert [(la, u) for la, u, _ in last.neurons][:4] == [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
    ]
    assert len(last.neurons) == 11
    assert last.decision.min() >= 0 and last.decision.max() <= 1


def test_model_file_round_trips_with_weights_only(tmp_path: Path) -> None:
    cfg = MlpConfig(hidden=(4, 2), activation="relu", features=("x1", "x2", "x1^2"))
    net = build(cfg, seed=0)
    path = save_model(tmp_path / "m.pt", cfg, net.weights())
    doc = torch.load(path, weights_only=True)
    assert doc["hidden"] == [4, 2]
    back, arch = load_model(path)
    assert arch["features"] == ("x1", "x2", "x1^2")
    x = feature_matrix(np.random.default_rng(0).uniform(-1, 1, (9, 2)), cfg.features)
    with torch.no_grad():
        torch.testing.assert_close(back(x), net(x))
    (tmp_path / "junk.pt").write_bytes(b"not a model")
    with pytest.raises(ValueError, match=r"junk\.pt"):
        load_model(tmp_path / "junk.pt")


def test_a_bump_of_two_steep_sigmoids_is_h_inside_and_zero_outside() -> None:
    s1, s2, h = 0.3, 0.55, 0.7
    x = np.linspace(0, 1, 2001)
    g = bumps_sum(x, [(s1, s2, h)], steepness=1000.0)
    inside = (x > s1 + 0.01) & (x < s2 - 0.01)
    outside = (x < s1 - 0.01) | (x > s2 + 0.01)
    assert np.max(np.abs(g[inside] - h)) < 1e-3
    assert np.max(np.abs(g[outside])) < 1e-3
    # the edges are where the sigmoids are one half: s = −b/w
    assert bumps_sum(np.array([s1]), [(s1, s2, h)], 1000.0)[0] == pytest.approx(h / 2)


def test_network_is_the_sum_of_weighted_sigmoids() -> None:
    rows = np.array([[3.0, -1.0, 0.5], [-2.0, 0.5, 2.0]])
    x = np.array([0.0, 0.4, 1.0])
    expected = 0.1 + 0.5 / (1 + np.exp(-(3 * x - 1))) + 2 / (1 + np.exp(2 * x - 0.5))
    np.testing.assert_allclose(network(x, rows, 0.1), expected)
    assert sigmoid(np.array([-1000.0, 1000.0])).tolist() == [0.0, 1.0]


def test_more_hand_made_bumps_approximate_better() -> None:
    f = target_values("nielsen", xs())
    errors = [sup_error(bumps_sum(xs(), even_bumps(f, n)), f) for n in (5, 20, 80)]
    assert errors[0] > errors[1] > errors[2]


def test_tiled_bumps_reach_full_height_at_both_ends_of_the_domain() -> None:
    # The outer edges lie off [0, 1]: an edge at x = 0 or 1 left g there at h/2.
    f = target_values("nielsen", xs())
    bumps = even_bumps(f, 10)
    ends = bumps_sum(np.array([0.0, 1.0]), bumps)
    np.testing.assert_allclose(ends, [bumps[0][2], bumps[-1][2]], atol=1e-3)
    assert bumps[0][0] < 0.0 < 1.0 < bumps[-1][1]


def test_sup_error_of_the_fitted_net_falls_as_n_grows() -> None:
    torch.set_num_threads(1)
    f = target_values("nielsen", xs(200))
    points = list(sweep(f, [2, 8, 32], steps=600, seed=0))
    errors = [p.max_error for p in points]
    assert errors[0] > errors[1] > errors[2]
    assert [p.units for p in points] == [2, 8, 32]
