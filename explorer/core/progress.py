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
