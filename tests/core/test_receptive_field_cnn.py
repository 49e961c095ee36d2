"""The live MNIST CNN: it learns, streams its maps, repeats with a seed."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
import torch

from explorer.core.rf.inputs import mnist_split
from explorer.core.rf.live import FEATURE_LAYERS, CnnConfig, train


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Small models run far faster on one thread on this shared 2-core machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_split_is_stratified() -> None:
    train_set, test_set = mnist_split()
    assert len(train_set.labels) == 4000 and len(test_set.labels) == 1000
    assert np.bincount(test_set.labels).tolist() == [100] * 10


def test_live_cnn_learns_and_streams_maps() -> None:
    reports = list(
        train(CnnConfig(steps=40, report_every=20, n_eval=200), seed=0, device="cpu")
    )
    assert [p.step for p in reports] == [0, 20, 40]
    first, last = reports[0], reports[-1]
    assert first.losses == {}
    assert last.test_accuracy > 0.5  # chance is 0.1
    assert last.kernels.shape == (8, 5, 5)
    shapes = {k: v.shape for k, v in last.feature_maps.items()}
    assert list(shapes) == list(FEATURE_LAYERS)
    # 28 → pool 14 → pool 7, as the RF table says
    assert shapes["features.conv1"] == (8, 28, 28)
    assert shapes["features.pool2"] == (16, 7, 7)
    assert not np.array_equal(first.kernels, last.kernels)
    assert last.probe_image.shape == (28, 28)
    assert float(last.probe_image.min()) >= 0.0 and float(last.probe_image.max()) <= 1.0


def test_same_seed_same_run() -> None:
    a = list(
        train(CnnConfig(steps=3, report_every=3, n_eval=10), seed=5, device="cpu")
    )[-1]
    b = list(
        train(CnnConfig(steps=3, report_every=3, n_eval=10), seed=5, device="cpu")
    )[-1]
    np.testing.assert_array_equal(a.kernels, b.kernels)
    assert a.losses == b.losses


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": 0}, "steps"),
        ({"lr": -1.0}, "learning rate"),
        ({"probe": 5000}, "probe"),
        ({"report_every": 0}, "report_every"),
    ],
)
def test_config_validation(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CnnConfig(**kwargs)  # type: ignore[arg-type]


def test_thread_count_is_checked() -> None:
    with pytest.raises(ValueError, match="threads"):
        next(train(CnnConfig(steps=1, report_every=1), device="cpu", threads=0))
