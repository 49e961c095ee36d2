"""The GAN panel: watch G and D fight on 2-D data, one objective or two side by side.

Each run (A, and B when "Compare with" is set) has its own :class:`JobRunner`
running :func:`explorer.core.gan.train_interactive` open-ended — in a worker
process of its own in the app (the context's training backend), so GUI redraws
do not compete with training for the GIL — steered by a :class:`TrainControl`
(shared memory, so it reaches the worker process): the speed slider sets the
iterations per snapshot, Pause makes the job idle after its current chunk, the
step buttons queue exactly one D step, G step or iteration, and drawn or
dragged modes are handed to the job before its next chunk.  Compared runs
advance in lockstep (``run_until``), so the two views always show the same G
step.  (Pausing lives in the control rather than at the runner's gate so that a
step clicked while a chunk is still running is done right after it instead of
being swallowed by that chunk's yield.)  Both runs start from the same seed, so
the difference between them is the objective alone.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.gan import (
    EVAL_SAMPLES,
    Action,
    GanConfig,
    GanProgress,
    TrainControl,
    builtin_mixture,
    make_mixture,
    read_points_csv,
    train_interactive,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.gan.controls import (
    LOSS_TITLES,
    HyperBox,
    RunBar,
    SetupBox,
    Timeline,
    ViewOptions,
)
from explorer.panels.gan.views import CurvePane, FieldView
from explorer.widgets.formula_card import FormulaCard, LiveText
from explorer.workers import JobRunner

STATE_VERSION = 1
MAX_HISTORY = 600  # snapshots kept per run for the timeline (halved when full)
MAX_CURVE_POINTS = 4000  # points per live curve (halved when full)
DRAW_INTERVAL_MS = 50  # one run's view per tick
CURVE_EVERY = 8  # the curves every 8th tick: 2.5 Hz
TRAIL_LENGTH = 12  # earlier snapshots drawn as trails
REAL_SAMPLES = 600

_D_STAR = "<br>D*(x) = p<sub>data</sub>(x) / (p<sub>data</sub>(x) + p<sub>g</sub>(x))"
FORMULAS: dict[str, tuple[str, str]] = {
    "minimax": (
        "min<sub>G</sub> max<sub>D</sub> E<sub>x</sub>[log D(x)] + "
        "E<sub>z</sub>[log(1 − D(G(z)))]" + _D_STAR,
        "Goodfellow et al. 2014, eq. 1 and Prop. 1",
    ),
    "non-saturating": (
        "D: max E<sub>x</sub>[log D(x)] + E<sub>z</sub>[log(1 − D(G(z)))]<br>"
        "G: max E<sub>z</sub>[log D(G(z))]" + _D_STAR,
        "Goodfellow et al. 2014, §3 and Prop. 1",
    ),
    "unrolled": (
        "θ<sub>D</sub><sup>k+1</sup> = θ<sub>D</sub><sup>k</sup> − η "
        "∇<sub>θ<sub>D</sub></sub>L<sub>D</sub>"
        "(θ<sub>G</sub>, θ<sub>D</sub><sup>k</sup>)<br>"
        "G: min L<sub>G</sub>(θ<sub>G</sub>, θ<sub>D</sub><sup>K</sup>(θ<sub>G</sub>, "
        "θ<sub>D</sub>)), differentiated through all K steps",
        "Metz et al. 2016, Unrolled GANs, §2",
    ),
    "wgan-gp": (
        "L<sub>C</sub> = E<sub>z</sub>[C(G(z))] − E<sub>x</sub>[C(x)] + "
        "λ E<sub>x̂</sub>[(‖∇C(x̂)‖<sub>2</sub> − 1)<sup>2</sup>]<br>"
        "G: min −E<sub>z</sub>[C(G(z))]",
        "Gulrajani et al. 2017, eq. 3 (WGAN-GP)",
    ),
}


@dataclass
class _Run:
    """One training run: its job, its control, its recorded snapshots and curves."""

    runner: JobRunner
    view: FieldView
    control: TrainControl = field(default_factory=TrainControl)
    loss: str = ""
    history: list[GanProgress] = field(default_factory=list)
    curves: dict[str, list[float]] = field(default_factory=dict)
    idle: bool = False  # the job's latest yield was a paused job's heartbeat

    def clear(self) -> None:
        self.idle = False
        self.history = []
        self.curves = {k: [] for k in ("step", "d", "g", "modes", "hq", "rkl")}


class GanPanel(PanelBase):
    """G and D on 2-D data: D heatmap, samples, gradient arrows, mode coverage."""

    panel_id: ClassVar[str] = "gan"
    title: ClassVar[str] = "GAN mode collapse"
    summary: ClassVar[str] = (
        "Watch a generator and a discriminator fight on 2-D data, see mode collapse "
        "and how unrolling D or the Wasserstein objective cures it."
    )
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = "Point sets (*.csv)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self._means = builtin_mixture("ring8").means
        self._std = builtin_mixture("ring8").std
        self._live = True
        self._paused = True
        self._rng = np.random.default_rng(0)
        self._dirty: set[int] = set()
        self._dirty_curves: set[int] = set()
        self._frames = 0
        # drawing a frame costs tens of ms: coalesce snapshots into ≤ 10 frames/s
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(DRAW_INTERVAL_MS)
        self._draw_timer.timeout.connect(self._on_draw_timer)

        self.run_bar = RunBar()
        self.setup = SetupBox()
        self.view_options = ViewOptions()
        self.hyper = HyperBox()
        self.formulas = {
            loss: FormulaCard(f"Objective: {LOSS_TITLES[loss]}", text, source)
            for loss, (text, source) in FORMULAS.items()
        }
        self.status = LiveText()
        # fixed size: a changing number must not re-lay out (and repaint) the panel
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.status.setToolTip(
            "Modes captured and high-quality samples as in VEEGAN, on "
            f"{EVAL_SAMPLES:,} samples: a sample is high quality within 3σ of its "
            "nearest mode; a mode is captured when a high-quality sample is "
            "nearest to it."
        )

        views = [FieldView(theme, title="A"), FieldView(theme, title="B")]
        self._runs = [
            _Run(self.make_runner(f"run {n}", training=True), v)
            for n, v in zip("AB", views, strict=True)
        ]
        for run in self._runs:
            run.clear()
            run.view.modes_edited.connect(self._on_view_modes_edited)
        self.losses = CurvePane(theme, "Losses", "loss", [("D", 0), ("G", 1)])
        self.coverage = CurvePane(theme, "Modes captured", "modes", [("modes", 2)])
        self.quality = CurvePane(theme, "HQ samples", "%", [("HQ", 3)])
        self.timeline = Timeline()

        self._fields = QWidget()
        field_row = QHBoxLayout(self._fields)
        field_row.setContentsMargins(0, 0, 0, 0)
        for v in views:
            v.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            field_row.addWidget(v)
        curves = QHBoxLayout()
        for pane in (self.losses, self.coverage, self.quality):
            pane.setMaximumHeight(260)
            curves.addWidget(pane)
        left = QVBoxLayout()
        left.addWidget(self._fields, 3)
        left.addWidget(self.timeline)
        left.addLayout(curves, 1)

        side = QWidget()
        side_col = QVBoxLayout(side)
        side_col.setContentsMargins(0, 0, 4, 0)
        for w in (
            self.run_bar,
            self.status,
            self.setup,
            self.view_options,
            *self.formulas.values(),
            self.hyper,
        ):
            side_col.addWidget(w)
        side_col.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._side = scroll
        row = QHBoxLayout()
        row.addLayout(left, 1)
        row.addWidget(scroll)
        self.body.addLayout(row)
        # on a projector the HQ curve repeats the status line and the formula card
        self.mark_secondary(self.hyper, self.view_options.trails, self.quality)

        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self._on_step_clicked)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self._on_speed_changed)
        self.setup.changed.connect(self._on_setup_changed)
        self.setup.clear_points_clicked.connect(self._on_clear_points_clicked)
        self.hyper.changed.connect(self.reset)
        self.view_options.changed.connect(self._redraw)
        self.timeline.scrubbed.connect(self._on_timeline_scrubbed)
        self.timeline.live_clicked.connect(self._on_timeline_live_clicked)
        self.apply_theme()
        self.reset()

    def apply_theme(self) -> None:
        """Widen the control column with the presentation scale (its text grows)."""
        scale = self.context.theme.scale
        metrics = self.status.fontMetrics()
        self.status.setFixedHeight(int(metrics.lineSpacing() * 3.2 * scale))
        self.timeline.label.setFixedWidth(
            int(metrics.horizontalAdvance("step 000000000") * scale)
        )
        # the plots need the room more than the controls: those may scroll sideways
        self._side.setMinimumWidth(min(int(330 * scale), 430))
        self._side.setMaximumWidth(min(int(460 * scale), 520))

    # -- configuration --------------------------------------------------------------
    def _losses(self) -> list[str]:
        a = str(self.setup.loss.currentData())
        b = str(self.setup.compare.currentData() or "")
        return [a, b] if b else [a]

    def _config(self, loss: str) -> GanConfig:
        return GanConfig(
            data="points",
            points=tuple((float(x), float(y)) for x, y in self._means),
            points_std=self._std,
            loss=loss,  # type: ignore[arg-type]
            unroll=self.setup.unroll.value(),
            steps=None,
            **self.hyper.values(),
        )

    def _show_data(self) -> None:
        idx = self._rng.integers(0, len(self._means), REAL_SAMPLES)
        real = self._means[idx] + self._std * self._rng.standard_normal(
            (REAL_SAMPLES, 2)
        )
        for run in self._runs:
            run.view.set_data(self._means, self._std, real)

    # -- protocol: run menu ---------------------------------------------------------
    def start_pause(self) -> None:
        """Start training (both runs), or pause / resume it."""
        if not self._is_running():
            self._start(paused=False)
        else:
            self._set_paused(not self._paused)
        self._refresh_buttons()

    def step(self) -> None:
        """Advance every run by one full iteration (D then G)."""
        self._on_step_clicked("both")

    def reset(self) -> None:
        """Stop the runs and start fresh networks from the seed, paused at step 0."""
        self.error_banner.clear()
        self._draw_timer.stop()
        self._dirty = set()
        self._dirty_curves = set()
        for run in self._runs:
            run.runner.abort()
            run.clear()
            run.view.clear_progress()
        self._live = True
        self.timeline.live.setChecked(True)
        self.timeline.set_length(0, follow=True)
        for pane in (self.losses, self.coverage, self.quality):
            pane.clear_curves()
        self._show_data()
        extent = make_mixture(self._means, self._std).extent  # what the runs will use
        for run in self._runs:
            run.view.set_extent(extent)
        losses = self._losses()
        self._runs[1].view.setVisible(len(losses) > 1)
        for run, loss in zip(self._runs, losses, strict=False):
            run.loss = loss
            name = "AB"[self._runs.index(run)]
            k = f" k={self.setup.unroll.value()}" if loss == "unrolled" else ""
            run.view.set_title(f"{name}: {loss}{k}")
        labels = ["A", "B"][: len(losses)]  # the views' titles name the objectives
        for pane in (self.losses, self.coverage, self.quality):
            pane.set_run_labels(labels)
        for loss, card in self.formulas.items():
            card.setVisible(loss == losses[0])
        self._start(paused=True)

    def _active_runs(self) -> list[_Run]:
        return self._runs[: len(self._losses())]

    def is_idle(self) -> bool:
        """Return True when every active run is paused and has finished its chunk."""
        return all(r.idle for r in self._active_runs())

    def _is_running(self) -> bool:
        return any(r.runner.is_running for r in self._active_runs())

    def _set_paused(self, paused: bool) -> None:
        self._paused = paused
        for r in self._runs:
            r.control.paused = paused

    def _start(self, *, paused: bool, request: Action | None = None) -> None:
        """Start a fresh job per run (from the seed); ``request`` is its first step."""
        try:
            configs = [self._config(loss) for loss in self._losses()]
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.error_banner.clear()
        seed = self.setup.seed.value()
        # a worker process of its own trains these small networks fastest on 1 thread
        threads = 1 if self.context.training_backend == "process" else None
        self._paused = paused
        for i, (run, cfg) in enumerate(zip(self._runs, configs, strict=False)):
            run.clear()
            run.control = TrainControl(
                steps_per_yield=self.run_bar.steps_per_update, paused=paused
            )
            if request is not None:
                run.control.request(request)
            run.runner.start(
                train_interactive,
                cfg,
                seed=seed,
                device=self.context.device,
                control=run.control,
                threads=threads,
                on_progress=partial(self._on_progress, i),
                on_error=partial(self._on_run_error, i),
                batched=True,
            )
        self._refresh_buttons()

    # -- slots ----------------------------------------------------------------------
    def _on_step_clicked(self, action: str) -> None:
        act: Action = "d" if action == "d" else ("g" if action == "g" else "both")
        if not self._is_running():
            self._start(paused=True, request=act)
            return
        self._set_paused(True)  # a step button pauses a free run, then steps
        for r in self._active_runs():
            r.control.request(act)
        self._refresh_buttons()

    def _on_speed_changed(self, steps: int) -> None:
        for run in self._runs:
            run.control.steps_per_yield = steps
        self._sync_runs()

    def _on_setup_changed(self) -> None:
        key = self.setup.data.currentData()
        if key != "points":
            mixture = builtin_mixture(str(key))
            self._means, self._std = mixture.means, mixture.std
        self.setup.clear_points.setEnabled(key == "points")
        self.reset()

    def _on_clear_points_clicked(self) -> None:
        self._means = self._means[:1].copy()
        self._on_modes_changed()

    def _on_view_modes_edited(self, means: NDArray[np.float64]) -> None:
        self._means = np.asarray(means, dtype=np.float64)
        if self.setup.data.currentData() != "points":
            # editing a built-in set makes it "your points" (same σ), run continues
            self.setup.data.blockSignals(True)
            self.setup.data.setCurrentIndex(self.setup.data.findData("points"))
            self.setup.data.blockSignals(False)
            self.setup.clear_points.setEnabled(True)
        self._on_modes_changed()

    def _on_modes_changed(self) -> None:
        self._show_data()
        for run in self._active_runs():
            if run.runner.is_running:
                try:
                    run.control.move_modes(self._means)
                except ValueError as exc:  # too many points for the shared buffer
                    self.show_error(str(exc))
                    return

    def _on_run_error(self, index: int, exc: BaseException) -> None:
        self._set_paused(True)
        name = "AB"[index]
        self.show_error(f"Run {name} ({self._runs[index].loss}) stopped: {exc}")
        self._refresh_buttons()

    def _on_progress(self, index: int, batch: list[GanProgress | None]) -> None:
        run = self._runs[index]
        run.idle = batch[-1] is None  # None: a paused job's heartbeat
        items = [p for p in batch if p is not None]
        if not items:
            return
        for p in items:
            run.history.append(p)
            c = run.curves
            c["step"].append(p.step)
            c["d"].append(p.losses.get("d_loss", np.nan))
            c["g"].append(p.losses.get("g_loss", np.nan))
            c["modes"].append(p.modes_captured)
            c["hq"].append(100.0 * p.high_quality_fraction)
            c["rkl"].append(p.reverse_kl)
        if len(run.history) > MAX_HISTORY:
            keep = run.history[-1]
            run.history = [*run.history[:-1:2], keep]
        if len(run.curves["step"]) > MAX_CURVE_POINTS:
            # every other point: long runs stay cheap to redraw at full length
            run.curves = {k: [*v[:-1:2], v[-1]] for k, v in run.curves.items()}
        self._sync_runs()
        self._dirty.add(index)
        if not self._draw_timer.isActive():
            self._draw_timer.start()
        self._refresh_buttons()

    def _on_draw_timer(self) -> None:
        """Redraw one run that got snapshots since its last frame, or the curves.

        One view per timer tick (every 50 ms): two compared runs each redraw at
        10 Hz without piling two redraws into one event-loop turn; the slowly
        changing curves get a tick of their own every CURVE_EVERY-th frame (and
        whenever training is paused).
        """
        self._frames += 1
        curves = self._paused or self._frames % CURVE_EVERY == 0
        if curves and self._dirty_curves:
            for index in sorted(self._dirty_curves):
                self._draw_curves(index)
            self._dirty_curves = set()
        elif self._dirty:
            index = min(self._dirty)
            self._dirty.discard(index)
            run = self._runs[index]
            self._dirty_curves.add(index)
            if self._live and run.history:
                self._draw_run(index, len(run.history) - 1)
                self.timeline.label.setText(f"step {run.history[-1].step}")
            if self._paused:
                self._draw_curves(index)
                self._dirty_curves.discard(index)
        if self._dirty or self._dirty_curves:
            self._draw_timer.start()  # come back for the rest, even without news
        longest = max(len(r.history) for r in self._runs)
        self.timeline.set_length(longest, follow=self._live)

    def _draw_curves(self, index: int) -> None:
        c = self._runs[index].curves
        steps = np.asarray(c["step"], dtype=np.float64)
        self.losses.set_curve(index, "D", steps, np.asarray(c["d"]))
        self.losses.set_curve(index, "G", steps, np.asarray(c["g"]))
        self.coverage.set_curve(index, "modes", steps, np.asarray(c["modes"]))
        self.quality.set_curve(index, "HQ", steps, np.asarray(c["hq"]))

    def _sync_runs(self) -> None:
        """Keep compared runs in lockstep: none runs ahead of the slowest by a chunk."""
        active = self._active_runs()
        if len(active) < 2 or not all(r.history for r in active):
            for r in active:
                r.control.run_until = None
            return
        slowest = min(r.history[-1].step for r in active)
        for r in active:
            r.control.run_until = slowest + max(1, r.control.steps_per_yield)

    def _on_timeline_scrubbed(self, value: int) -> None:
        self._live = False
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
        for i, run in enumerate(self._active_runs()):
            steps = [p.step for p in run.history]
            j = bisect.bisect_right(steps, target) - 1
            if j >= 0:
                self._draw_run(i, j)

    def _redraw(self) -> None:
        if self._live:
            for i, run in enumerate(self._active_runs()):
                if run.history:
                    self._draw_run(i, len(run.history) - 1)
        else:
            self._show_index(self.timeline.slider.value())

    def _draw_run(self, index: int, j: int) -> None:
        run = self._runs[index]
        p = run.history[j]
        trail = (
            run.history[max(0, j - TRAIL_LENGTH) : j]
            if (self.view_options.trails.isChecked())
            else []
        )
        run.view.show_progress(p, trail, arrows=self.view_options.arrows.isChecked())
        if index == 0:
            self._update_card(p)
        self._update_status()

    def _update_card(self, p: GanProgress) -> None:
        values: dict[str, object] = {
            "G steps": p.step,
            "D steps": p.d_steps,
            "D loss": p.losses.get("d_loss", float("nan")),
            "G loss": p.losses.get("g_loss", float("nan")),
            "modes captured": f"{p.modes_captured} / {p.modes_total}",
            "high quality": f"{100 * p.high_quality_fraction:.1f} %",
            "reverse KL": p.reverse_kl,
        }
        if p.loss_name == "unrolled":
            values["k"] = self.setup.unroll.value()
        if p.loss_name == "wgan-gp":
            values["λ"] = self.hyper.gp_lambda.value()
        self.formulas[p.loss_name].set_values(values)

    def _update_status(self) -> None:
        parts = []
        for name, run in zip("AB", self._active_runs(), strict=False):
            if run.history:
                p = run.history[-1]
                parts.append(
                    f"<b>{name}</b> {run.loss}: step {p.step}, "
                    f"<b>{p.modes_captured}/{p.modes_total}</b> modes, "
                    f"{100 * p.high_quality_fraction:.0f}% HQ"
                )
        self.status.set_html("<br>".join(parts))

    def _refresh_buttons(self) -> None:
        running = self._is_running()
        started = any(
            r.history and (r.history[-1].step or r.history[-1].d_steps)
            for r in self._active_runs()
        )
        self.run_bar.set_state(
            running=running and (started or not self._paused),
            paused=running and self._paused,
        )

    # -- protocol: files, views, sessions -------------------------------------------
    def open_file(self, path: Path) -> None:
        """Load a CSV of 'x,y' points as the data modes (σ = 0.05) and reset.

        Raises
        ------
        ValueError
            When the file is not a list of 'x,y' number pairs.
        """
        self._means = read_points_csv(path)
        self._std = 0.05
        self.setup.data.blockSignals(True)
        self.setup.data.setCurrentIndex(self.setup.data.findData("points"))
        self.setup.data.blockSignals(False)
        self.setup.clear_points.setEnabled(True)
        self.reset()

    def main_view(self) -> QWidget:
        """Return the field view(s): heatmaps with data and samples."""
        return self._fields

    def snapshot_ready(self) -> bool:
        """Return True once run A has drawn its first snapshot."""
        return bool(self._runs[0].history)

    def state(self) -> dict[str, Any]:
        """Return the experiment's settings and data modes."""
        return {
            "version": STATE_VERSION,
            "data": self.setup.data.currentData(),
            "means": self._means.copy(),
            "std": self._std,
            "loss": self.setup.loss.currentData(),
            "compare": self.setup.compare.currentData(),
            "unroll": self.setup.unroll.value(),
            "seed": self.setup.seed.value(),
            "speed": self.run_bar.speed.value(),
            "arrows": self.view_options.arrows.isChecked(),
            "trails": self.view_options.trails.isChecked(),
            "hyper": self.hyper.values(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output and reset the runs (unknown keys are ignored)."""
        widgets: list[QWidget] = [
            self.setup.data,
            self.setup.loss,
            self.setup.compare,
            self.setup.unroll,
            self.setup.seed,
        ]
        for w in widgets:
            w.blockSignals(True)
        try:
            for key, box in (
                ("data", self.setup.data),
                ("loss", self.setup.loss),
                ("compare", self.setup.compare),
            ):
                if key in state and box.findData(state[key]) >= 0:
                    box.setCurrentIndex(box.findData(state[key]))
            if "unroll" in state:
                self.setup.unroll.setValue(int(state["unroll"]))
            if "seed" in state:
                self.setup.seed.setValue(int(state["seed"]))
        finally:
            for w in widgets:
                w.blockSignals(False)
        if "speed" in state:
            self.run_bar.speed.setValue(int(state["speed"]))
        if "arrows" in state:
            self.view_options.arrows.setChecked(bool(state["arrows"]))
        if "trails" in state:
            self.view_options.trails.setChecked(bool(state["trails"]))
        hyper = state.get("hyper", {})
        spins: dict[str, QSpinBox | QDoubleSpinBox] = {
            "latent_dim": self.hyper.latent,
            "g_hidden": self.hyper.g_hidden,
            "d_hidden": self.hyper.d_hidden,
            "g_layers": self.hyper.layers,
            "lr_g": self.hyper.lr_g,
            "lr_d": self.hyper.lr_d,
            "unroll_lr": self.hyper.unroll_lr,
            "n_critic": self.hyper.n_critic,
            "gp_lambda": self.hyper.gp_lambda,
            "batch_size": self.hyper.batch,
        }
        for key, spin in spins.items():
            if key in hyper:
                spin.setValue(hyper[key])
        for key, box in (
            ("activation", self.hyper.activation),
            ("optimizer", self.hyper.optimizer),
        ):
            if key in hyper and box.findData(hyper[key]) >= 0:
                box.blockSignals(True)
                box.setCurrentIndex(box.findData(hyper[key]))
                box.blockSignals(False)
        if "means" in state:
            self._means = np.asarray(state["means"], dtype=np.float64).reshape(-1, 2)
            self._std = float(state.get("std", self._std))
        elif self.setup.data.currentData() != "points":
            mixture = builtin_mixture(str(self.setup.data.currentData()))
            self._means, self._std = mixture.means, mixture.std
        self.setup.clear_points.setEnabled(self.setup.data.currentData() == "points")
        self.reset()

    def shutdown(self) -> None:
        """Stop both runs."""
        super().shutdown()
