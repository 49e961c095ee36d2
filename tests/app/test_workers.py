"""Worker layer: GUI-thread delivery, throttling, cancel, pause/step, errors."""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import Any

import pytest

from explorer.core.progress import DivergedError, Progress
from explorer.workers import JobRunner, JobTracker, WorkerProcessError, wait_for_all
from tests.app import jobs
from tests.conftest import ErrorLog


@pytest.fixture
def runner(qapp: Any, error_log: ErrorLog) -> Any:
    tracker = JobTracker()
    r = JobRunner("test job", tracker=tracker, report_error=error_log)
    yield r
    r.abort(wait=True)


def test_results_arrive_on_the_gui_thread_in_order(
    qtbot: Any, runner: JobRunner
) -> None:
    seen: list[tuple[int, bool]] = []
    main = threading.main_thread()

    def on_progress(items: list[Progress]) -> None:
        seen.extend((p.step, threading.current_thread() is main) for p in items)

    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(jobs.count, 300, on_progress=on_progress, batched=True)
    assert [s for s, _ in seen] == list(range(1, 301))
    assert all(on_main for _, on_main in seen)


def test_the_job_itself_runs_off_the_gui_thread(qtbot: Any, runner: JobRunner) -> None:
    names: list[str] = []
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(jobs.thread_name, 3, on_progress=names.extend, batched=True)
    assert names and threading.main_thread().name not in names


def test_gui_updates_are_throttled_to_30_hz(qtbot: Any, runner: JobRunner) -> None:
    calls: list[float] = []
    with qtbot.waitSignal(runner.finished, timeout=20_000):
        runner.start(
            jobs.count, 400, 0.002, on_progress=lambda p: calls.append(time.monotonic())
        )
    # 400 yields would be ~400 calls unthrottled; at ≤ 30 Hz (plus the final flush
    # when the job ends) there are at most duration × 30 + 2
    duration = calls[-1] - calls[0]
    assert len(calls) <= duration * 30 + 2
    assert len(calls) < 100


def test_latest_value_wins_when_not_batched(qtbot: Any, runner: JobRunner) -> None:
    last: list[Progress] = []
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(jobs.count, 500, on_progress=last.append)
    assert last[-1].step == 500
    assert len(last) < 500


def test_abort_stops_within_one_step_and_drops_late_results(
    qtbot: Any, runner: JobRunner
) -> None:
    produced: list[int] = []
    delivered: list[int] = []
    runner.start(
        jobs.count,
        10_000,
        0.01,
        produced,
        on_progress=lambda p: delivered.append(p.step),
    )
    qtbot.waitUntil(lambda: len(delivered) >= 3, timeout=10_000)
    runner.abort(wait=True)
    at_abort = len(produced)
    n_delivered = len(delivered)
    qtbot.wait(200)
    assert len(produced) <= at_abort + 1
    assert len(delivered) == n_delivered
    assert not runner.is_running


def test_starting_a_job_aborts_the_previous_one(qtbot: Any, runner: JobRunner) -> None:
    first: list[int] = []
    produced_first: list[int] = []
    runner.start(
        jobs.count,
        10_000,
        0.01,
        produced_first,
        on_progress=lambda p: first.append(p.step),
    )
    qtbot.waitUntil(lambda: len(first) >= 2, timeout=10_000)
    second: list[int] = []
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(jobs.count, 5, on_progress=lambda p: second.append(p.step))
    n = len(produced_first)
    qtbot.wait(100)
    assert len(produced_first) <= n + 1
    assert second[-1] == 5


def test_an_exception_becomes_one_reported_error(
    qtbot: Any, runner: JobRunner, error_log: ErrorLog
) -> None:
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.errored, timeout=10_000):
        runner.start(
            jobs.fail_after, 3, on_progress=lambda p: None, on_error=errors.append
        )
    assert len(errors) == 1 and "boom after 3 steps" in str(errors[0])
    assert [where for _, where in error_log.errors] == ["test job"]
    assert not runner.is_running


def test_nan_loss_is_reported_as_divergence(qtbot: Any, runner: JobRunner) -> None:
    errors: list[BaseException] = []
    steps: list[int] = []
    with qtbot.waitSignal(runner.errored, timeout=10_000):
        runner.start(
            jobs.diverge_at,
            4,
            on_progress=lambda items: steps.extend(p.step for p in items),
            on_error=errors.append,
            batched=True,
        )
    assert isinstance(errors[0], DivergedError)
    assert "loss = nan" in str(errors[0]) and "step 4" in str(errors[0])
    assert max(steps) == 3  # the diverged step is not delivered as a result


