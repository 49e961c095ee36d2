"""Rays panel benchmarks: image render, one selected-ray update, tiny-NeRF speed."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import numpy as np


def _median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Return the median (wall, CPU) milliseconds of ``repeats`` calls after a warm-up.

    CPU time is reported too: on a shared machine the wall time also counts the
    time other processes held the cores.
    """
    fn()
    walls, cpus = [], []
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return 1000.0 * statistics.median(walls), 1000.0 * statistics.median(cpus)


def _nerf_rate(device: str, steps: int) -> float:
    from dataclasses import replace

    from explorer.core.rays.nerf import NerfConfig, train_nerf

    cfg = replace(NerfConfig().for_device(device), steps=steps, eval_every=steps)
    rates = [p.iterations_per_s for p in train_nerf(cfg, seed=0, device=device)]
    return rates[-1]


def run() -> list[tuple[str, str, str]]:
    """Return rows (name, measured value with unit, goal) for the issue's benchmarks."""
    import torch

    from explorer.core.rays.camera import Camera
    from explorer.core.rays.render import RayConfig, render_image, render_ray
    from explorer.core.rays.roots import trace
    from explorer.core.rays.scenes import Scene

    rows: list[tuple[str, str, str]] = []
    cam = Camera(width=256, height=256)
    for name, samples in (("sphere", 32), ("fog", 32), ("scene", 32), ("sphere", 64)):
        scene = Scene(name)
        cfg = RayConfig(n_samples=samples)
        wall, cpu = _median_ms(partial(render_image, scene, cam, cfg), 5)
        rows.append(
            (
                f"render 256×256 {name}, {samples} samples/ray (CPU)",
                f"{wall:.0f} ms (CPU {cpu:.0f} ms)",
                "≤ 100 ms",
            )
        )

    scene = Scene("scene")
    cfg = RayConfig(n_samples=64)
    o, d = Camera().pixel_rays(np.array(30), np.array(34))

    grid = np.random.default_rng(0).uniform(-2.0, 2.0, (128, 160, 3))

    def ray_update() -> None:
        # What the panel computes on a click: the samples, both root finders,
        # f(t) along the ray and the 160 × 128 SDF slice (plots not included).
        render_ray(scene, o, d, cfg)
        trace(scene.sdf, o, d, "sphere", near=cfg.near, far=cfg.far)
        trace(scene.sdf, o, d, "secant", near=cfg.near, far=cfg.far)
        scene.sdf(o + np.linspace(cfg.near, cfg.far, 200)[:, None] * d)
        scene.sdf(grid)

    wall, cpu = _median_ms(ray_update, 20)
    rows.append(
        (
            "selected-ray update (64 samples, sphere trace, secant, f(t), SDF slice)",
            f"{wall:.2f} ms (CPU {cpu:.2f} ms)",
            "≤ 5 ms",
        )
    )

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        rate = _nerf_rate("cpu", 30)
    finally:
        torch.set_num_threads(threads)
    rows.append(
        (
            "tiny-NeRF iterations/s, CPU (32×32 rays, 32 samples, 4×64 MLP, 1 thread)",
            f"{rate:.1f} it/s",
            "report",
        )
    )
    if torch.cuda.is_available():
        rate = _nerf_rate("cuda", 200)
        rows.append(
            (
                "tiny-NeRF iterations/s, CUDA (4096 rays, 64 samples, 8×256 MLP)",
                f"{rate:.1f} it/s",
                "report",
            )
        )
    else:
        rows.append(
            ("tiny-NeRF iterations/s, CUDA", "n/a (no CUDA GPU here)", "report")
        )
    return rows


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's heaviest job (tiny-NeRF training) and its default kwargs."""
    from explorer.core.rays.nerf import NerfConfig, train_nerf

    return train_nerf, {"cfg": NerfConfig(), "seed": 0, "device": "cpu"}


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:75s} {value:>24s}   goal {goal}")
