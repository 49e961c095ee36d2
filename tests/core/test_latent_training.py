"""Training AE, VAE and β-VAE: the loss falls, VAE codes near N(0, I), seeds repeat."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from explorer.core.data import Digits, load_mnist
from explorer.core.latent import (
    LatentConfig,
    LatentProgress,
    balanced_subset,
    train,
)


@pytest.fixture(scope="module", autouse=True)
def _one_thread() -> Iterator[None]:
    """Small models run fastest on one thread, above all on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def runs() -> dict[str, list[LatentProgress]]:
    """Three small seeded runs on 2,000 MNIST digits (under a second each)."""
    d = load_mnist()
    idx = balanced_subset(d.labels, 2000, seed=0)
    data = Digits(images=d.images[idx], labels=d.labels[idx])
    out = {}
    for model in ("ae", "vae", "beta-vae"):
        cfg = LatentConfig(
            model=model,
            epochs=3,
            hidden=64,
            batch_size=50,
            n_codes=500,
            yields_per_epoch=2,
        )
        out[model] = list(train(cfg, seed=0, device="cpu", data=data))
    return out


def _moment_kl(p: LatentProgress) -> float:
    """Return KL(N(m, C) ‖ N(0, I)) of the moments of sampled codes z = μ + σ·ε."""
    rng = np.random.default_rng(0)
    z = p.codes + p.code_std * rng.standard_normal(p.codes.shape)
    m, c = z.mean(axis=0), np.cov(z.T)
    d = z.shape[1]
    return float(0.5 * (np.trace(c) + m @ m - d - np.log(np.linalg.det(c))))


def test_training_lowers_the_loss(runs: dict[str, list[LatentProgress]]) -> None:
    for model, ps in runs.items():
        ends = [p.epoch_losses["loss"] for p in ps if p.epoch_end]
        assert len(ends) == 3, model
        assert ends[-1] < ends[0] < ps[0].losses["loss"], model


def test_reports_count_steps_and_epochs(runs: dict[str, list[LatentProgress]]) -> None:
    ps = runs["vae"]
    assert len(ps) == 1 + 3 * 2  # the untrained model, then 2 per epoch
    assert ps[0].step == 0 and ps[0].epoch == 0.0
    assert ps[-1].step == ps[-1].total == 3 * 40 and ps[-1].fraction == 1.0
    assert [p.epoch_end for p in ps] == [False] + [False, True] * 3
    assert [p.epoch for p in ps if p.epoch_end] == [1.0, 2.0, 3.0]
    assert ps[-1].codes.shape == (500, 2) and ps[-1].code_std.shape == (500, 2)
    assert np.all(np.bincount(ps[-1].code_labels) == 50)
    assert set(ps[-1].losses) == {"recon", "kl", "loss"}


def test_vae_codes_approach_the_prior_and_ae_codes_do_not(
    runs: dict[str, list[LatentProgress]],
) -> None:
    vae, ae = _moment_kl(runs["vae"][-1]), _moment_kl(runs["ae"][-1])
    assert vae < 2.0
    assert ae > 10.0 and ae > 10 * vae
    assert np.all(runs["ae"][-1].code_std == 0.0)


def test_beta_vae_pays_less_kl_than_vae(runs: dict[str, list[LatentProgress]]) -> None:
    kl_vae = runs["vae"][-1].epoch_losses["kl"]
    kl_beta = runs["beta-vae"][-1].epoch_losses["kl"]
    assert kl_beta < kl_vae


def test_same_seed_same_run_other_seed_other_run() -> None:
    d = load_mnist()
    idx = balanced_subset(d.labels, 300, seed=0)
    small = Digits(images=d.images[idx], labels=d.labels[idx])
    cfg = LatentConfig(model="vae", epochs=1, hidden=32, n_codes=50, noise=0.2)
    a = list(train(cfg, seed=7, device="cpu", data=small))[-1]
    b = list(train(cfg, seed=7, device="cpu", data=small))[-1]
    c = list(train(cfg, seed=8, device="cpu", data=small))[-1]
    assert np.array_equal(a.codes, b.codes)
    assert a.losses == b.losses
    assert not np.array_equal(a.codes, c.codes)


def test_conv_and_higher_dimensional_models_train() -> None:
    d = load_mnist()
    idx = balanced_subset(d.labels, 200, seed=0)
    small = Digits(images=d.images[idx], labels=d.labels[idx])
    cfg = LatentConfig(
        model="beta-vae",
        arch="conv",
        latent_dim=4,
        epochs=1,
        hidden=32,
        n_codes=40,
        yields_per_epoch=1,
    )
    ps = list(train(cfg, seed=0, device="cpu", data=small))
    assert ps[-1].codes.shape == (40, 4)
    assert ps[-1].epoch_losses["loss"] < ps[0].losses["loss"]


def test_train_rejects_empty_data() -> None:
    empty = Digits(
        images=np.zeros((0, 28, 28), np.float32), labels=np.zeros(0, np.int64)
    )
    with pytest.raises(ValueError, match="no digits"):
        next(train(LatentConfig(), seed=0, device="cpu", data=empty))
