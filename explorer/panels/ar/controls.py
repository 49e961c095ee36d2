"""The Autoregressive panel's side-column groups, one per tab, bound to ArState."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from explorer.core.ar.config import COST_LENGTHS, LIMITS
from explorer.core.ar.names import (
    DILATION_PRESETS,
    INPUT_KINDS,
    INPUT_TITLES,
    MODEL_NAMES,
    MODEL_TITLES,
    PRESET_TITLES,
)
from explorer.panels.ar.state import SEED_LIMITS, ArState
from explorer.widgets.binding import Binder

# what a combo shows (narrow: a projector at ×2); the long titles are tooltips
SHORT: dict[str, str] = {
    "fvsbn": "FVSBN",
    "nade": "NADE",
    "pixelcnn": "PixelCNN",
    "ones": "all 1",
    "doubling": "1, 2, 4, …",
    "blocks": "blocks of 4",
    "random": "random",
    "word": "a word",
}


def _spin(lo: int, hi: int, tip: str, step: int = 1) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setToolTip(tip)
    box.setKeyboardTracking(False)  # typing "12" asks for one change, not two
    return box


def _combo(names: tuple[str, ...], titles: dict[str, str], tip: str) -> QComboBox:
    box = QComboBox()
    for i, name in enumerate(names):
        box.addItem(SHORT[name], name)
        box.setItemData(i, titles[name], Qt.ItemDataRole.ToolTipRole)
    box.setToolTip(tip + "\n" + "\n".join(f"{SHORT[n]}: {titles[n]}" for n in names))
    return box


def _lim(name: str) -> tuple[int, int]:
    lo, hi = LIMITS[name]
    return int(lo), int(hi)


class TrainBox(QWidget):
    """Which model to train on binarised MNIST, for how long."""

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.model = _combo(
            MODEL_NAMES,
            MODEL_TITLES,
            "The model trained by Start: each predicts pixel i from pixels < i",
        )
        self.epochs = _spin(*_lim("epochs"), "Passes over the training digits")
        self.digits = _spin(
            *_lim("train_digits"),
            "Training digits (a fixed mix of all ten classes; 500 more are held out)",
            step=250,
        )
        self.seed = _spin(*SEED_LIMITS, "Seed of the initial weights and batches")
        form.addRow("Model", self.model)
        form.addRow("Epochs", self.epochs)
        form.addRow("Digits", self.digits)
        form.addRow("Seed", self.seed)


class MaskBox(QWidget):
    """L and k of the masked stacks; the clicked pixel is shown, not typed."""

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.layers = _spin(
            *_lim("layers"),
            "Masked layers L: mask A on the first, mask B on the others",
        )
        self.kernel = _spin(*_lim("kernel"), "Kernel size k (odd)", step=2)
        form.addRow("Layers L", self.layers)
        form.addRow("Kernel k", self.kernel)


class WaveBox(QWidget):
    """Dilations (a preset and a depth), kernel and sample rate."""

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.preset = _combo(
            DILATION_PRESETS,
            PRESET_TITLES,
            "Dilations d_l of the causal layers (WaveNet: 1, 2, …, 512, repeated)",
        )
        self.layers = _spin(*_lim("wave_layers"), "Causal layers")
        self.kernel = _spin(*_lim("wave_kernel"), "Kernel size k (WaveNet: 2)")
        self.rate = _spin(*_lim("sample_rate"), "Audio samples per second", 1000)
        self.rate.setSuffix(" Hz")
        form.addRow("Dilations", self.preset)
        form.addRow("Layers", self.layers)
        form.addRow("Kernel k", self.kernel)
        form.addRow("Rate", self.rate)


class AttentionBox(QWidget):
    """The sequence X (random or a word's letters), T, D, the causal mask."""

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.kind = _combo(INPUT_KINDS, INPUT_TITLES, "The rows of X")
        self.word = QLineEdit()
        self.word.setMaxLength(LIMITS["view_length"][1])
        self.word.setToolTip("A word: each letter becomes a one-hot row of X")
        self.length = _spin(*_lim("view_length"), "Sequence length T (random X)")
        self.dim = _spin(*_lim("dim"), "Width D of X, Q, K and V")
        self.causal = QCheckBox("Causal mask M")
        self.causal.setToolTip("M = −∞ above the diagonal: no position sees its future")
        self.seed = _spin(*SEED_LIMITS, "Seed of X and of W_Q, W_K, W_V")
        form.addRow("X", self.kind)
        form.addRow("Word", self.word)
        form.addRow("Length T", self.length)
        form.addRow("Width D", self.dim)
        form.addRow("Seed", self.seed)
        form.addRow(self.causal)


class CostBox(QWidget):
    """D and the longest T of the measured cost curves, and the Measure button."""

    def __init__(self) -> None:
        super().__init__()
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.dim = _spin(*_lim("cost_dim"), "Width D of the measured layers")
        self.longest = QComboBox()
        for n in COST_LENGTHS[1:]:
            self.longest.addItem(f"{n:,}", n)
        self.longest.setToolTip("The longest sequence measured (T from 16 up)")
        self.measure = QPushButton("Measure")
        self.measure.setToolTip(
            "Time one layer of each kind on this machine (torch, one thread)"
        )
        form.addRow("Width D", self.dim)
        form.addRow("Up to T", self.longest)
        form.addRow(self.measure)


def bind_all(
    binder: Binder[ArState],
    train: TrainBox,
    mask: MaskBox,
    wave: WaveBox,
    att: AttentionBox,
    cost: CostBox,
) -> None:
    """Tie every control to its state field (in one place)."""
    for name, widget in (
        ("model", train.model),
        ("epochs", train.epochs),
        ("train_digits", train.digits),
        ("train_seed", train.seed),
        ("layers", mask.layers),
        ("kernel", mask.kernel),
        ("wave_preset", wave.preset),
        ("wave_layers", wave.layers),
        ("wave_kernel", wave.kernel),
        ("sample_rate", wave.rate),
        ("att_input", att.kind),
        ("word", att.word),
        ("length", att.length),
        ("dim", att.dim),
        ("causal", att.causal),
        ("att_seed", att.seed),
        ("cost_dim", cost.dim),
        ("cost_max", cost.longest),
    ):
        binder.bind(name, widget)
