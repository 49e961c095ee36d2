"""The side column's groups of the MLP panel, one per section, and their binding."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.core.mlp.names import (
    ACTIVATION_TITLES,
    DATA_TITLES,
    FEATURE_TITLES,
    LOSS_TITLES,
    TARGET_TITLES,
)
from explorer.core.state import field_limits
from explorer.panels.mlp.state import FEATURE_FIELDS, MlpState
from explorer.widgets.binding import Binder


def _spin(name: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    lo, hi = field_limits(MlpState, name)
    box.setRange(int(lo or 0), int(hi if hi is not None else 10**9))
    box.setToolTip(tip)
    return box


def _dspin(
    name: str, tip: str, decimals: int = 3, step: float = 0.05
) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    lo, hi = field_limits(MlpState, name)
    box.setDecimals(decimals)
    box.setRange(float(lo or 0.0), float(hi if hi is not None else 1e6))
    box.setSingleStep(step)
    box.setToolTip(tip)
    return box


def _combo(titles: dict[str, str], keys: tuple[str, ...] | None = None) -> QComboBox:
    box = QComboBox()
    for key in keys or tuple(titles):
        box.addItem(titles[key], key)
    return box


class PerceptronBox(QGroupBox):
    """Data, η, the cap on updates and the sweep order's seed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Perceptron", parent)
        form = QFormLayout(self)
        self.data = _combo(DATA_TITLES, ("separable", "xor", "circles", "points"))
        self.data.setToolTip(
            "Separable with a visible margin, XOR or two circles (neither separable by "
            "a line), or your own points (click the view)"
        )
        self.eta = _dspin("p_eta", "Learning rate η of w ← w + η(y − ŷ)x̃", 2, 0.1)
        self.max_updates = _spin("p_max_updates", "Stop after this many updates")
        self.seed = _spin("p_seed", "Seed of the data and of the sweep order")
        form.addRow("Data", self.data)
        form.addRow("η", self.eta)
        form.addRow("Max updates", self.max_updates)
        form.addRow("Seed", self.seed)
        self.clear = QPushButton("Clear points")
        self.clear.setToolTip("Remove every point, to click your own")
        form.addRow(self.clear)

    def bind(self, binder: Binder[MlpState]) -> None:
        """Tie the widgets to their fields."""
        binder.bind("p_data", self.data)
        binder.bind("p_eta", self.eta)
        binder.bind("p_max_updates", self.max_updates)
        binder.bind("p_seed", self.seed)


