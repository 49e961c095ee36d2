"""The one place that runs core generators off the GUI thread.

A :class:`JobRunner` belongs to a panel and runs one job at a time: a core
generator ``fn(*args, **kwargs) -> Iterator[Progress]``.  It

* runs the generator on a thread (superqt ``GeneratorWorker``) or, with
  ``backend="process"``, in a spawned child process whose yields come back over a
  queue — the panel's callbacks are the same either way;
* delivers yields on the GUI thread, coalesced to at most ``max_rate_hz`` calls a
  second (the latest yield, or all pending ones with ``batched=True``);
* reports progress to the app's :class:`JobTracker` (status bar);
* pauses, steps one yield at a time and aborts cooperatively at yields: an abort
  disconnects the panel's callbacks first, so late results are dropped;
* turns an exception — or a non-finite value in ``Progress.losses`` — into one
  call of the panel's ``on_error`` and one report to the app's error sink.
"""

from __future__ import annotations

import contextlib
import math
import os
import pickle
import sys
import threading
import time
import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from superqt.utils import GeneratorWorker, WorkerBase

from explorer.core.progress import Progress, check_finite
from explorer.workers.child import JobFn, process_items
from explorer.workers.control import ControlBlock

Backend = Literal["thread", "process"]
ErrorSink = Callable[[BaseException, str], None]

# Every job's control until its generator ends (wait_for_all aborts them).
_LIVE: weakref.WeakSet[ControlBlock] = weakref.WeakSet()
# Set by begin_quit: the monotonic time by which quitting stops waiting for jobs.
_quit_deadline: float | None = None


class _JobFailed(Exception):
    """Carries a job's exception through superqt, which swallows RuntimeErrors.

    superqt's ``GeneratorWorker`` takes any ``RuntimeError`` from the generator for
    "the worker was deleted" and drops it with a warning — but torch reports most
    of its failures as ``RuntimeError``.  Wrapping keeps them.
    """

    def __init__(self, original: BaseException) -> None:
        super().__init__(str(original))
        self.original = original


@dataclass
class JobInfo:
    """What the status bar shows of one running job."""

    label: str
    fraction: float | None = None
    message: str = ""
    paused: bool = False


class JobTracker(QObject):
    """The app-wide list of running jobs; emits ``changed`` whenever it changes."""

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._jobs: dict[int, JobInfo] = {}

    def jobs(self) -> list[JobInfo]:
        """Return the running jobs, oldest first."""
        return list(self._jobs.values())

    def _update(self, key: int, info: JobInfo | None) -> None:
        if info is None:
            if self._jobs.pop(key, None) is None:
                return
        else:
            self._jobs[key] = info
        self.changed.emit()


def _guarded(
    fn: JobFn,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    control: ControlBlock,
    backend: Backend,
    controlled: bool,
) -> Generator[Any, None, None]:
    """Run the job, check each yield for divergence and honour the control.

    On a thread the control's gate is passed here, after each yield; in a worker
    process the child passes it itself (so stepping is exact there too).
    """
    if backend == "process":
        source: Iterator[Any] = process_items(fn, args, kwargs, control, controlled)
    else:
        _lower_this_thread()
        call_kwargs = {**kwargs, "control": control} if controlled else kwargs
        source = iter(fn(*args, **call_kwargs))
    _LIVE.add(control)
    try:
        while True:
            try:
                item = next(source)
                if isinstance(item, Progress):
                    check_finite(item.losses, where=f"step {item.step}")
            except StopIteration:
                return
            except Exception as exc:
                raise _JobFailed(exc) from exc
            if control.aborted:
                return
            yield item
            if backend == "thread" and not control.pass_yield():
                return
    finally:
        _LIVE.discard(control)
        close = getattr(source, "close", None)
        try:
            if close is not None:
                close()
        finally:
            control.ended.set()


def _lower_this_thread() -> None:
    """Run this pool thread at nice 10 (Linux sets it per thread).

    A job on a thread (the rays panel's renders of the NeRF view: ~850 ms of CPU
    a second while it trains) otherwise competed with the GUI thread as an
    equal.  It still outranks the training children (``SCHED_IDLE``).  Raising
    nice cannot be undone without privilege, so the pool thread keeps it; Qt's
    own helpers on that pool (image conversion) run only while the GUI thread
    waits for them.
    """
    if not sys.platform.startswith("linux"):
        return
    tid = threading.get_native_id()
    with contextlib.suppress(OSError):
        os.setpriority(
            os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), 10)
        )


