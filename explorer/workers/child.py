"""Running a job in a spawned worker process, and making sure it dies with the app.

The child runs the job's generator, holds it at each yield through the job's
:class:`~explorer.workers.control.ControlBlock` (pause and step are exact there)
and sends each item back on a small queue.  A watchdog thread ends the child as
soon as its parent is gone — whether the app quit, crashed or was killed with
SIGKILL — so no training child outlives the app.  (``PR_SET_PDEATHSIG`` would
fire when the *thread* that spawned the child ends, which for a worker-pool
thread is any idle moment; polling the parent's pid does not have that flaw.)
"""

from __future__ import annotations

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
    # Training yields to the GUI process when both want the CPU (2 cores, several
    # trainers: without this the GUI's event loop was starved for 250 ms at a time).
    os.nice(10)
    try:
        fn, args, kwargs = pickle.loads(job)
        if controlled:
            kwargs = {**kwargs, "control": control}
        for item in fn(*args, **kwargs):
            while True:
                if control.stopping:
                    return
                try:
                    out.put(("item", item), timeout=_POLL_S)
                    break
                except queue.Full:
                    continue
            if not control.pass_yield():
                return
        out.put(("done", None))
    except BaseException as exc:
        out.put(("error", (type(exc).__name__, str(exc), traceback.format_exc())))


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
            if kind == "item":
                yield payload
            elif kind == "done":
                return
            else:
                name, message, tb = payload
                first = message.strip().splitlines()[0] if message.strip() else ""
                raise WorkerProcessError(f"{name}: {first}" if first else name, tb)
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
