"""The panel's Jacobian job: the newest requested net is computed, older ones not."""

from __future__ import annotations

from collections.abc import Iterator

from explorer.core.progress import JobControl
from explorer.core.rnn.config import JacobianConfig
from explorer.core.rnn.jacobian import JacobianResult, jacobian_levels

JACOBIAN_KEY = "jacobian"


def jacobian_requests(
    *, control: JobControl, idle_s: float = 0.5
) -> Iterator[tuple[int, JacobianResult]]:
    """Yield ``(serial, result)`` for the requests posted under :data:`JACOBIAN_KEY`.

    A request is ``(serial, cfg, seed)``.  Only the newest request waiting is
    computed (dragging the λ slider never builds a backlog); for a long T the
    job yields a preview first (:func:`~explorer.core.rnn.jacobian.jacobian_levels`)
    and skips the full result when a newer request came meanwhile.  The job
    ends after ``idle_s`` seconds without a request, or when stopped.

    Raises
    ------
    ValueError
        When a net cannot be computed (its message says why).
    """
    request = control.take(JACOBIAN_KEY, timeout=idle_s)
    while request is not None and not control.stopping:
        serial, cfg, seed = request
        if not isinstance(cfg, JacobianConfig):
            raise TypeError(f"not a JacobianConfig: {type(cfg).__name__}")
        newer = None
        for result in jacobian_levels(cfg, int(seed)):
            yield int(serial), result
            # A slider being dragged: the next net's preview before this full one.
            newer = control.take(JACOBIAN_KEY)
            if newer is not None:
                break
        request = (
            newer if newer is not None else control.take(JACOBIAN_KEY, timeout=idle_s)
        )
