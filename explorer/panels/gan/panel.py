"""The GAN panel: watch G and D fight on 2-D data, all four objectives side by side.

Each objective (minimax, non-saturating, unrolled, WGAN-GP) is a run with its
own view, formula card and :class:`JobRunner`
running :func:`explorer.core.gan.train_interactive` open-ended — in a worker
process of its own in the app (the context's training backend), so GUI redraws
do not compete with training for the GIL — steered by the one job control: the
speed slider sets the iterations per snapshot, Pause holds the job after its
current chunk, the step buttons queue exactly one D step, G step or iteration
(``act`` then ``step(1)``), and drawn or dragged modes are posted to the job
before its next chunk.  The runs advance in lockstep (``run_until``), so the
four views always show the same G step.  All start from the same seed (the same
initial G and D), so the difference between them is the objective alone.

The default seed was chosen with the CLI (``explorer gan train --loss L --seed
S``, ring of 8, 2,000 G steps, seeds 0–4; see ``DEFAULT_SEED``).
"""

from __future__ import annotations

import bisect
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from explorer.core.gan import (
    EDIT_ACTION,
    EVAL_SAMPLES,
    MAX_POINTS,
    MODES_KEY,
    RUN_UNTIL_KEY,
    Action,
    GanProgress,
    builtin_mixture,
    make_mixture,
    read_points_csv,
    train_interactive,
)
from explorer.core.gan.names import LOSS_NAMES, LOSS_TITLES, capture_rule
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.gan.controls import (
    HyperBox,
    SetupBox,
    Timeline,
    ViewOptions,
    bind_hyper,
    bind_setup,
)
from explorer.panels.gan.formulas import FORMULAS
from explorer.panels.gan.runs import SHORT, GanRun, card_values, status_html
from explorer.panels.gan.state import DEFAULT_SPEED, SPEEDS, GanState, HyperState
from explorer.panels.gan.views import CurvePane, FieldView
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import RunBar

DRAW_INTERVAL_MS = 50  # one run's view (or the curves) per tick
CURVE_INTERVAL_MS = 400  # the slowly changing curves: at most 2.5 Hz
TRAIL_LENGTH = 12  # earlier snapshots drawn as trails
REAL_SAMPLES = 600


