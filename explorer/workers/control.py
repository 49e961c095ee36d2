"""The one job control: pause, step N, speed, requests and actions, on both backends.

A :class:`ControlBlock` is made by the :class:`~explorer.workers.JobRunner` for
each job.  Its small integer block lives in shared memory (``RawArray``) and its
messages travel on a queue — an in-process queue for a job on a thread, a
``multiprocessing`` queue for a job in a worker process — so the same object
works in both places.  The job sees it only through
:class:`explorer.core.progress.JobControl`.

No lock is ever held across processes: the GUI writes whole integers, the job
polls them (every few ms while it waits), and the only cross-process queue is
written by the GUI and read by the job, so a child killed at any instant can
never block the GUI.

Stepping is exact: the job counts its yields (``done``) and may pass a yield
only while running or while ``done < allowed``; ``step(n)`` raises ``allowed``
by ``n``.  The gate sits where the job runs (the worker thread, or the child
process), so ``step(1)`` makes a job in a worker process compute exactly one
more yield.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

_ABORT, _RUNNING, _ALLOWED, _DONE, _SPEED = range(5)
_POLL_S = 0.005


class ControlBlock:
    """Both sides of one job's control: the GUI's methods and the job's.

    Parameters
    ----------
    process
        Whether the job runs in a spawned worker process (then the message queue
        is a ``multiprocessing`` one, and the block is passed to the child as a
        ``Process`` argument).
    paused
        Start paused: the job computes its first yield, then waits.
    speed
        Initial value of the speed knob.
    """

    def __init__(self, *, process: bool, paused: bool = False, speed: int = 1) -> None:
        ctx = mp.get_context("spawn")
        self._ints = ctx.RawArray("q", 5)
        self._ints[_RUNNING] = 0 if paused else 1
        self._ints[_ALLOWED] = 1 if paused else 0
        self._ints[_SPEED] = max(1, int(speed))
        self._messages: Any = ctx.Queue() if process else queue.SimpleQueue()
        self._process = process
        # Set (in the GUI's process) when the job's generator has ended.
        self.ended = threading.Event()
        # Job side: filled from the messages by _drain (in the job's process).
        self._values: dict[str, Any] = {}
        self._fresh: set[str] = set()
        self._actions: deque[str] = deque()
        # Job side: called before the job sleeps (held at a pause, waiting for a
        # request) — a worker process sends the items it batched (child._Batcher).
        self.on_wait: Callable[[], object] | None = None

    def __getstate__(self) -> dict[str, Any]:
        # Crosses to the child as a Process argument (RawArray, mp.Queue allowed).
        return {
            "_ints": self._ints,
            "_messages": self._messages,
            "_process": self._process,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.ended = threading.Event()
        self._values, self._fresh, self._actions = {}, set(), deque()
        self.on_wait = None

    # -- GUI side ----------------------------------------------------------------
    def abort(self) -> None:
        """Ask the job to stop at its next yield (or its next wait)."""
        self._ints[_ABORT] = 1
        self._ints[_RUNNING] = 1

    @property
    def aborted(self) -> bool:
        """Return whether :meth:`abort` was called."""
        return bool(self._ints[_ABORT])

    @property
    def paused(self) -> bool:
        """Return whether the job is paused (also while it does requested steps)."""
        return not self._ints[_RUNNING]

    @property
    def holding(self) -> bool:
        """Return whether a paused job has done every step asked of it (it waits)."""
        return self.paused and self._ints[_DONE] >= self._ints[_ALLOWED]

    def pause(self) -> None:
        """Hold the job at the yield after the one it is computing."""
        # The yield in flight counts as allowed, so a step(1) right after a pause
        # (before that yield arrived) still means one yield more than it.
        self._ints[_ALLOWED] = self._ints[_DONE] + 1
        self._ints[_RUNNING] = 0

    def resume(self) -> None:
        """Let the job run freely."""
        self._ints[_RUNNING] = 1

    def step(self, n: int = 1) -> None:
        """Let a paused job compute ``n`` more yields (pauses a running one after)."""
        base = max(self._ints[_ALLOWED], self._ints[_DONE])
        self._ints[_RUNNING] = 0
        self._ints[_ALLOWED] = base + max(0, int(n))

    def set_speed(self, value: int) -> None:
        """Set the speed knob the job reads before each chunk."""
        self._ints[_SPEED] = max(1, int(value))

    def post(self, value: Any, key: str = "request") -> None:
        """Post ``value`` under ``key``; the job sees only the newest one."""
        self._send(("value", key, value))

    def act(self, action: str) -> None:
        """Queue the one-shot ``action`` (done once, in order)."""
        self._send(("action", action, None))

    def _send(self, message: tuple[str, str, Any]) -> None:
        try:
            self._messages.put(message)
        except ValueError:
            # The job's process ended and its queue was closed (by the worker
            # thread, while the GUI had not yet heard of the end): an ended job
            # has no use for the message.  Seen with the GAN's lockstep posts.
            if not self.ended.is_set() and not self.aborted:
                raise

    def close(self) -> None:
        """Release the message queue (GUI side, after the job ended)."""
        if self._process:
            self._messages.close()
            # The feeder thread must not wait for a child that is gone.
            self._messages.cancel_join_thread()

    # -- job side (explorer.core.progress.JobControl) ------------------------------
    @property
    def speed(self) -> int:
        """Return the speed knob."""
        return int(self._ints[_SPEED])

    @property
    def stopping(self) -> bool:
        """Return whether the GUI asked the job to end."""
        return bool(self._ints[_ABORT])

    def _drain(self) -> None:
        while True:
            try:
                kind, key, value = self._messages.get_nowait()
            except queue.Empty:
                return
            except (OSError, EOFError, ValueError):  # the GUI side is gone
                return
            if kind == "action":
                self._actions.append(key)
            else:
                self._values[key] = value
                self._fresh.add(key)

    def take(self, key: str = "request", timeout: float = 0.0) -> Any | None:
        """Return and remove the newest value under ``key``, waiting ≤ ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            self._drain()
            if key in self._fresh:
                self._fresh.discard(key)
                return self._values[key]
            if self.stopping or time.monotonic() >= deadline:
                return None
            self._before_wait()
            time.sleep(_POLL_S)

    def peek(self, key: str) -> Any | None:
        """Return the newest value under ``key``, keeping it."""
        self._drain()
        return self._values.get(key)

    def next_action(self) -> str | None:
        """Return and remove the oldest queued action."""
        self._drain()
        return self._actions.popleft() if self._actions else None

    def pass_yield(self) -> bool:
        """Count one yield, hold while paused; return False when the job must stop."""
        if not self._ints[_RUNNING]:
            self._before_wait()  # the yield is sent before it is counted as done
        self._ints[_DONE] += 1
        done = self._ints[_DONE]
        while not self._ints[_ABORT]:
            if self._ints[_RUNNING] or done < self._ints[_ALLOWED]:
                return True
            self._before_wait()
            time.sleep(_POLL_S)
        return False

    def _before_wait(self) -> None:
        if self.on_wait is not None:
            self.on_wait()
