"""Effective receptive fields: the √n law, size statistics, jobs and their limits."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
import torch
from torch import nn

from explorer.core.rf import StackError, arch_stack, stack_from_dict
from explorer.core.rf.erf import ErfConfig, erf_job, erf_map, erf_stats
from explorer.core.rf.heatmap import heatmap_rgb
from explorer.core.rf.taps import features_at


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Small models run far faster on one thread on this shared 2-core machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def uniform_stack(n: int) -> nn.Sequential:
    """n linear 3×3 convolutions with every weight 1/9 (a box blur)."""
    layers = []
    for _ in range(n):
        c = nn.Conv2d(1, 1, 3, padding=1, bias=False)
        nn.init.constant_(c.weight, 1.0 / 9.0)
        layers.append(c)
    return nn.Sequential(*layers)


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_erf_variance_of_uniform_stack_is_2n_over_3(n: int) -> None:
    # The ERF of n box filters is the n-fold convolution of a uniform law on
    # {-1, 0, 1}, whose variance is 2/3 (Luo et al. 2016, sec. 2.1).
    heat = erf_map(uniform_stack(n), str(n - 1), torch.randn(2, 1, 41, 41), (20, 20))
    stats = erf_stats(heat)
    assert stats.std[0] ** 2 == pytest.approx(2 * n / 3, rel=1e-4)
    assert stats.std[1] ** 2 == pytest.approx(2 * n / 3, rel=1e-4)
    assert stats.centroid == pytest.approx((20.0, 20.0), abs=1e-4)


def test_erf_grows_like_sqrt_n_while_rf_grows_like_n() -> None:
    def measure(n: int) -> tuple[float, float, int]:
        heat = erf_map(
            uniform_stack(n), str(n - 1), torch.randn(1, 1, 81, 81), (40, 40)
        )
        s = erf_stats(heat)
        return s.std[0], s.side, 2 * n + 1

    std4, side4, rf4 = measure(4)
    std16, side16, rf16 = measure(16)
    assert std16 / std4 == pytest.approx(2.0, rel=1e-3)  # √(16/4)
    assert side16 / side4 == pytest.approx(2.0, rel=0.15)  # the 95 % area, too
    assert rf16 / rf4 == pytest.approx(33 / 9)  # close to 16/4


def test_stats_of_known_maps() -> None:
    square = np.zeros((10, 10))
    square[3:7, 2:6] = 1.0
    s = erf_stats(square)
    assert s.area == 16  # 95 % of 16 equal pixels needs all of them
    # variance of a uniform law on 4 consecutive integers: (4² − 1)/12
    assert s.std[0] == pytest.approx(math.sqrt(15 / 12))
    assert s.centroid == pytest.approx((4.5, 3.5))
    delta = np.zeros((5, 5))
    delta[2, 1] = 3.0
    d = erf_stats(delta, mass=0.5)
    assert (d.area, d.std) == (1, (0.0, 0.0))
    with pytest.raises(ValueError, match="zero everywhere"):
        erf_stats(np.zeros((3, 3)))


def test_features_at_stops_before_the_head() -> None:
    class Head(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            raise AssertionError("the head must not run")

    model = nn.Sequential(nn.Conv2d(1, 2, 3), Head())
    assert features_at(model, "0", torch.zeros(1, 1, 5, 5)).shape == (1, 2, 3, 3)
    with pytest.raises(StackError, match="no layer"):
        features_at(model, "7", torch.zeros(1, 1, 5, 5))


def test_random_erf_job_stays_inside_the_theoretical_box() -> None:
    stack = arch_stack("mnist_cnn")
    cfg = ErfConfig(layer="features.conv3", unit=(0, 0), n_inputs=4, batch_size=2)
    reports = list(erf_job(stack, cfg, seed=1, device="cpu", arch="mnist_cnn"))
    assert [p.step for p in reports] == [1, 2]
    last = reports[-1]
    assert last.heatmap is not None and last.stats is not None
    box = last.box.clipped((28, 28))
    assert (box.top, box.left, box.bottom, box.right) == (0, 0, 13, 13)  # −10 … 13
    outside = last.heatmap.copy()
    outside[box.top : box.bottom + 1, box.left : box.right + 1] = 0
    assert float(outside.max()) == 0.0
    assert last.heatmap.sum() > 0
    # the ERF is smaller than the theoretical field
    assert last.stats.area < last.stats.theoretical_area


def test_erf_job_is_deterministic() -> None:
    stack = stack_from_dict(
        {
            "input_size": 16,
            "layers": [
                {"type": "conv", "kernel": 3, "padding": 1},
                {"type": "conv", "kernel": 3},
            ],
        }
    )
    cfg = ErfConfig(n_inputs=2, batch_size=2)
    a = list(erf_job(stack, cfg, seed=3, device="cpu"))[-1].heatmap
    b = list(erf_job(stack, cfg, seed=3, device="cpu"))[-1].heatmap
    assert a is not None and b is not None
    np.testing.assert_array_equal(a, b)


def test_trained_erf_trains_then_measures() -> None:
    stack = stack_from_dict(
        {
            "input_size": 28,
            "layers": [
                {"type": "conv", "kernel": 5, "padding": 2, "channels": 4},
                {"type": "pool", "kernel": 2, "stride": 2},
            ],
        }
    )
    cfg = ErfConfig(weights="trained", train_steps=6, n_inputs=2, batch_size=2)
    reports = list(erf_job(stack, cfg, seed=0, device="cpu"))
    phases = [p.phase for p in reports]
    assert phases[0] == "train" and phases[-1] == "erf"
    assert all(math.isfinite(p.losses["loss"]) for p in reports if p.phase == "train")
    assert reports[-1].heatmap is not None and reports[-1].heatmap.shape == (28, 28)


def test_trained_erf_refuses_imagenet_sizes() -> None:
    with pytest.raises(StackError, match="at most 64"):
        list(
            erf_job(
                arch_stack("resnet18"),
                ErfConfig(weights="trained"),
                device="cpu",
                arch="resnet18",
            )
        )


def test_unit_outside_the_map_is_refused() -> None:
    with pytest.raises(StackError, match="outside"):
        list(
            erf_job(
                arch_stack("mnist_cnn"),
                ErfConfig(unit=(7, 0)),
                device="cpu",
                arch="mnist_cnn",
            )
        )


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="weights"):
        ErfConfig(weights="pretrained")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_inputs"):
        ErfConfig(n_inputs=0)


def test_heatmap_colours_and_box() -> None:
    heat = np.zeros((6, 6))
    heat[3, 3] = 1.0
    from explorer.core.rf import Box

    rgb = heatmap_rgb(heat, Box(top=1, left=1, bottom=4, right=4))
    assert rgb.shape == (6, 6, 3)
    assert tuple(rgb[3, 3]) == (253, 231, 37)  # viridis maximum
    assert tuple(rgb[0, 0]) == (68, 1, 84)  # viridis minimum
    assert tuple(rgb[1, 2]) == (255, 255, 255)  # box outline


def test_feature_maps_follow_the_table() -> None:
    from explorer.core.data import asset_path
    from explorer.core.rf import analyze, stack_from_json
    from explorer.core.rf.features import feature_job

    stack = stack_from_json(asset_path("rf/two_branch.json"))
    image = np.zeros((20, 20), dtype=np.float32)
    image[5:15, 5:15] = 1.0
    fm = next(feature_job(stack, image=image, device="cpu", max_channels=4))
    assert fm.image.shape == (32, 32)  # resized to the stack's input
    for row in analyze(stack):
        assert fm.means[row.name].shape == row.geometry.size
        assert fm.maps[row.name].shape[0] <= 4
    assert fm.channels["mixed"] == 24  # three paths of 8 channels concatenated


def test_feature_maps_with_live_weights_match_the_trainer() -> None:
    from explorer.core.rf.features import feature_job
    from explorer.core.rf.live import CnnConfig, train

    report = list(train(CnnConfig(steps=2, report_every=2, n_eval=10), device="cpu"))[
        -1
    ]
    fm = next(
        feature_job(
            arch_stack("mnist_cnn"),
            image=report.probe_image,
            arch="mnist_cnn",
            state=report.state,
            device="cpu",
        )
    )
    for name, maps in report.feature_maps.items():
        np.testing.assert_allclose(fm.maps[name], maps[:16], atol=1e-5)


def test_foreign_weights_are_refused() -> None:
    from explorer.core.rf.features import feature_job

    with pytest.raises(StackError, match=r"do not fit|lack"):
        next(
            feature_job(
                arch_stack("lenet5"),
                image=np.zeros((28, 28), np.float32),
                arch="lenet5",
                state={"features.c1.weight": np.zeros((2, 2))},
                device="cpu",
            )
        )


def test_random_relu_stack_erf_grows_slower_than_rf() -> None:
    # Luo et al. 2016, sec. 2.3: with random weights and ReLUs the ERF still
    # grows about like √n; 4 → 16 layers: σ about ×2, theoretical RF 9 → 33 (×3.7)
    def sigma(n: int) -> float:
        layer = {"type": "conv", "kernel": 3, "padding": 1, "channels": 8}
        stack = stack_from_dict({"input_size": 65, "layers": [layer] * n})
        job = erf_job(stack, ErfConfig(n_inputs=8, batch_size=8), seed=0, device="cpu")
        stats = list(job)[-1].stats
        assert stats is not None
        return float(np.mean(stats.std))

    ratio = sigma(16) / sigma(4)
    assert 1.5 < ratio < 3.0
