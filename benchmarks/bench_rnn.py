"""RNN panel benchmark: the Jacobian-norm update, the GUI stall, app ÷ bare steps/s.

* Jacobian update: :func:`explorer.core.rnn.jacobian_norms` for T = 200, hidden
  64 (the work behind one move of the λ slider; it runs in a thread job, so
  the GUI never waits for it, but the plot follows the slider only this fast).
* GUI stall: the lateness of a 10 ms timer while the panel trains both cells
  (the helper of ``bench_shell``), with the app's runtime settings.
* Steps/s: the LSTM in the panel (worker process, its neighbour training too)
  against the same job consumed by a plain for-loop on one torch thread.

Run ``python -m benchmarks.run rnn`` (about a minute and a half on a 2-core CPU).
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks.bench_shell import GOAL, _lateness, _summary, wait_until
from explorer.core.progress import LocalControl
from explorer.core.rnn import JacobianConfig, TrainConfig, jacobian_norms, train
from explorer.core.rnn.jacobian import jacobian_levels

# training steps timed in the app and bare (~4 s: items reach the GUI up to
# 40 ms late in batches, 4 % of a 1 s window)
APP_STEPS = 600
REPEATS = 7
RATE_ROUNDS = 3


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


def _bare_steps_per_s(cell: str, speed: int) -> float:
    control = LocalControl(speed=speed)
    job = train(TrainConfig(cell=cell, steps=APP_STEPS), seed=0, control=control)
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


def _app_steps_per_s(panel: object) -> tuple[float, float]:
    """Return (vanilla RNN, LSTM) steps/s in the panel, both training at once,
    over the time the LSTM takes for ``APP_STEPS`` steps."""
    from explorer.panels.rnn.panel import RnnPanel

    assert isinstance(panel, RnnPanel)
    # a budget both cells outlast the window with: the RNN (faster a step) keeps
    # training beside the LSTM until the clock stops
    panel.train_box.budget.setValue(4 * APP_STEPS)
    panel.step()  # both jobs start and report step 0
    rnn, lstm = panel._runs
    wait_until(lambda: rnn.last is not None and lstm.last is not None)
    first_rnn, first_lstm = rnn.last.step, lstm.last.step
    t0 = time.perf_counter()
    panel.start_pause()
    wait_until(lambda: lstm.last.step >= first_lstm + APP_STEPS)
    elapsed = time.perf_counter() - t0
    rates = (
        (rnn.last.step - first_rnn) / elapsed,
        (lstm.last.step - first_lstm) / elapsed,
    )
    panel.reset()
    return rates


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
    # rounds of bare, bare, app: one round's ratio moved by ±10 % between runs
    # (bare RNN 256–325 steps/s alone on this machine); the rows give medians
    rounds = []
    for _ in range(RATE_ROUNDS):
        bare_rnn = _bare_steps_per_s("rnn", DEFAULT_SPEED)
        bare_lstm = _bare_steps_per_s("lstm", DEFAULT_SPEED)
        app_rnn, app_lstm = _app_steps_per_s(panel)
        rounds.append((app_rnn, bare_rnn, app_lstm, bare_lstm))
    for name, app_i, bare_i, beside in (
        ("LSTM", 2, 3, "RNN"),
        ("vanilla RNN", 0, 1, "LSTM"),
    ):
        app_rate = statistics.median(r[app_i] for r in rounds)
        bare_rate = statistics.median(r[bare_i] for r in rounds)
        ratios = sorted(r[app_i] / r[bare_i] for r in rounds)
        rows.append(
            (
                f"rnn {name} steps/s app (process, {beside} training beside it)"
                " vs bare",
                f"{app_rate:.1f} / {bare_rate:.1f} steps/s (ratio, median of "
                f"{RATE_ROUNDS}: {statistics.median(ratios):.2f}; "
                f"{ratios[0]:.2f}–{ratios[-1]:.2f})",
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
