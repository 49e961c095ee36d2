"""What every long-running core generator yields, and how divergence is detected.

A training or solving job in ``explorer.core`` is a generator
``train(cfg, *, seed, ...) -> Iterator[Progress]``.  Each yield is a small frozen
dataclass of detached CPU data (numpy arrays, floats); a yield is also the job's
cancel and pause point.  Topic modules subclass :class:`Progress` with their own
fields (``@dataclass(frozen=True, kw_only=True)``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


class DivergedError(ArithmeticError):
    """Raised when a job produces a non-finite number (NaN or ±inf)."""


@dataclass(frozen=True, kw_only=True)
class Progress:
    """One report of a running job.

    Attributes
    ----------
    step
        Steps done so far (iterations, epochs, sweeps: the job says which).
    total
        Steps the job will do, or ``None`` when it runs until stopped.
    losses
        Named scalars to watch; a non-finite value here stops the job with a
        :class:`DivergedError` in the worker layer.
    message
        A short human-readable status ("epoch 3/10").
    """

    step: int
    total: int | None = None
    losses: Mapping[str, float] = field(default_factory=dict)
    message: str = ""

    @property
    def fraction(self) -> float | None:
        """Return the fraction done in [0, 1], or ``None`` for open-ended jobs."""
        if not self.total:
            return None
        return min(max(self.step / self.total, 0.0), 1.0)


def check_finite(losses: Mapping[str, float], *, where: str = "") -> None:
    """Raise :class:`DivergedError` naming the first non-finite value in ``losses``."""
    for name, value in losses.items():
        if not math.isfinite(float(value)):
            at = f" at {where}" if where else ""
            raise DivergedError(
                f"training diverged{at}: {name} = {value}. "
                "Try a smaller learning rate or reset with another seed."
            )


@runtime_checkable
class JobControl(Protocol):
    """What a running job may ask of the panel that steers it (the job side).

    The worker layer (``explorer.workers``) implements it once for jobs on a
    thread and in a worker process; a job accepts it as an optional keyword
    argument ``control`` and never sees threads, queues or shared memory.

    Pausing and stepping need nothing from the job: the worker layer holds a job
    at its yields (``step(n)`` lets exactly ``n`` more yields through, also in a
    worker process).  What the job reads here are the panel's wishes:

    * :attr:`speed` — a whole-number knob the panel turns while the job runs
      (e.g. iterations per yield); the job reads it before each chunk;
    * :meth:`take` — the newest value posted under ``key`` since the last take
      (a latest-value mailbox: dragging a slider never builds a backlog);
    * :meth:`peek` — the newest value posted under ``key``, kept (a setting);
    * :meth:`next_action` — the oldest one-shot action still queued (FIFO: a
      "step D" click is done exactly once, in order);
    * :attr:`stopping` — the panel asked the job to end (a long chunk may check).
    """

    @property
    def speed(self) -> int:
        """Return the speed knob (its meaning is the job's; ≥ 1)."""
        ...

    @property
    def stopping(self) -> bool:
        """Return whether the job should end as soon as it can."""
        ...

    def take(self, key: str = "request", timeout: float = 0.0) -> Any | None:
        """Return and remove the newest value posted under ``key`` (or ``None``).

        Waits up to ``timeout`` seconds for one when none is waiting.
        """
        ...

    def peek(self, key: str) -> Any | None:
        """Return the newest value posted under ``key`` without removing it."""
        ...

    def next_action(self) -> str | None:
        """Return and remove the oldest queued action, or ``None``."""
        ...


class LocalControl:
    """A :class:`JobControl` driven directly in one process (CLI runs and tests).

    The panel-side methods (:meth:`post`, :meth:`act`, :attr:`speed`) are plain
    assignments; nothing here waits or locks across processes.
    """

    def __init__(self, speed: int = 1) -> None:
        self._speed = max(1, int(speed))
        self._values: dict[str, Any] = {}
        self._fresh: set[str] = set()
        self._actions: list[str] = []
        self.stop_requested = False

    @property
    def speed(self) -> int:
        """Return the speed knob."""
        return self._speed

    @speed.setter
    def speed(self, value: int) -> None:
        self._speed = max(1, int(value))

    @property
    def stopping(self) -> bool:
        """Return whether :attr:`stop_requested` was set."""
        return self.stop_requested

    def post(self, value: Any, key: str = "request") -> None:
        """Post ``value`` under ``key`` (replaces one not yet taken)."""
        self._values[key] = value
        self._fresh.add(key)

    def act(self, action: str) -> None:
        """Queue the one-shot ``action``."""
        self._actions.append(action)

    def take(self, key: str = "request", timeout: float = 0.0) -> Any | None:
        """Return and remove the newest value posted under ``key``."""
        if key not in self._fresh:
            return None
        self._fresh.discard(key)
        return self._values.get(key)

    def peek(self, key: str) -> Any | None:
        """Return the newest value posted under ``key``."""
        return self._values.get(key)

    def next_action(self) -> str | None:
        """Return and remove the oldest queued action."""
        return self._actions.pop(0) if self._actions else None
