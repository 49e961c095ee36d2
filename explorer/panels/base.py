"""What every panel is: the :class:`AppContext` it receives and :class:`PanelBase`.

A panel is a ``QWidget`` subclass of :class:`PanelBase` created by the shell with
``factory(context)``.  The shell relies only on what is defined here:

* ``panel_id`` / ``title`` / ``summary`` (class attributes),
* ``start_pause()``, ``step()``, ``reset()`` for the Run menu (``runnable = True``),
* ``open_file(path)`` for File ▸ Open… (with ``open_filters``),
* ``main_view()``, ``export_image(scale, main_view_only=...)`` for export,
* ``state()`` / ``restore(state)`` for sessions (JSON-able dicts; numpy arrays
  are allowed as values and go to the session's ``.npz``),
* ``shutdown()`` — stop workers, close 3-D views,
* ``snapshot_ready()`` — the CLI ``snapshot`` waits for it before grabbing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFormLayout, QVBoxLayout, QWidget

from explorer.panels.registry import PANELS
from explorer.widgets.error_banner import ErrorBanner
from explorer.widgets.export import grab_widget
from explorer.widgets.theme import ThemeManager
from explorer.workers import Backend, ErrorSink, JobRunner, JobTracker, error_line

SECONDARY_PROPERTY = "explorerSecondary"
# The longest a panel's shutdown waits for its jobs (all of them together).
SHUTDOWN_WAIT_S = 1.0


def _log_error(exc: BaseException, where: str) -> None:
    """Default error sink outside the app (tests, snapshot): the logging module."""
    logging.getLogger("explorer").error("%s failed", where, exc_info=exc)


@dataclass
class AppContext:
    """Everything a panel may use from the app; passed to each panel's factory."""

    theme: ThemeManager = field(default_factory=ThemeManager)
    jobs: JobTracker = field(default_factory=JobTracker)
    report_error: ErrorSink = _log_error
    device: str = "auto"  # "auto" | "cpu" | "cuda"
    # Training jobs run in a worker process: a torch loop in a thread stalls the GUI
    # by up to hundreds of ms (GIL; see benchmarks/bench_shell.py).  Tests use
    # "thread" to skip the child's start-up.
    training_backend: Backend = "process"
    data_dir: Path | None = None  # user data folder (logs, caches); None in tests

    def runner(self, label: str, *, training: bool = False) -> JobRunner:
        """Return a :class:`JobRunner` wired to the status bar and error reporter.

        With ``training`` its jobs run on :attr:`training_backend` (read at each
        start, so the Run menu's choice applies to the next run); otherwise on a
        thread, which starts at once (short jobs: one ERF map, a DP sweep).
        """
        backend: Callable[[], Backend] | Backend = (
            (lambda: self.training_backend) if training else "thread"
        )
        return JobRunner(
            label, tracker=self.jobs, report_error=self.report_error, backend=backend
        )


class PanelBase(QWidget):
    """Base class of the panels; subclasses fill ``self.body`` (a QVBoxLayout).

    An :class:`ErrorBanner` floats over the body's top: ``show_error(message)``
    shows it; the next start of one of the panel's jobs clears it.
    A subclass whose ``panel_id`` is in :data:`explorer.panels.registry.PANELS`
    gets its ``title`` and ``summary`` from that entry.
    """

    panel_id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    runnable: ClassVar[bool] = False
    open_filters: ClassVar[str] = ""  # e.g. "Stacks (*.json);;Images (*.png *.jpg)"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for spec in PANELS:
            if spec.id == cls.panel_id:
                cls.title, cls.summary = spec.title, spec.summary

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName(f"panel-{self.panel_id}")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        # over the panel's top edge, outside the layout: showing it moves nothing
        self.error_banner = ErrorBanner(self)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)
        self._runners: list[JobRunner] = []
        context.theme.changed.connect(self._on_theme_changed)

    # -- helpers for subclasses --------------------------------------------------
    def make_runner(self, label: str, *, training: bool = False) -> JobRunner:
        """Return a runner owned by this panel (aborted by :meth:`shutdown`).

        Pass ``training=True`` for long torch training loops (see
        :meth:`AppContext.runner`).
        """
        runner = self.context.runner(f"{self.title}: {label}", training=training)
        runner.setParent(self)
        # a new run is a fresh start: the last run's error no longer applies
        runner.started.connect(self.error_banner.clear)
        self._runners.append(runner)
        return runner

    def show_error(self, message: str) -> None:
        """Show ``message`` in the panel's error banner."""
        self.error_banner.show_message(message)

    def on_job_error(self, exc: BaseException) -> None:
        """Default ``on_error`` for runners: show the message in the banner."""
        self.show_error(error_line(exc))

    @staticmethod
    def mark_secondary(*widgets: QWidget) -> None:
        """Mark ``widgets`` as secondary controls: hidden in presentation mode.

        A widget in a form row takes its label with it (no "Seed" left beside
        nothing on the projector).
        """
        for w in widgets:
            w.setProperty(SECONDARY_PROPERTY, True)
            parent = w.parentWidget()
            form = parent.layout() if parent is not None else None
            if isinstance(form, QFormLayout):
                label = form.labelForField(w)
                if label is not None:
                    label.setProperty(SECONDARY_PROPERTY, True)

    def _on_theme_changed(self) -> None:
        self.apply_theme()

    # -- protocol ----------------------------------------------------------------
    def apply_theme(self) -> None:
        """React to a palette or scale change (PlotPanes restyle themselves)."""

    def start_pause(self) -> None:
        """Start the panel's main job, or pause / resume it."""

    def step(self) -> None:
        """Advance the main job by one step."""

    def reset(self) -> None:
        """Stop the main job and return to the initial state."""

    def run_steps(self, n: int) -> None:
        """Advance the main job by exactly ``n`` steps (a lesson step's action).

        The default presses Step ``n`` times: the job computes ``n`` more steps
        and holds.  Panels whose Step does something else override this.
        """
        for _ in range(max(0, n)):
            self.step()

    def is_settled(self) -> bool:
        """Return True when none of the panel's jobs is computing (all done or held)."""
        return all(r.is_settled for r in self._runners)

    def open_file(self, path: Path) -> None:
        """Open ``path`` (a file type listed in ``open_filters``).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        raise ValueError(f"the {self.title} panel cannot open files")

    def main_view(self) -> QWidget:
        """Return the panel's main view (exported by "Export main view")."""
        return self

    def export_image(
        self, scale: float = 1.0, *, main_view_only: bool = False
    ) -> QImage:
        """Return the panel (or its main view) rendered at ``scale``."""
        return grab_widget(self.main_view() if main_view_only else self, scale)

    def state(self) -> dict[str, Any]:
        """Return the panel's settings as a JSON-able dict (numpy arrays allowed)."""
        return {}

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict produced by :meth:`state` (unknown keys are ignored)."""

    def snapshot_ready(self) -> bool:
        """Return True when the panel shows something worth a snapshot."""
        return True

    def shutdown(self) -> None:
        """Stop every worker of the panel and release its resources.

        All jobs are asked to stop first, then waited for together, at most
        :data:`SHUTDOWN_WAIT_S` in all: quitting stays quick whatever runs.
        """
        for runner in self._runners:
            runner.abort()
        deadline = time.monotonic() + SHUTDOWN_WAIT_S
        for runner in self._runners:
            runner.wait_ended(deadline - time.monotonic())


PanelFactory = Callable[[AppContext], PanelBase]