def _picklable(fn: JobFn, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    try:
        pickle.dumps((fn, args, kwargs))
    except (pickle.PicklingError, TypeError, AttributeError):
        return False
    return True


class _Relay(QObject):
    """Receives one job's worker signals on the GUI thread (it lives there).

    Connecting a lambda to a worker signal would run it on the worker thread;
    methods of a QObject that lives on the GUI thread are called there (queued).
    """

    def __init__(self, runner: JobRunner, generation: int) -> None:
        super().__init__(runner)
        self._runner = runner
        self._generation = generation

    def on_yielded(self, item: Any) -> None:
        self._runner._on_worker_yielded(self._generation, item)

    def on_errored(self, exc: BaseException) -> None:
        self._runner._on_worker_errored(self._generation, exc)

    def on_finished(self) -> None:
        self._runner._on_worker_finished(self._generation)


class JobRunner(QObject):
    """Runs one job at a time for a panel; starting a job aborts the previous one.

    Parameters
    ----------
    label
        Shown in the status bar while a job runs ("GAN: non-saturating").
    tracker
        The app's job list (may be ``None`` in tests).
    report_error
        The app's error sink, called once per failed job with ``(exc, label)``.
    max_rate_hz
        Upper bound on GUI callbacks per second.

    The job control (:class:`explorer.core.progress.JobControl`): a job started
    with ``controlled=True`` receives ``control=`` and reads what the panel sets
    here with :meth:`set_speed`, :meth:`post` and :meth:`act`; :meth:`pause`,
    :meth:`resume` and :meth:`step` hold it at its yields, on both backends.
    """

    started = Signal()
    finished = Signal()
    errored = Signal(object)
    paused_changed = Signal(bool)

    def __init__(
        self,
        label: str,
        *,
        tracker: JobTracker | None = None,
        report_error: ErrorSink | None = None,
        max_rate_hz: float = 30.0,
        backend: Callable[[], Backend] | Backend = "thread",
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.label = label
        self._backend = backend
        self._tracker = tracker
        self._report = report_error
        self._worker: GeneratorWorker[Any, None, None] | None = None
        self._control: ControlBlock | None = None
        self._last: ControlBlock | None = None  # the latest job's, until it ends
        self._speed = 1
        self._pending: list[Any] = []
        self._on_progress: Callable[[Any], None] | None = None
        self._on_error: Callable[[BaseException], None] | None = None
        self._on_finished: Callable[[], None] | None = None
        self._batched = False
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, math.ceil(1000 / max_rate_hz)))
        self._timer.timeout.connect(self._flush)
        self._generation = 0
        self._relay: _Relay | None = None
        pool = QThreadPool.globalInstance()
        # Qt sizes the pool to the core count (2 here): a third job would queue.
        pool.setMaxThreadCount(max(pool.maxThreadCount(), 16))

    # -- state -----------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        """Whether a job is running (paused counts as running)."""
        return self._worker is not None

    @property
    def is_paused(self) -> bool:
        """Whether the running job is paused (or held after a step)."""
        return self._control is not None and self._control.paused

    @property
    def is_settled(self) -> bool:
        """Whether nothing is being computed: no job, or one held after its steps."""
        return self._control is None or (self._control.holding and not self._pending)

    @property
    def speed(self) -> int:
        """The speed knob given to the running job and to later ones."""
        return self._speed

    # -- control ---------------------------------------------------------------
    def start(
        self,
        fn: JobFn,
        /,
        *args: Any,
        on_progress: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        batched: bool = False,
        backend: Backend | None = None,
        paused: bool = False,
        controlled: bool = False,
        **kwargs: Any,
    ) -> None:
        """Abort any running job and start ``fn(*args, **kwargs)``.

        ``on_progress`` gets the latest yield (or, with ``batched``, the list of
        yields since the last call) on the GUI thread.  ``on_error`` gets the
        exception of a failed job; ``on_finished`` runs when the generator ends
        normally.  With ``paused`` the job computes its first yield (the initial
        state), then waits for :meth:`step` or :meth:`resume`.  With
        ``controlled`` the job is called with ``control=`` (its
        :class:`~explorer.core.progress.JobControl`).
        """
        if backend is None:
            backend = self._backend() if callable(self._backend) else self._backend
        if backend == "process" and not _picklable(fn, args, kwargs):
            # A closure or lambda cannot cross to a child process; threads run anything.
            backend = "thread"
        self.abort()
        self._generation += 1
        generation = self._generation
        control = ControlBlock(
            process=backend == "process", paused=paused, speed=self._speed
        )
        worker: GeneratorWorker[Any, None, None] = GeneratorWorker(
            _guarded, fn, args, kwargs, control, backend, controlled
        )
        self._worker, self._control = worker, control
        self._on_progress, self._on_error, self._on_finished = (
            on_progress,
            on_error,
            on_finished,
        )
        self._batched = batched
        self._pending = []
        relay = _Relay(self, generation)
        worker.yielded.connect(relay.on_yielded)
        worker.errored.connect(relay.on_errored)
        worker.finished.connect(relay.on_finished)  # type: ignore[arg-type]
        self._relay = relay
        self._set_info(JobInfo(self.label, paused=paused))
        self._timer.start()
        worker.start()
        self.started.emit()

    def abort(self, wait: bool = False, timeout_s: float = 5.0) -> None:
        """Stop the running job at its next yield; its late results are dropped."""
        worker, control = self._worker, self._control
        self._generation += 1  # disconnects every callback of the old job
        self._worker = self._control = None
        self._pending = []
        self._timer.stop()
        self._set_info(None)
        if worker is None or control is None:
            return
        control.abort()
        worker.quit()
        self._last = control
        if wait:
            self.wait_ended(timeout_s)

    def wait_ended(self, timeout_s: float) -> bool:
        """Wait ≤ ``timeout_s`` for the last aborted job's generator to end.

        The generator's end is what matters (its resources are released); superqt
        forgets the worker only when the GUI thread next runs events.
        """
        last = self._last
        if _quit_deadline is not None:  # quitting: one shared budget for every wait
            timeout_s = min(timeout_s, _quit_deadline - time.monotonic())
        return last is None or last.ended.wait(max(0.0, timeout_s))

    def pause(self) -> None:
        """Pause the running job after its current step."""
        if self._control is not None and not self._control.paused:
            self._control.pause()
            self._refresh_pause()

    def resume(self) -> None:
        """Resume a paused job."""
        if self._control is not None and self._control.paused:
            self._control.resume()
            self._refresh_pause()

    def toggle_pause(self) -> None:
        """Pause a running job or resume a paused one."""
        if self.is_paused:
            self.resume()
        else:
            self.pause()

    def step(self, n: int = 1) -> None:
        """Let the job compute exactly ``n`` more yields, then hold it (paused)."""
        if self._control is None:
            return
        was_paused = self._control.paused
        self._control.step(n)
        if not was_paused:
            self._refresh_pause()

    def set_speed(self, value: int) -> None:
        """Set the speed knob (≥ 1) of the running job and of later ones."""
        self._speed = max(1, int(value))
        if self._control is not None:
            self._control.set_speed(self._speed)

    def post(self, value: Any, key: str = "request") -> None:
        """Post ``value`` to the running job under ``key`` (the newest wins)."""
        if self._control is not None:
            self._control.post(value, key)

    def act(self, action: str) -> None:
        """Queue the one-shot ``action`` for the running job."""
        if self._control is not None:
            self._control.act(action)

    # -- internals (GUI thread) ------------------------------------------------
    def _refresh_pause(self) -> None:
        paused = self.is_paused
        if self._tracker is not None:
            info = self._tracker._jobs.get(id(self))
            if info is not None:
                info.paused = paused
                self._tracker.changed.emit()
        self.paused_changed.emit(paused)

    def _set_info(self, info: JobInfo | None) -> None:
        if self._tracker is not None:
            self._tracker._update(id(self), info)

    def _on_worker_yielded(self, generation: int, item: Any) -> None:
        if generation != self._generation:
            return
        self._pending.append(item)
        if self._batched and len(self._pending) > 10_000:
            del self._pending[:-10_000]
        elif not self._batched:
            del self._pending[:-1]

    def _flush(self) -> None:
        if not self._pending or self._on_progress is None:
            return
        items, self._pending = self._pending, []
        last = items[-1]
        if isinstance(last, Progress) and self._tracker is not None:
            self._set_info(
                JobInfo(self.label, last.fraction, last.message, paused=self.is_paused)
            )
        self._on_progress(items if self._batched else last)

    def _on_worker_errored(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, _JobFailed):
            exc = exc.original
        on_error = self._on_error
        self._flush()
        self.abort()
        if self._report is not None:
            self._report(exc, self.label)
        if on_error is not None:
            on_error(exc)
        self.errored.emit(exc)

    def _on_worker_finished(self, generation: int) -> None:
        if generation != self._generation:
            return
        on_finished = self._on_finished
        self._flush()
        self.abort()
        if on_finished is not None:
            on_finished()
        self.finished.emit()


def abort_all() -> None:
    """Ask every running job to stop at its next yield (without waiting)."""
    for control in list(_LIVE):
        control.abort()
    for worker in list(WorkerBase._worker_set):
        worker.quit()


def begin_quit(budget_s: float) -> None:
    """Abort every job; from now on all waits for jobs end ``budget_s`` from now.

    The app calls it when quitting starts (the window closes, SIGTERM), so that
    the panels' shutdowns, which wait for their own jobs one after the other,
    share one budget instead of adding up theirs.  Idempotent: the first call's
    deadline stays.
    """
    global _quit_deadline
    if _quit_deadline is None:
        _quit_deadline = time.monotonic() + max(0.0, budget_s)
    abort_all()


def quit_time_left() -> float | None:
    """Return the seconds left of the quit budget (``None`` when not quitting)."""
    if _quit_deadline is None:
        return None
    return max(0.0, _quit_deadline - time.monotonic())


def wait_for_all(timeout_s: float = 10.0) -> bool:
    """Abort every worker and wait for them (app quit); return True if all stopped."""
    abort_all()
    left = quit_time_left()
    if left is not None:
        timeout_s = min(timeout_s, left)
    return bool(QThreadPool.globalInstance().waitForDone(int(timeout_s * 1000)))
