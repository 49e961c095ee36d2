"""Convolution panel benchmark: one full update after a kernel edit, GUI stall.

"Update" is the panel itself on the offscreen platform with a 64 × 64 input (the
largest it takes): a kernel cell is typed, the whole analysis is recomputed
(both modes, the window's products, the band matrix of the small input, the
backward pass three ways, the pool and four upsamplers) and the visible page is
redrawn and painted.  The core's ``analyse`` alone is timed too.  The stall row
is the shell's measurement (a 10 ms timer's lateness) while the FCN and U-Net
train where the app trains them (a worker process).

Run ``python -m benchmarks.run conv`` (about 30 s).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

EDITS = 60
GOAL_UPDATE = "≤ 16 ms"


def _quantiles(ms: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(ms, n=20)
    return statistics.median(ms), q[18]


def _analyse_ms() -> tuple[float, float]:
    import torch

    from explorer.core.conv import LayerConfig, kernel_preset, pattern
    from explorer.core.conv.analysis import analyse

    torch.set_num_threads(1)
    x = pattern("checker", 64)
    k = kernel_preset("sobel-x")
    analyse(x, k, LayerConfig())
    times = []
    for i in range(EDITS):
        k[1, 1] = i * 0.1
        t0 = time.perf_counter()
        analyse(x, k, LayerConfig(), filters=1)
        times.append((time.perf_counter() - t0) * 1000)
    return _quantiles(times)


def _panel_update_ms() -> tuple[float, float, float]:
    """Return wall-clock median, p95 and the median CPU time (ms) of an update."""
    from PIL import Image
    from PySide6.QtWidgets import QApplication

    from explorer.panels.base import AppContext
    from explorer.panels.conv.panel import ConvPanel

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    panel = ConvPanel(AppContext(device="cpu"))
    panel.resize(1400, 900)
    panel.show()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "checker.png"
        rng = np.random.default_rng(0)
        Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8)).save(path)
        panel.open_file(path)
    for _ in range(20):
        app.processEvents()
    item = panel.kernel_box.editor.item(1, 1)
    times, cpu = [], []
    for i in range(EDITS):
        t0, c0 = time.perf_counter(), time.process_time()
        item.setText(f"{0.1 * (i + 1):.1f}")  # what typing a value does
        panel.layer.repaint()  # paint the redrawn page now
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        # the other pages redraw on later frames: let them, outside the clock
        for _ in range(5):
            time.sleep(0.035)
            app.processEvents()
    assert panel._analysis is not None and panel._analysis.image.shape == (64, 64)
    panel.shutdown()
    panel.close()
    return (*_quantiles(times), statistics.median(cpu))


def _stall() -> str:
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_shell import _lateness, _summary
    from explorer.app.launch import configure_runtime
    from explorer.panels.base import AppContext
    from explorer.panels.conv.panel import ConvPanel

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    collector = configure_runtime(app)
    context = AppContext(device="cpu")  # the app's default: a worker process
    panel = ConvPanel(context)
    panel.resize(1400, 900)
    panel.show()
    steps = [0]

    def stop() -> None:
        steps[0] = panel.history[-1].step if panel.history else 0
        panel.reset()

    # the worker process imports torch and builds the nets first (tens of seconds
    # on a busy machine): the clock starts at the first report
    panel.start_pause()
    deadline = time.monotonic() + 120
    while not panel.history and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    late = _lateness(8.0, 0.5, lambda: None, stop)
    panel.shutdown()
    panel.close()
    collector.stop()
    return f"{_summary(late)} ({context.training_backend}, {steps[0]} steps)"


def run() -> list[tuple[str, str, str]]:
    """Return rows (name, measured value with unit, goal) of the conv benchmarks."""
    import torch

    torch.set_num_threads(1)
    a_med, a_p95 = _analyse_ms()
    p_med, p_p95, p_cpu = _panel_update_ms()
    load = f" (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)"
    return [
        (
            "conv: analyse() after a kernel edit, 64×64 (median / p95)",
            f"{a_med:.1f} / {a_p95:.1f} ms",
            "report",
        ),
        (
            "conv: full panel update after a kernel edit, 64×64 (median / p95)",
            f"{p_med:.1f} / {p_p95:.1f} ms; CPU {p_cpu:.1f} ms{load}",
            GOAL_UPDATE,
        ),
        (
            "GUI stall, conv panel training FCN + U-Net",
            _stall(),
            "p99 ≤ 16 ms, max ≤ 50 ms",
        ),
    ]


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's training job (FCN and U-Net side by side) and its kwargs."""
    from explorer.core.conv import SegmentConfig, train

    return train, {"cfg": SegmentConfig(), "seed": 0, "device": "cpu", "threads": 1}


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
