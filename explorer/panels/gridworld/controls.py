"""The Gridworld panel's control groups: the world, the algorithms, the view.

The groups only build and lay out their widgets (ranges from
:mod:`explorer.panels.gridworld.state`); the panel binds them to its state and
connects them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from explorer.core.gridworld import ALGO_TITLES, ALGOS, DP_ALGOS, PRESETS, THETAS
from explorer.core.gridworld.names import (
    MAX_SIDE,
    PRESET_TITLES,
    REINFORCE_FORM_TITLES,
    REINFORCE_FORMS,
)
from explorer.panels.base import PanelBase
from explorer.panels.gridworld.state import (
    ALPHA_LIMITS,
    EPISODE_LIMITS,
    PROBABILITY,
    REWARD_LIMITS,
    SEED_LIMITS,
)
from explorer.widgets.run_bar import make_button


def double_spin(
    lo: float, hi: float, step: float, decimals: int, tip: str
) -> QDoubleSpinBox:
    """Return a spin box for [lo, hi] that reports only finished edits."""
    spin = QDoubleSpinBox()
    spin.setRange(lo, hi)
    spin.setSingleStep(step)
    spin.setDecimals(decimals)
    spin.setToolTip(tip)
    spin.setKeyboardTracking(False)
    return spin


def _algo_combo(tip: str) -> QComboBox:
    box = QComboBox()
    for name in ALGOS:
        box.addItem(ALGO_TITLES[name], name)
    box.setToolTip(tip)
    return box


class WorldBox(QGroupBox):
    """Preset, file buttons, undo / redo, size, γ, step reward and slip."""

    def __init__(self) -> None:
        super().__init__("World")
        form = QFormLayout(self)
        # narrow columns (presentation mode) put a label above its field
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.preset = QComboBox()
        for name in PRESETS:
            self.preset.addItem(PRESET_TITLES[name], name)
            self.preset.setItemData(
                self.preset.count() - 1,
                f"{PRESET_TITLES[name]} (file name: {name})",
                Qt.ItemDataRole.ToolTipRole,
            )
        self.preset.setPlaceholderText("custom")
        self.preset.setToolTip(
            "Load a shipped world (Sutton & Barto examples, FrozenLake)"
        )
        form.addRow("Preset", self.preset)
        files = QHBoxLayout()
        self.open_button = make_button("Open…", "Load a world from a JSON file")
        self.save_button = make_button(
            "Save…", "Save this world as JSON (the format is documented)"
        )
        self.undo_button = make_button("Undo", "Undo the last edit (Ctrl+Z)")
        self.redo_button = make_button("Redo", "Redo (Ctrl+Shift+Z)")
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
            spin.setRange(1, MAX_SIDE)
            spin.setToolTip(
                f"Number of {tip}, 1 to {MAX_SIDE} (the world format's limit); "
                "press Resize to apply"
            )
            size.addWidget(spin)
        self.resize_button = make_button(
            "Resize", "Crop or extend the grid (new cells are empty)"
        )
        size.addWidget(self.resize_button)
        size_row = QWidget()
        size_row.setLayout(size)
        form.addRow("Size", size_row)
        self.gamma_spin = double_spin(
            *PROBABILITY, 0.01, 3, "Discount γ of the return, 0 to 1"
        )
        form.addRow("γ", self.gamma_spin)
        self.step_spin = double_spin(
            *REWARD_LIMITS,
            0.5,
            2,
            f"Reward for entering an ordinary cell, {REWARD_LIMITS[0]:g} to "
            f"{REWARD_LIMITS[1]:g}",
        )
        form.addRow("Step reward", self.step_spin)
        self.slip_spin = double_spin(
            *PROBABILITY, 0.05, 2, "Probability that a move slips sideways, 0 to 1"
        )
        form.addRow("Slip", self.slip_spin)
        hint = QLabel(
            "Left-click: wall on/off · right-click: reward, terminal, start, "
            "teleport, wind"
        )
        hint.setWordWrap(True)
        form.addRow(hint)
        # Size and slip stay in presentation mode (a lecturer changes them live).
        PanelBase.mark_secondary(hint)


class AlgoBox(QGroupBox):
    """Grid A's algorithm, the comparison with grid B, and the job's parameters."""

    def __init__(self) -> None:
        super().__init__("Algorithm")
        form = QFormLayout(self)
        # narrow columns (presentation mode) put a label above its field
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form = form
        self.algo = _algo_combo("What runs on grid A")
        form.addRow("A", self.algo)
        self.reinforce = QComboBox()
        for name in REINFORCE_FORMS:
            self.reinforce.addItem(REINFORCE_FORM_TITLES[name], name)
        self.reinforce.setToolTip(
            "REINFORCE's update: the total return G₀ times Σ ∇ln π (Williams 1992), "
            "or the reward-to-go minus a learnt baseline (S&B §13.4)"
        )
        form.addRow("Form", self.reinforce)
        self.compare = QCheckBox("Compare with grid B")
        self.compare.setToolTip("Run a second algorithm on the same world in grid B")
        form.addRow(self.compare)
        self.algo_b = _algo_combo("What runs on grid B (tick Compare)")
        form.addRow("B", self.algo_b)
        self.alpha = double_spin(*ALPHA_LIMITS, 0.05, 3, "Step size α")
        form.addRow("α", self.alpha)
        self.epsilon = double_spin(*PROBABILITY, 0.05, 3, "Exploration ε of ε-greedy")
        form.addRow("ε", self.epsilon)
        self.episodes = QSpinBox()
        self.episodes.setRange(*EPISODE_LIMITS)
        self.episodes.setToolTip(
            f"How many episodes a run trains, {EPISODE_LIMITS[0]} to "
            f"{EPISODE_LIMITS[1]:,}"
        )
        form.addRow("Episodes", self.episodes)
        self.theta = QComboBox()
        for t in THETAS:
            self.theta.addItem(f"θ = {t:.0e}".replace("e-0", "e-"), t)
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
        self.seed.setRange(*SEED_LIMITS)
        self.seed.setToolTip(
            f"Same seed, same run ({SEED_LIMITS[0]} to {SEED_LIMITS[1]:,})"
        )
        form.addRow("Seed", self.seed)

    def show_algo(self, algo: str) -> None:
        """Label and show the rows that matter for grid A's ``algo``."""
        dqn = algo == "dqn"
        self.alpha.setDecimals(4 if dqn else 3)
        for widget, text, tip in (
            (
                self.alpha,
                "lr (Adam)" if dqn else "α",
                ("Adam learning rate of the Q-network" if dqn else "Step size α")
                + f", {ALPHA_LIMITS[0]:g} to {ALPHA_LIMITS[1]:g}",
            ),
            (
                self.epsilon,
                "ε (start)" if dqn else "ε",
                "ε falls linearly to 0.05 over 100 episodes" if dqn else "ε-greedy ε",
            ),
        ):
            label = self.form.labelForField(widget)
            if isinstance(label, QLabel):
                label.setText(text)
            widget.setToolTip(tip)
        dp = algo in DP_ALGOS
        for row in (self.alpha, self.epsilon, self.episodes):
            self.form.setRowVisible(row, not dp)
        self.form.setRowVisible(self.theta, dp)
        self.form.setRowVisible(
            self.in_place, algo in ("policy-evaluation", "policy-iteration")
        )
        self.form.setRowVisible(self.reinforce, algo == "reinforce")


class ViewOptions(QWidget):
    """What the grids draw: Q triangles, numbers."""

    def __init__(self) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.show_q = QCheckBox("Q triangles")
        self.show_q.setToolTip(
            "Draw q(s, a) as four triangles per cell (methods with Q)"
        )
        self.numbers = QCheckBox("Numbers")
        self.numbers.setToolTip("Write v(s) in each cell (small worlds)")
        row.addWidget(self.show_q)
        row.addWidget(self.numbers)
