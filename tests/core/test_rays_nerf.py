"""Positional encoding and the tiny NeRF's training on rendered views."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest
import torch

from explorer.core.rays.nerf import (
    NerfConfig,
    NerfField,
    encoding_size,
    positional_encoding,
    psnr,
    train_nerf,
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models on a shared 2-core machine run faster on one thread."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


TINY = NerfConfig(
    image_size=16,
    n_views=6,
    n_samples=16,
    n_freqs=4,
    hidden=32,
    layers=2,
    steps=80,
    eval_every=40,
    lr=1e-2,
)


@pytest.mark.parametrize(
    ("n_freqs", "include", "size"),
    [(0, True, 3), (4, True, 27), (6, True, 39), (10, False, 60)],
)
def test_positional_encoding_sizes(n_freqs: int, include: bool, size: int) -> None:
    assert encoding_size(n_freqs, include) == size
    out = positional_encoding(torch.zeros(5, 7, 3), n_freqs, include)
    assert out.shape == (5, 7, size)


def test_positional_encoding_values() -> None:
    x = torch.tensor([[0.5, 0.25, 0.0]])
    out = positional_encoding(x, 2)[0]
    # Layout (x, sin 2⁰πx, cos 2⁰πx, sin 2¹πx, cos 2¹πx): sin(π/2) = 1, cos(π) = −1.
    assert out[3].item() == pytest.approx(1.0)
    assert out[12].item() == pytest.approx(-1.0)
    assert out[4].item() == pytest.approx(math.sin(math.pi / 4))


def test_psnr_of_known_mse() -> None:
    assert psnr(0.01) == pytest.approx(20.0)
    assert psnr(1e-4) == pytest.approx(40.0)


def test_held_out_psnr_rises_and_is_reproducible() -> None:
    runs = [list(train_nerf(TINY, seed=0, device="cpu")) for _ in range(2)]
    history = runs[0][-1].psnr_history
    assert [s for s, _ in history] == [0, 40, 80]
    assert history[-1][1] > history[0][1] + 2.0
    assert runs[0][-1].losses == runs[1][-1].losses
    pred = runs[0][-1].prediction
    assert pred is not None and pred.shape == (16, 16, 3)
    # The trained network is a density/colour field usable by the ray renderer.
    fld = NerfField(TINY, runs[0][-1].state or {})
    sigma = fld.density(np.zeros((4, 3)))
    assert sigma.shape == (4,) and np.all(sigma >= 0.0)
