"""The Rays panel's two learned fields: one training job, what it learned, its plots.

:class:`LearnedFields` owns the training runner (SDF fit or tiny NeRF), keeps the
latest network weights of each, and draws the training curves, the held-out
NeRF view, the training card and the run bar's status.  The panel listens to
:attr:`LearnedFields.sdf_progressed` / :attr:`~LearnedFields.nerf_progressed`
to show the learned field and to :attr:`~LearnedFields.ended` to re-render
when a training finished.
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from explorer.core.rays.names import LearnedKind
from explorer.core.rays.nerf import NerfConfig, NerfProgress, train_nerf
from explorer.core.rays.sdf_fit import (
    SdfFitConfig,
    SdfFitProgress,
    SurfaceMesh,
    fit_sdf,
)
from explorer.panels.base import PanelBase
from explorer.panels.rays.controls import TrainControls
from explorer.panels.rays.views import TrainingView
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard


class LearnedFields(QObject):
    """The SDF fit and the tiny NeRF: their training job and learned weights.

    Signals
    -------
    sdf_progressed(bool)
        New SDF weights arrived (``True``: with a new level-set mesh).
    nerf_progressed()
        New NeRF weights arrived.
    ended()
        The training finished.
    """

    sdf_progressed = Signal(bool)
    nerf_progressed = Signal()
    ended = Signal()

    def __init__(
        self,
        panel: PanelBase,
        controls: TrainControls,
        view: TrainingView,
        card: FormulaCard,
        device: str,
        draws: DrawScheduler,
    ) -> None:
        super().__init__(panel)
        self._draws = draws  # the curves and the card are drawn one per tick
        self._panel = panel
        self._controls = controls
        self._view = view
        self._card = card
        self._device = device
        self.runner = panel.make_runner("training", training=True)
        self.running_kind: LearnedKind | None = None
        self.sdf_cfg: SdfFitConfig | None = None
        self.sdf_state: dict[str, Any] | None = None
        self.sdf_mesh: SurfaceMesh | None = None
        self._sdf_history: list[tuple[int, float, float, float]] = []
        self._sdf_frame: tuple[float, int, int] | None = None  # the losses' range
        self.nerf_cfg: NerfConfig | None = None
        self.nerf_state: dict[str, Any] | None = None
        self._status = "Not trained yet"
        self._previous = ""  # the previous NeRF run: "L = 6: 24.1 dB"
        self.runner.paused_changed.connect(self.show_run_state)
        self.runner.started.connect(self.show_run_state)
        self.runner.finished.connect(self.show_run_state)

    @property
    def is_running(self) -> bool:
        """Return whether a training job runs (paused counts)."""
        return self.runner.is_running

    def start_sdf(self, cfg: SdfFitConfig, *, paused: bool = False) -> None:
        """Start fitting the SDF network with ``cfg`` (aborts a running training)."""
        self.sdf_cfg = cfg
        self._sdf_frame = None
        self._cancel_draws()
        self._sdf_history.clear()
        for curve in (self._view.loss_curve, self._view.eik_curve):
            curve.setData([], [])
        self._view.surf_curve.setData([], [])
        self._card.set_values({})
        self.running_kind = "sdf"
        self.set_status("SDF: sampling the point cloud…")
        self.runner.start(
            fit_sdf,
            cfg,
            seed=0,
            device=self._device,
            on_progress=self._on_sdf_progress,
            on_error=self._on_train_error,
            on_finished=self._on_train_finished,
            paused=paused,
        )

    def start_nerf(self, cfg: NerfConfig, *, paused: bool = False) -> None:
        """Start training the tiny NeRF with ``cfg`` (aborts a running training).

        The last run's PSNR curve becomes the dashed "previous run" (to compare
        positional encodings); this run's curve and views start empty.
        """
        view = self._view
        self._cancel_draws()
        x, y = view.psnr_curve.getData()
        if x is not None and len(x) > 0 and self.nerf_cfg is not None:
            view.psnr_prev.setData(x, y)
            self._previous = (
                f"L = {self.nerf_cfg.n_freqs}: {float(np.asarray(y)[-1]):.2f} dB"
            )
        view.psnr_curve.setData([], [])
        view.psnr_dots.setData(x=[], y=[])
        view.pred.clear_image()
        self._card.set_values({})
        self.nerf_cfg = cfg
        self.running_kind = "nerf"
        self.set_status("NeRF: rendering the training views…")
        self.runner.start(
            train_nerf,
            cfg,
            seed=0,
            device=self._device,
            on_progress=self._on_nerf_progress,
            on_error=self._on_train_error,
            on_finished=self._on_train_finished,
            paused=paused,
        )

    def forget(self) -> None:
        """Stop training and forget both learned fields and their curves."""
        self.runner.abort()
        self._cancel_draws()
        self._sdf_frame = None
        self.running_kind = None
        self.sdf_state = self.nerf_state = None
        self.sdf_mesh = None
        self._sdf_history.clear()
        view = self._view
        for curve in (
            view.loss_curve,
            view.eik_curve,
            view.surf_curve,
            view.psnr_curve,
            view.psnr_prev,
        ):
            curve.setData([], [])
        view.psnr_dots.setData(x=[], y=[])
        view.pred.clear_image()
        view.target.clear_image()
        self._previous = ""
        self._card.set_values({})
        self.set_status("Not trained yet")
        self.show_run_state()

    def _cancel_draws(self) -> None:
        for key in ("sdf curves", "train card"):
            self._draws.cancel(key)

    def set_status(self, text: str) -> None:
        """Show ``text`` in the run bar's status line."""
        self._status = text
        self._controls.run_bar.set_status(html.escape(text))

    def runs(self, kind: LearnedKind) -> bool:
        """Return whether ``kind``'s training job runs (paused counts)."""
        return self.runner.is_running and self.running_kind == kind

    def show_run_state(self, *_: object) -> None:
        """Show on the run bar whether the chosen field's training runs."""
        running = self.runs(self._controls.learn.currentData())
        self._controls.run_bar.set_state(running=running, paused=self.runner.is_paused)

    def _on_sdf_progress(self, prog: SdfFitProgress) -> None:
        self.sdf_state = prog.state
        if prog.mesh is not None:
            self.sdf_mesh = prog.mesh
        if prog.losses:
            self._sdf_history.append(
                (
                    prog.step,
                    prog.losses["loss"],
                    prog.eikonal_residual,
                    prog.losses["surface"],
                )
            )
            self._draws.request("sdf curves", self._draw_sdf_curves)
        values = {
            "step": f"{prog.step}/{prog.total}",
            "loss": prog.losses.get("loss", float("nan")),
            "mean |‖∇f‖ − 1|": prog.eikonal_residual,
            "λ, τ": self._weights(prog),
            "device": prog.device,
        }
        self._draws.request("train card", lambda: self._card.set_values(values))
        self.set_status(f"SDF: {prog.message}")
        self.sdf_progressed.emit(prog.mesh is not None)

    def _draw_sdf_curves(self) -> None:
        if not self._sdf_history:
            return
        h = np.asarray(self._sdf_history)
        self._view.loss_curve.setData(h[:, 0], h[:, 1])
        self._view.eik_curve.setData(h[:, 0], h[:, 2])
        self._view.surf_curve.setData(h[:, 0], h[:, 3])
        # Our own range, not pyqtgraph's auto-range: the run's steps across and
        # whole decades up (log axis), so the axes re-lay their ticks only when
        # a loss crosses a decade, not at every report.
        total = self.sdf_cfg.steps if self.sdf_cfg is not None else 0
        values = h[:, 1:]
        shown = values[np.isfinite(values) & (values > 0.0)]
        if len(shown) == 0:
            return
        lo = math.floor(math.log10(float(shown.min())))
        hi = max(math.ceil(math.log10(float(shown.max()))), lo + 1)
        frame = (float(max(total, h[-1, 0])), lo, hi)
        if frame != self._sdf_frame:
            self._sdf_frame = frame
            self._view.sdf_loss.getPlotItem().vb.setRange(
                xRange=(0.0, frame[0]), yRange=(lo, hi), padding=0.02
            )

    def _on_nerf_progress(self, prog: NerfProgress) -> None:
        self.nerf_state = prog.state
        hist = np.asarray(prog.psnr_history, dtype=np.float64).reshape(-1, 2)
        self._view.psnr_curve.setData(hist[:, 0], hist[:, 1])
        self._view.psnr_dots.setData(x=hist[:, 0], y=hist[:, 1])
        if prog.prediction is not None:
            self._view.pred.set_rgb(prog.prediction)
        if prog.target is not None:
            self._view.target.set_rgb(prog.target)
        self._card.set_values(
            {
                "step": f"{prog.step}/{prog.total}",
                "PE freqs L": self.nerf_cfg.n_freqs if self.nerf_cfg else "—",
                "held-out PSNR (dB)": prog.losses.get("psnr", float("nan")),
                **({"previous run": self._previous} if self._previous else {}),
                "iterations/s": prog.iterations_per_s,
                "device": prog.device,
            }
        )
        self.set_status(f"NeRF: {prog.message}")
        self.nerf_progressed.emit()

    def _weights(self, prog: SdfFitProgress) -> str:
        cfg = self.sdf_cfg
        if cfg is None:
            return "—"
        bare = cfg.cloud_path is not None and prog.losses.get("normal", 1.0) == 0.0
        tau = "unused (no normals)" if bare else f"{cfg.normal_weight:g}"
        return f"{cfg.eikonal_weight:g}, {tau}"

    def _on_train_error(self, exc: BaseException) -> None:
        self._panel.on_job_error(exc)
        self.running_kind = None
        self.show_run_state()

    def _on_train_finished(self) -> None:
        self.running_kind = None
        self.set_status(self._status + " — done")
        self.show_run_state()
        self.ended.emit()
