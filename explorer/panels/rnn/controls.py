"""The RNN panel's side-column boxes: the random net, and the training race."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from explorer.core.rnn.config import LIMITS
from explorer.core.rnn.names import (
    ACTIVATIONS,
    CELL_TIPS,
    CELL_TITLES,
    MATRICES,
    MATRIX_TIPS,
    MATRIX_TITLES,
    OPTIMIZER_TITLES,
    TASK_TIPS,
    TASK_TITLES,
    TASKS,
)
from explorer.panels.rnn.state import (
    COMPARE_TITLES,
    JACOBIAN_T_LIMITS,
    LENGTH_LIMITS,
    SEED_MAX,
    RnnState,
)
from explorer.widgets.binding import Binder

SCALE_TICKS = 100  # slider positions per unit of λ / ρ


def _combo(items: dict[str, str], tips: dict[str, str] | None = None) -> QComboBox:
    box = QComboBox()
    # long titles must not widen the column at ×2: the popup still shows them whole
    box.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    box.setMinimumContentsLength(8)
    for key, title in items.items():
        box.addItem(title, key)
        if tips and key in tips:
            box.setItemData(box.count() - 1, tips[key], Qt.ItemDataRole.ToolTipRole)
    return box


def _spin(lo: float, hi: float, tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(int(lo), int(hi))
    box.setToolTip(tip)
    return box


def _dspin(
    lo: float, hi: float, step: float, decimals: int, tip: str
) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setToolTip(tip)
    return box


class NetBox(QGroupBox):
    """The random net whose gradient through time is plotted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Gradient through time", parent)
        form = QFormLayout(self)
        self.cell = _combo(CELL_TITLES, CELL_TIPS)
        self.cell.setToolTip("The cell whose gradient through time is plotted")
        self.matrix = _combo({m: MATRIX_TITLES[m] for m in MATRICES}, MATRIX_TIPS)
        self.matrix.setToolTip("How the recurrent matrix W is built")
        lo, hi = LIMITS["scale"]
        self.scale = QSlider(Qt.Orientation.Horizontal)
        self.scale.setRange(int(lo * SCALE_TICKS), int(hi * SCALE_TICKS / 2.5))
        self.scale.setObjectName("rnn-scale")
        self.scale.setToolTip(
            "λ of W = λQ, or the spectral radius ρ (Gaussian, non-normal); "
            "arrow keys move it by 0.01"
        )
        self.scale_box = _dspin(lo, hi, 0.01, 2, "λ (or ρ), typed exactly")
        row = QHBoxLayout()
        row.addWidget(self.scale, 1)
        row.addWidget(self.scale_box)
        self.steps = _spin(*JACOBIAN_T_LIMITS, "T: the steps the gradient travels back")
        self.hidden = _spin(*LIMITS["hidden"], "Hidden units n (W is n × n)")
        self.activation = _combo({a: a for a in ACTIVATIONS})
        self.activation.setToolTip("f in h^t = f(W h^(t−1) + U x^t); linear: f′ = 1")
        self.input_scale = _dspin(
            *LIMITS["input_scale"],
            0.1,
            2,
            "Size of the random inputs x^t: large inputs saturate tanh (f′ → 0)",
        )
        self.hold_gates = QCheckBox("f = 1, i = 0")
        self.hold_gates.setToolTip(
            "LSTM: forget gate held at 1 and input gate at 0: c^t = c^(t−1), so "
            "∂c^T/∂c^k = I whatever W is"
        )
        form.addRow("Cell", self.cell)
        form.addRow("W", self.matrix)
        form.addRow("λ / ρ", row)
        form.addRow("T", self.steps)
        form.addRow("Activation", self.activation)
        form.addRow("LSTM hold", self.hold_gates)
        form.addRow("Hidden n", self.hidden)
        form.addRow("Input scale", self.input_scale)
        self.secondary: tuple[QWidget, ...] = (self.hidden, self.input_scale)
        for w in self.secondary:
            form.labelForField(w).setProperty("explorerSecondary", True)
        self.scale.valueChanged.connect(self._on_scale_moved)
        self.scale_box.valueChanged.connect(self._on_scale_typed)

    def _on_scale_moved(self, value: int) -> None:
        # the box is the bound widget: its valueChanged tells the binder
        if round(self.scale_box.value() * SCALE_TICKS) != value:
            self.scale_box.setValue(value / SCALE_TICKS)

    def _on_scale_typed(self, value: float) -> None:
        self.scale.blockSignals(True)
        self.scale.setValue(round(value * SCALE_TICKS))
        self.scale.blockSignals(False)


