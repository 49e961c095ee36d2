"""Training a flow on two moons: better than a Gaussian, density integrates to 1."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.flow.checkpoint import CheckpointError, load_model, save_model
from explorer.core.flow.config import Architecture, FlowConfig
from explorer.core.flow.data import image_points, read_points_csv, sample
from explorer.core.flow.jobs import FlowTrainer, train, train_interactive
from explorer.core.flow.model import (
    box_integral,
    density_grid,
    gaussian_nll,
    log_prob_numpy,
)
from explorer.core.flow.names import PROBE_ACTION, PROBE_KEY
from explorer.core.progress import LocalControl

SMALL = Architecture(layers=6, hidden=32)


@pytest.fixture(scope="module")
def trained() -> FlowTrainer:
    torch.set_num_threads(1)
    trainer = FlowTrainer(FlowConfig(data="moons", arch=SMALL, steps=400), seed=0)
    for _ in range(400):
        trainer.step()
    return trainer


def test_flow_beats_the_fitted_gaussian_on_moons(trained: FlowTrainer) -> None:
    test_nll = trained.test_nll()
    assert test_nll < trained.gaussian - 0.3
    # the baseline really is the Gaussian MLE: scipy's logpdf with the fitted moments
    from scipy.stats import multivariate_normal

    train_x = trained.train_x.double().numpy()
    fit = multivariate_normal(train_x.mean(0), np.cov(train_x, rowvar=False))
    want = -fit.logpdf(trained.test_x).mean()
    assert trained.gaussian == pytest.approx(want, rel=1e-6)


def test_trained_density_integrates_to_one(trained: FlowTrainer) -> None:
    box = (-4.0, 4.0, -4.0, 4.0)
    assert np.mean(np.all(np.abs(trained.test_x) < 3.5, axis=1)) > 0.999
    integral = box_integral(density_grid(trained.model, box, 160), box)
    assert integral == pytest.approx(1.0, abs=0.02)


def test_snapshot_checks_and_probe(trained: FlowTrainer) -> None:
    snap = trained.snapshot((0.5, 0.2))
    assert snap.roundtrip < 1e-4
    assert len(snap.jacobians) == len(trained.model.layer_list)
    total = sum(j.logdet_formula for j in snap.jacobians)
    from explorer.core.flow.model import standard_normal_log_prob

    x = torch.tensor([[0.5, 0.2]])
    z, _ = trained.model.to_z(x)
    want = float(log_prob_numpy(trained.model, [[0.5, 0.2]])[0])
    assert float(standard_normal_log_prob(z)[0]) + total == pytest.approx(
        want, abs=1e-4
    )
    # the last stage of the warped samples is where f sends them: f(z) = to_x(z)
    x_last = snap.stage_samples[-1]
    z_back, _ = trained.model.to_z(torch.as_tensor(x_last, dtype=torch.float32))
    assert np.allclose(z_back.detach().numpy(), snap.stage_samples[0], atol=1e-4)


def test_train_yields_history_and_stops() -> None:
    cfg = FlowConfig(arch=Architecture(layers=2, hidden=8), steps=30, report_every=10)
    snaps = list(train(cfg, seed=1))
    assert [s.step for s in snaps] == [0, 10, 20, 30]


def test_interactive_probe_action_reports_without_a_step() -> None:
    cfg = FlowConfig(arch=Architecture(layers=2, hidden=8), steps=None)
    control = LocalControl(speed=3)
    job = train_interactive(cfg, seed=0, control=control)
    first = next(job)
    assert first.step == 0 and first.jacobians == ()
    assert next(job).step == 3
    control.post((1.0, -0.5), PROBE_KEY)
    control.act(PROBE_ACTION)
    probed = next(job)
    assert probed.step == 3 and probed.probe == (1.0, -0.5)
    assert len(probed.jacobians) == 4  # actnorm + coupling, twice


def test_same_seed_same_run() -> None:
    cfg = FlowConfig(arch=Architecture(layers=2, hidden=8), steps=20, report_every=20)
    a = list(train(cfg, seed=4))[-1]
    b = list(train(cfg, seed=4))[-1]
    assert a.nll == b.nll and np.array_equal(a.logp, b.logp)


def test_gaussian_nll_closed_form() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((20000, 2)) * [2.0, 0.5]
    # E[−log N(x; 0, diag(4, 0.25))] = log 2π + ½ log(det Σ) + 1
    want = np.log(2 * np.pi) + 0.5 * np.log(4 * 0.25) + 1.0
    assert gaussian_nll(x, x) == pytest.approx(want, abs=0.02)


def test_datasets_lie_in_the_box() -> None:
    rng = np.random.default_rng(0)
    for name in ("moons", "ring", "checkerboard", "spiral"):
        x = sample(name, 2000, rng)
        assert x.shape == (2000, 2)
        assert np.mean(np.all(np.abs(x) < 4.0, axis=1)) > 0.995, name


def test_image_points_follow_dark_pixels() -> None:
    gray = np.ones((10, 10))
    gray[0, :5] = 0.0  # the top-left half row is black
    pts = image_points(gray, 500, np.random.default_rng(0), box=(0, 10, 0, 10))
    assert np.all(pts[:, 0] <= 5.0) and np.all(pts[:, 1] >= 9.0)
    with pytest.raises(ValueError, match="blank"):
        image_points(np.ones((4, 4)), 10, np.random.default_rng(0))


def test_config_refusals() -> None:
    with pytest.raises(ValueError, match="at least one layer"):
        Architecture(layers=0)
    with pytest.raises(ValueError, match="at least two points"):
        FlowConfig(data="points", points=((0.0, 0.0),))
    with pytest.raises(ValueError, match="hidden"):
        Architecture(hidden=100_000)


def test_csv_points(tmp_path: Path) -> None:
    good = tmp_path / "p.csv"
    good.write_text("x,y\n0,1\n2,3\n")
    assert read_points_csv(good).tolist() == [[0.0, 1.0], [2.0, 3.0]]
    one = tmp_path / "one.csv"
    one.write_text("0,1\n")
    with pytest.raises(ValueError, match="at least two"):
        read_points_csv(one)
    bad = tmp_path / "nan.csv"
    bad.write_text("0,1\nnan,2\n")
    with pytest.raises(ValueError, match="NaN"):
        read_points_csv(bad)


def test_model_file_round_trip_and_refusals(
    trained: FlowTrainer, tmp_path: Path
) -> None:
    path = save_model(tmp_path / "m.pt", trained.model)
    loaded = load_model(path)
    pts = trained.test_x[:20]
    assert np.allclose(
        log_prob_numpy(loaded, pts), log_prob_numpy(trained.model, pts), atol=1e-6
    )
    other = tmp_path / "latent.pt"
    torch.save({"format": "explorer.latent", "version": 1}, other)
    with pytest.raises(CheckpointError, match="not a normalizing-flow model"):
        load_model(other)
    text = tmp_path / "text.pt"
    text.write_text("hello")
    with pytest.raises(CheckpointError, match="not a PyTorch weights file"):
        load_model(text)
    code = tmp_path / "code.pt"
    torch.save({"format": "explorer.flow", "obj": Path("x")}, code)
    with pytest.raises(CheckpointError, match="refused"):
        load_model(code)


def test_a_stopping_job_ends_without_a_snapshot() -> None:
    cfg = FlowConfig(arch=Architecture(layers=2, hidden=8), steps=None)
    control = LocalControl()
    job = train_interactive(cfg, seed=0, control=control)
    assert next(job).step == 0
    control.stop_requested = True  # an abort: the job must not draw another grid
    assert list(job) == []