def test_pause_and_single_step(qtbot: Any, runner: JobRunner) -> None:
    produced: list[int] = []
    runner.start(
        jobs.count, 100, 0.0, produced, on_progress=lambda p: None, paused=True
    )
    qtbot.wait(150)
    # the first item is computed before the gate is checked; nothing more runs
    assert len(produced) <= 1 and runner.is_paused
    before = len(produced)
    runner.step()
    qtbot.waitUntil(lambda: len(produced) == before + 1, timeout=5000)
    qtbot.wait(150)
    assert len(produced) == before + 1 and runner.is_paused
    runner.resume()
    qtbot.waitUntil(lambda: len(produced) == 100, timeout=10_000)


def test_tracker_shows_progress_and_forgets_finished_jobs(qtbot: Any) -> None:
    tracker = JobTracker()
    runner = JobRunner("tracked", tracker=tracker)
    fractions: list[float | None] = []
    tracker.changed.connect(
        lambda: fractions.extend(j.fraction for j in tracker.jobs())
    )
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(jobs.count, 50, 0.01, on_progress=lambda p: None)
    assert any(f is not None and 0 < f <= 1 for f in fractions)
    assert tracker.jobs() == []


def test_process_backend_streams_results(qtbot: Any, runner: JobRunner) -> None:
    steps: list[int] = []
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        runner.start(
            jobs.count,
            20,
            on_progress=lambda items: steps.extend(p.step for p in items),
            batched=True,
            backend="process",
        )
    assert steps == list(range(1, 21))


def test_a_training_child_runs_only_on_cpu_time_the_gui_leaves(
    qtbot: Any, runner: JobRunner
) -> None:
    import os

    got: list[tuple[int, int | None]] = []
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        runner.start(jobs.scheduling, on_progress=got.append, backend="process")
    (niceness, policy), *_ = got
    assert niceness >= os.nice(0) + 10
    if sys.platform.startswith("linux"):
        assert policy == os.SCHED_IDLE  # preempted at once by any normal thread


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice")
def test_a_job_on_a_thread_yields_the_cpu_to_the_gui_thread(
    qtbot: Any, runner: JobRunner
) -> None:
    import os

    got: list[int] = []
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        runner.start(jobs.thread_niceness, on_progress=got.append, backend="thread")
    assert got and got[0] >= 10
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 10  # the GUI


def test_a_fast_process_job_arrives_whole_and_in_order(
    qtbot: Any, runner: JobRunner
) -> None:
    # 3,000 items in well under a second: the child sends them in batches.
    steps: list[int] = []
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        runner.start(
            jobs.count,
            3000,
            on_progress=lambda items: steps.extend(p.step for p in items),
            batched=True,
            backend="process",
        )
    assert steps == list(range(1, 3001))


def test_a_batched_item_is_not_held_while_the_job_computes(
    qtbot: Any, runner: JobRunner
) -> None:
    # Five yields at once, then 4 s of work: the child batches the last ones
    # (they came within BATCH_S), and its flusher must send them long before
    # the job yields again.
    steps: list[int] = []
    runner.start(
        jobs.burst_then_quiet,
        5,
        4.0,
        on_progress=lambda items: steps.extend(p.step for p in items),
        batched=True,
        backend="process",
    )
    qtbot.waitUntil(lambda: len(steps) >= 1, timeout=60_000)
    qtbot.waitUntil(lambda: len(steps) == 5, timeout=1_500)
    assert steps == [1, 2, 3, 4, 5]
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        pass
    assert steps == [1, 2, 3, 4, 5, 6]


def test_items_yielded_before_a_child_error_arrive_before_it(
    qtbot: Any, runner: JobRunner
) -> None:
    steps: list[int] = []
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.errored, timeout=60_000):
        runner.start(
            jobs.fail_after,
            40,
            on_progress=lambda items: steps.extend(p.step for p in items),
            on_error=errors.append,
            batched=True,
            backend="process",
        )
    assert steps == list(range(1, 41)) and "boom after 40" in str(errors[0])


def test_process_backend_reports_child_errors(qtbot: Any, runner: JobRunner) -> None:
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.errored, timeout=60_000):
        runner.start(
            jobs.fail_after,
            2,
            on_progress=lambda p: None,
            on_error=errors.append,
            backend="process",
        )
    assert isinstance(errors[0], WorkerProcessError)
    assert "boom after 2 steps" in str(errors[0])


@pytest.mark.parametrize(
    ("job", "arg", "line"),
    [
        ("refuse", "hidden size must be ≥ 1", "hidden size must be ≥ 1"),
        ("fail_after", 1, "RuntimeError: boom after 1 steps"),
    ],
)
def test_a_child_error_is_one_line_without_the_type_when_it_is_a_message(
    qtbot: Any, runner: JobRunner, job: str, arg: Any, line: str
) -> None:
    errors: list[BaseException] = []
    with qtbot.waitSignal(runner.errored, timeout=60_000):
        runner.start(
            getattr(jobs, job),
            arg,
            on_progress=lambda p: None,
            on_error=errors.append,
            backend="process",
        )
    assert str(errors[0]) == line
    assert "Traceback" in errors[0].child_traceback  # kept for the log


