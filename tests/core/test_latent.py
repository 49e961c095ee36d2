"""The latent-space math: KL closed form, reparameterisation, lerp/slerp, grids, PCA."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
import torch

from explorer.core.latent import (
    LatentConfig,
    balanced_subset,
    build_model,
    decode,
    encode,
    fit_projection,
    grid_coordinates,
    interpolate,
    kl_to_standard_normal,
    loss_terms,
    manifold_grid,
    reconstruction_loss,
    reparameterize,
    slerp,
    tile,
)


def test_kl_closed_form_matches_monte_carlo() -> None:
    mu = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    logvar = torch.tensor([[0.0, math.log(0.25), math.log(3.0)]], dtype=torch.float64)
    gen = torch.Generator().manual_seed(0)
    n = 400_000
    std = torch.exp(0.5 * logvar)
    z = mu + std * torch.randn((n, 3), generator=gen, dtype=torch.float64)
    q = torch.distributions.Normal(mu, std)
    p = torch.distributions.Normal(torch.zeros(3, dtype=torch.float64), 1.0)
    samples = (q.log_prob(z) - p.log_prob(z)).sum(dim=1)  # type: ignore[no-untyped-call]
    mc = samples.mean().item()
    stderr = samples.std().item() / math.sqrt(n)
    closed = kl_to_standard_normal(mu, logvar).item()
    # By hand: ½Σ(σ² + μ² − 1 − log σ²) = ½[(0.25) + (0.25+1−1−log .25) + (3+4−1−log 3)]
    by_hand = 0.5 * (0.25 + (0.25 + 1 - 1 - math.log(0.25)) + (3 + 4 - 1 - math.log(3)))
    assert closed == pytest.approx(by_hand, rel=1e-12)
    assert abs(mc - closed) < 4 * stderr


def test_kl_is_zero_only_for_the_prior() -> None:
    zero = torch.zeros(1, 4)
    assert kl_to_standard_normal(zero, zero).item() == 0.0
    assert kl_to_standard_normal(zero + 0.1, zero).item() > 0.0
    assert kl_to_standard_normal(zero, zero - 0.1).item() > 0.0


def test_reparameterisation_gradients_flow_to_mu_and_sigma() -> None:
    mu = torch.tensor([0.3, -0.7], requires_grad=True)
    logvar = torch.tensor([0.4, -1.2], requires_grad=True)
    eps = torch.tensor([1.5, -0.5])
    z = reparameterize(mu, logvar, eps)
    z.sum().backward()  # type: ignore[no-untyped-call]
    # dz/dμ = 1 and dz/d(log σ²) = ½ σ ε with σ = exp(½ log σ²).
    assert mu.grad is not None and logvar.grad is not None
    assert torch.allclose(mu.grad, torch.ones(2))
    expected = 0.5 * torch.exp(0.5 * logvar.detach()) * eps
    assert torch.allclose(logvar.grad, expected)


def test_vae_loss_sends_gradients_into_the_encoder() -> None:
    cfg = LatentConfig(model="vae", hidden=32)
    model = build_model(cfg, seed=0)
    x = torch.rand(8, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    terms = loss_terms(model, x, generator=torch.Generator().manual_seed(2))
    terms.loss.backward()  # type: ignore[no-untyped-call]
    first = next(model.encoder.parameters())
    assert first.grad is not None and float(first.grad.abs().sum()) > 0.0
    assert terms.loss.item() == pytest.approx(
        terms.recon.item() + terms.kl.item(), 1e-5
    )


def test_beta_weights_the_kl_term_and_ae_has_none() -> None:
    x = torch.rand(4, 1, 28, 28, generator=torch.Generator().manual_seed(3))
    beta = LatentConfig(model="beta-vae", beta=3.0, hidden=32)
    t = loss_terms(build_model(beta, 0), x, generator=torch.Generator().manual_seed(4))
    assert t.loss.item() == pytest.approx(t.recon.item() + 3.0 * t.kl.item(), rel=1e-5)
    ae = LatentConfig(model="ae", hidden=32)
    t = loss_terms(build_model(ae, 0), x)
    assert t.kl.item() == 0.0 and t.loss.item() == pytest.approx(t.recon.item())


def test_recon_is_bernoulli_negative_log_likelihood() -> None:
    cfg = LatentConfig(model="ae", hidden=32)
    model = build_model(cfg, 0)
    with torch.no_grad():
        for p in model.decoder.parameters():
            p.zero_()
    # All logits 0 → p = ½ per pixel → −log p(x|z) = 784·log 2 for any binary x.
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(5)) > 0.5
    t = loss_terms(model, x.float())
    assert t.recon.item() == pytest.approx(784 * math.log(2), rel=1e-5)


def _logits_and_targets() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(11)
    logits = 3.0 * torch.randn(4, 1, 28, 28, generator=gen)
    x = torch.rand(4, 1, 28, 28, generator=gen)
    return logits, x


def test_bce_reconstruction_is_the_bernoulli_closed_form_and_torchs() -> None:
    logits, x = _logits_and_targets()
    got = reconstruction_loss(logits, x, "bce").numpy()
    # Closed form, in float64 numpy: −Σ [x log p + (1 − x) log(1 − p)], p = σ(l).
    lg, xs = logits.double().numpy(), x.double().numpy()
    p = 1.0 / (1.0 + np.exp(-lg))
    closed = -(xs * np.log(p) + (1 - xs) * np.log1p(-p)).reshape(4, -1).sum(axis=1)
    assert got == pytest.approx(closed, rel=1e-5)
    ref = torch.nn.functional.binary_cross_entropy(
        torch.sigmoid(logits), x, reduction="sum"
    )
    assert got.sum() == pytest.approx(ref.item(), rel=1e-4)


def test_mse_reconstruction_is_the_squared_error_of_the_mean_image() -> None:
    logits, x = _logits_and_targets()
    got = reconstruction_loss(logits, x, "mse").numpy()
    p = 1.0 / (1.0 + np.exp(-logits.double().numpy()))
    closed = ((x.double().numpy() - p) ** 2).reshape(4, -1).sum(axis=1)
    assert got == pytest.approx(closed, rel=1e-5)
    ref = torch.nn.functional.mse_loss(torch.sigmoid(logits), x, reduction="sum")
    assert got.sum() == pytest.approx(ref.item(), rel=1e-5)
    # x̂ = ½ everywhere (logits 0): each pixel costs (x − ½)².
    half = reconstruction_loss(torch.zeros_like(x), x, "mse").numpy()
    expect = ((x.double().numpy() - 0.5) ** 2).reshape(4, -1).sum(axis=1)
    assert half == pytest.approx(expect, rel=1e-6)


@pytest.mark.parametrize("recon", ["bce", "mse"])
def test_the_configs_reconstruction_loss_is_the_one_trained(recon: str) -> None:
    cfg = LatentConfig(model="beta-vae", beta=2.0, hidden=32, recon=recon)  # type: ignore[arg-type]
    model = build_model(cfg, 0)
    x = torch.rand(3, 1, 28, 28, generator=torch.Generator().manual_seed(6))
    t = loss_terms(model, x, generator=torch.Generator().manual_seed(7))
    # The same ε by hand: z = μ + σ·ε, then the chosen recon + β·KL.
    with torch.no_grad():
        mu, logvar = model.encode(x)
        assert logvar is not None
        eps = torch.randn(mu.shape, generator=torch.Generator().manual_seed(7))
        logits = model.decode_logits(reparameterize(mu, logvar, eps))
        recon_by_hand = reconstruction_loss(logits, x, recon).mean()
        kl = kl_to_standard_normal(mu, logvar).mean()
    assert t.recon.item() == pytest.approx(recon_by_hand.item(), rel=1e-5)
    assert t.loss.item() == pytest.approx(t.recon.item() + 2.0 * kl.item(), rel=1e-5)


def test_unknown_reconstruction_loss_is_refused() -> None:
    with pytest.raises(ValueError, match=r"bce .*Bernoulli.* or mse .*squared"):
        LatentConfig(recon="l1")  # type: ignore[arg-type]
    old = LatentConfig().to_dict()
    del old["recon"]  # a checkpoint saved before the choice existed
    assert LatentConfig.from_dict(old).recon == "bce"


def test_slerp_keeps_the_norm_that_lerp_loses() -> None:
    r = 2.0
    a = np.array([r, 0.0, 0.0])
    b = np.array([0.0, r, 0.0])
    t = np.linspace(0, 1, 11)
    s = np.linalg.norm(slerp(a, b, t), axis=1)
    lin = np.linalg.norm(interpolate(a, b, 11, "lerp"), axis=1)
    assert np.allclose(s, r, atol=1e-5)
    # lerp between orthogonal codes of norm r: ‖z(½)‖ = r·cos(Ω/2) = r/√2.
    assert lin[5] == pytest.approx(r / math.sqrt(2), rel=1e-6)
    assert lin[0] == pytest.approx(r) and lin[-1] == pytest.approx(r)
    mid = slerp(a, b, np.array([0.5]))[0]
    assert np.allclose(mid, r * np.array([1, 1, 0]) / math.sqrt(2), atol=1e-5)


def test_slerp_of_unequal_norms_runs_the_norm_linearly_on_the_circle() -> None:
    a = np.array([3.0, 0.0])
    b = np.array([-1.0, 1.0])  # 135° away, norm √2
    t = np.linspace(0, 1, 9)
    path = slerp(a, b, t)
    norms = np.linalg.norm(path, axis=1)
    assert np.allclose(norms, (1 - t) * 3.0 + t * math.sqrt(2), atol=1e-5)
    angles = np.unwrap(np.arctan2(path[:, 1], path[:, 0]))
    assert np.allclose(angles, t * 3 * math.pi / 4, atol=1e-5)  # constant angular speed


def test_interpolation_ends_at_both_codes() -> None:
    a, b = np.array([1.0, -2.0]), np.array([-0.5, 3.0])
    for method in ("lerp", "slerp"):
        path = interpolate(a, b, 7, method)
        assert path.shape == (7, 2)
        assert np.allclose(path[0], a, atol=1e-6) and np.allclose(
            path[-1], b, atol=1e-5
        )


def test_slerp_of_parallel_codes_falls_back_to_lerp() -> None:
    a = np.array([1.0, 1.0])
    path = slerp(a, 3 * a, np.array([0.0, 0.5, 1.0]))
    assert np.allclose(path, [[1, 1], [2, 2], [3, 3]])


def test_interpolate_rejects_bad_requests() -> None:
    a = np.zeros(2)
    with pytest.raises(ValueError, match="2 to 1000 steps"):
        interpolate(a, a, 1)
    with pytest.raises(ValueError, match="lerp or slerp"):
        interpolate(a, a, 3, "cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="differ in size"):
        interpolate(a, np.zeros(3), 3)


def test_gaussian_grid_uses_the_inverse_cdf() -> None:
    # Φ⁻¹(¼) = −0.6745 and Φ⁻¹(¾) = +0.6745 (standard normal table).
    assert np.allclose(grid_coordinates(2, "gaussian"), [-0.67449, 0.67449], atol=1e-4)
    g = grid_coordinates(15, "gaussian")
    assert g[7] == pytest.approx(0.0, abs=1e-12)
    assert g[0] == pytest.approx(statistics.NormalDist().inv_cdf(0.5 / 15))
    assert np.allclose(grid_coordinates(5, "linear", 2.0), [-2, -1, 0, 1, 2])
    with pytest.raises(ValueError, match="2 to 60"):
        grid_coordinates(1)
    with pytest.raises(ValueError, match="linear or gaussian"):
        grid_coordinates(3, "log")  # type: ignore[arg-type]


def test_manifold_grid_decodes_the_plane_top_row_first() -> None:
    model = build_model(LatentConfig(model="vae", hidden=32), 0)
    proj = fit_projection(np.zeros((1, 2), np.float32))
    images, coords = manifold_grid(model, proj, 3, "linear", 1.0)
    assert images.shape == (3, 3, 28, 28)
    assert np.allclose(coords, [-1, 0, 1])
    # Top-left cell is z = (−1, +1): the largest z₂ sits on row 0, like a plot.
    assert np.allclose(images[0, 0], decode(model, np.array([-1.0, 1.0])), atol=1e-6)
    assert np.allclose(images[2, 2], decode(model, np.array([1.0, -1.0])), atol=1e-6)


def test_pca_projection_recovers_a_plane() -> None:
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((5, 2)))[0].T  # orthonormal 2×5
    offset = np.arange(5.0)
    pts = rng.standard_normal((200, 2)) * [3.0, 1.0]
    codes = (offset + pts @ basis).astype(np.float32)
    proj = fit_projection(codes)
    assert proj.kind == "pca"
    assert sum(proj.explained) == pytest.approx(1.0, abs=1e-5)
    assert proj.explained[0] > proj.explained[1]
    assert np.allclose(proj.lift(proj.project(codes)), codes, atol=1e-4)
    assert "PCA of 5-D codes" in proj.label


def test_two_dimensional_codes_are_shown_as_they_are() -> None:
    codes = np.array([[1.0, 2.0], [-3.0, 0.5]], np.float32)
    proj = fit_projection(codes)
    assert proj.kind == "identity"
    assert np.array_equal(proj.project(codes), codes)
    assert np.array_equal(proj.lift(codes), codes)


def test_encode_decode_shapes_and_ranges() -> None:
    model = build_model(LatentConfig(model="vae", latent_dim=3, hidden=32), 0)
    mu, std = encode(model, np.zeros((4, 28, 28), np.float32))
    assert mu.shape == std.shape == (4, 3) and np.all(std > 0)
    images = decode(model, np.zeros((2, 3)))
    assert images.shape == (2, 28, 28) and images.min() >= 0 and images.max() <= 1
    with pytest.raises(ValueError, match="3 components"):
        decode(model, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="28×28"):
        encode(model, np.zeros((1, 32, 32)))
    ae = build_model(LatentConfig(model="ae", hidden=32), 0)
    assert np.all(encode(ae, np.zeros((1, 28, 28)))[1] == 0)


def test_tile_lays_images_out_with_padding() -> None:
    images = np.zeros((2, 3, 4, 4), np.float32)
    images[1, 2] = 0.5
    out = tile(images, pad=1)
    assert out.shape == (2 * 5 + 1, 3 * 5 + 1)
    assert out[0, 0] == 1.0  # padding is white
    assert np.all(out[6:10, 11:15] == 0.5) and out[1, 1] == 0.0


def test_balanced_subset_takes_every_class_evenly() -> None:
    labels = np.repeat(np.arange(10), 50)  # sorted by class, like MNIST-5k
    idx = balanced_subset(labels, 100, seed=0)
    assert len(np.unique(idx)) == 100
    assert np.all(np.bincount(labels[idx]) == 10)
    assert np.array_equal(idx, balanced_subset(labels, 100, seed=0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"model": "gan"}, "ae, vae or beta-vae"),
        ({"model": "ae", "beta": 2.0}, "no KL term"),
        ({"model": "vae", "beta": 4.0}, "choose the β-VAE"),
        ({"model": "beta-vae", "beta": -1.0}, "between 0 and 100"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"hidden": 10**6}, "hidden"),
        ({"lr": -0.1}, "learning rate"),
        ({"noise": float("nan")}, "noise"),
        ({"epochs": 0}, "epochs"),
        ({"arch": "transformer"}, "mlp or conv"),
    ],
)
def test_config_rejects_bad_values(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LatentConfig(**kwargs)  # type: ignore[arg-type]


def test_config_kl_weight_and_round_trip() -> None:
    assert LatentConfig(model="ae").kl_weight == 0.0
    assert LatentConfig(model="vae").kl_weight == 1.0
    assert LatentConfig(model="beta-vae").kl_weight == 4.0
    cfg = LatentConfig(model="beta-vae", beta=2.5, noise=0.3, latent_dim=5)
    assert LatentConfig.from_dict(cfg.to_dict()) == cfg
    assert cfg.title == "denoising β-VAE (β=2.5)"
