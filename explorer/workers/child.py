"""Running a job in a spawned worker process, and making sure it dies with the app.

The child runs the job's generator, holds it at each yield through the job's
:class:`~explorer.workers.control.ControlBlock` (pause and step are exact there)
and sends the items back on a small queue — in batches when they come fast
(:class:`_Batcher`: one pipe write per ~40 ms instead of one per item).  A
watchdog thread ends the child as soon as its parent is gone — whether the app
quit, crashed or was killed with SIGKILL — so no training child outlives the
app.  (``PR_SET_PDEATHSIG`` would fire when the *thread* that spawned the child
ends, which for a worker-pool thread is any idle moment; polling the parent's
pid does not have that flaw.)
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import queue
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from typing import Any

from explorer.workers.control import ControlBlock

JobFn = Callable[..., Iterator[Any]]

_POLL_S = 0.05
WATCHDOG_S = 0.25
BATCH_S = 0.04  # items yielded sooner than this after the last send wait for the next
MAX_BATCH = 32  # the job waits while this many items are unsent (memory stays bounded)


class WorkerProcessError(RuntimeError):
    """An exception raised inside a worker process (the message is its one line)."""

    def __init__(self, message: str, child_traceback: str = "") -> None:
        super().__init__(message)
        self.child_traceback = child_traceback


def _watch_parent(parent_pid: int) -> None:  # pragma: no cover - runs in the child
    while True:
        if os.getppid() != parent_pid:
            os._exit(0)
        time.sleep(WATCHDOG_S)


def start_watchdog(parent_pid: int) -> None:
    """End this process when the process ``parent_pid`` is no longer its parent."""
    threading.Thread(
        target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True
    ).start()


class _Batcher:  # pragma: no cover - runs in the child
    """Send a job's items to the GUI's process, batched when they come fast.

    Each ``Queue.put`` wakes the queue's feeder thread, and its fight with the
    job for the GIL cost a fast job (an MLP reporting 400 times a second) 18 %
    of its steps.  An item yielded ``BATCH_S`` or more after the last send goes
    at once (a slow job or a reply to a request sees no delay); sooner ones go
    with the next item that is due, or when the job waits (``flush`` is the
    control's ``on_wait``: before it holds at a pause or waits for a request,
    everything it yielded has been sent), or — if the job goes quiet without
    waiting — from a flusher thread ``2 × BATCH_S`` after the last send.
    """

    def __init__(self, out: Any, control: ControlBlock) -> None:
        self._out = out
        self._control = control
        self._pending: list[Any] = []
        self._last = 0.0
        self._cond = threading.Condition()
        self._send_lock = threading.Lock()  # batches leave in order
        threading.Thread(target=self._flusher, name="item-batcher", daemon=True).start()

    def send(self, item: Any) -> bool:
        """Queue ``item``; return False when the job must stop."""
        with self._cond:
            while len(self._pending) >= MAX_BATCH and not self._control.stopping:
                self._cond.wait(_POLL_S)  # the GUI falls behind: hold the job
            self._pending.append(item)
            due = time.monotonic() - self._last >= BATCH_S
            if not due:
                self._cond.notify_all()
        return self.flush() if due else not self._control.stopping

    def flush(self) -> bool:
        """Send every queued item now; return False when the job must stop."""
        with self._send_lock:
            with self._cond:
                batch, self._pending = self._pending, []
                if batch:  # (an empty flush while waiting must not delay the reply)
                    self._last = time.monotonic()
                    self._cond.notify_all()
            while batch:
                if self._control.stopping:
                    return False
                try:
                    self._out.put(("items", batch), timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
        return not self._control.stopping

    def _flusher(self) -> None:
        while not self._control.stopping:
            with self._cond:
                if not self._pending:
                    self._cond.wait(_POLL_S)
                    continue
                # Later than the job's own next send would be: the flusher only
                # sends what a job that went quiet left behind.
                wait = self._last + 2 * BATCH_S - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self.flush()


def yield_to_the_gui() -> None:
    """Let this (training) process run only on CPU time the app does not want.

    ``nice 10`` everywhere (without it the GUI's event loop was starved for
    250 ms at a time: 2 cores, several trainers); on Linux also the
    ``SCHED_IDLE`` class, which any normal thread preempts at once — with nice
    alone the GUI thread still waited for a CPU 21 ms of every second while the
    rnn panel trained its two cells, 47 ms with gan's (``stall --trace``); with
    it 11 and 25-29.  Threads the job starts later (torch's) inherit both.
    """
    os.nice(10)
    policy = getattr(os, "SCHED_IDLE", None)
    if policy is not None and hasattr(os, "sched_setscheduler"):
        # a kernel or sandbox without it: nice is enough
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, policy, os.sched_param(0))


def _child_main(
    job: bytes,
    out: Any,
    control: ControlBlock,
    controlled: bool,
    parent_pid: int,
) -> None:  # pragma: no cover - runs in the child
    # The watchdog starts before the job is unpickled: that imports the job's
    # module (torch: seconds on a busy machine), and a child still importing
    # when the app was killed outlived it.
    start_watchdog(parent_pid)
    yield_to_the_gui()
    batcher = _Batcher(out, control)
    control.on_wait = batcher.flush
    try:
        fn, args, kwargs = pickle.loads(job)
        if controlled:
            kwargs = {**kwargs, "control": control}
        for item in fn(*args, **kwargs):
            if not batcher.send(item) or not control.pass_yield():
                return
        if batcher.flush():
            out.put(("done", None))
    except BaseException as exc:
        batcher.flush()  # what the job yielded before it failed (a blow-up's last rows)
        out.put(("error", (error_line(exc), traceback.format_exc())))


def error_line(exc: BaseException) -> str:
    """Return the one line a banner shows for ``exc`` (raised in a job or a child).

    The project's own errors and ValueErrors are written for the user ("training
    diverged at step 34: …"): their message alone — and a WorkerProcessError is
    that line already.  Anything else keeps its type ("KeyError: 'x'" says more
    than "'x'").
    """
    name = type(exc).__name__
    text = str(exc).strip()
    first = text.splitlines()[0] if text else ""
    ours = type(exc).__module__.startswith("explorer.") or isinstance(exc, ValueError)
    if ours and first:
        return first
    return f"{name}: {first}" if first else name


def kill_worker_processes() -> None:
    """Kill every worker process still running (the app ends now, without waiting).

    Their jobs were aborted already; the watchdog would end them too, but only
    within its polling period, and later still on a busy machine.
    """
    for proc in mp.active_children():
        proc.kill()


def process_items(
    fn: JobFn,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    control: ControlBlock,
    controlled: bool,
) -> Generator[Any, None, None]:
    """Yield what ``fn`` yields in a spawned child process (``fn`` picklable)."""
    ctx = mp.get_context("spawn")
    out = ctx.Queue(maxsize=4)
    proc = ctx.Process(
        target=_child_main,
        args=(pickle.dumps((fn, args, kwargs)), out, control, controlled, os.getpid()),
        daemon=True,
    )
    proc.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=_POLL_S)
            except queue.Empty:
                if control.aborted:
                    return
                if not proc.is_alive() and out.empty():
                    raise WorkerProcessError(
                        f"the worker process died (exit code {proc.exitcode})"
                    ) from None
                continue
            if kind == "items":
                yield from payload
            elif kind == "done":
                return
            else:
                line, tb = payload
                raise WorkerProcessError(line, tb)
    finally:
        control.abort()
        proc.join(timeout=1.0)
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=1.0)
        if proc.is_alive():
            proc.kill()
            proc.join(timeout=1.0)
        out.close()
        out.cancel_join_thread()
        control.close()
