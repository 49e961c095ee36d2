"""MLP panel benchmark: GUI stall while the playground trains; app vs bare steps/s.

"App" is the panel itself (offscreen, Playground tab, Start pressed, drawing
every report) with the app's default context, so training runs where the app
runs it: a worker process.  "Bare" is the same job, :func:`train` at the
panel's default speed (10 steps per report) on one torch thread, consumed by a
plain loop.  Both time the same steps from the first report on, so the app's
number includes the reports crossing to the GUI and being drawn.  The stall
row uses the shell benchmark's 10 ms timer (:func:`benchmarks.bench_shell._lateness`)
while the playground trains on the two spirals.

Run ``python -m benchmarks.run mlp`` (about a minute on a 2-core CPU).
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks.bench_shell import GOAL, _lateness, _summary, wait_until
from explorer.core.mlp import make_points
from explorer.core.mlp.train import train
from explorer.core.progress import LocalControl

STEPS = 10_000  # per measurement: ~2 s (0.6 s was within the reports' jitter)
PANEL_SPEED = 10  # the panel's default: speed 1 × 10 steps per report
REPEATS = 2
START_TIMEOUT_S = 120  # a worker process imports torch before its first report


def _state() -> Any:
    from explorer.panels.mlp.state import MlpState

    return MlpState(tab=1, steps=100_000)


def _bare_steps_per_s(steps: int) -> float:
    """Return steps/s of the panel's job consumed by a plain for-loop."""
    state = _state()
    pts = make_points(state.data, 200, noise=state.noise, seed=state.seed)
    job = train(pts, state.mlp_config(), seed=0, control=LocalControl(PANEL_SPEED))
    next(job)  # the untrained report: start the clock here, as in the app
    t0 = time.perf_counter()
    for snap in job:
        if snap.step >= steps:
            break
    return steps / (time.perf_counter() - t0)


def _panel() -> tuple[Any, Any]:
    from PySide6.QtWidgets import QApplication

    from explorer.panels.base import AppContext
    from explorer.panels.mlp.panel import MlpPanel

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication([])
    panel = MlpPanel(AppContext(device="cpu"))  # the app's default backend
    panel.resize(1400, 900)
    panel.show()
    panel.restore(_state().to_dict())
    return app, panel


def _wait_first_report(app: Any, panel: Any) -> None:
    panel.start_pause()
    wait_until(lambda: bool(panel.playground.history), START_TIMEOUT_S)


def _app_steps_per_s(steps: int) -> float:
    """Return steps/s of the panel itself (Start pressed, until ``steps``)."""
    app, panel = _panel()
    _wait_first_report(app, panel)
    first = panel.playground.history[-1][0]
    t0 = time.perf_counter()
    wait_until(lambda: panel.playground.history[-1][0] >= first + steps)
    elapsed = time.perf_counter() - t0
    done = panel.playground.history[-1][0] - first
    panel.shutdown()
    panel.close()
    return done / elapsed


def _stall(run_s: float = 5.0) -> str:
    app, panel = _panel()
    _wait_first_report(app, panel)
    late = _lateness(run_s, 0.5, lambda: None, panel.reset)
    panel.shutdown()
    panel.close()
    return _summary(late)


def run() -> list[tuple[str, str, str]]:
    """Return benchmark rows (name, measured value with unit, goal)."""
    import torch

    torch.set_num_threads(1)
    bare = app = 0.0
    for _ in range(REPEATS):  # interleaved, best of each: a busy machine only slows
        bare = max(bare, _bare_steps_per_s(STEPS))
        app = max(app, _app_steps_per_s(STEPS))
    return [
        ("GUI stall, mlp playground training (process)", _stall(), GOAL),
        (
            "mlp playground: steps/s app (process) vs bare",
            f"{app:.0f} / {bare:.0f} steps/s (ratio {app / bare:.2f})",
            "ratio ≥ 0.9",
        ),
    ]


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:50s} {value:38s} goal: {goal}")
