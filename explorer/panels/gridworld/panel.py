"""The Gridworld RL playground: edit a world by clicking, watch DP, TD or DQN solve it.

Left-click toggles a wall, right-click opens a menu (reward, terminal, start,
teleport, wind); every edit is undoable.  One algorithm runs on grid A; with
"Compare" a second one runs on a copy of the same world in grid B, and the curves
overlay both (e.g. SARSA vs Q-learning on ``cliff``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QPushButton,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.gridworld import (
    ALGO_TITLES,
    ALGOS,
    DP_ALGOS,
    PRESETS,
    GridProgress,
    GridWorld,
    Pace,
    RLConfig,
    algo_defaults,
    load_preset,
    load_world,
    save_world,
    train,
    world_from_dict,
    world_to_dict,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.gridworld.formulas import FORMULAS, RETURN
from explorer.panels.gridworld.grid_view import GridView
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.side_column import controls_scroll, fit_controls_scroll
from explorer.workers import JobRunner

MOVING_AVERAGE = 20


def moving_average(values: np.ndarray, window: int = MOVING_AVERAGE) -> np.ndarray:
    """Return the trailing mean of ``values`` over up to ``window`` points."""
    if values.size == 0:
        return values
    csum = np.cumsum(np.insert(values.astype(np.float64), 0, 0.0))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - window, 0)
    out: np.ndarray = (csum[idx] - csum[lo]) / (idx - lo)
    return out


def speed_to_delay(speed: int) -> float:
    """Return the pause between agent steps (s) for a speed slider value in [0, 100]."""
    if speed >= 100:
        return 0.0
    return 0.6 * (1.0 - speed / 100.0) ** 2


class _Side:
    """One grid with its job: grid A always, grid B when comparing."""

    def __init__(
        self, name: str, view: GridView, runner: JobRunner, color: int
    ) -> None:
        self.name = name
        self.view = view
        self.runner = runner
        self.color = color
        self.pace = Pace()
        self.algo = "value-iteration"
        self.last: GridProgress | None = None


class GridworldPanel(PanelBase):
    """Gridworld RL playground (see the module docstring)."""

    panel_id = "gridworld"
    title = "Gridworld RL"
    summary = (
        "Edit a grid world by clicking and watch dynamic programming, TD learning, "
        "SARSA vs Q-learning, DQN and policy gradients learn values and policies."
    )
    runnable = True
    open_filters = "Grid worlds (*.json)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._world = load_preset("sb-5x5")
        self._undo: list[GridWorld] = []
        self._redo: list[GridWorld] = []
        self._last_edit_key = ""
        theme = context.theme

        view_a = GridView(theme, title="A")
        view_b = GridView(theme, title="B")
        self._a = _Side("A", view_a, self.make_runner("grid A"), 0)
        self._b = _Side("B", view_b, self.make_runner("grid B"), 1)
        self._a.algo, self._b.algo = "value-iteration", "q-learning"
        for side in (self._a, self._b):
            side.view.cell_clicked.connect(self._on_view_cell_clicked)
            side.view.cell_menu_requested.connect(self._on_view_cell_menu)
            side.runner.paused_changed.connect(self._refresh_buttons)

        self._returns = PlotPane(
            theme, title="Return per episode", x_label="episode", y_label="G₀"
        )
        self._returns.add_legend()
        self._lengths = PlotPane(
            theme, title="Episode length", x_label="episode", y_label="steps"
        )
        self._deltas = PlotPane(
            theme, title="DP: max |Δv| per sweep", x_label="sweep", y_label="max |Δv|"
        )
        self._deltas.setLogMode(y=True)
        self._curves: dict[str, Any] = {}
        for side in (self._a, self._b):
            n = side.name
            self._curves[f"raw{n}"] = self._returns.add_curve(
                color_index=side.color, width=1.0
            )
            self._curves[f"raw{n}"].setOpacity(0.35)
            self._curves[f"avg{n}"] = self._returns.add_curve(
                f"{n}: mean of last {MOVING_AVERAGE}", color_index=side.color, width=2.5
            )
            self._curves[f"len{n}"] = self._lengths.add_curve(color_index=side.color)
            self._curves[f"delta{n}"] = self._deltas.add_curve(color_index=side.color)

        self._grids = QGridLayout()
        self._grids.addWidget(view_a, 0, 0)
        self._grids.addWidget(view_b, 0, 1)
        view_b.hide()
        curves = QHBoxLayout()
        for pane in (self._returns, self._lengths, self._deltas):
            pane.setMinimumHeight(170)
            curves.addWidget(pane, 1)
        left = QVBoxLayout()
        left.addLayout(self._grids, 3)
        left.addLayout(curves, 1)

        controls = QWidget()
        side_layout = QVBoxLayout(controls)
        side_layout.addWidget(self._build_world_box())
        side_layout.addWidget(self._build_algo_box())
        side_layout.addWidget(self._build_run_box())
        self._cards = QStackedWidget()
        self._card_of: dict[str, FormulaCard] = {}
        for name in ALGOS:
            formula, source = FORMULAS[name]
            extra = "" if name in DP_ALGOS else f"<br><small>{RETURN}</small>"
            card = FormulaCard(ALGO_TITLES[name], formula + extra, source)
            self._card_of[name] = card
            self._cards.addWidget(card)
        side_layout.addWidget(self._cards)
        self._status = QLabel()
        self._status.setWordWrap(True)
        side_layout.addWidget(self._status)
        side_layout.addStretch(1)
        scroll = controls_scroll(controls, 360)
        self._side_scroll = scroll

        main = QHBoxLayout()
        main.addLayout(left, 1)
        main.addWidget(scroll)
        self.body.addLayout(main)

        for keys, slot in (
            (QKeySequence.StandardKey.Undo, self.undo),
            (QKeySequence.StandardKey.Redo, self.redo),
        ):
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self.algo.setCurrentIndex(ALGOS.index("value-iteration"))
        self._on_compare_toggled()
        self._apply_world(self._world)

    # -- building the controls ---------------------------------------------------------
    def _build_world_box(self) -> QGroupBox:
        box = QGroupBox("World")
        form = QFormLayout(box)
        self.preset = QComboBox()
        self.preset.addItems(PRESETS)
        self.preset.setPlaceholderText("custom")
        self.preset.setToolTip(
            "Load a shipped world (Sutton & Barto examples, FrozenLake)"
        )
        self.preset.textActivated.connect(self._on_preset_activated)
        form.addRow("Preset", self.preset)
        files = QHBoxLayout()
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Load a world from a JSON file")
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button = QPushButton("Save…")
        self.save_button.setToolTip(
            "Save this world as JSON (the format is documented)"
        )
        self.save_button.clicked.connect(self._on_save_clicked)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Undo the last edit (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        self.redo_button = QPushButton("Redo")
        self.redo_button.setToolTip("Redo (Ctrl+Shift+Z)")
        self.redo_button.clicked.connect(self.redo)
        for b in (
            self.open_button,
            self.save_button,
            self.undo_button,
            self.redo_button,
        ):
            files.addWidget(b)
        form.addRow(files)
        size = QHBoxLayout()
        self.rows_spin = QSpinBox()
        self.cols_spin = QSpinBox()
        for spin, tip in ((self.rows_spin, "rows"), (self.cols_spin, "columns")):
            spin.setRange(1, 60)
            spin.setToolTip(f"Number of {tip}; press Resize to apply")
            size.addWidget(spin)
        self.resize_button = QPushButton("Resize")
        self.resize_button.setToolTip("Crop or extend the grid (new cells are empty)")
        self.resize_button.clicked.connect(self._on_resize_clicked)
        size.addWidget(self.resize_button)
        size_row = QWidget()
        size_row.setLayout(size)
        form.addRow("Size", size_row)
        self.gamma_spin = self._double(0.0, 1.0, 0.01, 3, "Discount γ of the return")
        self.gamma_spin.valueChanged.connect(
            lambda v: self._edit(lambda w: replace(w, gamma=float(v)), "gamma")
        )
        form.addRow("γ", self.gamma_spin)
        self.step_spin = self._double(
            -100.0, 100.0, 0.5, 2, "Reward for entering an ordinary cell"
        )
        self.step_spin.valueChanged.connect(
            lambda v: self._edit(lambda w: replace(w, step_reward=float(v)), "step")
        )
        form.addRow("Step reward", self.step_spin)
        self.slip_spin = self._double(
            0.0, 1.0, 0.05, 2, "Probability that a move slips sideways"
        )
        self.slip_spin.valueChanged.connect(
            lambda v: self._edit(lambda w: replace(w, slip=float(v)), "slip")
        )
        form.addRow("Slip", self.slip_spin)
        hint = QLabel(
            "Left-click: wall on/off · right-click: reward, terminal, start, "
            "teleport, wind"
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        self.mark_secondary(size_row, self.slip_spin, hint)
        return box

    def _build_algo_box(self) -> QGroupBox:
        box = QGroupBox("Algorithm")
        form = QFormLayout(box)
        self._form = form
        self.algo = QComboBox()
        for name in ALGOS:
            self.algo.addItem(ALGO_TITLES[name], name)
        self.algo.setToolTip("What runs on grid A")
        self.algo.currentIndexChanged.connect(self._on_algo_changed)
        form.addRow("A", self.algo)
        self.compare = QCheckBox("Compare with")
        self.compare.setToolTip("Run a second algorithm on the same world in grid B")
        self.algo_b = QComboBox()
        for name in ALGOS:
            self.algo_b.addItem(ALGO_TITLES[name], name)
        self.algo_b.setCurrentIndex(ALGOS.index("q-learning"))
        self.compare.toggled.connect(self._on_compare_toggled)
        self.algo_b.currentIndexChanged.connect(self._on_compare_toggled)
        form.addRow(self.compare, self.algo_b)
        self.alpha = self._double(0.001, 2.0, 0.05, 3, "Step size α (actor's for PG)")
        form.addRow("α", self.alpha)
        self.epsilon = self._double(0.0, 1.0, 0.05, 3, "Exploration ε of ε-greedy")
        form.addRow("ε", self.epsilon)
        self.episodes = QSpinBox()
        self.episodes.setRange(1, 100_000)
        self.episodes.setToolTip("How many episodes a run trains")
        form.addRow("Episodes", self.episodes)
        self.theta = QComboBox()
        for t in ("1e-2", "1e-3", "1e-4", "1e-6"):
            self.theta.addItem(f"θ = {t}", float(t))
        self.theta.setCurrentIndex(2)
        self.theta.setToolTip(
            "DP stops when no value changes by more than θ in a sweep"
        )
        form.addRow("Stop at", self.theta)
        self.in_place = QCheckBox("in place (Gauss–Seidel)")
        self.in_place.setToolTip(
            "Evaluation sweeps use new values as soon as they exist"
        )
        form.addRow("Sweeps", self.in_place)
        self.seed = QSpinBox()
        self.seed.setRange(0, 1_000_000)
        self.seed.setToolTip("Same seed, same run")
        form.addRow("Seed", self.seed)
        self.mark_secondary(self.seed, self.in_place)
        return box

    def _build_run_box(self) -> QGroupBox:
        box = QGroupBox("Run")
        layout = QVBoxLayout(box)
        buttons = QHBoxLayout()
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("One environment step (DP: one sweep)")
        self.step_button.clicked.connect(self.step)
        self.episode_button = QPushButton("Step episode")
        self.episode_button.setToolTip("Run to the end of the current episode")
        self.episode_button.clicked.connect(self.step_episode)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Run or pause (Space)")
        self.run_button.clicked.connect(self.start_pause)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Stop and forget what was learnt")
        self.reset_button.clicked.connect(self.reset)
        for b in (
            self.step_button,
            self.episode_button,
            self.run_button,
            self.reset_button,
        ):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        speed = QHBoxLayout()
        speed.addWidget(QLabel("Speed"))
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, 100)
        self.speed.setValue(70)
        self.speed.setToolTip(
            "How fast the agent moves; far right: full speed, "
            "the grids update once per episode"
        )
        self.speed.valueChanged.connect(self._on_speed_changed)
        speed.addWidget(self.speed, 1)
        layout.addLayout(speed)
        shows = QHBoxLayout()
        self.show_q = QCheckBox("Q triangles")
        self.show_q.setToolTip(
            "Draw q(s, a) as four triangles per cell (methods with Q)"
        )
        self.show_q.toggled.connect(self._on_display_toggled)
        self.numbers = QCheckBox("Numbers")
        self.numbers.setChecked(True)
        self.numbers.setToolTip("Write v(s) in each cell (small worlds)")
        self.numbers.toggled.connect(self._on_display_toggled)
        shows.addWidget(self.show_q)
        shows.addWidget(self.numbers)
        layout.addLayout(shows)
        return box

    @staticmethod
    def _double(
        lo: float, hi: float, step: float, decimals: int, tip: str
    ) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(lo, hi)
        spin.setSingleStep(step)
        spin.setDecimals(decimals)
        spin.setToolTip(tip)
        spin.setKeyboardTracking(False)
        return spin

    # -- the world and its edits ------------------------------------------------------
    @property
    def world(self) -> GridWorld:
        """The world being edited."""
        return self._world

    def _sides(self) -> list[_Side]:
        return [self._a, self._b] if self.compare.isChecked() else [self._a]

    def _apply_world(self, world: GridWorld) -> None:
        """Show ``world`` everywhere and drop what was learnt on the old one."""
        self._world = world
        self._stop_jobs()
        for side in (self._a, self._b):
            side.view.set_world(world)
        # wide worlds (the cliff) compare better one above the other
        wide = world.cols > 1.6 * world.rows
        self._grids.addWidget(self._b.view, 1 if wide else 0, 0 if wide else 1)
        for spin, value in (
            (self.gamma_spin, world.gamma),
            (self.step_spin, world.step_reward),
            (self.slip_spin, world.slip),
        ):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(self.preset.findText(world.name))  # -1: "custom"
        self.preset.blockSignals(False)
        self.rows_spin.setValue(world.rows)
        self.cols_spin.setValue(world.cols)
        self.undo_button.setEnabled(bool(self._undo))
        self.redo_button.setEnabled(bool(self._redo))
        self._clear_curves()
        self._refresh_buttons()

    def set_world(self, world: GridWorld, *, key: str = "") -> None:
        """Replace the world with ``world`` as one undoable edit.

        Consecutive edits with the same non-empty ``key`` (dragging a spin box) merge
        into one undo step.
        """
        if world == self._world:
            return
        if not (key and key == self._last_edit_key):
            self._undo.append(self._world)
            del self._undo[:-200]
        self._redo.clear()
        self._last_edit_key = key
        self._apply_world(world)

    def _edit(self, change: Callable[[GridWorld], GridWorld], key: str = "") -> None:
        try:
            world = change(self._world)
        except ValueError as exc:
            self.show_error(f"Cannot edit the world: {exc}")
            return
        self.set_world(world, key=key)

    def undo(self) -> None:
        """Go back to the world before the last edit."""
        if self._undo:
            self._redo.append(self._world)
            self._last_edit_key = ""
            self._apply_world(self._undo.pop())

    def redo(self) -> None:
        """Redo the last undone edit."""
        if self._redo:
            self._undo.append(self._world)
            self._last_edit_key = ""
            self._apply_world(self._redo.pop())

    def _on_preset_activated(self, name: str) -> None:
        self.set_world(load_preset(name))
        self._suggest_algos(name)

    def _suggest_algos(self, name: str) -> None:
        """Pick the algorithms a preset is about (the textbook's comparison)."""
        if name == "cliff":
            self.algo.setCurrentIndex(ALGOS.index("sarsa"))
            self.algo_b.setCurrentIndex(ALGOS.index("q-learning"))
            self.compare.setChecked(True)
        elif name == "maze":
            self.algo.setCurrentIndex(ALGOS.index("dqn"))

    def _on_resize_clicked(self) -> None:
        rows, cols = self.rows_spin.value(), self.cols_spin.value()
        self._edit(lambda w: w.resized(rows, cols))

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a grid world", "", self.open_filters
        )
        if path:
            try:
                self.open_file(Path(path))
            except (ValueError, OSError) as exc:
                self.show_error(str(exc))

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save the grid world", f"{self._world.name}.json", self.open_filters
        )
        if path:
            try:
                save_world(self._world, path)
            except OSError as exc:
                self.show_error(f"Could not save {Path(path).name}: {exc}")

    def _on_view_cell_clicked(self, row: int, col: int) -> None:
        self._edit(lambda w: w.toggle_wall((row, col)))

    def _on_view_cell_menu(self, row: int, col: int, pos: QPoint) -> None:
        self.cell_menu(row, col).exec(pos)

    def cell_menu(self, row: int, col: int) -> QMenu:
        """Return the right-click menu of cell (row, col)."""
        cell = (row, col)
        w = self._world
        menu = QMenu(self)
        menu.setToolTipsVisible(True)

        def add(
            text: str, change: Callable[[GridWorld], GridWorld], tip: str = ""
        ) -> None:
            action = menu.addAction(text)
            action.setToolTip(tip)
            action.triggered.connect(lambda: self._edit(change))

        add("Toggle wall", lambda x: x.toggle_wall(cell))
        add(
            "Make terminal",
            lambda x: x.set_kind(cell, "terminal"),
            "The episode ends here",
        )
        add(
            "Make reset cell (the cliff)",
            lambda x: x.set_kind(cell, "reset"),
            "Entering it sends the agent back to the start",
        )
        add("Make ordinary cell", lambda x: x.set_kind(cell, "empty"))
        add("Set start here", lambda x: x.set_start(cell))
        menu.addSeparator()
        reward = menu.addAction(f"Reward for entering… (now {w.cell_reward(cell):+g})")
        reward.triggered.connect(lambda: self._ask_reward(cell))
        if cell in w.rewards:
            add("Use the step reward here", lambda x: x.set_reward(cell, None))
        teleport = menu.addAction("Teleport from here…")
        teleport.setToolTip(
            "Any action here jumps to another cell with a reward (S&B Example 3.5)"
        )
        teleport.triggered.connect(lambda: self._ask_teleport(cell))
        if w.teleport_from(cell) is not None:
            add("Remove teleport", lambda x: x.set_teleport(cell, None))
        wind = menu.addAction(f"Wind in column {col}… (now {w.wind[col]})")
        wind.triggered.connect(lambda: self._ask_wind(col))
        return menu

    def _ask_reward(self, cell: tuple[int, int]) -> None:
        value, ok = QInputDialog.getDouble(
            self,
            "Reward",
            f"Reward for entering cell {cell}:",
            self._world.cell_reward(cell),
            -1000.0,
            1000.0,
            2,
        )
        if ok:
            self._edit(lambda w: w.set_reward(cell, value))

    def _ask_teleport(self, cell: tuple[int, int]) -> None:
        text, ok = QInputDialog.getText(
            self, "Teleport", "Target row, column and reward (e.g. 4, 1, 10):"
        )
        if not ok:
            return
        try:
            r, c, reward = (float(part) for part in text.split(","))
        except ValueError:
            self.show_error(f"Teleport needs 'row, column, reward', got {text!r}")
            return
        self._edit(lambda w: w.set_teleport(cell, (int(r), int(c)), reward))

    def _ask_wind(self, col: int) -> None:
        limit = self._world.rows - 1
        value, ok = QInputDialog.getInt(
            self,
            "Wind",
            f"Wind in column {col} (cells pushed up; negative: down):",
            self._world.wind[col],
            -limit,
            limit,
        )
        if ok:
            self._edit(lambda w: w.set_wind(col, value))

    # -- algorithms -------------------------------------------------------------
    def _on_algo_changed(self) -> None:
        algo = str(self.algo.currentData())
        self._a.algo = algo
        defaults = RLConfig(world=self._world, algo=algo, **algo_defaults(algo))  # type: ignore[arg-type]
        dqn = algo == "dqn"
        self.alpha.setDecimals(4 if dqn else 3)
        self.alpha.setValue(defaults.lr if dqn else defaults.alpha)
        self.epsilon.setValue(defaults.epsilon)
        for field, text, tip in (
            (
                self.alpha,
                "lr (Adam)" if dqn else "α",
                "Adam learning rate of the Q-network" if dqn else "Step size α",
            ),
            (
                self.epsilon,
                "ε (start)" if dqn else "ε",
                "ε falls linearly to 0.05 over 100 episodes" if dqn else "ε-greedy ε",
            ),
        ):
            label = self._form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
            field.setToolTip(tip)
        self.episodes.setValue(defaults.episodes)
        dp = algo in DP_ALGOS
        for widget in (self.alpha, self.epsilon, self.episodes):
            self._form.setRowVisible(widget, not dp)
        self._form.setRowVisible(self.theta, dp)
        self._form.setRowVisible(
            self.in_place, algo in ("policy-evaluation", "policy-iteration")
        )
        self.episode_button.setText("Step sweep" if dp else "Step episode")
        self._a.view.set_caption(f"A: {ALGO_TITLES[algo]}")
        self._cards.setCurrentWidget(self._card_of[algo])
        self._card_of[algo].set_values({})
        self.reset()

    def _on_compare_toggled(self) -> None:
        self._b.algo = str(self.algo_b.currentData())
        self._b.view.set_caption(f"B: {ALGO_TITLES[self._b.algo]}")
        self._b.view.setVisible(self.compare.isChecked())
        self.reset()

    def _config(self, algo: str) -> RLConfig:
        """Return the job for ``algo`` with the parameters in the controls.

        The α / ε controls belong to grid A's algorithm; grid B takes them too unless
        one of the two is DQN (whose control is a learning rate), then B keeps its
        own defaults.
        """
        params: dict[str, Any] = dict(algo_defaults(algo))
        if algo not in DP_ALGOS:
            params["episodes"] = self.episodes.value()
            if (algo == "dqn") == (self._a.algo == "dqn"):
                step = "lr" if algo == "dqn" else "alpha"
                params.update({step: self.alpha.value()}, epsilon=self.epsilon.value())
        return RLConfig(
            world=self._world,
            algo=algo,
            theta=float(self.theta.currentData()),
            in_place=self.in_place.isChecked(),
            **params,
        )

    def apply_theme(self) -> None:
        """Widen the controls column to what its (rescaled) controls need."""
        fit_controls_scroll(self._side_scroll)

    # -- running ----------------------------------------------------------------
    def _running(self) -> bool:
        return any(side.runner.is_running for side in self._sides())

    def _ensure_started(self) -> bool:
        """Start (paused) every side that is not running; False when a config fails."""
        for side in self._sides():
            if side.runner.is_running:
                continue
            try:
                cfg = self._config(side.algo)
            except ValueError as exc:
                self.show_error(str(exc))
                return False
            self._clear_curves(side)
            side.runner.start(
                train,
                cfg,
                seed=self.seed.value(),
                device=self.context.device,
                pace=side.pace,
                paused=True,
                on_progress=self._a_progressed
                if side is self._a
                else self._b_progressed,
                on_error=self._on_job_failed,
                on_finished=self._refresh_buttons,
            )
        return True

    def start_pause(self) -> None:
        """Run every grid's job, or pause / resume them."""
        sides = self._sides()
        if self._running() and not all(
            s.runner.is_paused for s in sides if s.runner.is_running
        ):
            for side in sides:
                side.runner.pause()
        else:
            if not self._ensure_started():
                return
            self._set_run_pace()
            for side in sides:
                side.runner.resume()
        self._refresh_buttons()

    def step(self) -> None:
        """Advance every grid by one environment step (DP: one sweep)."""
        self._step("step")

    def step_episode(self) -> None:
        """Advance every grid to the end of its episode (DP: one sweep)."""
        self._step("episode")

    def _step(self, report: str) -> None:
        for side in self._sides():
            if side.runner.is_running and not side.runner.is_paused:
                side.runner.pause()
        if not self._ensure_started():
            return
        for side in self._sides():
            side.pace.delay_s = 0.0
            side.pace.report = "step" if report == "step" else "episode"
            side.runner.step(1)
        self._refresh_buttons()

    def _set_run_pace(self) -> None:
        delay = speed_to_delay(self.speed.value())
        for side in (self._a, self._b):
            side.pace.delay_s = delay
            side.pace.report = "step" if delay > 0 else "episode"

    def _on_speed_changed(self) -> None:
        if any(s.runner.is_running and not s.runner.is_paused for s in self._sides()):
            self._set_run_pace()

    def _stop_jobs(self) -> None:
        for side in (self._a, self._b):
            side.runner.abort()
            side.last = None

    def reset(self) -> None:
        """Stop the jobs and forget what they learnt (the world stays)."""
        self._stop_jobs()
        for side in (self._a, self._b):
            side.view.display(None)
        self._clear_curves()
        self._refresh_buttons()

    def _on_job_failed(self, exc: BaseException) -> None:
        self.on_job_error(exc)
        self._refresh_buttons()

    def _refresh_buttons(self, *_args: object) -> None:
        running = self._running()
        paused = running and all(
            s.runner.is_paused for s in self._sides() if s.runner.is_running
        )
        self.run_button.setText("Run" if not running or paused else "Pause")
        sides = self._sides()
        parts = []
        for side in sides:
            p = side.last
            title = ALGO_TITLES[side.algo]
            if p is None:
                parts.append(f"{side.name}: {title}: ready")
            else:
                parts.append(f"{side.name}: {title}: {p.message}")
        self._status.setText("<br>".join(parts))

    # -- drawing -----------------------------------------------------------------
    def _a_progressed(self, progress: GridProgress) -> None:
        self._on_side_progressed(self._a, progress)

    def _b_progressed(self, progress: GridProgress) -> None:
        self._on_side_progressed(self._b, progress)

    def _on_side_progressed(self, side: _Side, progress: GridProgress) -> None:
        side.last = progress
        side.view.display(progress)
        n = side.name
        if side.algo in DP_ALGOS:
            x = np.arange(1, progress.deltas.size + 1)
            self._curves[f"delta{n}"].setData(x, np.maximum(progress.deltas, 1e-12))
        else:
            x = np.arange(1, progress.returns.size + 1)
            self._curves[f"raw{n}"].setData(x, progress.returns)
            self._curves[f"avg{n}"].setData(x, moving_average(progress.returns))
            self._curves[f"len{n}"].setData(x, progress.lengths)
        if side is self._a:
            self._card_of[side.algo].set_values(dict(progress.last_update))
        self._show_panes()
        self._refresh_buttons()

    def _show_panes(self) -> None:
        algos = [s.algo for s in self._sides()]
        any_dp = any(a in DP_ALGOS for a in algos)
        any_learn = any(a not in DP_ALGOS for a in algos)
        legend = self._returns.add_legend()
        avg_b = self._curves["avgB"]
        in_legend = any(sample.item is avg_b for sample, _label in legend.items)
        if self.compare.isChecked() and not in_legend:
            legend.addItem(avg_b, f"B: mean of last {MOVING_AVERAGE}")
        elif not self.compare.isChecked() and in_legend:
            legend.removeItem(avg_b)
        self._deltas.setVisible(any_dp)
        self._returns.setVisible(any_learn)
        self._lengths.setVisible(any_learn)

    def _clear_curves(self, side: _Side | None = None) -> None:
        names = [side.name] if side is not None else ["A", "B"]
        for n in names:
            for kind in ("raw", "avg", "len", "delta"):
                self._curves[f"{kind}{n}"].setData([], [])
        self._show_panes()

    def _on_display_toggled(self) -> None:
        for side in (self._a, self._b):
            side.view.show_q = self.show_q.isChecked()
            side.view.show_numbers = self.numbers.isChecked()
            side.view.display(side.last)

    # -- protocol ----------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Load the world in the JSON file ``path`` (undoable).

        Raises
        ------
        ValueError
            When the file is not a valid grid world (the message says why).
        """
        self.set_world(load_world(path))

    def main_view(self) -> QWidget:
        """Return grid A (the main view)."""
        return self._a.view

    def state(self) -> dict[str, Any]:
        """Return the world and the settings as a JSON-able dict."""
        return {
            "world": world_to_dict(self._world),
            "algo": self._a.algo,
            "algo_b": self._b.algo,
            "compare": self.compare.isChecked(),
            "alpha": self.alpha.value(),
            "epsilon": self.epsilon.value(),
            "episodes": self.episodes.value(),
            "theta": float(self.theta.currentData()),
            "in_place": self.in_place.isChecked(),
            "seed": self.seed.value(),
            "speed": self.speed.value(),
            "show_q": self.show_q.isChecked(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict from :meth:`state` (unknown keys are ignored)."""
        if "world" in state:
            try:
                self._undo.clear()
                self._redo.clear()
                self._apply_world(world_from_dict(state["world"], source="session"))
            except ValueError as exc:
                self.show_error(str(exc))
        if state.get("algo") in ALGOS:
            self.algo.setCurrentIndex(ALGOS.index(state["algo"]))
        if state.get("algo_b") in ALGOS:
            self.algo_b.setCurrentIndex(ALGOS.index(state["algo_b"]))
        self.compare.setChecked(bool(state.get("compare", False)))
        for key, spin in (("alpha", self.alpha), ("epsilon", self.epsilon)):
            if isinstance(state.get(key), int | float):
                spin.setValue(float(state[key]))
        for key, ispin in (("episodes", self.episodes), ("seed", self.seed)):
            if isinstance(state.get(key), int):
                ispin.setValue(state[key])
        index = self.theta.findData(state.get("theta"))
        if index >= 0:
            self.theta.setCurrentIndex(index)
        self.in_place.setChecked(bool(state.get("in_place", False)))
        if isinstance(state.get("speed"), int):
            self.speed.setValue(state["speed"])
        self.show_q.setChecked(bool(state.get("show_q", False)))

    def snapshot_ready(self) -> bool:
        """Return True: the world is drawn as soon as the panel exists."""
        return self._a.view.world is not None

    def shutdown(self) -> None:
        """Stop both jobs."""
        super().shutdown()
