"""The gradient through time: closed forms, autograd, the LSTM's memory path."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from explorer.core.progress import LocalControl
from explorer.core.rnn.config import JacobianConfig
from explorer.core.rnn.jacobian import (
    PREVIEW_FROM,
    PREVIEW_STRIDE,
    jacobian_levels,
    jacobian_norms,
    make_net,
    step_jacobians,
    top_singular_values,
)
from explorer.core.rnn.jobs import JACOBIAN_KEY, jacobian_requests
from explorer.core.rnn.matrices import recurrent_matrix, spectral_radius


@pytest.mark.parametrize(("lam", "expected"), [(0.9, 2.656e-5), (1.1, 1.378e4)])
def test_linear_rnn_with_scaled_orthogonal_matrix_gives_lambda_to_the_t(
    lam: float, expected: float
) -> None:
    cfg = JacobianConfig(hidden=32, steps=100, scale=lam, activation="linear")
    result = jacobian_norms(cfg, seed=3)
    k = np.arange(101)
    np.testing.assert_allclose(result.norms, lam ** (100.0 - k), rtol=1e-6)
    assert result.norms[0] == pytest.approx(expected, rel=1e-3)
    assert result.spectral_radius == pytest.approx(lam, rel=1e-9)
    np.testing.assert_allclose(result.singular_values, lam, rtol=1e-9)
    np.testing.assert_allclose(np.abs(result.eigenvalues), lam, rtol=1e-9)


def test_huge_products_keep_a_finite_log_norm() -> None:
    cfg = JacobianConfig(hidden=8, steps=1000, scale=5.0, activation="linear")
    result = jacobian_norms(cfg)
    assert result.log10_norms[0] == pytest.approx(1000 * math.log10(5.0), rel=1e-9)
    assert result.norms[0] == math.inf  # beyond float64, reported as such


def _torch_rollout(cfg: JacobianConfig, seed: int, k: int):
    """Return f(state at k) -> state at T, built with torch from the same weights."""
    net = make_net(cfg, seed)
    n = cfg.hidden
    w_hh = torch.tensor(net.w_hh)
    w_x = torch.tensor(net.w_x)
    bias = torch.tensor(net.bias)
    xs = torch.tensor(net.inputs)
    act = (lambda a: a) if cfg.activation == "linear" else torch.tanh

    if cfg.cell == "rnn":
        h = torch.zeros(n, dtype=torch.float64)
        for t in range(k):
            h = act(w_hh @ h + w_x @ xs[t])

        def f(h0: torch.Tensor) -> torch.Tensor:
            h = h0
            for t in range(k, cfg.steps):
                h = act(w_hh @ h + w_x @ xs[t])
            return h

        return f, h

    if cfg.cell == "naive":
        w_c, w_g = torch.tensor(net.w), torch.tensor(net.w_g)
        c = torch.zeros(n, dtype=torch.float64)
        h = torch.zeros(n, dtype=torch.float64)
        for t in range(k):
            c = w_c @ c + w_g @ torch.tanh(w_hh @ h + w_x @ xs[t])
            h = act(c)

        def g(c0: torch.Tensor) -> torch.Tensor:
            c, h = c0, act(c0)
            for t in range(k, cfg.steps):
                c = w_c @ c + w_g @ torch.tanh(w_hh @ h + w_x @ xs[t])
                h = act(c)
            return c

        return g, c

    # LSTM: c^T as a function of c^k with h^k held (the state is (h, c))
    def cell(h: torch.Tensor, c: torch.Tensor, t: int):
        z = w_x @ xs[t] + bias + w_hh @ h
        i, fg = torch.sigmoid(z[:n]), torch.sigmoid(z[n : 2 * n])
        gg, o = torch.tanh(z[2 * n : 3 * n]), torch.sigmoid(z[3 * n :])
        if cfg.input_gate is not None:
            i = torch.full_like(i, cfg.input_gate)
        if cfg.forget is not None:
            fg = torch.full_like(fg, cfg.forget)
        c = fg * c + i * gg
        return o * torch.tanh(c), c

    h = torch.zeros(n, dtype=torch.float64)
    c = torch.zeros(n, dtype=torch.float64)
    for t in range(k):
        h, c = cell(h, c, t)
    h_k = h

    def m(c0: torch.Tensor) -> torch.Tensor:
        h, c = h_k, c0
        for t in range(k, cfg.steps):
            h, c = cell(h, c, t)
        return c

    return m, c


@pytest.mark.parametrize(
    "cfg",
    [
        JacobianConfig(cell="rnn", hidden=6, steps=12, matrix="gaussian", scale=1.3),
        JacobianConfig(cell="rnn", hidden=5, steps=10, matrix="nonnormal", scale=0.8),
        JacobianConfig(cell="naive", hidden=6, steps=10, scale=1.0),
        JacobianConfig(cell="lstm", hidden=5, steps=10, matrix="gaussian", scale=1.2),
        JacobianConfig(cell="lstm", hidden=4, steps=8, forget=0.7),
    ],
    ids=["rnn-gauss", "rnn-nonnormal", "naive", "lstm", "lstm-forget-held"],
)
def test_the_explicit_product_agrees_with_autograd(cfg: JacobianConfig) -> None:
    result = jacobian_norms(cfg, seed=1)
    for k in (0, 3, cfg.steps - 1, cfg.steps):
        f, state = _torch_rollout(cfg, 1, k)
        jac = torch.autograd.functional.jacobian(f, state).numpy()
        assert result.norms[k] == pytest.approx(np.linalg.norm(jac, 2), rel=1e-9)


def test_lstm_with_forget_one_and_input_zero_carries_the_gradient_unchanged() -> None:
    cfg = JacobianConfig(cell="lstm", hidden=6, steps=30, forget=1.0, input_gate=0.0)
    f, state = _torch_rollout(cfg, 0, 0)
    jac = torch.autograd.functional.jacobian(f, state).numpy()
    np.testing.assert_allclose(jac, np.eye(6), atol=1e-12)  # ∂c_T/∂c_0 = I
    result = jacobian_norms(cfg)
    np.testing.assert_allclose(result.norms, 1.0, rtol=1e-12)
    np.testing.assert_allclose(result.bound, 1.0)


def test_tanh_rnn_stays_under_the_bound() -> None:
    cfg = JacobianConfig(hidden=16, steps=60, matrix="gaussian", scale=1.5)
    result = jacobian_norms(cfg, seed=2)
    assert result.eta == pytest.approx(result.max_singular_value)
    assert np.all(result.norms <= result.bound * (1 + 1e-9))


def test_matrix_families_have_the_promised_spectra() -> None:
    rng = np.random.default_rng(0)
    g = recurrent_matrix("gaussian", 40, 0.7, rng)
    assert spectral_radius(g) == pytest.approx(0.7, rel=1e-9)
    nn = recurrent_matrix("nonnormal", 40, 0.9, rng)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(nn)), 0.9, rtol=1e-6)
    assert np.linalg.norm(nn, 2) > 1.0
    q = recurrent_matrix("orthogonal", 40, 1.0, rng)
    np.testing.assert_allclose(q @ q.T, np.eye(40), atol=1e-12)


def test_non_normal_matrix_shows_a_transient_before_decaying() -> None:
    cfg = JacobianConfig(hidden=32, steps=100, matrix="nonnormal", scale=0.9)
    result = jacobian_norms(cfg.__class__(**{**cfg.__dict__, "activation": "linear"}))
    assert result.spectral_radius < 1 < result.max_singular_value
    assert result.norms.max() > 5.0  # grows first ...
    assert result.norms[0] < 0.1  # ... and only then decays


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hidden": 0}, "hidden must be 1"),
        ({"steps": 0}, "steps must be 1"),
        ({"scale": float("nan")}, "scale must be a finite number"),
        ({"matrix": "banana"}, "unknown matrix"),
        ({"forget": 1.5}, "forget must be in [0, 1]"),
    ],
)
def test_bad_jacobian_configs_say_what_is_wrong(kwargs: dict, message: str) -> None:
    with pytest.raises(
        ValueError, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        JacobianConfig(**kwargs)


@pytest.mark.parametrize("steps", [200, 151])
def test_the_preview_is_the_full_result_at_every_fourth_k(steps: int) -> None:
    cfg = JacobianConfig(hidden=12, steps=steps, matrix="gaussian", scale=1.05)
    preview, full = list(jacobian_levels(cfg, seed=2))
    assert preview.preview and not full.preview
    expected_ks = sorted(set(range(0, steps + 1, PREVIEW_STRIDE)) | {steps})
    assert preview.ks.tolist() == expected_ks
    assert full.ks.tolist() == list(range(steps + 1))
    np.testing.assert_array_equal(preview.log10_norms, full.log10_norms[preview.ks])
    np.testing.assert_array_equal(preview.bound, full.bound[preview.ks])
    np.testing.assert_array_equal(full.log10_norms, jacobian_norms(cfg, 2).log10_norms)
    # and the full result is the exact 2-norm of the explicit product at every k
    jacs = step_jacobians(make_net(cfg, 2))
    prod = np.eye(12)
    for k in range(steps - 1, steps - 8, -1):
        prod = prod @ jacs[k]
        assert full.norms[k] == pytest.approx(np.linalg.norm(prod, 2), rel=1e-12)


def test_short_nets_have_no_preview() -> None:
    cfg = JacobianConfig(hidden=8, steps=PREVIEW_FROM - 1)
    (only,) = list(jacobian_levels(cfg))
    assert not only.preview and len(only.ks) == PREVIEW_FROM


def test_top_singular_values_match_the_svd_over_many_scales() -> None:
    rng = np.random.default_rng(0)
    mats = rng.standard_normal((40, 9, 9)) * 10.0 ** rng.uniform(-150, 150, (40, 1, 1))
    mats[7] = 0.0
    mats[8] = np.outer(rng.standard_normal(9), rng.standard_normal(9))  # rank 1
    mats[9] = 3.0 * np.linalg.qr(rng.standard_normal((9, 9)))[0]  # all σ equal
    got = top_singular_values(mats)
    want = np.linalg.norm(mats, 2, axis=(1, 2))
    assert got[7] == 0.0
    np.testing.assert_allclose(got, want, rtol=1e-13)


def test_the_job_skips_a_full_result_when_a_newer_net_is_waiting() -> None:
    control = LocalControl()
    slow = JacobianConfig(hidden=8, steps=200, scale=0.9)
    other = JacobianConfig(hidden=8, steps=200, scale=1.1)
    control.post((1, slow, 0), JACOBIAN_KEY)
    job = jacobian_requests(control=control, idle_s=0.05)
    serial, first = next(job)
    assert serial == 1 and first.preview
    control.post((2, other, 0), JACOBIAN_KEY)  # the slider moved on meanwhile
    rest = list(job)  # the job ends after idle_s without a request
    assert [(s, r.preview) for s, r in rest] == [(2, True), (2, False)]
    np.testing.assert_array_equal(
        rest[1][1].log10_norms, jacobian_norms(other, 0).log10_norms
    )
