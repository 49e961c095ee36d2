"""Fault tests: every panel's main job fails three ways — the panel says so and goes on.

Raising and NaN run on the thread backend (the panel meets them through the same
error path as from a worker process, and CI does not spawn a worker per case);
killing a worker runs on the app's process backend for two panels (one with four
runs, one with one): each restart there costs a fresh child importing torch.
Faults reach the job itself: :func:`tests.app.jobs.faulty` wraps the job's generator (it
crosses to a worker process like the job does) and, when the test drops a flag
file, raises at the next yield or turns that yield's losses into NaN; for a job
in a worker process the test also kills the process with SIGKILL.  After each
fault the panel must show a one-line message in its banner (no traceback), put
its controls back to idle, report the error to the app, and — started again —
make progress.
"""

from __future__ import annotations

import functools
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from explorer.app import registry
from explorer.panels.base import AppContext, PanelBase
from explorer.widgets.run_bar import RESUME_TEXT, START_TEXT, RunBar
from explorer.workers import JobRunner
from tests.app import jobs

# The main job of each panel: the end of its runner's label.
MAIN_JOB = {
    "rf": "live CNN",
    "latent": "VAE",
    "gan": "non-saturating",
    "body": "posing",
    "rays": "training",
    "gridworld": "grid A",
    "conv": "FCN vs U-Net",
    "rnn": "lstm",
    "ar": "train",
    "flow": "train",
}
# The faults of each panel's main job, on the thread backend.
FAULTS: dict[str, tuple[str, ...]] = {
    "rf": ("raise", "nan"),
    "latent": ("raise", "nan"),
    "gan": ("raise", "nan"),
    "rays": ("raise", "nan"),
    "body": ("raise",),  # posing reports no losses: nothing to diverge
    "gridworld": ("raise", "nan"),
    "conv": ("raise", "nan"),
    "rnn": ("raise", "nan"),
    "ar": ("raise", "nan"),
    "flow": ("raise", "nan"),
}
# (panel, backend, faults): only a worker process can be killed
CASES = [(p, "thread", f) for p, f in FAULTS.items()] + [
    ("gan", "process", ("kill",)),
    ("rays", "process", ("kill",)),
]
WORDS = {"raise": jobs.INJECTED, "nan": "diverged", "kill": "worker process died"}
# The GAN and latent panels pause their other runs when one fails (they stay
# comparable): the Start button then offers Resume, and Reset starts every run
# afresh.
IDLE_TEXTS = (START_TEXT, RESUME_TEXT)


class Injector:
    """Wraps the panel's main job in :func:`faulty` and counts its deliveries."""

    def __init__(self, job: str, flag: Path) -> None:
        self.job = job
        self.flag = flag
        self.delivered = 0  # progress callbacks of the main job on the GUI thread

    def wrap(self, runner: JobRunner, fn: Any, kwargs: dict[str, Any]) -> Any:
        if not runner.label.endswith(": " + self.job):
            return fn
        self.flag.with_suffix(".pid").unlink(missing_ok=True)
        on_progress = kwargs["on_progress"]

        def counted(item: Any) -> None:
            self.delivered += 1
            on_progress(item)

        kwargs["on_progress"] = counted
        return functools.partial(jobs.faulty, fn, str(self.flag))

    def pid(self) -> int | None:
        path = self.flag.with_suffix(".pid")
        return int(path.read_text()) if path.exists() else None


@pytest.fixture
def injector(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Injector:
    plan = Injector("", tmp_path / "fault.flag")
    original = JobRunner.start

    def start(self: JobRunner, fn: Any, /, *args: Any, **kwargs: Any) -> None:
        original(self, plan.wrap(self, fn, kwargs), *args, **kwargs)

    monkeypatch.setattr(JobRunner, "start", start)
    return plan


def _open(
    panel_id: str, backend: str, qtbot: Any, tmp_path: Path, error_log: Any
) -> PanelBase:
    import importlib

    spec = registry.find(panel_id)
    module, name = spec.factory.split(":")
    context = AppContext(
        report_error=error_log,
        device="cpu",
        data_dir=tmp_path,
        training_backend="process" if backend == "process" else "thread",
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


def _start(panel: PanelBase, qtbot: Any, injector: Injector) -> None:
    """Start the main job (afresh) and wait until it delivered two results."""
    if panel.panel_id == "body":  # its posing job starts when a body is loaded
        panel.load_model("anny")  # type: ignore[attr-defined]
    else:
        if panel.panel_id in ("gan", "latent", "rnn"):  # a failed run: Reset restarts
            panel.reset()
        panel.start_pause()
    before = injector.delivered
    # (fresh worker processes import torch first: a minute on a loaded machine)
    qtbot.waitUntil(lambda: injector.delivered >= before + 2, timeout=240_000)
    if panel.panel_id == "body":
        return
    bars = panel.findChildren(RunBar)
    assert any(b.start.text() != START_TEXT for b in bars)  # it shows a run


def _fail(
    panel: PanelBase, fault: str, qtbot: Any, injector: Injector, error_log: Any
) -> None:
    """Cause ``fault`` in the running main job; check the panel failed cleanly."""
    runner = _main_runner(panel)
    reported = len(error_log.errors)
    if fault == "kill":
        qtbot.waitUntil(lambda: injector.pid() is not None, timeout=30_000)
        pid = injector.pid()
        assert pid is not None and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)
    else:
        injector.flag.write_text(fault)
    words = WORDS[fault]
    qtbot.waitUntil(lambda: panel.error_banner.isVisible(), timeout=120_000)
    text = panel.error_banner.text
    assert "\n" not in text.strip() and words in text, text
    assert "Traceback" not in text and 'File "' not in text, text
    qtbot.waitUntil(lambda: not runner.is_running, timeout=10_000)
    # idle again: nothing computes, and every Start button offers to start
    qtbot.waitUntil(panel.is_settled, timeout=30_000)
    bars = panel.findChildren(RunBar)
    qtbot.waitUntil(
        lambda: all(b.start.text() in IDLE_TEXTS for b in bars), timeout=10_000
    )
    assert all(b.start.isEnabled() for b in bars)
    new = error_log.errors[reported:]
    assert [words in str(exc) for exc, _ in new] == [True], new
    assert not injector.flag.exists()  # the main job, not another, met the fault


@pytest.mark.parametrize(
    ("panel_id", "backend", "faults"), CASES, ids=[f"{p}-{b}" for p, b, _ in CASES]
)
def test_a_fault_in_the_main_job_shows_one_line_and_the_panel_goes_on(
    panel_id: str,
    backend: str,
    faults: tuple[str, ...],
    qtbot: Any,
    tmp_path: Path,
    error_log: Any,
    injector: Injector,
) -> None:
    injector.job = MAIN_JOB[panel_id]
    panel = _open(panel_id, backend, qtbot, tmp_path, error_log)
    try:
        _start(panel, qtbot, injector)
        for fault in faults:
            _fail(panel, fault, qtbot, injector, error_log)
            _start(panel, qtbot, injector)  # and it makes progress again
            assert not panel.error_banner.isVisible()
    finally:
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
