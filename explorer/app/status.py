"""The status bar: compute device, running jobs with progress, and an error counter."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStatusBar,
    QWidget,
)

from explorer.workers import JobTracker


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


class StatusBar(QStatusBar):
    """Device label, job summary + progress bar, and an error button."""

    errors_clicked = Signal()

    def __init__(self, jobs: JobTracker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self.device_label = QLabel("Device: detecting…")
        self.device_label.setToolTip("Where training runs (Settings: Run ▸ Device)")
        self.job_label = QLabel("Idle")
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
        jobs.changed.connect(self._on_jobs_changed)
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
        self.job_label.setToolTip("\n".join(j.label for j in jobs))
        # The active panel's jobs first: another panel's job must not look like
        # this one's (a GAN's numbers under the latent panel confused a lecture).
        prefix = f"{self._active}:" if self._active else None
        mine = [j for j in jobs if prefix is not None and j.label.startswith(prefix)]
        if not mine:
            self.job_label.setText(
                f"Idle here ({len(jobs)} job(s) running in other panels)"
                if jobs and prefix is not None
                else ("Idle" if not jobs else f"{len(jobs)} job(s) running")
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
        self.job_label.setText(text)
        if first.fraction is None:
            self.progress.setRange(0, 0)  # busy indicator
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(first.fraction * 1000))
        self.progress.show()
