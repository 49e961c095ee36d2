"""The GAN mode metric's PacGAN threshold, the binned JSD / C(G), and drift.

The constructed sample sets are the issue's: uniform noise over the plot (a few
samples land near each mode by chance) must capture (almost) no mode, while an
exact draw from the mixture captures them all.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from explorer.core.gan import EVAL_SAMPLES, GanConfig, GanTrainer, builtin_mixture
from explorer.core.gan.metrics import jsd, mode_metrics, virtual_criterion
from explorer.core.gan.names import capture_rule, capture_threshold
from explorer.core.progress import DivergedError


def _mixture_draw(name: str, n: int, seed: int = 0) -> np.ndarray:
    m = builtin_mixture(name)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, m.n_modes, n)
    return m.means[idx] + m.std * rng.standard_normal((n, 2))


def _noise(name: str, n: int, seed: int = 0) -> np.ndarray:
    x0, x1, y0, y1 = builtin_mixture(name).extent
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def test_threshold_is_pacgans_20_of_2500_scaled_up() -> None:
    assert capture_threshold(2500) == 20
    assert capture_threshold(250) == 2
    assert capture_threshold(100) == 1  # 0.8, rounded up
    assert capture_threshold(1) == 1
    assert capture_threshold(5000) == 40
    assert "20 of 2,500" in capture_rule() and "PacGAN" in capture_rule()


@pytest.mark.parametrize("name", ["ring8", "grid25"])
def test_noise_captures_no_mode_and_the_mixture_captures_all(name: str) -> None:
    m = builtin_mixture(name)
    samples = _noise(name, EVAL_SAMPLES)
    noise = mode_metrics(samples, m)
    # the old rule (one high-quality sample captures a mode) counted chance hits
    d = np.sqrt(((samples[:, None] - m.means) ** 2).sum(-1))
    hits = np.bincount(d.argmin(1)[d.min(1) <= 3 * m.std], minlength=m.n_modes)
    assert (hits >= 1).sum() > 0
    assert noise.high_quality_fraction < 0.05
    assert noise.modes_captured == 0
    assert noise.threshold == 20
    exact = mode_metrics(_mixture_draw(name, EVAL_SAMPLES), m)
    assert exact.modes_captured == m.n_modes and exact.captured.all()


def test_a_mode_needs_exactly_the_threshold() -> None:
    m = builtin_mixture("ring8")
    near = m.means[0] + np.array([m.std, 0.0])  # 1σ from mode 0
    far = np.zeros(2)  # the centre: 100σ from every mode
    for count, captured in ((19, 0), (20, 1)):
        samples = np.vstack(
            [np.tile(near, (count, 1)), np.tile(far, (2500 - count, 1))]
        )
        r = mode_metrics(samples, m)
        assert r.modes_captured == captured
        assert r.captured[0] == bool(captured)


def test_jsd_known_answers_and_c_of_g() -> None:
    m = builtin_mixture("ring8")
    # disjoint supports (all samples outside the grid): JSD = log 2, C(G) = 0
    away = np.full((1000, 2), 50.0)
    assert jsd(away, m) == pytest.approx(math.log(2), abs=1e-4)
    assert virtual_criterion(jsd(away, m)) == pytest.approx(0.0, abs=2e-4)
    # an exact draw: near 0, so C(G) near its optimum −log 4
    big = _mixture_draw("ring8", 200_000)
    assert jsd(big, m) < 0.01
    assert virtual_criterion(jsd(big, m)) == pytest.approx(-math.log(4), abs=0.02)
    # half the samples on the data, half far away: p_g = ½ p_data + ½ δ_away,
    # JSD = ½[KL(p‖m) + KL(q‖m)], m = ¾ p on the data, ¼ δ: computed by hand
    half = np.vstack([big[:100_000], np.full((100_000, 2), 50.0)])
    by_hand = 0.5 * (
        math.log(1 / 0.75) + 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(2)
    )
    assert jsd(half, m) == pytest.approx(by_hand, abs=0.01)


def test_samples_that_drift_off_are_a_divergence() -> None:
    tr = GanTrainer(GanConfig(heat_resolution=8), seed=0, device="cpu")
    assert tr.snapshot().step == 0  # untrained samples sit near the data: fine
    with torch.no_grad():
        last = list(tr.G.parameters())[-1]  # the output bias
        last.add_(1000.0)
    with pytest.raises(
        DivergedError, match="diverged at G step 0: its samples drifted"
    ):
        tr.snapshot()


def test_a_saturated_d_at_learning_rate_1_is_a_divergence() -> None:
    """The issue's run: minimax at lr 1 ran on with "G loss = −0"; now it stops."""
    cfg = GanConfig(loss="minimax", lr_g=1.0, lr_d=1.0, heat_resolution=8)
    tr = GanTrainer(cfg, seed=0, device="cpu")
    with pytest.raises(DivergedError, match=r"minimax GAN diverged .*G loss = −0"):
        for _ in range(200):
            tr.step()


def test_snapshot_carries_jsd_criterion_and_threshold() -> None:
    tr = GanTrainer(GanConfig(heat_resolution=8), seed=0, device="cpu")
    p = tr.snapshot()
    assert p.capture_threshold == 20
    assert p.jsd == pytest.approx(jsd(tr.sample(), tr.mixture))
    assert p.criterion == pytest.approx(-math.log(4) + 2 * p.jsd)
    assert -math.log(4) <= p.criterion <= 0.0
