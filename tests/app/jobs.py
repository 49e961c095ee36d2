"""Core-style generators for the worker tests (module level: a child imports them)."""

from __future__ import annotations

import dataclasses
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from explorer.core.progress import JobControl, Progress

INJECTED = "injected failure for the test"


def count(
    n: int, delay: float = 0.0, produced: list[int] | None = None
) -> Iterator[Progress]:
    """Yield steps 1..n; append each step to ``produced`` before yielding it."""
    for i in range(1, n + 1):
        if delay:
            time.sleep(delay)
        if produced is not None:
            produced.append(i)
        yield Progress(step=i, total=n, losses={"loss": 1.0 / i}, message=f"{i}/{n}")


def fail_after(n: int) -> Iterator[Progress]:
    """Yield n steps, then raise."""
    for i in range(1, n + 1):
        yield Progress(step=i, total=None)
    raise RuntimeError(f"boom after {n} steps")


def diverge_at(n: int) -> Iterator[Progress]:
    """Yield finite losses, then a NaN at step n."""
    for i in range(1, n + 10):
        yield Progress(step=i, losses={"loss": math.nan if i == n else 1.0})


def thread_name(n: int) -> Iterator[str]:
    """Yield the name of the thread running the job."""
    for _ in range(n):
        yield threading.current_thread().name


def scheduling() -> Iterator[tuple[int, int | None]]:
    """Yield this process's (nice value, scheduling policy or None off Linux)."""
    import os

    policy = os.sched_getscheduler(0) if hasattr(os, "sched_getscheduler") else None
    yield os.nice(0), policy


def thread_niceness() -> Iterator[int]:
    """Yield the nice value of the thread running the job (Linux: per thread)."""
    import os

    yield os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


def forever(delay: float = 0.01) -> Iterator[Progress]:
    """Never end on its own."""
    i = 0
    while True:
        i += 1
        time.sleep(delay)
        yield Progress(step=i)


def controlled_count(
    n: int, *, control: JobControl | None = None
) -> Iterator[Progress]:
    """Yield ``control.speed`` counts per yield; report posted values and actions.

    Each yield's message is ``"<speed> <request> <action>"`` (``-`` where none).
    """
    i = 0
    while i < n:
        speed = control.speed if control is not None else 1
        i += speed
        request = control.take() if control is not None else None
        action = control.next_action() if control is not None else None
        label = f"{speed} {request if request is not None else '-'} {action or '-'}"
        yield Progress(step=i, total=n, message=label)


def wait_for_request(*, control: JobControl) -> Iterator[Progress]:
    """Yield once per request taken (waiting for each), ending on "stop"."""
    i = 0
    while not control.stopping:
        request = control.take("pose", timeout=0.2)
        if request is None:
            continue
        if request == "stop":
            return
        i += 1
        yield Progress(step=i, message=str(request))


def hold_locks(*, control: JobControl) -> Iterator[Progress]:
    """Take every lock of the control's message queue, yield once, then hang.

    A job never touches these (the control is its only interface): this one
    stands for a child killed at the worst instant, inside a queue operation.
    """
    messages = control._messages  # type: ignore[attr-defined]
    for lock in (messages._rlock, messages._wlock):
        assert lock.acquire(timeout=5.0), "a lock of the control was taken already"
    yield Progress(step=1, message="holding")
    while not control.stopping:
        time.sleep(0.05)


def faulty(
    fn: Callable[..., Iterator[Any]], flag: str, *args: Any, **kwargs: Any
) -> Iterator[Any]:
    """Yield what ``fn`` yields; obey the word in the file ``flag`` when it appears.

    ``raise`` raises at the next yield, ``nan`` makes that yield's losses NaN.
    The job's process id is written next to the flag (``<flag>.pid``).  Used by
    tests/app/test_faults.py; it lives here so that a worker process running it
    imports no Qt.
    """
    flag_path = Path(flag)
    flag_path.with_suffix(".pid").write_text(str(os.getpid()))
    for item in fn(*args, **kwargs):
        # (a NaN goes into the next yield that has losses: the GAN yields None too)
        if flag_path.exists() and getattr(item, "losses", None) is not None:
            mode = flag_path.read_text()
            flag_path.unlink()
            if mode == "raise":
                raise RuntimeError(INJECTED)
            assert item.losses, "no losses to spoil"
            item = dataclasses.replace(item, losses={k: math.nan for k in item.losses})
        yield item


def burst_then_quiet(n: int, quiet_s: float) -> Iterator[Progress]:
    """Yield n steps at once, compute ``quiet_s`` without yielding, yield once more."""
    for i in range(1, n + 1):
        yield Progress(step=i, total=n + 1)
    time.sleep(quiet_s)
    yield Progress(step=n + 1, total=n + 1)


def refuse(message: str) -> Iterator[Progress]:
    """Yield once, then raise ValueError(message) (a message written for the user)."""
    yield Progress(step=1)
    raise ValueError(message)
