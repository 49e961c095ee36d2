"""RNN panel benchmark: the Jacobian-norm update, the GUI stall, app ÷ bare steps/s.

* Jacobian update: :func:`explorer.core.rnn.jacobian_norms` for T = 200, hidden
  64 (the work behind one move of the λ slider; it runs in a thread job, so
  the GUI never waits for it, but the plot follows the slider only this fast).
* GUI stall: the lateness of a 10 ms timer while the panel trains both cells
  (the helper of ``bench_shell``), with the app's runtime settings.
* Steps/s: the LSTM in the panel (worker process, its neighbour training too)
  against the same job consumed by a plain for-loop on one torch thread.

Run ``python -m benchmarks.run rnn`` (about a minute on a 2-core CPU).
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.bench_shell import GOAL, _lateness, _summary
from explorer.core.progress import LocalControl
from explorer.core.rnn import JacobianConfig, TrainConfig, jacobian_norms, train
from explorer.core.rnn.jacobian import jacobian_levels

APP_STEPS = 150  # training steps timed in the app and bare
REPEATS = 7


def jacobian_ms() -> tuple[float, float, float]:
    """Return (median, best, median preview) ms of a Jacobian update, T = 200, n = 64.

    The preview is the first result of :func:`jacobian_levels` (the norms at
    every 8th k, what the plot shows while the slider is dragged); the full
    result follows it (its time is the whole update).
    """
    cfg = JacobianConfig(hidden=64, steps=200)
    jacobian_norms(cfg)  # warm the LAPACK paths
    times, previews = [], []
    for seed in range(REPEATS):
        t0 = time.perf_counter()
        levels = jacobian_levels(cfg, seed=seed)
        next(levels)
        previews.append((time.perf_counter() - t0) * 1000)
        for _ in levels:
            pass
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), statistics.median(previews)


def _bare_steps_per_s(speed: int) -> float:
    control = LocalControl(speed=speed)
    job = train(TrainConfig(cell="lstm", steps=APP_STEPS), seed=0, control=control)
    next(job)
    t0 = time.perf_counter()
    last = 0
    for p in job:
        last = p.step
    return last / (time.perf_counter() - t0)


def _panel() -> object:
    from PySide6.QtWidgets import QApplication

    from explorer.panels.base import AppContext
    from explorer.panels.rnn.panel import RnnPanel

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    panel = RnnPanel(AppContext(device="cpu"))  # the app's default backend
    panel.resize(1400, 900)
    panel.show()
    return panel


def _app_steps_per_s(panel: object) -> float:
    from PySide6.QtWidgets import QApplication

    from explorer.panels.rnn.panel import RnnPanel

    assert isinstance(panel, RnnPanel)
    panel.train_box.budget.setValue(APP_STEPS + 5 * panel.run_bar.speed_value)
    panel.step()  # both jobs start and report step 0
    lstm = panel._runs[1]
    while lstm.last is None:
        QApplication.processEvents()
        time.sleep(0.002)
    first = lstm.last.step
    t0 = time.perf_counter()
    panel.start_pause()
    while lstm.last.step < first + APP_STEPS:
        QApplication.processEvents()
        time.sleep(0.002)
    rate = (lstm.last.step - first) / (time.perf_counter() - t0)
    panel.reset()
    return rate


def run() -> list[tuple[str, str, str]]:
    """Return benchmark rows (name, measured value with unit, goal)."""
    import torch
    from PySide6.QtWidgets import QApplication

    from explorer.app.launch import configure_runtime
    from explorer.panels.rnn.panel import RnnPanel
    from explorer.panels.rnn.state import DEFAULT_SPEED

    torch.set_num_threads(1)
    med, best, preview = jacobian_ms()
    rows = [
        (
            "rnn Jacobian-norm update, T = 200, hidden 64: first picture (every 8th k)",
            f"median {preview:.1f} ms",
            "≤ 16 ms",
        ),
        (
            "rnn Jacobian-norm update, T = 200, hidden 64: every k (follows it)",
            f"median {med:.1f} ms, best {best:.1f} ms",
            "reported",
        ),
    ]
    panel = _panel()
    assert isinstance(panel, RnnPanel)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    collector = configure_runtime(app)
    late = _lateness(5.0, 5.0, panel.start_pause, panel.reset)
    rows.append(("GUI stall, rnn panel training both cells", _summary(late), GOAL))
    bare = _bare_steps_per_s(DEFAULT_SPEED)
    in_app = _app_steps_per_s(panel)
    rows.append(
        (
            "rnn LSTM steps/s app (process, RNN beside it) vs bare",
            f"{in_app:.1f} / {bare:.1f} steps/s (ratio {in_app / bare:.2f})",
            "ratio ≥ 0.9",
        )
    )
    collector.stop()
    panel.shutdown()
    panel.close()
    return rows


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:55s} {value:38s} goal: {goal}")
