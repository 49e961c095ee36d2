"""The Gridworld RL playground: edit a world by clicking, watch DP, TD or DQN solve it.

Left-click toggles a wall, right-click opens a menu (reward, terminal, start,
teleport, wind); every edit is undoable.  One algorithm runs on grid A; with
"Compare" a second one runs on a copy of the same world in grid B, and the curves
overlay both (e.g. SARSA vs Q-learning on ``cliff``).
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QMenu,
    QVBoxLayout,
    QWidget,
)

from explorer.core.gridworld import (
    ALGO_TITLES,
    ALGOS,
    DP_ALGOS,
    PACE_KEY,
    GridProgress,
    GridWorld,
    Pace,
    RLConfig,
    algo_defaults,
    load_preset,
    train,
    world_from_dict,
    world_to_dict,
)
from explorer.core.gridworld.names import REINFORCE_FORM_TITLES
from explorer.core.gridworld.report import dp_outcome
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.gridworld.controls import AlgoBox, ViewOptions, WorldBox
from explorer.panels.gridworld.curves import Curves
from explorer.panels.gridworld.editing import WORLD_FILTERS, WorldEditor
from explorer.panels.gridworld.formulas import FormulaStack
from explorer.panels.gridworld.grid_view import GridView
from explorer.panels.gridworld.sides import EPISODE_PACE, STEP_PACE, Side, run_pace
from explorer.panels.gridworld.state import SPEED_LIMITS, GridState
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.run_bar import RunBar


class GridworldPanel(PanelBase):
    """Gridworld RL playground (see the module docstring)."""

    panel_id = "gridworld"
    runnable = True
    open_filters = WORLD_FILTERS

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme

        view_a = GridView(theme, title="A")
        view_b = GridView(theme, title="B")
        defaults = GridState()
        self._a = Side("A", view_a, self.make_runner("grid A"), 0, defaults.algo)
        self._b = Side("B", view_b, self.make_runner("grid B"), 1, defaults.algo_b)
        for side in (self._a, self._b):
            side.runner.paused_changed.connect(self._show_run_state)

        self.curves = Curves(theme, ((self._a.name, 0), (self._b.name, 1)))
        self._curves = self.curves.curves
        self._grids = QGridLayout()
        self._grids.addWidget(view_a, 0, 0)
        self._grids.addWidget(view_b, 0, 1)
        view_b.hide()
        left = QVBoxLayout()
        left.addLayout(self._grids, 3)
        left.addLayout(self.curves, 1)

        self.world_box = WorldBox()
        self.algo_box = AlgoBox()
        self.view_options = ViewOptions()
        self.run_bar = RunBar(
            "run the agents",
            step_tip="One environment step (DP: one sweep), then pause (S)",
            reset_tip="Stop and forget what was learnt (R)",
            speeds=tuple(range(SPEED_LIMITS[0], SPEED_LIMITS[1] + 1)),
            speed_unit="%",
            default_speed=defaults.speed,
        )
        if self.run_bar.speed is not None:
            self.run_bar.speed.setToolTip(
                "How fast the agent moves; far right: full speed, "
                "the grids update once per episode"
            )
        self.episode_button = self.run_bar.add_button(
            "Step episode", "Run to the end of the current episode", self.step_episode
        )
        self._cards = FormulaStack()
        self._card_of = self._cards.cards
        self.column = ControlsColumn(theme, min_width=360)
        self.column.add(self.world_box)
        self.column.add(self.algo_box)
        run = self.column.add_group("Run")
        run.addWidget(self.run_bar)
        run.addWidget(self.view_options)
        self.column.add(self._cards)
        self.column.add_stretch()

        main = QHBoxLayout()
        main.addLayout(left, 1)
        main.addWidget(self.column)
        self.body.addLayout(main)

        self.binder = Binder(GridState, self)
        algo = self.algo_box
        for name, widget in (
            ("algo", algo.algo),
            ("algo_b", algo.algo_b),
            ("reinforce", algo.reinforce),
            ("compare", algo.compare),
            ("alpha", algo.alpha),
            ("epsilon", algo.epsilon),
            ("episodes", algo.episodes),
            ("theta", algo.theta),
            ("in_place", algo.in_place),
            ("seed", algo.seed),
            ("show_q", self.view_options.show_q),
            ("numbers", self.view_options.numbers),
        ):
            self.binder.bind(name, widget)
        self.binder.changed.connect(self._on_setting_changed)
        self.editor = WorldEditor(
            self.world_box, self, self.show_error, load_preset("sb-5x5")
        )
        self.editor.world_changed.connect(self._on_world_changed)
        self.editor.preset_chosen.connect(self._suggest_algos)
        for side in (self._a, self._b):
            side.view.cell_clicked.connect(self.editor.on_cell_clicked)
            side.view.cell_menu_requested.connect(self.editor.on_cell_menu_requested)
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        # The speed is the run bar's (its label follows it); the state keeps a copy.
        self.run_bar.speed_changed.connect(self._on_speed_changed)

        for keys, slot in (
            (QKeySequence.StandardKey.Undo, self.undo),
            (QKeySequence.StandardKey.Redo, self.redo),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._apply_settings(defaults)
        self._on_world_changed(self.world)

    def _title(self, algo: str) -> str:
        """Return ``algo``'s title (REINFORCE's with the form in use)."""
        if algo == "reinforce":
            form = str(self.algo_box.reinforce.currentData())
            return f"REINFORCE, {REINFORCE_FORM_TITLES[form].split(' (')[0]}"
        return ALGO_TITLES[algo]

    # -- the world and its edits ------------------------------------------------------
    @property
    def world(self) -> GridWorld:
        """The world being edited."""
        return self.editor.world

    def _sides(self) -> list[Side]:
        compare = self.algo_box.compare.isChecked()
        return [self._a, self._b] if compare else [self._a]

    def _on_world_changed(self, world: GridWorld) -> None:
        """Show ``world`` in both grids and drop what was learnt on the old one."""
        self._stop_jobs()
        for side in (self._a, self._b):
            side.view.set_world(world)
        self._arrange_grids()
        self._clear_cards()
        self._clear_curves()
        self._show_run_state()

    def _arrange_grids(self) -> None:
        """Put B beside A (one above the other for wide worlds); both the same size."""
        world = self.world
        wide = world.cols > 1.6 * world.rows
        compare = self.algo_box.compare.isChecked()
        self._grids.addWidget(self._b.view, 1 if wide else 0, 0 if wide else 1)
        for i in (0, 1):
            self._grids.setRowStretch(i, 1 if i == 0 or (wide and compare) else 0)
            self._grids.setColumnStretch(
                i, 1 if i == 0 or (not wide and compare) else 0
            )

    def set_world(self, world: GridWorld, *, key: str = "") -> None:
        """Replace the world with ``world`` as one undoable edit.

        Consecutive edits with the same non-empty ``key`` (dragging a spin box) merge
        into one undo step.
        """
        self.editor.set_world(world, key=key)

    def undo(self) -> None:
        """Go back to the world before the last edit."""
        self.editor.undo()

    def redo(self) -> None:
        """Redo the last undone edit."""
        self.editor.redo()

    def _suggest_algos(self, name: str) -> None:
        """Pick the algorithms a preset is about (the textbook's comparison)."""
        box = self.algo_box
        if name == "cliff":
            box.algo.setCurrentIndex(ALGOS.index("sarsa"))
            box.algo_b.setCurrentIndex(ALGOS.index("q-learning"))
            box.compare.setChecked(True)
        elif name == "maze":
            box.algo.setCurrentIndex(ALGOS.index("dqn"))

    def cell_menu(self, row: int, col: int) -> QMenu:
        """Return the right-click menu of cell (row, col)."""
        return self.editor.cell_menu(row, col)

    # -- settings ----------------------------------------------------------------
    def _on_setting_changed(self, name: str) -> None:
        if name == "algo":
            self._on_algo_changed()
        elif name in ("algo_b", "compare"):
            self._on_compare_toggled()
        elif name in ("show_q", "numbers"):
            self._on_display_toggled()
        elif name == "reinforce":
            self._cards.show_reinforce_form(str(self.algo_box.reinforce.currentData()))
            self._show_algo(self._a.algo)
            self._b.view.set_caption(f"B: {self._title(self._b.algo)}", self._b.color)
            self.reset()

    def _on_algo_changed(self) -> None:
        """Grid A's algorithm changed: its suggested parameters, then a reset."""
        algo = str(self.algo_box.algo.currentData())
        self._show_algo(algo)
        defaults = RLConfig(world=self.world, algo=algo, **algo_defaults(algo))  # type: ignore[arg-type]
        box = self.algo_box
        box.alpha.setValue(defaults.lr if algo == "dqn" else defaults.alpha)
        box.epsilon.setValue(defaults.epsilon)
        box.episodes.setValue(defaults.episodes)
        self.reset()

    def _show_algo(self, algo: str) -> None:
        self._a.algo = algo
        self.algo_box.show_algo(algo)
        self.episode_button.setText(
            "Step sweep" if algo in DP_ALGOS else "Step episode"
        )
        self._a.view.set_caption(f"A: {self._title(algo)}", self._a.color)
        self._cards.show_algo(algo)

    def _on_compare_toggled(self) -> None:
        self._b.algo = str(self.algo_box.algo_b.currentData())
        self._b.view.set_caption(f"B: {self._title(self._b.algo)}", self._b.color)
        self._b.view.setVisible(self.algo_box.compare.isChecked())
        self._arrange_grids()
        self.reset()

    def _on_display_toggled(self) -> None:
        for side in (self._a, self._b):
            side.view.show_q = self.view_options.show_q.isChecked()
            side.view.show_numbers = self.view_options.numbers.isChecked()
            side.view.display(side.last)

    def _apply_settings(self, state: GridState) -> None:
        """Show ``state`` in the controls and apply it (the jobs are reset)."""
        self.algo_box.show_algo(state.algo)  # the α box's decimals first
        self.binder.show(state)
        self._cards.show_reinforce_form(state.reinforce)
        self.run_bar.set_speed_value(state.speed)
        self._show_algo(state.algo)
        self._on_display_toggled()
        self._on_compare_toggled()

    def _config(self, algo: str) -> RLConfig:
        """Return the job for ``algo`` with the parameters in the controls.

        The α / ε controls belong to grid A's algorithm; grid B takes them too unless
        one of the two is DQN (whose control is a learning rate), then B keeps its
        own defaults.
        """
        settings = self.binder.state()
        params: dict[str, Any] = dict(algo_defaults(algo))
        if algo not in DP_ALGOS:
            params["episodes"] = settings.episodes
            if (algo == "dqn") == (self._a.algo == "dqn"):
                step = "lr" if algo == "dqn" else "alpha"
                params.update({step: settings.alpha}, epsilon=settings.epsilon)
        return RLConfig(
            world=self.world,
            algo=algo,
            theta=settings.theta,
            in_place=settings.in_place,
            reinforce=settings.reinforce,
            **params,
        )

    # -- running ----------------------------------------------------------------
    def _running(self) -> bool:
        return any(side.runner.is_running for side in self._sides())

    def _ensure_started(self, pace: Pace) -> list[Side] | None:
        """Start (paused) every side that is not running; None when a config fails.

        Every side's job then runs at ``pace`` (posted to the running ones).  A job
        started paused computes its first report and holds; the sides started now
        are returned.
        """
        started: list[Side] = []
        for side in self._sides():
            if side.runner.is_running:
                side.runner.post(pace, PACE_KEY)
                continue
            try:
                cfg = self._config(side.algo)
            except ValueError as exc:
                self.show_error(str(exc))
                return None
            self._clear_curves(side)
            side.cfg = cfg
            side.runner.start(
                train,
                cfg,
                seed=self.algo_box.seed.value(),
                device=self.context.device,
                pace=pace,
                paused=True,
                controlled=True,
                on_progress=self._a_progressed
                if side is self._a
                else self._b_progressed,
                on_error=self._on_job_failed,
                on_finished=self._show_run_state,
            )
            started.append(side)
        return started

    def _all_paused(self) -> bool:
        running = [s for s in self._sides() if s.runner.is_running]
        return bool(running) and all(s.runner.is_paused for s in running)

    def start_pause(self) -> None:
        """Run every grid's job, or pause / resume them."""
        if self._running() and not self._all_paused():
            for side in self._sides():
                side.runner.pause()
        else:
            if self._ensure_started(self._run_pace()) is None:
                return
            for side in self._sides():
                side.runner.resume()
        self._show_run_state()

    def step(self) -> None:
        """Advance every grid by one environment step (DP: one sweep)."""
        self._step(STEP_PACE)

    def step_episode(self) -> None:
        """Advance every grid to the end of its episode (DP: one sweep)."""
        self._step(EPISODE_PACE)

    def _step(self, pace: Pace) -> None:
        for side in self._sides():
            side.runner.pause()
        started = self._ensure_started(pace)
        if started is None:
            return
        for side in self._sides():
            if side not in started:
                side.runner.step(1)
        self._show_run_state()

    def _run_pace(self) -> Pace:
        return run_pace(self.run_bar.speed_value)

    def _on_speed_changed(self, speed: int) -> None:
        self.binder.set_extra(speed=speed)
        pace = run_pace(speed)
        for side in self._sides():
            if side.runner.is_running and not side.runner.is_paused:
                side.runner.post(pace, PACE_KEY)

    def _stop_jobs(self) -> None:
        for side in (self._a, self._b):
            side.runner.abort()
            side.last = None
            side.cfg = None

    def reset(self) -> None:
        """Stop the jobs and forget what they learnt (the world stays)."""
        self._stop_jobs()
        for side in (self._a, self._b):
            side.view.display(None)
        self._clear_cards()
        self._clear_curves()
        self._show_run_state()

    def _clear_cards(self) -> None:
        """Forget the numbers of the last update on every card (nothing stale)."""
        for card in self._card_of.values():
            card.set_values({})

    def _on_job_failed(self, exc: BaseException) -> None:
        self.on_job_error(exc)
        self._show_run_state()

    def _show_run_state(self, *_args: object) -> None:
        running = self._running()
        self.run_bar.set_state(running=running, paused=running and self._all_paused())
        parts = []
        for side in self._sides():
            text = f"{side.name}: {self._title(side.algo)}: {self._status(side)}"
            parts.append(html.escape(text, quote=False))
        self.run_bar.set_status("<br>".join(parts))

    def _status(self, side: Side) -> str:
        """Return where ``side``'s job is; a finished DP job says if it converged."""
        last, cfg = side.last, side.cfg
        if last is None:
            return "ready"
        if side.runner.is_running or cfg is None or last.algo not in DP_ALGOS:
            return last.message
        return dp_outcome(last, gamma=cfg.discount, theta=cfg.theta)

    # -- drawing -----------------------------------------------------------------
    def _a_progressed(self, progress: GridProgress) -> None:
        self._on_side_progressed(self._a, progress)

    def _b_progressed(self, progress: GridProgress) -> None:
        self._on_side_progressed(self._b, progress)

    def _on_side_progressed(self, side: Side, progress: GridProgress) -> None:
        side.last = progress
        side.view.display(progress)
        self.curves.show_progress(side.name, progress)
        if side is self._a:
            self._card_of[side.algo].set_values(dict(progress.last_update))
        self._show_panes()
        self._show_run_state()

    def _show_panes(self) -> None:
        self.curves.show_panes(
            [s.algo for s in self._sides()],
            legend_b=self.algo_box.compare.isChecked(),
        )

    def _clear_curves(self, side: Side | None = None) -> None:
        self.curves.clear(None if side is None else side.name)
        self._show_panes()

    # -- protocol ----------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Load the world in the JSON file ``path`` (undoable).

        Raises
        ------
        ValueError
            When the file is not a valid grid world (the message says why).
        """
        self.editor.open_file(path)

    def main_view(self) -> QWidget:
        """Return grid A (the main view)."""
        return self._a.view

    def state(self) -> dict[str, Any]:
        """Return the settings and the world as a JSON-able dict."""
        return {**self.binder.state().to_dict(), "world": world_to_dict(self.world)}

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict from :meth:`state` (unknown keys are ignored).

        Raises
        ------
        ValueError
            When a setting or the world is unusable (the message names it);
            nothing is changed then.
        """
        settings = GridState.from_dict(state)
        world = None
        if "world" in state:
            try:
                world = world_from_dict(state["world"], source="session")
            except ValueError as exc:
                raise ValueError(f"world: {exc}") from None
        if world is not None:
            self.editor.replace_all(world)
        self._apply_settings(settings)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """On a narrow window (a projector at ×2) give the grids the column's spare."""
        super().resizeEvent(event)
        self._fit_column()

    def apply_theme(self) -> None:
        """Refit the side column after a scale change."""
        self._fit_column()

    def _fit_column(self) -> None:
        """Hold the column at its narrowest (labels above fields) when space is short.

        The grids and plots need the width more than the form needs its labels
        beside the fields; on a wide window the column takes its natural width.
        """
        column = self.column
        need = column.content.minimumSizeHint().width()
        need += column.verticalScrollBar().sizeHint().width() + 2
        narrow = self.width() < 2.4 * column.sizeHint().width()
        column.setMaximumWidth(
            max(need, column.minimumWidth()) if narrow else 16_777_215
        )

    def snapshot_ready(self) -> bool:
        """Return True: the world is drawn as soon as the panel exists."""
        return self._a.view.world is not None

    def shutdown(self) -> None:
        """Stop both jobs."""
        super().shutdown()
