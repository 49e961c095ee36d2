"""The one job control on both backends: exact steps, speed, requests, actions."""

from __future__ import annotations

import time
from typing import Any

import pytest

from explorer.core.progress import JobControl, Progress
from explorer.workers import ControlBlock, JobRunner
from tests.app import jobs

BACKENDS = ["thread", "process"]


@pytest.fixture
def runner(qapp: Any) -> Any:
    r = JobRunner("control test")
    yield r
    r.abort(wait=True)


def _settle(qtbot: Any, seconds: float) -> None:
    qtbot.wait(int(seconds * 1000))


@pytest.mark.parametrize("backend", BACKENDS)
def test_step_one_yields_exactly_one_item(
    qtbot: Any, runner: JobRunner, backend: str
) -> None:
    got: list[Progress] = []
    runner.start(
        jobs.count,
        1000,
        on_progress=got.extend,
        batched=True,
        paused=True,
        backend=backend,  # type: ignore[arg-type]
    )
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20_000)
    _settle(qtbot, 0.4)  # a job that ran on would have yielded many more by now
    assert [p.step for p in got] == [1]
    for expected in (2, 3, 4):
        runner.step(1)
        qtbot.waitUntil(lambda e=expected: len(got) == e, timeout=10_000)
        _settle(qtbot, 0.3)
        assert [p.step for p in got] == list(range(1, expected + 1))
    runner.step(3)
    qtbot.waitUntil(lambda: len(got) == 7, timeout=10_000)
    _settle(qtbot, 0.3)
    assert len(got) == 7 and runner.is_paused


@pytest.mark.parametrize("backend", BACKENDS)
def test_pause_holds_the_job_where_it_runs_and_resume_goes_on(
    qtbot: Any, runner: JobRunner, backend: str
) -> None:
    got: list[Progress] = []
    runner.start(
        jobs.count,
        100_000,
        0.002,
        on_progress=got.extend,
        batched=True,
        backend=backend,  # type: ignore[arg-type]
    )
    qtbot.waitUntil(lambda: len(got) > 5, timeout=20_000)
    runner.pause()
    _settle(qtbot, 0.3)
    held = len(got)
    _settle(qtbot, 0.4)
    assert len(got) == held, "a paused job went on yielding"
    runner.resume()
    qtbot.waitUntil(lambda: len(got) > held + 5, timeout=10_000)


@pytest.mark.parametrize("backend", BACKENDS)
def test_speed_requests_and_actions_reach_the_job(
    qtbot: Any, runner: JobRunner, backend: str
) -> None:
    got: list[Progress] = []
    runner.set_speed(3)
    runner.start(
        jobs.controlled_count,
        10_000,
        on_progress=got.extend,
        batched=True,
        paused=True,
        controlled=True,
        backend=backend,  # type: ignore[arg-type]
    )
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20_000)
    assert got[0].message == "3 - -" and got[0].step == 3
    runner.set_speed(5)
    runner.post("old")
    runner.post("new")  # the newest request wins
    runner.act("d")
    runner.act("g")  # actions are kept, in order
    runner.step(1)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10_000)
    assert got[1].message == "5 new d" and got[1].step == 8
    runner.step(1)
    qtbot.waitUntil(lambda: len(got) == 3, timeout=10_000)
    assert got[2].message == "5 - g"


def _start_waiting_job(runner: JobRunner) -> list[Progress]:
    """Start ``jobs.wait_for_request`` in a worker process; return its yields."""
    got: list[Progress] = []
    runner.start(
        jobs.wait_for_request,
        on_progress=got.extend,
        batched=True,
        controlled=True,
        backend="process",
    )
    return got


def test_a_waiting_job_gets_each_posted_request_in_a_process(
    qtbot: Any, runner: JobRunner
) -> None:
    got = _start_waiting_job(runner)
    qtbot.wait(300)
    runner.post("a", "pose")
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20_000)
    runner.post("b", "pose")
    qtbot.waitUntil(lambda: len(got) == 2, timeout=10_000)
    assert [p.message for p in got] == ["a", "b"]
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.post("stop", "pose")


def test_the_control_satisfies_the_core_protocol() -> None:
    block = ControlBlock(process=False)
    assert isinstance(block, JobControl)
    block.post(1, "x")
    block.post(2, "x")
    assert block.peek("x") == 2 and block.take("x") == 2 and block.take("x") is None
    assert block.peek("x") == 2  # a setting stays readable after it was taken


def test_posting_never_blocks_after_the_child_was_killed(
    qtbot: Any, runner: JobRunner
) -> None:
    import multiprocessing

    got = _start_waiting_job(runner)
    qtbot.waitUntil(lambda: bool(multiprocessing.active_children()), timeout=20_000)
    runner.post("a", "pose")
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20_000)
    for child in multiprocessing.active_children():
        child.kill()
    t0 = time.monotonic()
    for i in range(200):
        runner.post(i, "pose")
        runner.act("d")
        runner.set_speed(i + 1)
        runner.pause()
        runner.step(1)
    assert time.monotonic() - t0 < 1.0


def test_a_child_killed_holding_the_controls_locks_never_blocks_the_gui(
    qtbot: Any, runner: JobRunner
) -> None:
    import multiprocessing
    import os
    import signal
    import threading

    from explorer.workers import WorkerProcessError

    got: list[Progress] = []
    errors: list[BaseException] = []
    runner.start(
        jobs.hold_locks,
        on_progress=got.extend,
        on_error=errors.append,
        batched=True,
        controlled=True,
        backend="process",
    )
    control = runner._control
    assert control is not None
    qtbot.waitUntil(lambda: bool(got), timeout=30_000)
    # the child holds both locks of the queue the GUI writes to; it dies so
    messages = control._messages
    assert not messages._rlock.acquire(block=False)
    assert not messages._wlock.acquire(block=False)
    (child,) = multiprocessing.active_children()
    os.kill(child.pid, signal.SIGKILL)

    def gui_calls() -> None:  # what the GUI does to a job it has not heard died
        for i in range(200):
            control.post(i, "pose")
            control.act("d")
            control.set_speed(i + 1)
            control.pause()
            control.step(1)
            control.resume()

    caller = threading.Thread(target=gui_calls, daemon=True)
    caller.start()
    caller.join(timeout=10.0)  # a bound for a hang (it takes milliseconds)
    assert not caller.is_alive(), "a GUI call blocked on a lock the dead child held"
    # and the runner notices the death: one error, idle again, a new job runs
    qtbot.waitUntil(lambda: bool(errors), timeout=20_000)
    assert isinstance(errors[0], WorkerProcessError)
    assert "worker process died" in str(errors[0])
    assert not runner.is_running
    for i in range(50):  # the runner's own calls, after the end, are no-ops
        runner.post(i, "pose")
        runner.pause()
        runner.step(1)
    got = _start_waiting_job(runner)
    runner.post("again", "pose")
    qtbot.waitUntil(lambda: len(got) == 1, timeout=30_000)
    assert got[0].message == "again"
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.post("stop", "pose")