class PlaygroundBox(QGroupBox):
    """Data, features, architecture, loss, batch and optimiser; exports."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Playground", parent)
        form = QFormLayout(self)
        self.data = _combo(DATA_TITLES)
        self.data.setToolTip("A 2-D data set; click the view to add your own points")
        self.noise = _dspin("noise", "Noise of the preset data sets", 2, 0.05)
        self.seed = _spin("seed", "Seed of the data, the split and the initial weights")
        form.addRow("Data", self.data)
        form.addRow("Noise", self.noise)
        form.addRow("Seed", self.seed)
        grid = QGridLayout()
        self.features: dict[str, QCheckBox] = {}
        for i, (feat, _name) in enumerate(FEATURE_FIELDS.items()):
            box = QCheckBox(FEATURE_TITLES[feat])
            box.setToolTip(f"Feed {FEATURE_TITLES[feat]} to the network")
            self.features[feat] = box
            grid.addWidget(box, i // 3, i % 3)
        form.addRow("Inputs", grid)
        arch = QHBoxLayout()
        self.depth_box = _spin(
            "depth",
            "Hidden layers (0: one affine map and a sigmoid, logistic regression)",
        )
        self.width_box = _spin("width", "Units in each hidden layer")
        arch.addWidget(self.depth_box)
        arch.addWidget(self.width_box)
        form.addRow("Depth × width", arch)
        self.activation = _combo(ACTIVATION_TITLES)
        self.activation.setToolTip(
            "σ of x⁽ˡ⁾ = σ(W⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾); linear: the whole net is one affine map"
        )
        self.loss = _combo(LOSS_TITLES)
        self.loss.setToolTip(
            "CE: −log p of the right class (Bernoulli NLL); MSE: (p − y)²"
        )
        self.batch = _spin(
            "batch", "Batch size (1: SGD; full: full-batch gradient descent)"
        )
        self.batch.setSpecialValueText("full")
        self.lr = _dspin("lr", "Learning rate η of w ← w − η∇L", 4, 0.05)
        self.l2 = _dspin("l2", "L2 penalty λΣ‖W‖² (weights, not biases)", 4, 0.001)
        self.steps = _spin("steps", "Stop after this many gradient steps")
        form.addRow("Activation", self.activation)
        form.addRow("Loss", self.loss)
        form.addRow("Batch", self.batch)
        form.addRow("Learning rate", self.lr)
        form.addRow("L2 λ", self.l2)
        form.addRow("Steps", self.steps)
        row = QHBoxLayout()
        self.export_model = QPushButton("Export model…")
        self.export_model.setToolTip(
            "Save the network as .pt (architecture + state_dict; "
            "torch.load(path, weights_only=True) reads it)"
        )
        self.export_data = QPushButton("Export data…")
        self.export_data.setToolTip("Save the points as CSV x1,x2,label")
        row.addWidget(self.export_model)
        row.addWidget(self.export_data)
        form.addRow(row)
        self.output = QPushButton("Show the output map")
        self.output.setToolTip("Back from an enlarged neuron to the network's output")
        form.addRow(self.output)

    def bind(self, binder: Binder[MlpState]) -> None:
        """Tie the widgets to their fields."""
        binder.bind("data", self.data)
        binder.bind("noise", self.noise)
        binder.bind("seed", self.seed)
        for feat, name in FEATURE_FIELDS.items():
            binder.bind(name, self.features[feat])
        binder.bind("depth", self.depth_box)
        binder.bind("width", self.width_box)
        for name in (
            "activation",
            "loss",
            "batch",
            "lr",
            "l2",
            "steps",
        ):
            binder.bind(name, getattr(self, name))


class ApproxBox(QGroupBox):
    """Target, bumps, ε and the trained sweep's N and steps."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Universal approximation", parent)
        form = QFormLayout(self)
        self.target = _combo(TARGET_TITLES)
        self.target.setToolTip("The function f to approximate on [0, 1]")
        form.addRow("Target f", self.target)
        self.draw = QCheckBox("Draw f with the mouse")
        self.draw.setToolTip("Drag over the plot to draw your own f")
        form.addRow(self.draw)
        row = QHBoxLayout()
        self.add = QPushButton("Add bump")
        self.add.setToolTip("Two sigmoid neurons: +h·σ(w(x − s₁)) − h·σ(w(x − s₂))")
        self.remove = QPushButton("Remove")
        self.remove.setToolTip("Remove the last bump")
        row.addWidget(self.add)
        row.addWidget(self.remove)
        form.addRow(row)
        tile = QHBoxLayout()
        self.tile_n = QSpinBox()
        self.tile_n.setRange(1, 50)
        self.tile_n.setValue(10)
        self.tile_n.setToolTip("How many equal bumps tile [0, 1]")
        self.tile = QPushButton("Tile")
        self.tile.setToolTip(
            "Replace the bumps by n equal ones, each as high as f at its centre"
        )
        tile.addWidget(self.tile_n)
        tile.addWidget(self.tile)
        form.addRow("Bumps", tile)
        self.epsilon = _dspin("a_epsilon", "The tolerance ε of max|g − f| < ε", 3, 0.01)
        form.addRow("ε", self.epsilon)
        self.units = _spin(
            "a_units", "Train nets with N = 1, 2, 4, … up to this many units"
        )
        self.steps = _spin("a_steps", "Adam steps per trained net")
        form.addRow("Train N up to", self.units)
        form.addRow("Steps per N", self.steps)

    def bind(self, binder: Binder[MlpState]) -> None:
        """Tie the widgets to their fields."""
        binder.bind("a_target", self.target)
        binder.bind("a_epsilon", self.epsilon)
        binder.bind("a_units", self.units)
        binder.bind("a_steps", self.steps)
