"""The Perceptrons & MLPs panel: the perceptron rule, a playground, bumps in 1-D.

Three tabs share one run bar and one side column: Start / Step / Reset act on
the tab shown.  The perceptron's single Step is computed directly (an update
is a dot product over a few dozen points); its Run, the playground's training
and the trained sweep of the universal-approximation tab are jobs of the
panel's runners (training in a worker process in the app).  The bump sum is
400 samples of a few sigmoids: drawn directly on every drag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QTabWidget, QWidget

from explorer.core.mlp.approx import Bump
from explorer.core.mlp.data import read_points_csv, read_target_csv
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.mlp.approx_tab import ApproxSection
from explorer.panels.mlp.controls import ApproxBox, PerceptronBox, PlaygroundBox
from explorer.panels.mlp.formulas import APPROX, PERCEPTRON, PLAYGROUND
from explorer.panels.mlp.perceptron_tab import PerceptronSection
from explorer.panels.mlp.playground_tab import PlaygroundSection
from explorer.panels.mlp.state import DRAWN_SAMPLES, MAX_USER_POINTS, MlpState
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import RunBar

SPEEDS = (1, 2, 5, 10, 50)  # perceptron updates per frame; ×10 training steps
TRAIN_STEPS_PER_SPEED = 10
Section = PerceptronSection | PlaygroundSection | ApproxSection
TAB_TITLES = ("Perceptron", "Playground", "Universal approx.")
PLAYGROUND_FIELDS = frozenset(
    {"data", "noise", "seed", "depth", "width", "activation", "loss", "batch", "lr"}
    | {"l2", "steps", "f_x1", "f_x2", "f_x1sq", "f_x2sq", "f_x1x2", "f_sin1"}
    | {"f_sin2"}
)


class MlpPanel(PanelBase):
    """Perceptron, MLP playground and universal approximation, in three tabs."""

    panel_id: ClassVar[str] = "mlp"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = "Points x1,x2,label or a target x,y (*.csv)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self.run_bar = RunBar(
            "run the rule / train the network / fit N = 1, 2, 4, …",
            step_tip="One perceptron update / one report of training / one N (S)",
            reset_tip="Back to the start of the tab shown; the data stay (R)",
            speeds=SPEEDS,
            speed_unit="×",
        )
        self.cards = [FormulaCard(*c) for c in (PERCEPTRON, PLAYGROUND, APPROX)]
        self.draws = DrawScheduler(50, self)
        self.perceptron = PerceptronSection(
            theme,
            self.make_runner("perceptron"),
            self.make_runner("margin"),
            self.cards[0],
            self.draws,
            self.on_job_error,
            self,
        )
        self.playground = PlaygroundSection(
            theme,
            self.make_runner("train", training=True),
            self.cards[1],
            self.draws,
            self.on_job_error,
            self,
        )
        self.approx = ApproxSection(
            theme,
            self.make_runner("fit", training=True),
            self.cards[2],
            self.on_job_error,
            self._on_bumps_changed,
            self,
        )
        self.sections: tuple[Section, ...] = (
            self.perceptron,
            self.playground,
            self.approx,
        )
        self.tabs = QTabWidget()
        for page, title in zip(
            (self.perceptron.page, self.playground.page, self.approx.page),
            TAB_TITLES,
            strict=True,
        ):
            self.tabs.addTab(page, title)
        self.boxes = (PerceptronBox(), PlaygroundBox(), ApproxBox())
        self.column = ControlsColumn(theme, min_width=280, max_width=360)
        self.column.add(self.run_bar)
        for box in self.boxes:
            self.column.add(box)
        for card in self.cards:
            self.column.add(card)
        self.column.add_stretch()
        # after a scale change keep the column at the width it needs: the views
        # get the rest (its cards wrap and scroll vertically)
        theme.changed.connect(self._narrow_column_soon)
        self._narrow_column_soon()
        row = QHBoxLayout()
        row.addWidget(self.tabs, 1)
        row.addWidget(self.column)
        self.body.addLayout(row)
        # on a projector the status line says what these plots add
        self.mark_secondary(self.playground.graph, self.perceptron.sweeps)
        self.run_bar.speed.setToolTip(  # type: ignore[union-attr]
            "Speed: perceptron updates per frame, or 10 × that many training steps "
            "per report"
        )

        self.binder = Binder(MlpState, self)
        for box in self.boxes:
            box.bind(self.binder)
        self.binder.show(MlpState())
        self._wire()
        self._on_speed_changed(self.run_bar.speed_value)
        self._load_all()
        self._on_tab_changed(0)

    def _wire(self) -> None:
        bar = self.run_bar
        bar.start_pause_clicked.connect(self.start_pause)
        bar.step_clicked.connect(self.step)
        bar.reset_clicked.connect(self.reset)
        bar.speed_changed.connect(self._on_speed_changed)
        self.binder.changed.connect(self._on_settings_changed)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        for section in self.sections:
            section.runner.started.connect(self._show_run_state)
            section.runner.finished.connect(self._show_run_state)
            section.runner.paused_changed.connect(self._show_run_state)
        self.perceptron.view.points_edited.connect(self._on_perceptron_points_edited)
        self.playground.view.points_edited.connect(self._on_playground_points_edited)
        p_box, g_box, a_box = self.boxes
        p_box.clear.clicked.connect(self._on_clear_clicked)
        g_box.export_model.clicked.connect(self._on_export_model_clicked)
        g_box.export_data.clicked.connect(self._on_export_data_clicked)
        g_box.output.clicked.connect(self.playground.show_output)
        a_box.add.clicked.connect(lambda: self._guard(self.approx.add_bump))
        a_box.remove.clicked.connect(self.approx.remove_bump)
        a_box.tile.clicked.connect(lambda: self.approx.tile(a_box.tile_n.value()))
        a_box.draw.toggled.connect(self._on_draw_toggled)
        self.approx.view.target_drawn.connect(self._on_target_drawn)
        for section in self.sections:
            section.progressed.connect(self._queue_status)
        self.perceptron.runner.finished.connect(self._queue_status)

    def _narrow_column_soon(self) -> None:
        QTimer.singleShot(0, self, self._narrow_column)

    def _narrow_column(self) -> None:
        self.column.setMaximumWidth(self.column.minimumWidth())

    # -- helpers -----------------------------------------------------------------------
    @property
    def section(self) -> Section:
        """The section of the tab shown."""
        return self.sections[self.tabs.currentIndex()]

    def _guard(self, action: Any) -> None:
        try:
            action()
        except ValueError as exc:
            self.show_error(str(exc))
        self._queue_status()

    def _queue_status(self, *_: object) -> None:
        self.draws.request("status", self._show_status)

    def _show_status(self) -> None:
        self.run_bar.set_status(self.section.status())

    def _show_run_state(self, *_: object) -> None:
        runner = self.section.runner
        self.run_bar.set_state(running=runner.is_running, paused=runner.is_paused)
        self._queue_status()

    def _load_all(self) -> None:
        state = self.binder.state()
        self.perceptron.load(state)
        self.playground.load(state)
        self.approx.load(state)
        self._queue_status()

    # -- run bar -----------------------------------------------------------------------
    def start_pause(self) -> None:
        """Start, pause or resume the job of the tab shown."""
        self._guard(self._start_pause)

    def _start_pause(self) -> None:
        section = self.section
        if section.runner.is_running:
            section.runner.toggle_pause()
        elif section is self.perceptron:
            self.perceptron.start_pause()
        else:
            self._start(paused=False)

    def _start(self, *, paused: bool) -> None:
        state = self.binder.state()
        if self.section is self.playground:
            why = self.playground.usable(state)
            if why:
                raise ValueError(why)
            self.playground.load(state)
            self.playground.start(paused=paused)
        else:
            self.approx.start(state, paused=paused)

    def step(self) -> None:
        """One step of the tab shown (a held job computes one more report)."""
        self._guard(self._step)

    def _step(self) -> None:
        section = self.section
        if section is self.perceptron:
            self.perceptron.step()
        elif section.runner.is_running:
            section.runner.step()
        else:
            self._start(paused=True)

    def reset(self) -> None:
        """Back to the start of the tab shown (the data stay)."""
        self.draws.clear()
        self.section.load(self.binder.state())
        self._show_run_state()

    def _on_speed_changed(self, value: int) -> None:
        self.perceptron.runner.set_speed(value)
        self.playground.runner.set_speed(value * TRAIN_STEPS_PER_SPEED)

    # -- settings ----------------------------------------------------------------------
    def _on_tab_changed(self, index: int) -> None:
        self.binder.set_extra(tab=index)
        for i, (box, card) in enumerate(zip(self.boxes, self.cards, strict=True)):
            box.setVisible(i == index)
            card.setVisible(i == index)
        self.column.refit()
        self._narrow_column_soon()
        self._show_run_state()

    def _on_settings_changed(self, name: str) -> None:
        try:
            state = self.binder.state()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        if name in ("p_data", "p_seed"):
            self.perceptron.load(state)
        elif name.startswith("p_"):
            self.perceptron.set_config(state)
        elif name in PLAYGROUND_FIELDS:
            self.playground.load(state)
            why = self.playground.usable(state)
            if why and name.startswith("f_"):
                self.show_error(why)
        elif name == "a_target":
            self.approx.load(state)
        elif name == "a_epsilon":
            self.approx.set_epsilon(state.a_epsilon)
        self._queue_status()

    def _set_points(self, x: np.ndarray, y: np.ndarray, **choices: str) -> None:
        if len(x) > MAX_USER_POINTS:
            self.show_error(f"at most {MAX_USER_POINTS} points")
            return
        pts = tuple(
            (float(a), float(b), int(c)) for (a, b), c in zip(x, y, strict=True)
        )
        self.binder.show(self.binder.state().replace(points=pts, **choices))
        self._load_points(choices)

    def _load_points(self, choices: dict[str, str]) -> None:
        state = self.binder.state()
        if state.p_data == "points" or "p_data" in choices:
            self.perceptron.load(state)
        if state.data == "points" or "data" in choices:
            self.playground.load(state)
        self._queue_status()

    def _on_perceptron_points_edited(self, x: np.ndarray, y: np.ndarray) -> None:
        self._set_points(x, y, p_data="points")

    def _on_playground_points_edited(self, x: np.ndarray, y: np.ndarray) -> None:
        self._set_points(x, y, data="points")

    def _on_clear_clicked(self) -> None:
        self._set_points(np.zeros((0, 2)), np.zeros(0), p_data="points")

    def _on_bumps_changed(self, bumps: list[Bump]) -> None:
        self.binder.set_extra(a_bumps=tuple(tuple(b) for b in bumps))
        self._queue_status()

    def _on_draw_toggled(self, on: bool) -> None:
        self.approx.view.drawing = on

    def _on_target_drawn(self, x: np.ndarray, y: np.ndarray) -> None:
        state = self.binder.state()
        grid = np.linspace(0, 1, DRAWN_SAMPLES)
        old = (
            np.array(state.a_drawn)
            if state.a_drawn
            else np.interp(grid, np.linspace(0, 1, len(self.approx.f)), self.approx.f)
        )
        order = np.argsort(x)
        xs, ys = np.clip(x[order], 0, 1), y[order]
        inside = (grid >= xs[0]) & (grid <= xs[-1])
        new = np.where(inside, np.interp(grid, xs, ys), old)
        self.binder.show(
            state.replace(a_target="drawn", a_drawn=tuple(map(float, new)))
        )
        self.approx.load(self.binder.state())
        self._queue_status()

    # -- files -------------------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Open a CSV: points on the first two tabs, a 1-D target on the third."""
        if self.section is self.approx:
            tx, ty = read_target_csv(path)
            lo, hi = float(tx.min()), float(tx.max())
            grid = np.linspace(0, 1, DRAWN_SAMPLES)
            order = np.argsort(tx)
            values = np.interp(grid, (tx[order] - lo) / (hi - lo), ty[order])
            state = self.binder.state().replace(
                a_target="drawn", a_drawn=tuple(map(float, values))
            )
            self.binder.show(state)
            self.approx.load(state)
        else:
            pts = read_points_csv(path)
            if len(pts) > MAX_USER_POINTS:
                raise ValueError(
                    f"{Path(path).name}: {len(pts):,} points; the panel shows at most "
                    f"{MAX_USER_POINTS:,} (the CLI takes up to 100,000)"
                )
            self._set_points(pts.x, pts.y, p_data="points", data="points")
        self._queue_status()

    def export_model(self, path: Path) -> Path:
        """Save the playground's trained network (the menu's and tests' path)."""
        return self.playground.export_model(path)

    def export_data(self, path: Path) -> Path:
        """Save the playground's points as CSV."""
        return self.playground.export_data(path)

    def _on_export_model_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export model", "mlp.pt", "PyTorch (*.pt)"
        )
        if name:
            self._guard(lambda: self.export_model(Path(name)))

    def _on_export_data_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export data", "points.csv", "CSV (*.csv)"
        )
        if name:
            self._guard(lambda: self.export_data(Path(name)))

    # -- protocol ----------------------------------------------------------------------
    def main_view(self) -> QWidget:
        """Return the main view of the tab shown."""
        return self.section.view

    def state(self) -> dict[str, Any]:
        """Return the settings (points, bumps and the drawn target included)."""
        return self.binder.state().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Show a state from :meth:`state` and start every tab over from it."""
        new = MlpState.from_dict(state)
        for section in self.sections:
            section.runner.abort()
        self.binder.show(new)
        self.tabs.setCurrentIndex(new.tab)
        self._load_all()
