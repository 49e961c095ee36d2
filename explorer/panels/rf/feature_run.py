"""When the receptive-field panel recomputes its feature maps, and the job that does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from superqt.utils import qdebounced, qthrottled

from explorer.panels.rf.jobs import feature_job
from explorer.workers import JobRunner

LIVE_REFRESH_MS = 120  # feature maps follow the live CNN at most this often
NEW_INPUT_MS = 40  # a new stack or input: one recompute per burst of slider moves


class FeatureRun(QObject):
    """Recompute the maps soon after a new stack or input, or at the live refresh rate.

    ``request()`` returns the keyword arguments of the feature job (``stack``,
    ``image``, ``arch``, ``state``, ``device``), or ``None`` while the input or
    the network is still loading.
    """

    def __init__(
        self,
        runner: JobRunner,
        *,
        request: Callable[[], dict[str, Any] | None],
        on_started: Callable[[], None],
        on_features: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self._request = request
        self._on_started = on_started
        self._on_features = on_features
        self._on_error = on_error
        self.pending = False  # a recompute is scheduled
        self._stale = False  # the shown maps belong to another stack or input
        self._soon = qdebounced(self._start, timeout=NEW_INPUT_MS, parent=self)
        self._live = qthrottled(
            self._start, timeout=LIVE_REFRESH_MS, leading=False, parent=self
        )

    def schedule(self, *, now: bool = False) -> None:
        """Recompute: for a new stack or input (``now``) after a short debounce that
        coalesces slider drags, else at the next live refresh."""
        self.pending = True
        if now:
            self._stale = True
            self._live.cancel()
            self._soon()
        elif not self._stale:
            self._live()

    def cancel(self) -> None:
        """Drop the scheduled recomputes."""
        self._soon.cancel()
        self._live.cancel()
        self.pending = False

    def _start(self) -> None:
        self.pending = False
        kwargs = self._request()
        if kwargs is None:
            return
        if self.runner.is_running and not self._stale:
            # live-CNN refreshes wait for the running job instead of aborting it,
            # or a slow machine would never finish one
            self.pending = True
            self._live()
            return
        self._stale = False
        self._on_started()
        self.runner.start(
            feature_job,
            kwargs.pop("stack"),
            **kwargs,
            on_progress=self._on_features,
            on_error=self._on_error,
        )
