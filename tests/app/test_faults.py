"""Fault tests: every panel's default job fails — the panel says so and stays usable.

Each panel's main job runs as the app runs it (training on the worker-process
backend where the panel trains, ``AppContext.training_backend = "process"``).
Faults are injected into the job itself: :func:`faulty` wraps the job's
generator (it crosses to a worker process like the job does) and raises, or
turns the losses of one yield into NaN.
Each time the panel must show a one-line message in its banner, put its
controls back to idle, report the error once, and start again when asked.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from explorer.app import registry
from explorer.core.progress import Progress
from explorer.panels.base import AppContext, PanelBase
from explorer.widgets.run_bar import START_TEXT, RunBar
from explorer.workers import JobRunner

# The main job of each panel: the end of its runner's label.
MAIN_JOB = {
    "rf": "live CNN",
    "latent": "VAE",
    "gan": "run A",
    "body": "posing",
    "rays": "training",
    "gridworld": "grid A",
}
# The panels checked so far (each run takes seconds to minutes on 2 busy cores);
# rf, latent, gan and rays are still to be made to pass (see the branch's note).
CHECKED_RAISE = ["body", "gridworld"]
CHECKED_NAN = ["gridworld"]
INJECTED = "injected failure for the test"


def faulty(
    fn: Callable[..., Iterator[Any]], mode: str, after: int, *args: Any, **kwargs: Any
) -> Iterator[Any]:
    """Yield what ``fn`` yields; at yield ``after`` raise (``"raise"``) or NaN it."""
    for i, item in enumerate(fn(*args, **kwargs)):
        if i == after:
            if mode == "raise":
                raise RuntimeError(INJECTED)
            assert isinstance(item, Progress) and item.losses, "no losses to spoil"
            item = dataclasses.replace(item, losses={k: math.nan for k in item.losses})
        yield item


@pytest.fixture
def inject(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Wrap the jobs whose runner label ends with ``plan["job"]`` in :func:`faulty`.

    ``"*"``: every job started from then on (all the models a panel trains).
    """
    plan: dict[str, Any] = {"job": None, "mode": "raise", "after": 1, "hits": 0}
    original = JobRunner.start

    def start(self: JobRunner, fn: Any, /, *args: Any, **kwargs: Any) -> None:
        job = plan["job"]
        if job == "*" or (job and self.label.endswith(": " + job)):
            plan["hits"] += 1
            fn = functools.partial(faulty, fn, plan["mode"], plan["after"])
        original(self, fn, *args, **kwargs)

    monkeypatch.setattr(JobRunner, "start", start)
    return plan


def _open(panel_id: str, qtbot: Any, tmp_path: Any, error_log: Any) -> PanelBase:
    import importlib

    spec = registry.find(panel_id)
    module, name = spec.factory.split(":")
    context = AppContext(
        report_error=error_log,
        device="cpu",
        data_dir=tmp_path,
        training_backend="process",
    )
    panel: PanelBase = getattr(importlib.import_module(module), name)(context)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.show()
    qtbot.waitUntil(panel.snapshot_ready, timeout=180_000)
    return panel


def _main_runner(panel: PanelBase) -> JobRunner:
    return next(
        r for r in panel._runners if r.label.endswith(": " + MAIN_JOB[panel.panel_id])
    )


def _start(panel: PanelBase, qtbot: Any) -> JobRunner:
    runner = _main_runner(panel)
    if panel.panel_id == "body":  # its posing job starts when a body is loaded
        panel.load_model("anny")
    else:
        panel.start_pause()
    qtbot.waitUntil(lambda: runner.is_running, timeout=10_000)
    return runner


def _assert_failed_cleanly(
    panel: PanelBase, runner: JobRunner, qtbot: Any, error_log: Any, words: str
) -> None:
    qtbot.waitUntil(lambda: panel.error_banner.isVisible(), timeout=120_000)
    text = panel.error_banner.text
    assert "\n" not in text.strip() and words in text, text
    assert "Traceback" not in text
    qtbot.waitUntil(lambda: not runner.is_running, timeout=10_000)
    # idle again: once no job of the panel runs, every Start button says Start
    qtbot.waitUntil(
        lambda: not any(r.is_running for r in panel._runners), timeout=30_000
    )
    bars = panel.findChildren(RunBar)
    qtbot.waitUntil(
        lambda: all(b.start.text() == START_TEXT for b in bars), timeout=10_000
    )
    assert any(words in str(exc) for exc, _ in error_log.errors), error_log.errors


def _restarts(panel: PanelBase, runner: JobRunner, qtbot: Any) -> None:
    """The panel starts its job again and it runs (the fault is gone now)."""
    if panel.panel_id == "body":
        panel.load_model("anny")
    else:
        panel.start_pause()
    qtbot.waitUntil(lambda: runner.is_running, timeout=10_000)
    qtbot.wait(1500)
    assert runner.is_running or not panel.error_banner.isVisible()


@pytest.mark.parametrize("panel_id", CHECKED_RAISE)
def test_an_exception_inside_the_job_shows_one_line_and_the_panel_goes_on(
    panel_id: str, qtbot: Any, tmp_path: Any, error_log: Any, inject: dict[str, Any]
) -> None:
    panel = _open(panel_id, qtbot, tmp_path, error_log)
    inject.update(job="*", mode="raise")
    runner = _start(panel, qtbot)
    _assert_failed_cleanly(panel, runner, qtbot, error_log, INJECTED)
    assert inject["hits"] >= 1
    inject["job"] = None
    _restarts(panel, runner, qtbot)
    panel.shutdown()


@pytest.mark.parametrize("panel_id", CHECKED_NAN)
def test_nan_mid_training_says_diverged_and_the_panel_stays_usable(
    panel_id: str, qtbot: Any, tmp_path: Any, error_log: Any, inject: dict[str, Any]
) -> None:
    panel = _open(panel_id, qtbot, tmp_path, error_log)
    inject.update(job="*", mode="nan")
    runner = _start(panel, qtbot)
    _assert_failed_cleanly(panel, runner, qtbot, error_log, "diverged")
    inject["job"] = None
    _restarts(panel, runner, qtbot)
    panel.shutdown()


def test_posting_to_a_job_whose_process_ended_is_harmless() -> None:
    # the worker thread closes the queue when the child ends; the GUI may post
    # before it hears of the end (the GAN's lockstep did: "Queue is closed")
    from explorer.workers import ControlBlock

    block = ControlBlock(process=True)
    block.abort()
    block.close()
    block.post(3, "run_until")
    block.act("d")
    live = ControlBlock(process=True)
    live.close()
    with pytest.raises(ValueError):  # a closed queue of a live job is a bug
        live.post(3, "run_until")