class GanPanel(PanelBase):
    """G and D on 2-D data: D heatmap, samples, gradient arrows, mode coverage."""

    panel_id: ClassVar[str] = "gan"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = "Point sets (*.csv)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self._live = True
        self._rng = np.random.default_rng(0)

        self.run_bar = RunBar(
            "train G and D",
            step_tip="One full iteration: D update(s), then a G update (S)",
            reset_tip="New networks from the seed; the data stays (R)",
            speeds=SPEEDS,
            speed_unit="it/frame",
            default_speed=DEFAULT_SPEED,
        )
        self.step_d = self.run_bar.add_button(
            "Step D", "One discriminator (critic) update, G frozen", self._step_d
        )
        self.step_g = self.run_bar.add_button(
            "Step G", "One generator update, D frozen", self._step_g
        )
        self.run_bar.status.setToolTip(
            f"Modes captured on {EVAL_SAMPLES:,} samples: a sample is high quality "
            f"within 3σ of its nearest mode (VEEGAN); {capture_rule()}."
        )
        self.setup = SetupBox()
        self.view_options = ViewOptions()
        self.hyper = HyperBox()
        self.formulas = {
            loss: FormulaCard(LOSS_TITLES[loss], *FORMULAS[loss]) for loss in LOSS_NAMES
        }

        views = [FieldView(theme, title=loss) for loss in LOSS_NAMES]
        self._runs = [
            GanRun(self.make_runner(loss, training=True), v, loss=loss)
            for loss, v in zip(LOSS_NAMES, views, strict=True)
        ]
        for run in self._runs:
            run.clear()
            run.view.modes_edited.connect(self._on_view_modes_edited)
        n = len(self._runs)
        self.coverage = CurvePane(theme, "Modes", "captured", n, integer=True)
        self.criterion = CurvePane(theme, "C(G)", "C(G)", n)
        self.criterion.set_y_range(-np.log(4.0), 0.0)
        self.quality = CurvePane(theme, "HQ samples", "%", n)
        self.quality.set_y_range(0.0, 100.0)
        self.timeline = Timeline()

        self._fields = QWidget()
        grid = QGridLayout(self._fields)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        for i, v in enumerate(views):
            v.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            grid.addWidget(v, i // 2, i % 2)
        curves = QHBoxLayout()
        for pane in self._curve_panes:
            pane.setMaximumHeight(260)
            curves.addWidget(pane)
        left = QVBoxLayout()
        left.addWidget(self._fields, 3)
        left.addWidget(self.timeline)
        left.addLayout(curves, 1)

        self.column = ControlsColumn(theme, min_width=330, max_width=440)
        for w in (
            self.run_bar,
            self.setup,
            self.view_options,
            *self.formulas.values(),
            self.hyper,
        ):
            self.column.add(w)
        self.column.add_stretch()
        # after the column re-fits to a new scale: keep it at the width it needs,
        # so the four views get the rest (its cards wrap and scroll vertically)
        theme.changed.connect(self._narrow_column_soon)
        self._narrow_column_soon()
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(self.column)
        self.body.addLayout(row)
        # on a projector the HQ curve repeats the status line and the formula card
        self.mark_secondary(self.hyper, self.view_options.trails, self.quality)
        self.setup.rejected.connect(self.show_error)
        self.hyper.rejected.connect(self.show_error)

        self.binder = bind_setup(self.setup, self.view_options, self)
        self.hyper_binder = bind_hyper(self.hyper, self)
        self.draws = DrawScheduler(DRAW_INTERVAL_MS, self)
        self._request_curves = qthrottled(
            self._queue_curves, timeout=CURVE_INTERVAL_MS, parent=self
        )
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self._on_speed_changed)
        self.setup.changed.connect(self._on_setup_changed)
        self.setup.clear_points_clicked.connect(self._on_clear_points_clicked)
        self.hyper.changed.connect(self.reset)
        self.view_options.changed.connect(self._redraw)
        self.timeline.scrubbed.connect(self._on_timeline_scrubbed)
        self.timeline.live_clicked.connect(self._on_timeline_live_clicked)
        self.binder.show(GanState())
        self.hyper_binder.show(HyperState())
        self.apply_theme()
        self.reset()

    def _narrow_column_soon(self) -> None:
        QTimer.singleShot(0, self, self._narrow_column)

    def _narrow_column(self) -> None:
        self.column.setMaximumWidth(self.column.minimumWidth())

    @property
    def _curve_panes(self) -> tuple[CurvePane, ...]:
        return (self.coverage, self.criterion, self.quality)

    def apply_theme(self) -> None:
        """Size the timeline's step label for the (already scaled) font."""
        metrics = self.timeline.label.fontMetrics()
        self.timeline.label.setFixedWidth(metrics.horizontalAdvance("step 000000000"))

    # -- settings ---------------------------------------------------------------------
    def settings(self) -> GanState:
        """Return the settings the widgets and the drawn modes show."""
        return self.binder.state().replace(
            hyper=self.hyper_binder.state(),
            speed=SPEEDS.index(self.run_bar.speed_value),
        )

    @property
    def _means(self) -> NDArray[np.float64]:
        means: NDArray[np.float64] = self.binder.extra("means")
        return means

    @property
    def _std(self) -> float:
        return float(self.binder.extra("std"))

    def _set_data(self, means: NDArray[np.float64], std: float | None = None) -> None:
        self.binder.set_extra(means=np.asarray(means, dtype=np.float64))
        if std is not None:
            self.binder.set_extra(std=float(std))

    def _show_data(self) -> None:
        means, std = self._means, self._std
        idx = self._rng.integers(0, len(means), REAL_SAMPLES)
        real = means[idx] + std * self._rng.standard_normal((REAL_SAMPLES, 2))
        for run in self._runs:
            run.view.set_data(means, std, real)

    # -- protocol: run menu ---------------------------------------------------------
    def start_pause(self) -> None:
        """Start training (all four runs), or pause / resume the running ones."""
        active = self._active_runs()
        if not self._is_running():
            self._start(paused=False)
        elif self._is_paused():
            for r in active:
                r.runner.resume()
        else:
            for r in active:
                r.runner.pause()
        self._refresh_buttons()

    def step(self) -> None:
        """Advance every run by one full iteration (D then G)."""
        self._step("both")

    def _step_d(self) -> None:
        self._step("d")

    def _step_g(self) -> None:
        self._step("g")

    def reset(self) -> None:
        """Stop the runs and start fresh networks from the seed, paused at step 0.

        Every readout is cleared at once (views, curves, cards, status), so none
        shows the old runs' numbers while the new jobs start.
        """
        self.error_banner.clear()
        self.draws.clear()
        for run in self._runs:
            run.runner.abort()
            run.clear()
            run.view.clear_progress()
        self._live = True
        self.timeline.live.setChecked(True)
        self.timeline.set_length(0, follow=True)
        self.timeline.label.setText("step 0")
        for pane in self._curve_panes:
            pane.clear_curves()
        self._show_data()
        mixture = make_mixture(self._means, self._std)  # what the runs will use
        self.coverage.set_y_range(0, mixture.n_modes)
        unroll = self.setup.unroll.value()
        for i, run in enumerate(self._runs):
            run.view.set_extent(mixture.extent)
            k = f" k={unroll}" if run.loss == "unrolled" else ""
            run.view.set_title(f"{SHORT[run.loss]}{k}", color_index=i)
            self.formulas[run.loss].set_values({"G steps": "— (starting)"})
        self._update_status()
        self._start(paused=True)

    def _active_runs(self) -> list[GanRun]:
        """Return the runs whose job did not fail (a diverged one has stopped)."""
        live = [r for r in self._runs if not r.failed]
        return live or self._runs

    def _is_running(self) -> bool:
        return any(r.runner.is_running for r in self._active_runs())

    def _is_paused(self) -> bool:
        return all(r.runner.is_paused for r in self._active_runs())

    def _start(self, *, paused: bool) -> bool:
        """Start a fresh job per run (from the seed); return whether they started."""
        try:
            state = self.settings()  # a StateError is a ValueError naming the field
            configs = [state.config(run.loss) for run in self._runs]
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.error_banner.clear()
        # a worker process of its own trains these small networks fastest on 1 thread
        threads = 1 if self.context.training_backend == "process" else None
        for i, (run, cfg) in enumerate(zip(self._runs, configs, strict=False)):
            run.clear()
            run.runner.set_speed(self.run_bar.speed_value)
            run.runner.start(
                train_interactive,
                cfg,
                seed=state.seed,
                device=self.context.device,
                threads=threads,
                on_progress=partial(self._on_run_progressed, i),
                on_error=partial(self._on_run_error, i),
                batched=True,
                paused=paused,
                controlled=True,
            )
        self._refresh_buttons()
        return True

    def _step(self, action: Action) -> None:
        """Do exactly one ``action`` in every run, then hold them (paused)."""
        if not self._is_running() and not self._start(paused=True):
            return
        for r in self._active_runs():
            r.runner.pause()  # the chunk in flight finishes first
            r.runner.act(action)
            r.runner.step(1)
        self._refresh_buttons()

    # -- slots ----------------------------------------------------------------------
    def _on_speed_changed(self, steps: int) -> None:
        for run in self._runs:
            run.runner.set_speed(steps)
        self._sync_runs()

    def _on_setup_changed(self) -> None:
        key = self.setup.data.currentData()
        if key != "points":
            mixture = builtin_mixture(str(key))
            self._set_data(mixture.means, mixture.std)
        self.setup.clear_points.setEnabled(key == "points")
        self.reset()

    def _on_clear_points_clicked(self) -> None:
        self._set_data(self._means[:1].copy())
        self._on_modes_changed()

    def _on_view_modes_edited(self, means: NDArray[np.float64]) -> None:
        if len(means) > MAX_POINTS:
            self.show_error(
                f"at most {MAX_POINTS} points are supported, got {len(means)}"
            )
            self._show_data()  # the views go back to the modes the runs have
            return
        self._set_data(means)
        if self.setup.data.currentData() != "points":
            # editing a built-in set makes it "your points" (same σ), run continues
            self.binder.show(self.binder.state().replace(data="points"))
            self.setup.clear_points.setEnabled(True)
        self._on_modes_changed()

    def _on_modes_changed(self) -> None:
        self._show_data()
        for run in self._active_runs():
            if run.runner.is_running:
                run.runner.post(self._means.copy(), MODES_KEY)
                if run.runner.is_paused:  # a held run reports the new data at once
                    run.runner.act(EDIT_ACTION)
                    run.runner.step(1)

    def _on_run_error(self, index: int, exc: BaseException) -> None:
        self._runs[index].failed = True
        for run in self._active_runs():
            run.runner.pause()
        # the message the CLI prints ("the minimax GAN diverged at G step …")
        loss = self._runs[index].loss
        self.show_error(f"{LOSS_TITLES[loss]} stopped: {exc}")
        self._refresh_buttons()

    def _on_run_progressed(self, index: int, batch: list[GanProgress | None]) -> None:
        run = self._runs[index]
        items = [p for p in batch if p is not None]  # None: held at the lockstep limit
        if not items:
            return
        run.record(items)
        self._sync_runs()
        if self._live:
            self.draws.request(("run", index), partial(self._draw_latest, index))
        self._request_curves()
        self.timeline.set_length(
            max(len(r.history) for r in self._runs), follow=self._live
        )
        self._refresh_buttons()

    def _queue_curves(self) -> None:
        self.draws.request("curves", self._draw_curves)

    def _draw_latest(self, index: int) -> None:
        run = self._runs[index]
        if self._live and run.history:
            self._draw_run(index, len(run.history) - 1)
            self.timeline.label.setText(f"step {run.history[-1].step}")

    def _draw_curves(self) -> None:
        for index, run in enumerate(self._runs):
            c = run.curves
            steps = np.asarray(c["step"], dtype=np.float64)
            self.coverage.set_curve(index, steps, np.asarray(c["modes"]))
            self.criterion.set_curve(index, steps, np.asarray(c["cg"]))
            self.quality.set_curve(index, steps, np.asarray(c["hq"]))

    def _sync_runs(self) -> None:
        """Keep the runs in lockstep: none runs ahead of the slowest by a chunk.

        A run that stopped (diverged) no longer holds the others back; one whose
        worker is still starting holds them at the first chunk.
        """
        active = [r for r in self._runs if not r.failed]
        until: list[int | None] = [None] * len(active)
        if len(active) > 1:
            # a run still starting (no report yet) holds the others at step 0
            slowest = min(r.history[-1].step if r.history else 0 for r in active)
            until = [slowest + r.runner.speed for r in active]
        for r, limit in zip(active, until, strict=True):
            if r.run_until != limit and r.runner.is_running:
                r.run_until = limit
                r.runner.post(limit, RUN_UNTIL_KEY)

    def _on_timeline_scrubbed(self, value: int) -> None:
        self._live = False
        self.draws.cancel(lambda key: isinstance(key, tuple) and key[0] == "run")
        self._show_index(value)

    def _on_timeline_live_clicked(self) -> None:
        self._live = True
        self.timeline.live.setChecked(True)
        longest = max(len(r.history) for r in self._runs)
        self.timeline.set_length(longest, follow=True)
        self._redraw()

    # -- drawing --------------------------------------------------------------------
    def _show_index(self, value: int) -> None:
        ref = max(self._runs, key=lambda r: len(r.history))
        if not ref.history:
            return
        target = ref.history[min(value, len(ref.history) - 1)].step
        self.timeline.label.setText(f"step {target}")
        for i, run in enumerate(self._runs):
            steps = [p.step for p in run.history]
            j = bisect.bisect_right(steps, target) - 1
            if j >= 0:
                self._draw_run(i, j)

    def _redraw(self) -> None:
        if self._live:
            for i, run in enumerate(self._runs):
                if run.history:
                    self._draw_run(i, len(run.history) - 1)
        else:
            self._show_index(self.timeline.slider.value())

    def _draw_run(self, index: int, j: int) -> None:
        run = self._runs[index]
        p = run.history[j]
        trails = self.view_options.trails.isChecked()
        trail = run.history[max(0, j - TRAIL_LENGTH) : j] if trails else []
        run.view.show_progress(p, trail, arrows=self.view_options.arrows.isChecked())
        self._update_card(p)
        self._update_status()

    def _update_card(self, p: GanProgress) -> None:
        values = card_values(
            p, unroll=self.setup.unroll.value(), gp_lambda=self.hyper.gp_lambda.value()
        )
        self.formulas[p.loss_name].set_values(values)

    def _update_status(self) -> None:
        self.run_bar.set_status(status_html(self._runs))

    def _refresh_buttons(self) -> None:
        running = self._is_running()
        paused = running and self._is_paused()
        started = any(
            r.history and (r.history[-1].step or r.history[-1].d_steps)
            for r in self._active_runs()
        )
        self.run_bar.set_state(
            running=running and (started or not paused), paused=paused
        )

    # -- protocol: files, views, sessions -------------------------------------------
    def open_file(self, path: Path) -> None:
        """Load a CSV of 'x,y' points as the data modes (σ = 0.05) and reset.

        Raises
        ------
        ValueError
            When the file is not a list of 'x,y' number pairs.
        """
        self._set_data(read_points_csv(path), 0.05)
        self.binder.show(self.binder.state().replace(data="points"))
        self.setup.clear_points.setEnabled(True)
        self.reset()

    def main_view(self) -> QWidget:
        """Return the field view(s): heatmaps with data and samples."""
        return self._fields

    def snapshot_ready(self) -> bool:
        """Return True once run A's first snapshot is drawn."""
        return bool(self._runs[0].history) and not self.draws.pending()

    def state(self) -> dict[str, Any]:
        """Return the experiment's settings and data modes (a versioned dict)."""
        return self.settings().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output and reset the runs (unknown keys are ignored).

        Raises
        ------
        StateError
            A ValueError naming the field, for a dict that is not a GAN state.
        """
        new = GanState.from_dict(state)
        if "means" not in state:  # keep drawn points; a built-in set brings its own
            if new.data == "points":
                new = new.replace(means=self._means, std=self._std)
            else:
                mixture = builtin_mixture(new.data)
                new = new.replace(means=mixture.means, std=mixture.std)
        self.binder.show(new)
        self.hyper_binder.show(new.hyper)
        self.run_bar.set_speed_value(SPEEDS[new.speed])
        self.setup.clear_points.setEnabled(new.data == "points")
        self.reset()
