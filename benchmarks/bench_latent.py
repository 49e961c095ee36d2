"""Latent panel benchmarks: decode latency per click / drag, one VAE epoch."""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

# What the panel trains by default (Qt-free: the panel's state module).
from explorer.panels.latent.state import DEFAULT_EPOCHS as PANEL_EPOCHS


def _decode_latency_ms(repeats: int = 300) -> tuple[float, float]:
    """Return (median, p95) ms of a click or drag: lift a 2-D point and decode it."""
    from explorer.core.latent import LatentConfig, build_model, decode, fit_projection

    model = build_model(LatentConfig(model="vae"), seed=0)
    projection = fit_projection(np.zeros((1, 2), np.float32))
    rng = np.random.default_rng(0)
    points = rng.normal(size=(repeats, 2)).astype(np.float32)
    decode(model, projection.lift(points[:1]))  # warm-up
    times = []
    for p in points:
        t0 = time.perf_counter()
        decode(model, projection.lift(p[None]))
        times.append((time.perf_counter() - t0) * 1000.0)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _vae_epoch_s() -> float:
    """Return the seconds of one VAE epoch on the 5,000 bundled digits (defaults)."""
    import torch

    from explorer.core.data import load_mnist
    from explorer.core.latent import LatentConfig, train

    data = load_mnist()
    cfg = LatentConfig(model="vae", epochs=2, yields_per_epoch=5)
    marks: list[float] = []
    before = torch.get_num_threads()
    try:
        # One thread, as in the panel's worker process (see LatentPanel._start_slot).
        for p in train(cfg, seed=0, device="cpu", data=data, threads=1):
            if p.step == 0 or p.epoch_end:
                marks.append(time.perf_counter())
    finally:
        torch.set_num_threads(before)
    return min(b - a for a, b in itertools.pairwise(marks))


def run() -> list[tuple[str, str, str]]:
    """Return rows (name, measured value with unit, goal) of the latent benchmarks."""
    med, p95 = _decode_latency_ms()
    epoch = _vae_epoch_s()
    return [
        ("latent: decode per click/drag (median)", f"{med:.2f} ms", "≤ 5 ms CPU"),
        ("latent: decode per click/drag (p95)", f"{p95:.2f} ms", "≤ 5 ms CPU"),
        (
            "latent: one VAE epoch, MNIST-5k, CPU (1 torch thread)",
            f"{epoch:.2f} s",
            "report (about 1 s)",
        ),
    ]


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's heaviest training job (a default VAE run) and its kwargs."""
    from explorer.core.latent import LatentConfig, train

    cfg = LatentConfig(model="vae", epochs=PANEL_EPOCHS)
    # As the panel starts it on the default worker-process backend.
    return train, {"cfg": cfg, "seed": 0, "device": "auto", "threads": 1}


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
