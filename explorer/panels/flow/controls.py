"""Controls of the flow panel: data, the model, the 1-D map and the layer slider."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.flow.config import LIMITS
from explorer.core.flow.names import DATA_TITLES, KIND_TITLES, MIX_TITLES
from explorer.panels.flow.state import MAX_BANDS, SEED_MAX, FlowState
from explorer.widgets.binding import Binder

COMBO_CHARS = 14


def _combo(items: dict[str, str], tip: str) -> QComboBox:
    box = QComboBox()
    for key, text in items.items():
        box.addItem(text, key)
    box.setToolTip(tip)
    box.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    box.setMinimumContentsLength(COMBO_CHARS)
    return box


def _spin(name: str, tip: str) -> QSpinBox:
    box = QSpinBox()
    lo, hi = LIMITS[name]
    box.setRange(int(lo), int(hi))
    box.setToolTip(tip)
    return box


def stack(*widgets: QWidget) -> QWidget:
    """Return a plain widget holding ``widgets`` one under the other."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box


class DataBox(QGroupBox):
    """The data set, the draw-points toggle and Clear points."""

    changed = Signal()
    clear_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data", parent)
        form = QFormLayout(self)
        self.data = _combo(
            DATA_TITLES,
            "The 2-D data the flow learns. 'Your points': click the density plot "
            "with Draw on; File ▸ Open reads x,y CSV or a grey image (dark: dense)",
        )
        self.draw = QPushButton("Draw")
        self.draw.setCheckable(True)
        self.draw.setToolTip(
            "On: a click on the density plot adds a data point. Off: a click probes "
            "the flow there (per-layer Jacobians)"
        )
        self.clear = QPushButton("Clear")
        self.clear.setToolTip("Remove your drawn points")
        self.clear.clicked.connect(self.clear_clicked)
        row = QHBoxLayout()
        row.addWidget(self.draw)
        row.addWidget(self.clear)
        form.addRow("Data", self.data)
        form.addRow("Points", row)
        self.data.currentIndexChanged.connect(self.changed)


class ModelBox(QGroupBox):
    """Layers, width, mixing, layer kind, actnorm, learning rate and seed."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Model", parent)
        form = QFormLayout(self)
        self.kind = _combo(
            KIND_TITLES,
            "Affine coupling: y_A = x_A·exp(s(x_B)) + t(x_B), triangular Jacobian. "
            "Planar: y = x + û·tanh(wᵀx + b), det by the matrix determinant lemma",
        )
        self.layers = _spin("layers", "K: how many coupling (or planar) layers")
        self.hidden = _spin("hidden", "Units of each coupling's MLP β(x_B)")
        self.mix = _combo(
            MIX_TITLES,
            "What sits between couplings: nothing (the halves alternate), a fixed "
            "rotation, or a learned 2×2 matrix (Glow's 1×1 convolution)",
        )
        self.actnorm = QCheckBox("ActNorm")
        self.actnorm.setToolTip(
            "An actnorm before each coupling (Glow): per-coordinate scale and shift, "
            "initialised from the data to zero mean, unit variance"
        )
        self.lr = QDoubleSpinBox()
        self.lr.setDecimals(4)
        self.lr.setRange(*LIMITS["lr"])
        self.lr.setSingleStep(0.001)
        self.lr.setToolTip("Adam's learning rate")
        self.seed = QSpinBox()
        self.seed.setRange(0, SEED_MAX)
        self.seed.setToolTip("Seeds the weights and every batch: same seed, same run")
        form.addRow("Layers", self.kind)
        form.addRow("K", self.layers)
        form.addRow("Mixing", self.mix)
        form.addRow("", self.actnorm)
        # the training settings: a box of their own, hidden in presentation mode
        self.training = QGroupBox("Training")
        more = QFormLayout(self.training)
        more.addRow("Hidden", self.hidden)
        more.addRow("Rate", self.lr)
        more.addRow("Seed", self.seed)
        self.save_model = QPushButton("Save model…")
        self.save_model.setToolTip(
            "Save the flow as shown (a .pt file: architecture + weights, read with "
            "weights_only=True);\nthe CLI evaluates it: explorer flow density "
            "--load model.pt"
        )
        self.save_model.setEnabled(False)
        more.addRow("", self.save_model)
        for w in (self.kind, self.mix):
            w.currentIndexChanged.connect(self.changed)
        for s in (self.layers, self.hidden, self.seed):
            s.valueChanged.connect(self.changed)
        self.lr.valueChanged.connect(self.changed)
        self.actnorm.toggled.connect(self.changed)


class OneDBox(QGroupBox):
    """The 1-D picture: how many equal-mass bands, and Reset knots."""

    changed = Signal()
    reset_knots_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("1-D map h", parent)
        form = QFormLayout(self)
        self.bands = QSpinBox()
        self.bands.setRange(2, MAX_BANDS)
        self.bands.setToolTip(
            "Shade this many bands of equal probability mass in z and their images "
            "in x: equal areas in both plots"
        )
        self.reset_knots = QPushButton("Reset knots")
        self.reset_knots.setToolTip("Put the knots of h back where they started")
        self.reset_knots.clicked.connect(self.reset_knots_clicked)
        form.addRow("Bands", self.bands)
        form.addRow("", self.reset_knots)
        self.bands.valueChanged.connect(self.changed)


class StageSlider(QWidget):
    """Walks a z-grid through the flow, layer by layer (0: z-space, K: x-space)."""

    moved = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setObjectName("flow-stage")
        self.slider.setToolTip(
            "Layer by layer from z (left) to x (right): the grid and the samples "
            "after each inverse layer f_k (PageUp / PageDown step)"
        )
        self.slider.setPageStep(1)
        self.label = QLabel("x-space")
        row.addWidget(QLabel("z"))
        row.addWidget(self.slider, 1)
        row.addWidget(QLabel("x"))
        row.addWidget(self.label)
        self.slider.valueChanged.connect(self.moved)

    def set_count(self, stages: int) -> None:
        """Offer ``stages`` positions (K + 1), keeping the end selected if it was."""
        at_end = self.slider.value() == self.slider.maximum()
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, stages - 1))
        if at_end:
            self.slider.setValue(self.slider.maximum())
        self.slider.blockSignals(False)


def bind(
    data: DataBox, model: ModelBox, oned: OneDBox, parent: QWidget
) -> Binder[FlowState]:
    """Return the binder of the panel's state to its widgets."""
    binder: Binder[FlowState] = Binder(FlowState, parent)
    binder.bind("data", data.data)
    binder.bind("kind", model.kind)
    binder.bind("layers", model.layers)
    binder.bind("hidden", model.hidden)
    binder.bind("mix", model.mix)
    binder.bind("actnorm", model.actnorm)
    binder.bind("lr", model.lr)
    binder.bind("seed", model.seed)
    binder.bind("bands", oned.bands)
    return binder