def test_process_backend_abort_ends_the_child(qtbot: Any, runner: JobRunner) -> None:
    import multiprocessing

    got: list[int] = []
    runner.start(
        jobs.forever, on_progress=lambda p: got.append(p.step), backend="process"
    )
    qtbot.waitUntil(lambda: len(got) > 0, timeout=60_000)
    runner.abort(wait=True)
    qtbot.waitUntil(lambda: not multiprocessing.active_children(), timeout=10_000)


def test_wait_for_all_stops_running_jobs(qtbot: Any, runner: JobRunner) -> None:
    runner.start(jobs.forever, on_progress=lambda p: None)
    qtbot.wait(50)
    assert wait_for_all(timeout_s=5.0)


def test_progress_fraction() -> None:
    assert Progress(step=5, total=10).fraction == 0.5
    assert Progress(step=5).fraction is None
    assert Progress(step=20, total=10).fraction == 1.0
    assert math.isclose(Progress(step=1, total=3).fraction or 0, 1 / 3)


def test_finish_and_error_callbacks_run_on_the_gui_thread(
    qtbot: Any, runner: JobRunner
) -> None:
    where: list[bool] = []
    main = threading.main_thread()
    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(
            jobs.count,
            3,
            on_progress=lambda p: None,
            on_finished=lambda: where.append(threading.current_thread() is main),
        )
    with qtbot.waitSignal(runner.errored, timeout=10_000):
        runner.start(
            jobs.fail_after,
            1,
            on_progress=lambda p: None,
            on_error=lambda e: where.append(threading.current_thread() is main),
        )
    assert where == [True, True]


def test_process_default_falls_back_to_a_thread_for_closures(qtbot: Any) -> None:
    runner = JobRunner("closure", backend="process")
    names: list[str] = []

    def local_job() -> Any:  # a closure cannot be pickled for a child process
        yield from jobs.thread_name(2)

    with qtbot.waitSignal(runner.finished, timeout=10_000):
        runner.start(local_job, on_progress=names.extend, batched=True)
    assert len(names) == 2 and "MainThread" not in names


def test_context_training_runner_follows_the_chosen_backend(qtbot: Any) -> None:
    from explorer.panels.base import AppContext

    context = AppContext(training_backend="process")
    runner = context.runner("train", training=True)
    steps: list[int] = []
    with qtbot.waitSignal(runner.finished, timeout=60_000):
        runner.start(jobs.thread_name, 2, on_progress=steps.extend, batched=True)
    # in a spawned child the job runs on that process's main thread
    assert steps == ["MainThread", "MainThread"]


def test_gui_thread_collector_collects_cycles_on_the_gui_thread(qtbot: Any) -> None:
    import gc

    from explorer.workers import GuiThreadCollector

    freed_on: list[str] = []

    class Node:
        def __init__(self) -> None:
            self.me = self  # a reference cycle: only the cyclic collector frees it

        def __del__(self) -> None:
            freed_on.append(threading.current_thread().name)

    was_enabled = gc.isenabled()
    collector = GuiThreadCollector(interval_ms=50)
    collector.start()
    try:
        assert not gc.isenabled()
        runner = JobRunner("allocates")
        with qtbot.waitSignal(runner.finished, timeout=10_000):
            runner.start(jobs.count, 2000, on_progress=lambda p: None)
        Node()
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
        assert freed_on == [threading.main_thread().name]
    finally:
        collector.stop()
    assert gc.isenabled() == was_enabled


ARENAS_SCRIPT = """
import sys, threading, ctypes, ctypes.util
from explorer.workers.collector import limit_heap_arenas
if sys.argv[1] == "limit":
    assert limit_heap_arenas(2)
barrier = threading.Barrier(8)
def work():
    held = [bytearray(100_000) for _ in range(20)]  # heap, not mmap or pymalloc
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
ctypes.CDLL(ctypes.util.find_library("c")).malloc_stats()  # "Arena N:" on stderr
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_the_gui_process_keeps_to_two_heap_arenas() -> None:
    import subprocess

    def arenas(mode: str) -> int:
        done = subprocess.run(
            [sys.executable, "-c", ARENAS_SCRIPT, mode],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return sum(line.startswith("Arena ") for line in done.stderr.splitlines())

    assert arenas("default") > 2  # the threads took arenas of their own
    assert 1 <= arenas("limit") <= 2
