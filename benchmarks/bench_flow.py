"""Flow panel benchmark: heat-map update, GUI stall while training, app vs bare speed.

* **heat map** — one density update at 200 × 200 with 8 coupling layers: the
  log p(x) grid is computed in the worker (timed here as the worker does it),
  and the GUI thread only sets the image (timed on the panel's DensityView);
  the goal is ≤ 16 ms on the GUI thread.
* **GUI stall** — the lateness of a 10 ms timer while the panel trains (the
  helper of ``bench_shell``, same goal as every panel: p99 ≤ 16 ms, max ≤ 50 ms).
* **app ÷ bare** — training steps/s of the panel itself (Start clicked, the
  app's default backend, every snapshot drawn) over the panel's job consumed
  by a plain for-loop at the same speed setting.

Run ``python -m benchmarks.run flow`` (about a minute on a 2-core CPU).
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from explorer.core.flow.config import Architecture, FlowConfig
from explorer.core.flow.jobs import train_interactive
from explorer.core.progress import LocalControl

Row = tuple[str, str, str]
PANEL_SPEED = 25  # the panel's default steps per snapshot
STEPS = 500
REPEATS = 2


def _heat_rows() -> list[Row]:
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from explorer.core.flow.model import FlowModel, density_grid
    from explorer.panels.flow.views import DensityView
    from explorer.widgets.theme import ThemeManager

    model = FlowModel(Architecture(layers=8, hidden=64), seed=0)
    box = (-4.0, 4.0, -4.0, 4.0)
    density_grid(model, box, 200)  # warm-up
    worker = []
    for _ in range(5):
        t0 = time.perf_counter()
        logp = density_grid(model, box, 200)
        worker.append((time.perf_counter() - t0) * 1000)
    app = QApplication.instance() or QApplication([])
    view = DensityView(ThemeManager())
    view.resize(600, 600)
    view.show()
    gui = []
    for i in range(10):
        t0 = time.perf_counter()
        view.show_density(logp + 0.01 * i, box)
        view.repaint()
        app.processEvents()
        gui.append((time.perf_counter() - t0) * 1000)
    view.close()
    assert np.isfinite(logp).all()
    return [
        (
            "flow heat map 200×200, 8 layers: log p grid (worker)",
            f"median {statistics.median(worker):.0f} ms",
            "in the worker",
        ),
        (
            "flow heat map 200×200: set + paint (GUI thread)",
            f"median {statistics.median(gui):.1f} ms",
            "≤ 16 ms",
        ),
    ]


def _bare_steps_per_s(cfg: FlowConfig) -> float:
    control = LocalControl(speed=PANEL_SPEED)
    job = train_interactive(replace(cfg, steps=STEPS), seed=0, control=control)
    next(job)  # model built, first snapshot taken: the clock starts here
    t0 = time.perf_counter()
    last = 0
    for snap in job:
        last = snap.step
    return last / (time.perf_counter() - t0)


def _app_steps_per_s() -> tuple[float, str]:
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_shell import wait_until
    from explorer.panels.base import AppContext
    from explorer.panels.flow.panel import FlowPanel

    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    context = AppContext(device="cpu")  # the app's default training backend
    panel = FlowPanel(context)
    panel.resize(1400, 900)
    panel.show()
    while not panel.snapshot_ready():
        app.processEvents()
        time.sleep(0.005)
    t0 = time.perf_counter()
    panel.start_pause()
    wait_until(lambda: panel._latest is not None and panel._latest.step >= STEPS)
    elapsed = time.perf_counter() - t0
    done = panel._latest.step
    panel.shutdown()
    panel.close()
    for _ in range(50):  # let the worker's last signals arrive before the panel goes
        app.processEvents()
        time.sleep(0.01)
    return done / elapsed, context.training_backend


def _stall_row(run_s: float = 5.0) -> Row:
    from PySide6.QtWidgets import QApplication

    from benchmarks.bench_shell import GOAL, _lateness, _summary
    from explorer.panels.base import AppContext
    from explorer.panels.flow.panel import FlowPanel

    app = QApplication.instance() or QApplication([])
    panel = FlowPanel(AppContext(device="cpu"))
    panel.resize(1400, 900)
    panel.show()
    deadline = time.monotonic() + 120
    while not panel.snapshot_ready() and time.monotonic() < deadline:
        app.processEvents()
    late = _lateness(run_s, 5.0, panel.start_pause, panel.reset)
    panel.shutdown()
    panel.close()
    return ("GUI stall, flow panel training", _summary(late), GOAL)


def run() -> list[Row]:
    """Return benchmark rows (name, measured value with unit, goal)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch
    from PySide6.QtWidgets import QApplication

    from explorer.app.launch import configure_runtime

    torch.set_num_threads(1)
    app = QApplication.instance() or QApplication([])
    assert app is not None
    collector = configure_runtime(app)
    rows = _heat_rows()
    rows.append(_stall_row())
    cfg = FlowConfig()
    bare = rate = 0.0
    backend = ""
    for _ in range(REPEATS):  # interleaved, best of each: a busy machine only slows
        bare = max(bare, _bare_steps_per_s(cfg))
        got, backend = _app_steps_per_s()
        rate = max(rate, got)
    rows.append(
        (
            f"flow: steps/s app ({backend}) vs bare",
            f"{rate:.0f} / {bare:.0f} steps/s (ratio {rate / bare:.2f})",
            "ratio ≥ 0.9",
        )
    )
    collector.stop()
    return rows


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's default job, open-ended."""
    return train_interactive, {
        "cfg": FlowConfig(steps=None),
        "seed": 0,
        "control": LocalControl(speed=PANEL_SPEED),
    }


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:55s} {value:38s} goal: {goal}")
