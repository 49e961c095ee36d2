"""Core GAN tests: data, D*, VEEGAN metrics, reverse KL, unrolling, WGAN-GP, trainer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from explorer.core.gan import (
    EVAL_SAMPLES,
    MAX_POINTS,
    GanConfig,
    GanTrainer,
    builtin_mixture,
    d_loss_logits,
    g_loss_logits,
    gradient_penalty,
    make_mixture,
    mixture_density,
    mlp,
    mode_metrics,
    optimal_discriminator,
    read_points_csv,
    reverse_kl,
    ring_means,
    train,
    train_interactive,
    unrolled_g_loss,
)
from explorer.core.progress import DivergedError, LocalControl


def tiny(**kwargs: Any) -> GanConfig:
    """Return a config with tiny networks and batches (fast tests)."""
    base: dict[str, Any] = {
        "g_hidden": 8,
        "d_hidden": 8,
        "batch_size": 32,
        "show_samples": 16,
        "heat_resolution": 8,
    }
    return GanConfig(**{**base, **kwargs})


# -- datasets ------------------------------------------------------------------------


def test_ring_has_eight_distinct_means_on_the_circle() -> None:
    means = builtin_mixture("ring8").means
    assert means.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(means, axis=1), 2.0)
    d = np.linalg.norm(means[:, None] - means[None], axis=-1) + np.eye(8) * 99
    # neighbours on a circle of radius r with 8 points are 2 r sin(π/8) apart
    assert d.min() == pytest.approx(2 * 2.0 * math.sin(math.pi / 8))


def test_grid_has_25_means_two_apart() -> None:
    means = builtin_mixture("grid25").means
    assert len({tuple(m) for m in means.round(9)}) == 25
    assert sorted(set(means[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]


@pytest.mark.parametrize("name", ["ring8", "grid25", "spiral", "moons"])
def test_builtin_modes_are_separated_by_more_than_six_sigma(name: str) -> None:
    m = builtin_mixture(name)
    d = (
        np.linalg.norm(m.means[:, None] - m.means[None], axis=-1)
        + np.eye(m.n_modes) * 99
    )
    assert d.min() > 6 * m.std  # 3σ balls do not overlap: mode metrics are unambiguous
    x0, x1, y0, y1 = m.extent
    assert x0 < m.means[:, 0].min() and m.means[:, 0].max() < x1
    assert y0 < m.means[:, 1].min() and m.means[:, 1].max() < y1


def test_mixture_density_integrates_to_one_and_peaks_at_a_mode() -> None:
    m = make_mixture([[0.0, 0.0], [3.0, 0.0]], 0.5)
    xs = np.linspace(-4, 7, 221)
    xx, yy = np.meshgrid(xs, xs - 1.5)
    dens = mixture_density(m, np.stack([xx.ravel(), yy.ravel()], 1))
    cell = (xs[1] - xs[0]) ** 2
    assert dens.sum() * cell == pytest.approx(1.0, abs=1e-3)
    peak = mixture_density(m, np.array([[0.0, 0.0]]))[0]
    # half the mass in a 2-D Gaussian: 1 / (2 · 2π σ²), the far mode adds e^{-18}
    assert peak == pytest.approx(1 / (2 * 2 * math.pi * 0.25), rel=1e-6)


def test_read_points_csv_skips_a_header_and_names_a_bad_line(tmp_path: Path) -> None:
    good = tmp_path / "pts.csv"
    good.write_text("x,y\n0,1\n\n2.5, -1\n")
    np.testing.assert_array_equal(read_points_csv(good), [[0.0, 1.0], [2.5, -1.0]])
    bad = tmp_path / "bad.csv"
    bad.write_text("0,1\n1,2,3\n")
    with pytest.raises(ValueError, match="line 2"):
        read_points_csv(bad)
    with pytest.raises(ValueError, match="cannot read"):
        read_points_csv(tmp_path / "missing.csv")


def test_read_points_csv_refuses_huge_files_before_reading(tmp_path: Path) -> None:
    import time

    huge = tmp_path / "huge.csv"
    with huge.open("wb") as fh:  # 50 MB (sparse): 2.5 M points once exhausted memory
        fh.seek(50 * 1024 * 1024)
        fh.write(b"\n")
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"too large \(50\.0 MB; at most 1\.0 MB\)"):
        read_points_csv(huge)
    assert time.monotonic() - t0 < 1.0
    many = tmp_path / "many.csv"
    many.write_text("".join(f"{i},{i}\n" for i in range(MAX_POINTS + 1)))
    with pytest.raises(ValueError, match=f"more than {MAX_POINTS} points"):
        read_points_csv(many)
    many.write_text("".join(f"{i},{i}\n" for i in range(MAX_POINTS)))
    assert read_points_csv(many).shape == (MAX_POINTS, 2)


# -- optimal discriminator -----------------------------------------------------------


def test_optimal_discriminator_for_two_unit_gaussians() -> None:
    # p_data = N(0, 1), p_model = N(1, 1): p_model / p_data = e^{x - 1/2},
    # so D*(x) = 1 / (1 + e^{x - 1/2}) — 1/2 exactly half-way between the means.
    x = np.linspace(-3, 4, 15)
    p_data = np.exp(-(x**2) / 2) / math.sqrt(2 * math.pi)
    p_model = np.exp(-((x - 1) ** 2) / 2) / math.sqrt(2 * math.pi)
    np.testing.assert_allclose(
        optimal_discriminator(p_data, p_model), 1 / (1 + np.exp(x - 0.5)), rtol=1e-12
    )
    assert optimal_discriminator(np.array([0.0]), np.array([0.0]))[0] == 0.5
    assert optimal_discriminator(np.array([2.0]), np.array([0.0]))[0] == 1.0


def test_trained_discriminator_approaches_d_star() -> None:
    torch.manual_seed(0)
    m = make_mixture([[-1.0, 0.0], [1.0, 0.0]], 0.3)
    disc = mlp(2, 32, 2, 1, "relu", torch.Generator().manual_seed(0))
    opt = torch.optim.Adam(disc.parameters(), lr=3e-3)
    means = torch.tensor(m.means, dtype=torch.float32)
    for _ in range(400):
        real = means[torch.randint(0, 2, (256,))] + 0.3 * torch.randn(256, 2)
        fake = torch.randn(256, 2)  # p_model = N(0, I)
        loss = d_loss_logits(disc(real), disc(fake))
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
    pts = np.array([[-1.0, 0.0], [1.0, 0.0], [0.0, 0.0], [0.0, 1.5]])
    p_model = np.exp(-(pts**2).sum(1) / 2) / (2 * math.pi)
    d_star = optimal_discriminator(mixture_density(m, pts), p_model)
    with torch.no_grad():
        d = torch.sigmoid(disc(torch.tensor(pts, dtype=torch.float32))).numpy().ravel()
    np.testing.assert_allclose(d, d_star, atol=0.12)


def test_generator_losses_at_an_undecided_discriminator() -> None:
    logits = torch.zeros(4)  # D = 1/2 everywhere
    assert float(g_loss_logits(logits, "minimax")) == pytest.approx(-math.log(2))
    assert float(g_loss_logits(logits, "non-saturating")) == pytest.approx(math.log(2))
    assert float(d_loss_logits(logits, logits)) == pytest.approx(2 * math.log(2))


# -- mode metrics and reverse KL -----------------------------------------------------


def test_metrics_all_eight_modes_covered() -> None:
    m = builtin_mixture("ring8")
    samples = np.repeat(m.means, 10, axis=0) + 0.5 * m.std  # 0.7σ off each mode
    r = mode_metrics(samples, m)
    assert (r.modes_total, r.modes_captured, r.high_quality_fraction) == (8, 8, 1.0)
    assert r.captured.all()


def test_metrics_one_mode_and_off_mode_noise() -> None:
    m = builtin_mixture("ring8")
    one = np.repeat(m.means[3:4], 50, axis=0)
    r = mode_metrics(one, m)
    assert r.modes_captured == 1 and r.captured[3] and r.high_quality_fraction == 1.0
    noise = np.zeros((50, 2))  # the centre is 2 = 100σ from every mode
    r = mode_metrics(noise, m)
    assert r.modes_captured == 0 and r.high_quality_fraction == 0.0
    mixed = np.concatenate([one[:10], noise[:30]])
    r = mode_metrics(mixed, m)
    assert r.modes_captured == 1 and r.high_quality_fraction == pytest.approx(0.25)


def test_metrics_three_sigma_boundary() -> None:
    m = builtin_mixture("ring8")
    mu, s = m.means[0], m.std  # mode 0 sits at (2, 0)
    inside = mu + np.array([2.9 * s, 0.0])
    outside = mu + np.array([3.1 * s, 0.0])
    assert mode_metrics(np.array([inside]), m).modes_captured == 1
    assert mode_metrics(np.array([outside]), m).modes_captured == 0


def test_reverse_kl_known_answers() -> None:
    # modes at cell centres of a 5 × 5 grid over [-1, 1]², σ tiny: each mode's mass
    # lies in its own cell, so p_data = 1/2 there.
    m = make_mixture([[-0.4, 0.0], [0.4, 0.0]], 0.01, extent=(-1.0, 1.0, -1.0, 1.0))
    covered = np.array([[-0.4, 0.0], [0.4, 0.0]] * 50)
    assert reverse_kl(covered, m, bins=5) == pytest.approx(0.0, abs=1e-9)
    collapsed = np.array([[0.4, 0.0]] * 100)
    assert reverse_kl(collapsed, m, bins=5) == pytest.approx(math.log(2), abs=1e-9)
    # half the samples in an empty cell: 0.5 log(0.5/0.5) + 0.5 log(0.5/floor)
    half_off = np.array([[0.4, 0.0]] * 50 + [[0.8, 0.8]] * 50)
    expected = 0.5 * math.log(0.5 / 1e-12)
    assert reverse_kl(half_off, m, bins=5, floor=1e-12) == pytest.approx(
        expected, rel=1e-6
    )


# -- unrolled gradients and the gradient penalty -------------------------------------


def _tiny_nets() -> tuple[
    torch.nn.Module,
    torch.nn.Module,
    list[torch.Tensor],
    list[torch.Tensor],
    torch.Tensor,
]:
    gen = torch.Generator().manual_seed(3)
    g = mlp(2, 4, 1, 2, "tanh", gen).double()
    d = mlp(2, 4, 1, 1, "tanh", gen).double()
    reals = [torch.randn(6, 2, generator=gen, dtype=torch.float64) for _ in range(3)]
    zs = [torch.randn(6, 2, generator=gen, dtype=torch.float64) for _ in range(3)]
    z = torch.randn(6, 2, generator=gen, dtype=torch.float64)
    return g, d, reals, zs, z


def test_unrolled_gradient_matches_finite_differences() -> None:
    g, d, reals, zs, z = _tiny_nets()
    lr = 0.5

    def loss() -> torch.Tensor:
        return unrolled_g_loss(g, d, reals, zs, z, lr)

    g.zero_grad()
    loss().backward()  # type: ignore[no-untyped-call]
    for p in g.parameters():
        assert p.grad is not None
        flat = p.data.view(-1)
        for i in range(flat.numel()):
            old = float(flat[i])
            # p.data is outside autograd; the loss itself needs gradients (unrolling)
            flat[i] = old + 1e-6
            up = float(loss().detach())
            flat[i] = old - 1e-6
            down = float(loss().detach())
            flat[i] = old
            assert float(p.grad.view(-1)[i]) == pytest.approx(
                (up - down) / 2e-6, rel=1e-5, abs=1e-8
            )


def test_unrolled_gradient_differs_from_the_plain_one() -> None:
    g, d, reals, zs, z = _tiny_nets()
    plain = g_loss_logits(d(g(z)), "non-saturating")
    unrolled0 = unrolled_g_loss(g, d, [], [], z, 0.5).detach()
    assert float(unrolled0) == pytest.approx(float(plain.detach()))
    plain_grad = torch.autograd.grad(plain, list(g.parameters()))
    unrolled = unrolled_g_loss(g, d, reals, zs, z, 0.5)
    unrolled_grad = torch.autograd.grad(unrolled, list(g.parameters()))
    diff = sum(
        float((a - b).norm()) for a, b in zip(plain_grad, unrolled_grad, strict=True)
    )
    assert diff > 1e-3
    # D itself is untouched by the unrolling
    again = g_loss_logits(d(g(z)), "non-saturating")
    assert float(again.detach()) == pytest.approx(float(plain.detach()))


def test_gradient_penalty_is_zero_for_a_unit_slope_linear_critic() -> None:
    w = torch.tensor([0.6, -0.8], dtype=torch.float64)  # ‖w‖ = 1
    real = torch.randn(16, 2, dtype=torch.float64)
    fake = torch.randn(16, 2, dtype=torch.float64)
    alpha = torch.rand(16, 1, dtype=torch.float64)
    assert float(gradient_penalty(lambda x: x @ w, real, fake, alpha)) == pytest.approx(
        0.0
    )
    # slope 2: ‖∇C‖ = 2 everywhere, penalty (2 - 1)² = 1
    assert float(gradient_penalty(lambda x: x @ (2 * w), real, fake, alpha)) == (
        pytest.approx(1.0)
    )


# -- configuration, trainer and job --------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lr_g": -1e-3}, "lr_g"),
        ({"batch_size": 10**6}, "batch_size"),
        ({"loss": "hinge"}, "unknown loss"),
        ({"data": "points"}, "at least one point"),
        ({"data": "points", "points": ((0.0, math.nan),)}, "NaN"),
        ({"unroll": 0}, "unroll"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GanConfig(**kwargs)  # type: ignore[arg-type]


def test_same_seed_same_run_other_seed_other_run() -> None:
    cfg = tiny(steps=6, report_every=3)
    a = list(train(cfg, seed=1, device="cpu"))
    b = list(train(cfg, seed=1, device="cpu"))
    c = list(train(cfg, seed=2, device="cpu"))
    assert [p.step for p in a] == [0, 3, 6]
    np.testing.assert_array_equal(a[-1].samples, b[-1].samples)
    assert not np.allclose(a[-1].samples, c[-1].samples)
    assert a[-1].heat.shape == (8, 8)
    assert a[-1].heat.min() >= 0.0 and a[-1].heat.max() <= 1.0


@pytest.mark.parametrize("loss", ["minimax", "non-saturating", "unrolled", "wgan-gp"])
def test_step_d_moves_only_d_and_step_g_only_g(loss: str) -> None:
    tr = GanTrainer(tiny(loss=loss, unroll=2), seed=0, device="cpu")
    g0 = [p.detach().clone() for p in tr.G.parameters()]
    d0 = [p.detach().clone() for p in tr.D.parameters()]
    tr.step_d()
    assert all(torch.equal(a, b) for a, b in zip(g0, tr.G.parameters(), strict=True))
    assert not all(
        torch.equal(a, b) for a, b in zip(d0, tr.D.parameters(), strict=True)
    )
    d1 = [p.detach().clone() for p in tr.D.parameters()]
    tr.step_g()
    assert all(torch.equal(a, b) for a, b in zip(d1, tr.D.parameters(), strict=True))
    assert not all(
        torch.equal(a, b) for a, b in zip(g0, tr.G.parameters(), strict=True)
    )
    assert (tr.d_steps, tr.g_steps) == (1, 1)
    tr.step()
    assert tr.d_steps == 1 + (5 if loss == "wgan-gp" else 1)


def test_wgan_heat_is_centred_critic_and_arrows_point_uphill() -> None:
    tr = GanTrainer(tiny(loss="wgan-gp"), seed=0, device="cpu")
    snap = tr.snapshot()
    assert not snap.heat_is_probability
    assert abs(float(snap.heat.mean())) < 1e-5
    # arrows = ∇ₓ C(x) for the G loss -C: a small move along them raises C
    x = torch.tensor(snap.samples)
    with torch.no_grad():
        before = tr.D(x).sum()
        after = tr.D(x + 1e-3 * torch.tensor(snap.arrows)).sum()
    assert float(after) > float(before)


def test_divergence_raises_a_clear_error() -> None:
    tr = GanTrainer(tiny(), seed=0, device="cpu")
    with torch.no_grad():
        next(tr.D.parameters()).fill_(math.nan)
    with pytest.raises(DivergedError, match=r"diverged at G step 0.*d_loss = nan"):
        tr.step_d()


def test_control_steps_one_action_at_a_time_and_moves_modes() -> None:
    control = LocalControl(speed=4)
    control.act("d")
    job = train_interactive(tiny(steps=None), seed=0, device="cpu", control=control)
    first = next(job)
    assert first is not None
    assert (first.step, first.d_steps, first.action) == (0, 1, "d")
    control.act("g")
    control.act("both")  # queued actions are all done, in order, one per yield
    second, third = next(job), next(job)
    assert second is not None and third is not None
    assert (second.step, second.d_steps, second.action) == (1, 1, "g")
    assert (third.step, third.d_steps, third.action) == (2, 2, "both")
    control.post([[1.0, 1.0]], "modes")
    control.act("edit")
    edited = next(job)  # the new data gets a fresh snapshot, no step
    assert edited is not None and edited.action == "edit" and edited.modes_total == 1
    assert (edited.step, edited.d_steps) == (2, 2)
    fourth = next(job)  # no action queued: a free chunk of `speed` iterations
    assert fourth is not None
    assert (fourth.step, fourth.d_steps, fourth.action) == (6, 6, "both")
    np.testing.assert_array_equal(fourth.means, [[1.0, 1.0]])
    assert fourth.total is None
    job.close()  # type: ignore[attr-defined]


def test_an_untouched_job_starts_from_the_untrained_state() -> None:
    job = train_interactive(
        tiny(steps=None), seed=0, device="cpu", control=LocalControl(speed=3)
    )
    first, second = next(job), next(job)
    assert first is not None and second is not None
    assert (first.step, first.d_steps, first.action) == (0, 0, "init")
    assert (second.step, second.action) == (3, "both")
    job.close()  # type: ignore[attr-defined]


def test_run_until_holds_a_run_at_a_step() -> None:
    control = LocalControl(speed=4)
    control.post(6, "run_until")
    job = train_interactive(
        tiny(steps=None), seed=0, device="cpu", control=control, idle_s=0.0
    )
    steps = [p.step if p is not None else None for p in (next(job) for _ in range(5))]
    assert steps == [0, 4, 6, None, None]  # capped at 6, then idle
    control.post([[0.5, 0.5], [1.0, 1.0]], "modes")
    edited = next(job)  # held at the limit, yet moved modes get a snapshot
    assert edited is not None and edited.action == "edit" and edited.modes_total == 2
    control.post(10, "run_until")
    nxt = next(job)
    assert nxt is not None and nxt.step == 10
    job.close()  # type: ignore[attr-defined]


def test_too_many_posted_modes_are_refused() -> None:
    control = LocalControl()
    control.post(np.zeros((501, 2)), "modes")
    job = train_interactive(tiny(steps=None), seed=0, device="cpu", control=control)
    with pytest.raises(ValueError, match="at most 500 points"):
        next(job)


def test_interactive_run_matches_the_plain_run() -> None:
    cfg = tiny(steps=4, report_every=2)
    plain = list(train(cfg, seed=3, device="cpu"))[-1]
    control = LocalControl(speed=2)
    steered = [
        p
        for p in train_interactive(cfg, seed=3, device="cpu", control=control)
        if p is not None
    ][-1]
    assert steered.step == plain.step == 4
    np.testing.assert_array_equal(steered.samples, plain.samples)


def test_eval_sample_count_is_stated() -> None:
    tr = GanTrainer(tiny(), seed=0, device="cpu")
    assert tr.sample().shape == (EVAL_SAMPLES, 2) == (2500, 2)


def test_ring_helper_without_endpoint_duplicate() -> None:
    assert len({tuple(p) for p in ring_means(8).round(9)}) == 8


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_cuda() -> None:
    cfg = tiny(steps=4, report_every=2, loss="unrolled", unroll=2)
    last = list(train(cfg, seed=0, device="cuda"))[-1]
    assert last.step == 4 and last.samples.dtype == np.float32
