"""Benchmarks of the receptive-field panel.

Rows: the time to recompute the layer table and one RF box after a slider change
(goal ≤ 5 ms), and one effective-RF map of ResNet-18 at 224² on the CPU (reported).
Run ``python benchmarks/bench_rf.py``.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def run() -> list[tuple[str, str, str]]:
    """Return (name, measured value with unit, goal) rows."""
    import torch

    from explorer.core.data import asset_path
    from explorer.core.rf import analyze, arch_stack, load_stack, set_layer
    from explorer.core.rf.erf import ErfConfig, compute_erf

    rows: list[tuple[str, str, str]] = []
    custom = load_stack(str(asset_path("rf/custom.json")))
    last = custom.layers()[-1].name
    dilations = iter(range(10**9))

    def slider_change_custom() -> None:
        edited = set_layer(custom, last, dilation=1 + next(dilations) % 4)
        analyze(edited)[-1].geometry.box(2, 3)

    rows.append(
        (
            "RF table + box, slider change (custom 6-layer stack)",
            f"{_median_ms(slider_change_custom, 500):.3f} ms",
            "≤ 5 ms",
        )
    )
    r50 = arch_stack("resnet50")
    r50_last = r50.layers()[-1].name

    def slider_change_r50() -> None:
        edited = set_layer(r50, r50_last, dilation=1 + next(dilations) % 4)
        analyze(edited)[-1].geometry.box(3, 3)

    rows.append(
        (
            "RF table + box, slider change (ResNet-50, 70 rows)",
            f"{_median_ms(slider_change_r50, 100):.3f} ms",
            "≤ 5 ms",
        )
    )

    threads = torch.get_num_threads()
    stack = arch_stack("resnet18")
    for n_threads in sorted({1, threads}):
        torch.set_num_threads(n_threads)
        compute_erf(
            stack, ErfConfig(n_inputs=1, batch_size=1), arch="resnet18", device="cpu"
        )  # warm-up
        t0 = time.perf_counter()
        compute_erf(
            stack, ErfConfig(n_inputs=16, batch_size=4), arch="resnet18", device="cpu"
        )
        dt = time.perf_counter() - t0
        rows.append(
            (
                f"ERF map ResNet-18 224², 16 noise inputs, CPU {n_threads} thread(s)",
                f"{dt:.2f} s ({dt / 16 * 1000:.0f} ms per input)",
                "report",
            )
        )
    torch.set_num_threads(threads)
    if torch.cuda.is_available():
        compute_erf(
            stack, ErfConfig(n_inputs=4, batch_size=4), arch="resnet18", device="cuda"
        )
        t0 = time.perf_counter()
        compute_erf(
            stack, ErfConfig(n_inputs=16, batch_size=4), arch="resnet18", device="cuda"
        )
        dt = time.perf_counter() - t0
        rows.append(
            ("ERF map ResNet-18 224², 16 noise inputs, CUDA", f"{dt:.2f} s", "report")
        )
    return rows


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's heaviest generator (live CNN training) and its kwargs.

    The panel runs it with ``backend="process"``; measured here (2 busy cores) the
    GUI timer was late by p99 7.9 ms / max 34 ms that way, and by p99 16.5 ms /
    max 150 ms with the thread backend.
    """
    from explorer.core.rf.live import CnnConfig, train

    return train, {
        "cfg": CnnConfig(eval_every=20),
        "seed": 0,
        "device": "auto",
        "threads": 1,
    }


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:70s} {value:>28s}  (goal {goal})")
