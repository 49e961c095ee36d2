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

import gc
import math
import multiprocessing as mp
import os
import pickle
import queue
import threading
import traceback
import weakref
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from PySide6.QtCore import QObject, Qt, QThreadPool, QTimer, Signal
from superqt.utils import GeneratorWorker, WorkerBase

from explorer.core.progress import Progress, check_finite

Backend = Literal["thread", "process"]
ErrorSink = Callable[[BaseException, str], None]
JobFn = Callable[..., Iterator[Any]]

_POLL_S = 0.05
_GATES: weakref.WeakSet[_Gate] = weakref.WeakSet()


class WorkerProcessError(RuntimeError):
    """An exception raised inside a worker process, with the child's traceback."""


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


class _Gate:
    """Pause / step / abort control shared by the GUI thread and the job."""

    def __init__(self) -> None:
        self.abort = threading.Event()
        self.run = threading.Event()
        self.run.set()
        self.steps_left = -1  # -1: unlimited
        self.done = threading.Event()  # set when the job's generator has ended
        _GATES.add(self)

    def after_yield(self) -> bool:
        """Block while paused; return False when the job must stop."""
        if self.steps_left > 0:
            self.steps_left -= 1
            if self.steps_left == 0:
                self.run.clear()
        while not self.run.wait(_POLL_S):
            if self.abort.is_set():
                return False
        return not self.abort.is_set()


def _guarded(
    fn: JobFn,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    gate: _Gate,
    backend: Backend,
) -> Generator[Any, None, None]:
    """Run the job, check each yield for divergence and honour the gate."""
    source: Iterator[Any] = (
        _process_items(fn, args, kwargs, gate)
        if backend == "process"
        else iter(fn(*args, **kwargs))
    )
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
            if gate.abort.is_set():
                return
            yield item
            if not gate.after_yield():
                return
    finally:
        close = getattr(source, "close", None)
        try:
            if close is not None:
                close()
        finally:
            gate.done.set()


def _child_main(
    fn: JobFn, args: tuple[Any, ...], kwargs: dict[str, Any], out: Any, stop: Any
) -> None:  # pragma: no cover - runs in the child
    # Training yields to the GUI process when both want the CPU (2 cores, several
    # trainers: without this the GUI's event loop was starved for 250 ms at a time).
    os.nice(10)
    try:
        for item in fn(*args, **kwargs):
            while True:
                if stop.is_set():
                    return
                try:
                    out.put(("item", item), timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
        out.put(("done", None))
    except BaseException as exc:
        out.put(("error", (type(exc).__name__, str(exc), traceback.format_exc())))


def _process_items(
    fn: JobFn, args: tuple[Any, ...], kwargs: dict[str, Any], gate: _Gate
) -> Generator[Any, None, None]:
    """Yield what ``fn`` yields in a spawned child process (``fn`` picklable)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=2)  # back-pressure: a paused parent stalls the child
    stop = ctx.Event()
    proc = ctx.Process(
        target=_child_main, args=(fn, args, kwargs, out, stop), daemon=True
    )
    proc.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=_POLL_S)
            except queue.Empty:
                if gate.abort.is_set():
                    return
                if not proc.is_alive() and out.empty():
                    raise WorkerProcessError(
                        f"the worker process died (exit code {proc.exitcode})"
                    ) from None
                continue
            if kind == "item":
                yield payload
            elif kind == "done":
                return
            else:
                name, message, tb = payload
                raise WorkerProcessError(
                    f"{name}: {message}\n\nIn the worker process:\n{tb}"
                )
    finally:
        stop.set()
        proc.join(timeout=2.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=2.0)
        out.close()
        out.join_thread()


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
        self._gate: _Gate | None = None
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
        """Whether the running job is paused (or stopped after a step)."""
        return self._gate is not None and not self._gate.run.is_set()

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
        **kwargs: Any,
    ) -> None:
        """Abort any running job and start ``fn(*args, **kwargs)``.

        ``on_progress`` gets the latest yield (or, with ``batched``, the list of
        yields since the last call) on the GUI thread.  ``on_error`` gets the
        exception of a failed job; ``on_finished`` runs when the generator ends
        normally.  With ``paused`` the job computes its first yield (the initial
        state), then waits for :meth:`step` or :meth:`resume`.
        """
        if backend is None:
            backend = self._backend() if callable(self._backend) else self._backend
        if backend == "process" and not _picklable(fn, args, kwargs):
            # A closure or lambda cannot cross to a child process; threads run anything.
            backend = "thread"
        self.abort()
        self._generation += 1
        generation = self._generation
        gate = _Gate()
        if paused:
            gate.run.clear()
        worker: GeneratorWorker[Any, None, None] = GeneratorWorker(
            _guarded, fn, args, kwargs, gate, backend
        )
        self._worker, self._gate = worker, gate
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
        worker, gate = self._worker, self._gate
        self._generation += 1  # disconnects every callback of the old job
        self._worker = self._gate = None
        self._pending = []
        self._timer.stop()
        self._set_info(None)
        if worker is None or gate is None:
            return
        gate.abort.set()
        gate.run.set()
        worker.quit()
        if wait:
            # The generator's end is what matters (its resources are released);
            # superqt forgets the worker only when the GUI thread next runs events.
            gate.done.wait(timeout_s)

    def pause(self) -> None:
        """Pause the running job after its current step."""
        if self._gate is not None and self._gate.run.is_set():
            self._gate.run.clear()
            self._refresh_pause()

    def resume(self) -> None:
        """Resume a paused job."""
        if self._gate is not None and not self._gate.run.is_set():
            self._gate.steps_left = -1
            self._gate.run.set()
            self._refresh_pause()

    def toggle_pause(self) -> None:
        """Pause a running job or resume a paused one."""
        if self.is_paused:
            self.resume()
        else:
            self.pause()

    def step(self, n: int = 1) -> None:
        """Let a paused job run ``n`` more yields, then pause again."""
        if self._gate is None:
            return
        self._gate.steps_left = n
        self._gate.run.set()
        self._refresh_pause()

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


def wait_for_all(timeout_s: float = 10.0) -> bool:
    """Abort every worker and wait for them (app quit); return True if all stopped."""
    for gate in list(_GATES):
        gate.abort.set()
        gate.run.set()
    for worker in list(WorkerBase._worker_set):
        worker.quit()
    return bool(QThreadPool.globalInstance().waitForDone(int(timeout_s * 1000)))


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only.

    With automatic collection on, a collection can start in whichever thread
    happens to allocate — a worker importing torch, say.  If the garbage holds a
    Qt object (a widget kept alive by a reference cycle), its C++ destructor then
    runs in that worker, takes a Qt lock and waits for the GIL while the GUI
    thread, holding the GIL, waits for the same lock: the app freezes (seen in
    this test suite).  So automatic collection is switched off and this timer
    collects on the GUI thread instead — young objects every tick, everything
    every ``full_every`` ticks.  Short, regular collections also avoid the long
    stalls of full collections during training (ENVIRONMENT.md).
    """

    def __init__(
        self,
        interval_ms: int = 1000,
        full_every: int = 30,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._full_every = full_every
        self._was_enabled = True
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        """Switch automatic collection off and start collecting on this thread."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Collect once more and restore automatic collection as it was."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect(self) -> None:
        """Collect the young generations (and, every ``full_every`` ticks, all)."""
        self._ticks += 1
        gc.collect(2 if self._ticks % self._full_every == 0 else 1)
