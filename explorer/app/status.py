"""The status bar: compute device, running jobs with progress, and an error counter."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QWidget,
)
from superqt.utils import qthrottled

from explorer.workers import JobTracker

# The job line is redrawn at most this often: jobs report tens of times a second and
# each new text re-lays out the bar (at ×2 in presentation mode that cost 10–90 ms).
REFRESH_MS = 250


class _DeviceProbe(QObject):
    """Finds the device label on a plain thread (importing torch takes seconds)."""

    found = Signal(str)

    def start(self, requested: str) -> None:
        threading.Thread(
            target=self._run, args=(requested,), name="device-probe", daemon=True
        ).start()

    def _run(self, requested: str) -> None:
        from explorer.core.device import describe_device

        try:
            label = describe_device(requested)
        except (ValueError, RuntimeError, ImportError) as exc:
            label = f"CPU ({exc})"
        try:
            self.found.emit(label)
        except RuntimeError:  # the window closed while torch was still importing
            return


class _ElidingLabel(QLabel):
    """One line that ends in "…" when the bar is too narrow; ``text()`` stays whole.

    A presentation-size status line ("GAN mode collapse: run A (paused) — G loss …")
    is longer than a 1280-px projector is wide: it is cut with an ellipsis, never
    mid-letter, and the whole line is in the tooltip.
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = ""
        self.setText(text)

    def text(self) -> str:
        """Return the whole text (what is painted may be shortened)."""
        return self._full

    def setText(self, text: str) -> None:
        """Show ``text``, shortened to the label's width."""
        self._full = text
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        elide = Qt.TextElideMode.ElideRight
        shown = (
            self.fontMetrics().elidedText(self._full, elide, width)
            if width > 0
            else self._full
        )
        super().setText(shown)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Shorten again for the new width."""
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        """Shorten again after a font change (presentation scale)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()


class StatusBar(QStatusBar):
    """Device label, job summary + progress bar, and an error button."""

    errors_clicked = Signal()

    def __init__(self, jobs: JobTracker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.device_label = QLabel("Device: detecting…")
        self.device_label.setToolTip("Where training runs (Settings: Run ▸ Device)")
        self.job_label = _ElidingLabel("Idle")
        # A long job message must not widen the window past the screen.
        self.job_label.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self.job_label.setMinimumWidth(120)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.error_button = QPushButton()
        self.error_button.setFlat(True)
        self.error_button.setToolTip("Show the error log (Help ▸ Error log)")
        self.error_button.clicked.connect(self.errors_clicked)
        self.error_button.hide()
        self._error_count = 0
        self._active: str | None = None
        self.addWidget(self.job_label, 1)
        self.addPermanentWidget(self.progress)
        self.addPermanentWidget(self.error_button)
        self.addPermanentWidget(self.device_label)
        self._refresh_soon = qthrottled(
            self._on_jobs_changed, timeout=REFRESH_MS, leading=True, parent=self
        )
        jobs.changed.connect(self._refresh_soon)
        self._probe = _DeviceProbe(self)
        self._probe.found.connect(self._on_device_found)

    def detect_device(self, requested: str) -> None:
        """Start finding the device label in the background."""
        self.device_label.setText("Device: detecting…")
        self._probe.start(requested)

    def _on_device_found(self, label: str) -> None:
        self.device_label.setText(f"Device: {label}")

    def count_error(self, summary: str) -> None:
        """Increase the error counter and show ``summary`` for a while."""
        self._error_count += 1
        self.error_button.setText(f"⚠ {self._error_count} error(s)")
        self.error_button.show()
        self.showMessage(summary, 8000)

    def set_active(self, title: str | None) -> None:
        """Show the jobs of the panel titled ``title`` (None: the start page)."""
        self._active = title
        self._on_jobs_changed()

    def _on_jobs_changed(self) -> None:
        jobs = self._jobs.jobs()
        tip = "\n".join(j.label for j in jobs)
        # The active panel's jobs first: another panel's job must not look like
        # this one's (a GAN's numbers under the latent panel confused a lecture).
        prefix = f"{self._active}:" if self._active else None
        mine = [j for j in jobs if prefix is not None and j.label.startswith(prefix)]
        if not mine:
            self._show(
                f"Idle here ({len(jobs)} job(s) running in other panels)"
                if jobs and prefix is not None
                else ("Idle" if not jobs else f"{len(jobs)} job(s) running"),
                tip,
            )
            self.progress.hide()
            return
        others = len(jobs) - len(mine)
        jobs = mine + [j for j in jobs if j not in mine]
        first = jobs[0]
        state = " (paused)" if first.paused else ""
        text = f"{first.label}{state}"
        if first.message:
            text += f" — {first.message}"
        if len(mine) > 1:
            text += f"  (+{len(mine) - 1} more here)"
        if others:
            text += f"  ({others} elsewhere)"
        self._show(text, f"{text}\n\n{tip}" if tip != first.label else text)
        if first.fraction is None:
            # No busy indicator: its animation repainted the bar 60 times a second
            # for as long as a worker started (5–20 s at ×2: 10 % of the GUI thread).
            self.progress.hide()
            return
        if self.progress.maximum() != 1000:
            self.progress.setRange(0, 1000)
        value = int(first.fraction * 1000)
        if self.progress.value() != value:
            self.progress.setValue(value)
        self.progress.show()

    def _show(self, text: str, tip: str) -> None:
        # Only a changed text is set: each setText re-lays out the status bar.
        if self.job_label.text() != text:
            self.job_label.setText(text)
        if self.job_label.toolTip() != tip:
            self.job_label.setToolTip(tip)