class TrainBox(QGroupBox):
    """The training race: what is compared, the task, the cell, clipping, budget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Training race", parent)
        form = QFormLayout(self)
        self.compare = _combo(
            COMPARE_TITLES,
            {
                "cells": "The baseline cell and the LSTM, same task, same budget",
                "clip": "The baseline cell twice: without clipping and clipped at c "
                "(try it on the exploding setting)",
            },
        )
        self.compare.setToolTip("What the two runs are")
        self.exploding = QPushButton("Exploding setting")
        self.exploding.setToolTip(
            "Without vs with clipping on a setting whose gradient explodes: the "
            "vanilla RNN on the adding problem,\nW_hh starting at 2 × orthogonal, "
            "plain SGD at rate 0.1, c = 1 (Pascanu et al. 2013)"
        )
        self.baseline = _combo({k: CELL_TITLES[k] for k in ("rnn", "naive")}, CELL_TIPS)
        self.baseline.setToolTip("The cell trained next to the LSTM")
        self.task = _combo({t: TASK_TITLES[t] for t in TASKS}, TASK_TIPS)
        self.task.setToolTip("The memory task both cells learn")
        self.length = _spin(*LENGTH_LIMITS, "T: the length of each sequence")
        self.clip_on = QCheckBox("c =")
        self.clip_on.setToolTip("g ← c·g/‖g‖ when ‖g‖ > c (Pascanu et al. 2013)")
        self.clip = _dspin(0.001, 1e6, 0.1, 3, "The clipping threshold c")
        clip_row = QHBoxLayout()
        clip_row.addWidget(self.clip_on)
        clip_row.addWidget(self.clip, 1)
        self.budget = _spin(*LIMITS["train_steps"], "Training steps of each cell")
        self.lr = _dspin(1e-5, 1.0, 1e-3, 4, "The learning rate")
        self.optimizer = _combo(
            OPTIMIZER_TITLES,
            {
                "adam": "Adam: each step is divided by a running gradient size, so a "
                "spike moves the weights little",
                "sgd": "Plain SGD: w ← w − η g, a spike in ‖g‖ is a step as large",
            },
        )
        self.optimizer.setToolTip("The optimiser of both runs")
        self.hidden = _spin(*LIMITS["hidden"], "Hidden units of both cells")
        self.init_scale = _dspin(
            *LIMITS["init_scale"],
            0.1,
            2,
            "W_hh starts as this × a random orthogonal matrix (large: explodes)",
        )
        self.seed = _spin(0, SEED_MAX, "Seed of the weights and the batches")
        form.addRow("Compare", self.compare)
        form.addRow("", self.exploding)
        form.addRow("Baseline", self.baseline)
        form.addRow("Task", self.task)
        form.addRow("T", self.length)
        form.addRow("Clip", clip_row)
        form.addRow("Steps", self.budget)
        form.addRow("Optimiser", self.optimizer)
        form.addRow("Learning rate", self.lr)
        form.addRow("Hidden n", self.hidden)
        form.addRow("Initial λ", self.init_scale)
        form.addRow("Seed", self.seed)
        self.secondary = (self.lr, self.hidden, self.init_scale, self.seed)
        for w in self.secondary:
            form.labelForField(w).setProperty("explorerSecondary", True)


def bind(net: NetBox, race: TrainBox, parent: QWidget) -> Binder[RnnState]:
    """Return a binder of every :class:`RnnState` field shown by the two boxes."""
    binder = Binder(RnnState, parent)
    for name, widget in (
        ("cell", net.cell),
        ("matrix", net.matrix),
        ("scale", net.scale_box),
        ("steps", net.steps),
        ("hidden", net.hidden),
        ("activation", net.activation),
        ("input_scale", net.input_scale),
        ("hold_gates", net.hold_gates),
        ("compare", race.compare),
        ("baseline", race.baseline),
        ("task", race.task),
        ("length", race.length),
        ("train_hidden", race.hidden),
        ("lr", race.lr),
        ("optimizer", race.optimizer),
        ("budget", race.budget),
        ("clip_on", race.clip_on),
        ("clip", race.clip),
        ("init_scale", race.init_scale),
        ("seed", race.seed),
    ):
        binder.bind(name, widget)
    return binder
