"""FVSBN, NADE and the tiny PixelCNN: conditionals, sampling, training, checkpoints."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from explorer.core.ar import jobs, models
from explorer.core.ar.config import TrainConfig

torch.set_num_threads(1)


def random_batch(n: int = 3, seed: int = 0) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(n, models.PIXELS, generator=gen) < 0.3).float()


def test_nade_incremental_update_equals_naive_computation():
    torch.manual_seed(1)
    nade = models.Nade(hidden=6)
    with torch.no_grad():
        for p in nade.parameters():
            p.normal_(0.0, 0.5)
    x = random_batch()
    with torch.no_grad():
        fast = nade(x)
        stepped = nade.logits_incremental(x)
        for i in (0, 1, 2, 100, 500, 783):
            naive = nade.logit_naive(x, i)  # a_i = c + Σ_{j<i} W_j x_j from scratch
            torch.testing.assert_close(stepped[:, i], naive, atol=1e-5, rtol=1e-5)
            torch.testing.assert_close(fast[:, i], naive, atol=1e-5, rtol=1e-5)


def test_fvsbn_is_the_triangular_sum():
    torch.manual_seed(2)
    fv = models.Fvsbn()
    with torch.no_grad():
        fv.weight.normal_()
        fv.bias.normal_()
    x = random_batch()
    with torch.no_grad():
        logits = fv(x)
        for i in (0, 5, 783):
            # x̂_i = σ(w_0^i + Σ_{j<i} w_j^i x_j), summed term by term
            expected = fv.bias[i] + sum(
                (fv.weight[j, i] * x[:, j] for j in range(i)), torch.zeros(3)
            )
            torch.testing.assert_close(logits[:, i], expected)


@pytest.mark.parametrize("model", ["fvsbn", "nade", "pixelcnn"])
def test_conditionals_see_only_earlier_pixels(model):
    torch.manual_seed(0)
    net = models.make_model(TrainConfig(model=model))
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
    x = random_batch(1).requires_grad_(True)
    i = 400
    net(x)[0, i].backward()
    assert x.grad is not None
    depends = torch.nonzero(x.grad[0]).flatten()
    assert depends.numel() > 0 and int(depends.max()) < i


def test_pixelcnn_row_crop_is_exact():
    torch.manual_seed(0)
    net = models.TinyPixelCnn(channels=4, layers=3)
    x = random_batch(2)
    img = x.view(2, 1, 28, 28)
    with torch.no_grad():
        full = net(x).view(2, 28, 28)
        for row in (0, 3, 17, 27):
            torch.testing.assert_close(net.logits_row(img, row), full[:, row])


def test_bits_per_pixel_is_the_binary_entropy_in_bits():
    x = random_batch(4)
    logits = torch.randn(4, models.PIXELS, generator=torch.Generator().manual_seed(3))
    p = torch.sigmoid(logits).double()
    xd = x.double()
    expected = -(xd * torch.log2(p) + (1 - xd) * torch.log2(1 - p)).mean()
    assert float(models.bits_per_pixel(logits, x)) == pytest.approx(float(expected))
    # independent pixels at p = ½ cost exactly one bit per pixel
    half = torch.full((2, models.PIXELS), 0.5)
    assert independent_half_bits(half) == pytest.approx(1.0)


def independent_half_bits(data: torch.Tensor) -> float:
    return float(models.bits_per_pixel(torch.zeros_like(data), data))


def test_sampling_goes_in_raster_order():
    fv = models.Fvsbn()
    with torch.no_grad():
        fv.bias.fill_(20.0)  # p(x_i = 1) ≈ 1 for every pixel
    gen = torch.Generator().manual_seed(0)
    steps = list(models.sample_pixels(fv, 2, gen))
    assert [d for d, _ in steps] == list(range(28, 785, 28))
    assert torch.all(steps[-1][1] == 1.0)
    drawn, x = steps[3]
    assert torch.all(x[:, drawn:] == 0.0)  # nothing drawn yet after pixel 112


def test_training_beats_independent_pixels_on_held_out_digits():
    cfg = TrainConfig(model="fvsbn", epochs=2, train_digits=1000)
    items = list(jobs.train(cfg, seed=0, draw=False))
    last = items[-1]
    assert last.weights is not None
    assert [e for e, _ in last.history] == [1, 2]
    assert last.history[1][1] < last.history[0][1]
    net = jobs.model_from(cfg, last.weights)
    test = jobs.held_out_digits()
    with torch.no_grad():
        model_bits = float(models.bits_per_pixel(net(test), test))
    baseline = models.independent_bits(jobs.binarised_digits(1000), test)
    assert model_bits < baseline - 0.03


def test_train_then_draw_streams_partial_samples():
    cfg = TrainConfig(model="nade", epochs=1, train_digits=50, batch_size=25, samples=2)
    items = list(jobs.train(cfg, seed=0))
    sampling = [p for p in items if p.phase == "sample"]
    assert [p.drawn for p in sampling] == list(range(28, 785, 28))
    first = sampling[0].samples
    assert first is not None and first.shape == (2, 28, 28)
    assert np.isnan(first[:, 1:]).all() and not np.isnan(first[:, 0]).any()
    final = sampling[-1].samples
    assert final is not None and set(np.unique(final)) <= {0.0, 1.0}


def test_checkpoint_round_trip_and_refusals(tmp_path):
    cfg = TrainConfig(model="nade", hidden=4)
    weights = jobs.weights_of(models.make_model(cfg))
    path = jobs.save_checkpoint(tmp_path / "m.pt", cfg, weights)
    cfg2, w2 = jobs.load_checkpoint(path)
    assert cfg2 == cfg
    assert all(np.array_equal(w2[k], weights[k]) for k in weights)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a torch file")
    with pytest.raises(jobs.CheckpointError, match=r"bad\.pt"):
        jobs.load_checkpoint(bad)
    other = tmp_path / "other.pt"
    torch.save({"format": "something"}, other)
    with pytest.raises(jobs.CheckpointError, match="not an Explorer"):
        jobs.load_checkpoint(other)
    with pytest.raises(ValueError, match="wrong shape"):
        jobs.model_from(TrainConfig(model="nade", hidden=5), weights)


def test_config_refuses_bad_values():
    with pytest.raises(ValueError, match="unknown model"):
        TrainConfig(model="gpt")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="epochs"):
        TrainConfig(epochs=0)
    assert math.isfinite(TrainConfig().lr)
