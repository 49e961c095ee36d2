"""The perceptron section: step the rule, watch w's line, count against Novikoff."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from explorer.core.mlp.data import Points, make_points
from explorer.core.mlp.perceptron import (
    Margin,
    PerceptronState,
    PerceptronStep,
    best_margin,
    run,
    snapshot,
    sweep_order,
    update,
)
from explorer.panels.mlp.state import MlpState
from explorer.panels.mlp.views import PointsView, integer_axis, plain_axes
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager
from explorer.workers import JobRunner

N_POINTS = 40  # a preset's points: few enough to follow each update
PACE_S = 0.12  # between animation frames of a run


def points_of(state: MlpState, preset: str, n: int, noise: float, seed: int) -> Points:
    """Return the points a section shows: a preset or the user's points."""
    if preset == "points":
        arr = np.array(state.points, dtype=np.float64).reshape(-1, 3)
        return Points(arr[:, :2].copy(), arr[:, 2].astype(np.int64))
    return make_points(preset, n, noise=noise, seed=seed)


class PerceptronSection(QObject):
    """The perceptron tab's page, its job and its readouts."""

    progressed = Signal()

    def __init__(
        self,
        theme: ThemeManager,
        runner: JobRunner,
        margin_runner: JobRunner,
        card: FormulaCard,
        draws: DrawScheduler,
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = QWidget()
        row = QHBoxLayout(self.page)
        row.setContentsMargins(0, 0, 0, 0)
        self.view = PointsView(theme, "wᵀx̃ = 0")
        self.sweeps = PlotPane(
            theme, title="Mistakes/sweep", x_label="sweep", y_label="mistakes"
        )
        plain_axes(self.sweeps)
        integer_axis(self.sweeps, "bottom")
        integer_axis(self.sweeps, "left")
        self.sweep_curve = self.sweeps.add_curve(color_index=0, width=2.0)
        self.sweeps.setMaximumWidth(420)
        row.addWidget(self.view, 3)
        row.addWidget(self.sweeps, 2)
        self.runner = runner
        self.margin_runner = margin_runner
        self.card = card
        self.draws = draws
        self.on_error = on_error
        self.points = Points(np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
        self.state = PerceptronState()
        self.last: PerceptronStep | None = None
        self.margin: Margin | None = None
        self._cfg = MlpState().perceptron_config()
        self._seed = 0

    # -- set-up --------------------------------------------------------------------
    def load(self, state: MlpState) -> None:
        """Take the data and settings of ``state`` and start over from w = 0."""
        self.runner.abort()
        self.points = points_of(state, state.p_data, N_POINTS, 0.1, state.p_seed)
        self._cfg = state.perceptron_config()
        self._seed = state.p_seed
        self.state = PerceptronState()
        self.margin = None
        self.last = None
        self.view.set_extent(
            max(1.0, float(np.abs(self.points.x).max(initial=0)) * 1.1)
        )
        self.view.set_points(self.points.x, self.points.y)
        if len(self.points) > 0:
            self.last = snapshot(self.state, self.points, self._cfg.max_updates)
            self.margin_runner.start(
                _margin_job,
                self.points,
                on_progress=self._on_margin_computed,
                on_error=self.on_error,
            )
        self.redraw()

    def set_config(self, state: MlpState) -> None:
        """Take η and the cap without touching the run (η only rescales w)."""
        self._cfg = state.perceptron_config()

    # -- actions ---------------------------------------------------------------------
    def usable(self) -> str:
        """Return why the rule cannot run now ("" when it can)."""
        if len(self.points) == 0 or len(np.unique(self.points.y)) < 2:
            return "add points of both classes (click: +1, Shift-click: −1)"
        return ""

    def start_pause(self) -> None:
        """Run the rule (animated) or pause / resume it."""
        if self.runner.is_running:
            self.runner.toggle_pause()
        else:
            self._start(paused=False)

    def step(self) -> None:
        """One update: directly (microseconds), or one frame of a held run."""
        if self.runner.is_running:
            self.runner.step()
            return
        if self.usable():
            raise ValueError(self.usable())
        update(
            self.state,
            self.points,
            sweep_order(len(self.points), self._seed),
            self._cfg,
        )
        self.last = snapshot(self.state, self.points, self._cfg.max_updates)
        self.redraw()

    def _start(self, *, paused: bool) -> None:
        if self.usable():
            raise ValueError(self.usable())
        if self.state.converged or self.state.updates >= self._cfg.max_updates:
            self.state = PerceptronState()
        self.runner.start(
            run,
            self.points,
            self._cfg,
            seed=self._seed,
            start=self.state,
            pace_s=PACE_S,
            on_progress=self._on_run_progressed,
            on_error=self.on_error,
            paused=paused,
            controlled=True,
        )

    def _on_run_progressed(self, item: PerceptronStep) -> None:
        self.last = item
        self.draws.request("perceptron", self.redraw)

    def _on_margin_computed(self, margin: Margin) -> None:
        self.margin = margin
        self.redraw()

    # -- drawing ---------------------------------------------------------------------
    def redraw(self) -> None:
        """Show the line, the ring, the sweep curve and the card from the state."""
        last = self.last
        self.view.set_line(last.w if last is not None else None)
        self.view.set_used(last.used if last is not None else -1)
        hist = list(last.sweep_history) if last is not None else []
        self.sweep_curve.setData(np.arange(1, len(hist) + 1), hist)
        self.card.set_values(self.values())
        self.progressed.emit()

    def status(self) -> str:
        """Return the status line: converged, running, or cycling on XOR."""
        last = self.last
        if last is None:
            return "no points: click to add some"
        if last.converged:
            return f"converged after {last.step} updates: every point is right"
        if last.step >= self._cfg.max_updates:
            cyc = (
                f"; w repeats every {last.cycle[1]} updates (cycling)"
                if last.cycle
                else ""
            )
            sep = (
                " — not linearly separable: the rule never converges"
                if self.margin is not None and not self.margin.separable
                else ""
            )
            return f"stopped at the cap of {last.step} updates{sep}{cyc}"
        return f"{last.step} updates, {last.errors} points misclassified"

    def values(self) -> dict[str, object]:
        """Return the card's live numbers."""
        last = self.last
        out: dict[str, object] = {}
        if last is None:
            return {"points": 0}
        out["mistakes (updates)"] = last.step
        out["misclassified now"] = last.errors
        out["w = (w₀, w₁, w₂)"] = "(" + ", ".join(f"{v:.3g}" for v in last.w) + ")"
        m = self.margin
        if m is None:
            out["γ"] = "computing…"
        elif m.gamma is None:
            out["R"] = m.radius
            out["γ"] = "none: not separable"
            out["(R/γ)²"] = "∞ — no bound"
        else:
            out["R = max‖x̃‖"] = m.radius
            out["γ"] = m.gamma
            out["(R/γ)²"] = m.bound
            out["mistakes ≤ bound"] = "yes" if last.step <= (m.bound or 0) else "NO"
        return out


def _margin_job(points: Points) -> Iterator[Margin]:
    """Yield the best margin once (scipy's import and solve stay off the GUI)."""
    yield best_margin(points)
