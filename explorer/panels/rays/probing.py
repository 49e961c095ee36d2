"""The selected ray of a learned field, probed off the GUI thread (newest wins).

Each probe of a learned SDF or NeRF is a few hundred network evaluations, so
:class:`RayProber` runs :func:`~explorer.core.rays.probe.probe_requests` in a
worker and posts each request to it through the job control
(``runner.post(request, PROBE_KEY)``): the job probes the newest request waiting
and drops older ones.  The job ends after a short idle time; a request posted
just as it ended is posted to a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from explorer.core.rays.probe import PROBE_KEY, RayProbe, probe_requests
from explorer.panels.base import PanelBase


class RayProber(QObject):
    """Posts ray requests to one probe job and shows the newest result.

    Parameters
    ----------
    panel
        The panel that owns the job (its runner is aborted on shutdown).
    show
        Called on the GUI thread with each probe that arrives.
    """

    def __init__(self, panel: PanelBase, show: Callable[[RayProbe], None]) -> None:
        super().__init__(panel)
        self._panel = panel
        self._show = show
        self.runner = panel.make_runner("selected ray")
        self._serial = 0  # the newest request posted
        self._shown = 0  # the newest request whose probe was shown
        self._latest: tuple[int, tuple[Any, ...]] | None = None

    @property
    def pending(self) -> bool:
        """Return whether the newest request's probe has not been shown yet."""
        return self._shown < self._serial

    def request(self, args: tuple[Any, ...]) -> None:
        """Ask for ``probe_ray(*args)``; a request not yet started is replaced."""
        self._serial += 1
        self._post((self._serial, args))

    def cancel(self) -> None:
        """Stop probing and drop every request (an analytic field is shown)."""
        self.runner.abort()
        self._shown = self._serial
        self._latest = None

    def _post(self, request: tuple[int, tuple[Any, ...]]) -> None:
        self._latest = request
        if not self.runner.is_running:
            self.runner.start(
                probe_requests,
                on_progress=self._on_probe_progressed,
                on_error=self._on_probe_failed,
                on_finished=self._on_probe_finished,
                controlled=True,
                backend="thread",
            )
        self.runner.post(request, PROBE_KEY)

    def _on_probe_progressed(self, item: tuple[int, RayProbe]) -> None:
        serial, probe = item
        self._shown = serial
        self._show(probe)

    def _on_probe_finished(self) -> None:
        if self.pending and self._latest is not None:
            self._post(self._latest)

    def _on_probe_failed(self, exc: BaseException) -> None:
        self._panel.on_job_error(exc)
        self._shown = self._serial
