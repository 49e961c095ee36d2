"""The panel's Jacobian job: the newest requested net is computed, older ones not."""

from __future__ import annotations

from collections.abc import Iterator

from explorer.core.progress import JobControl
from explorer.core.rnn.config import JacobianConfig
from explorer.core.rnn.jacobian import JacobianResult, jacobian_norms

JACOBIAN_KEY = "jacobian"


def jacobian_requests(
    *, control: JobControl, idle_s: float = 0.5
) -> Iterator[tuple[int, JacobianResult]]:
    """Yield ``(serial, result)`` for the requests posted under :data:`JACOBIAN_KEY`.

    A request is ``(serial, cfg, seed)``.  Only the newest request waiting is
    computed (dragging the λ slider never builds a backlog); the job ends after
    ``idle_s`` seconds without one, or when stopped.

    Raises
    ------
    ValueError
        When a net cannot be computed (its message says why).
    """
    while not control.stopping:
        request = control.take(JACOBIAN_KEY, timeout=idle_s)
        if request is None:
            return
        serial, cfg, seed = request
        if not isinstance(cfg, JacobianConfig):
            raise TypeError(f"not a JacobianConfig: {type(cfg).__name__}")
        yield int(serial), jacobian_norms(cfg, int(seed))
