"""The live MNIST CNN of the receptive-field panel: its run bar, curves and kernels."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGroupBox, QSizePolicy, QVBoxLayout, QWidget

from explorer.core.data import MNIST_CREDIT
from explorer.panels.rf.views import KernelView, plain_axes
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.run_bar import RunBar
from explorer.widgets.theme import ThemeManager
from explorer.workers import JobRunner

LIVE_EVAL_EVERY = 20  # steps between test-accuracy points of the live CNN


class LiveCnnBox(QGroupBox):
    """Train the small CNN on MNIST: Start/Pause · Step · Reset, loss and kernels.

    ``weights_changed`` is emitted after each report and after a reset; the
    newest weights are :attr:`weights` (``None`` before training or after a
    reset).
    """

    weights_changed = Signal()

    def __init__(
        self,
        theme: ThemeManager,
        runner: JobRunner,
        *,
        device: str,
        on_error: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Live CNN on MNIST (28×28 → 7×7, RF 24)", parent)
        self.setToolTip(MNIST_CREDIT)
        self._runner = runner
        self._device = device
        self._on_error = on_error
        self.seed = 0
        self.weights: dict[str, NDArray[np.float32]] | None = None
        self.curves_data: dict[str, list[float]] = {"step": [], "loss": [], "acc": []}
        layout = QVBoxLayout(self)
        self.run_bar = RunBar(
            "train the small CNN on the bundled digits",
            step_tip="Run one more report's worth of training steps (S)",
            reset_tip="Stop and forget the trained weights (R)",
        )
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        runner.started.connect(self._show_run_state)
        runner.finished.connect(self._show_run_state)
        runner.paused_changed.connect(self._show_run_state)
        self.curves = PlotPane(theme, title="Loss and test accuracy", x_label="step")
        plain_axes(self.curves)
        # right, halfway up: below the accuracy (near 1) and above the loss (near
        # 0) once training is under way; the top-left corner covered both curves
        self.curves.add_legend().anchor((1, 0.5), (1, 0.5), offset=(-10, 0))
        self.loss_curve = self.curves.add_curve("loss", color_index=0)
        self.acc_curve = self.curves.add_curve("test accuracy", color_index=2)
        self.kernels = KernelView(theme)
        layout.addWidget(self.run_bar)
        layout.addWidget(self.curves, 2)
        layout.addWidget(self.kernels, 1)
        # plots take the height the formula cards leave (presentation mode is tight)
        for pane, least in ((self.curves, 110), (self.kernels, 70)):
            pane.setMinimumHeight(least)
            pane.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)

    def start_pause(self) -> None:
        """Start training the live CNN, or pause / resume it."""
        if self._runner.is_running:
            self._runner.toggle_pause()
        else:
            self._start(paused=False)
        self._show_run_state()

    def step(self) -> None:
        """Train the live CNN for one more report (starts it paused if needed)."""
        if not self._runner.is_running:
            self._start(paused=True)
        self._runner.step(1)
        self._show_run_state()

    def reset(self) -> None:
        """Stop the live CNN and forget its weights and curves."""
        self._runner.abort()
        self.weights = None
        self.curves_data = {"step": [], "loss": [], "acc": []}
        self.loss_curve.setData([], [])
        self.acc_curve.setData([], [])
        self.kernels.image.clear()
        self.run_bar.set_status("")
        self._show_run_state()
        self.weights_changed.emit()

    def _start(self, *, paused: bool) -> None:
        from explorer.core.rf.live import CnnConfig, train

        self.curves_data = {"step": [], "loss": [], "acc": []}
        self.run_bar.set_status("starting the training process…")
        # A worker process: training in a thread held the GIL long enough to stall
        # the GUI (max 150 ms vs 34 ms late timer ticks, see benchmarks/bench_rf.py).
        self._runner.start(
            train,
            CnnConfig(eval_every=LIVE_EVAL_EVERY),
            seed=self.seed,
            device=self._device,
            threads=1,
            backend="process",
            on_progress=self._on_progress,
            on_error=self._on_job_error,
            paused=paused,
        )

    def _show_run_state(self, *_: object) -> None:
        self.run_bar.set_state(
            running=self._runner.is_running, paused=self._runner.is_paused
        )

    def _on_job_error(self, exc: BaseException) -> None:
        self._on_error(exc)
        self._show_run_state()

    def _on_progress(self, p: Any) -> None:
        self.weights = dict(p.state)
        if p.losses:
            self.curves_data["step"].append(float(p.step))
            self.curves_data["loss"].append(float(p.losses["loss"]))
            self.curves_data["acc"].append(float(p.test_accuracy))
            self.loss_curve.setData(self.curves_data["step"], self.curves_data["loss"])
            self.acc_curve.setData(self.curves_data["step"], self.curves_data["acc"])
        self.kernels.set_kernels(np.asarray(p.kernels))
        self.run_bar.set_status(p.message)
        self._show_run_state()
        self.weights_changed.emit()
