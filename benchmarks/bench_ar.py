"""Autoregressive panel benchmark: blind-spot recomputation, training speed, GUI stall.

* blind spot: :func:`explorer.core.ar.masks.compare_stacks` for L = 8, k = 3 on
  28 × 28 — both stacks' input gradients, as a click on a new pixel asks for
  (stacks cached) and after a change of L (stacks built first);
* seconds per epoch of each model at the panel's defaults (1,000 digits, one
  torch thread, as the panel's worker process uses);
* the GUI stall while the panel trains the PixelCNN, measured with the shell
  benchmark's helper (a 10 ms timer's lateness; the app's runtime settings).

Run ``python -m benchmarks.run ar``.
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.bench_shell import GOAL, _lateness, _summary

Row = tuple[str, str, str]


def _blind_spot_ms(layers: int = 8, repeats: int = 30) -> tuple[float, float]:
    """Return (median ms with cached stacks, ms with the stacks built first)."""
    from explorer.core.ar import masks

    masks.build_stack.cache_clear()
    t0 = time.perf_counter()
    list(masks.compare_stacks(layers, 3, 14, 14))
    cold = (time.perf_counter() - t0) * 1000
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        list(masks.compare_stacks(layers, 3, 5 + i % 20, 3 + i % 22))
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), cold


def _epoch_seconds(model: str) -> float:
    from explorer.core.ar.config import TrainConfig
    from explorer.core.ar.jobs import train

    cfg = TrainConfig(model=model, epochs=1)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    for _ in train(cfg, seed=0, draw=False):
        pass
    return time.perf_counter() - t0


def _stall_row(run_s: float = 8.0) -> Row:
    from PySide6.QtWidgets import QApplication

    from explorer.app.launch import configure_runtime
    from explorer.panels.ar.panel import ArPanel
    from explorer.panels.base import AppContext

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    assert app is not None
    collector = configure_runtime(app)
    context = AppContext(device="cpu")  # the app's default: training in a process
    panel = ArPanel(context)
    panel.resize(1400, 900)
    panel.show()
    box = panel.train_box.model
    box.setCurrentIndex(box.findData("pixelcnn"))
    deadline = time.monotonic() + 60
    while not panel.snapshot_ready() and time.monotonic() < deadline:
        QApplication.processEvents()
    # 10 s of warm-up: on a busy 2-core machine the training child process needs
    # several seconds to import torch and load the digits before it trains
    late = _lateness(run_s, 10.0, panel.start_pause, panel.reset)
    backend = context.training_backend
    panel.shutdown()
    panel.close()
    collector.stop()
    return (f"GUI stall, ar panel training PixelCNN ({backend})", _summary(late), GOAL)


def run() -> list[Row]:
    """Return benchmark rows (name, measured value with unit, goal)."""
    import torch

    torch.set_num_threads(1)
    warm, cold = _blind_spot_ms()
    rows: list[Row] = [
        (
            "ar blind spot L = 8, k = 3, 28×28 (both stacks, new pixel)",
            f"{warm:.1f} ms (median of 30)",
            "≤ 16 ms",
        ),
        (
            "ar blind spot L = 8 after a change of L (stacks built)",
            f"{cold:.1f} ms",
            "≤ 16 ms",
        ),
    ]
    for model in ("fvsbn", "nade", "pixelcnn"):
        rows.append(
            (
                f"ar {model}: one epoch of 1,000 digits (1 thread)",
                f"{_epoch_seconds(model):.1f} s",
                "progress in tens of seconds",
            )
        )
    rows.append(_stall_row())
    return rows


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:58s} {value:36s} goal: {goal}")
