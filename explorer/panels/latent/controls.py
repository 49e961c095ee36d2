"""The latent panel's controls: run buttons, model settings, strip ends, grid."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.latent import DEFAULT_BETA

BETA_STEPS_PER_UNIT = 4  # the β slider moves in quarters: 0.25 … 16
BETA_MAX = 16.0
MODEL_SETTINGS_DELAY_MS = 400


def _labelled(text: str, widget: QWidget, tip: str) -> tuple[QLabel, QWidget]:
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setToolTip(tip)
    label.setToolTip(tip)
    return label, widget


class ControlBar(QWidget):
    """Run buttons, layout switch, β slider and the model settings.

    ``settings_changed`` fires (debounced) when a setting that needs retraining
    changes; ``beta_changed`` when the β slider settles.
    """

    train_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    layout_changed = Signal(str)
    beta_changed = Signal(float)
    settings_changed = Signal()
    save_clicked = Signal()
    load_clicked = Signal()

    def __init__(self, epochs: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        self.row1 = QHBoxLayout()
        self.row2 = QHBoxLayout()
        rows.addLayout(self.row1)
        rows.addLayout(self.row2)
        row = self.row1
        self.train = QPushButton("▶ Train")
        self.train.setToolTip("Train AE, VAE and β-VAE at once, or pause them (Space)")
        self.step = QPushButton("Step")
        self.step.setToolTip("Let each model run one more report (a fifth of an epoch)")
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("Stop and go back to untrained models")
        self.train.clicked.connect(self.train_clicked)
        self.step.clicked.connect(self.step_clicked)
        self.reset.clicked.connect(self.reset_clicked)

        self.side = QPushButton("Side by side")
        self.large = QPushButton("One large")
        self.side.setToolTip("Show the three latent spaces next to each other")
        self.large.setToolTip("Show only the active model's latent space, large")
        group = QButtonGroup(self)
        for b in (self.side, self.large):
            b.setCheckable(True)
            group.addButton(b)
        self.side.setChecked(True)
        self.side.clicked.connect(lambda: self.layout_changed.emit("side"))
        self.large.clicked.connect(lambda: self.layout_changed.emit("large"))

        self.beta = QSlider(Qt.Orientation.Horizontal)
        self.beta.setRange(1, int(BETA_MAX * BETA_STEPS_PER_UNIT))
        self.beta.setValue(int(DEFAULT_BETA * BETA_STEPS_PER_UNIT))
        self.beta.setMinimumWidth(80)
        self.beta_value = QLabel()
        beta_label, _ = _labelled(
            "β-VAE β",
            self.beta,
            "KL weight β of the β-VAE (β = 1 is the VAE); changing it retrains the "
            "β-VAE.\nLarger β: codes closer to N(0, I), blurrier reconstructions.",
        )
        self._beta_timer = QTimer(self)
        self._beta_timer.setSingleShot(True)
        self._beta_timer.setInterval(MODEL_SETTINGS_DELAY_MS)
        self._beta_timer.timeout.connect(
            lambda: self.beta_changed.emit(self.beta_value_f)
        )
        self.beta.valueChanged.connect(self._on_beta_moved)
        self._on_beta_moved()

        self.latent_dim = QSpinBox()
        self.latent_dim.setRange(1, 16)
        self.latent_dim.setValue(2)
        dim_label, _ = _labelled(
            "latent D",
            self.latent_dim,
            "Size of the code z; above 2 the scatter shows a PCA projection",
        )
        self.arch = QComboBox()
        self.arch.addItem("MLP", "mlp")
        self.arch.addItem("Conv", "conv")
        arch_label, _ = _labelled(
            "network", self.arch, "Encoder / decoder type (MLP is faster on a CPU)"
        )
        self.noise = QDoubleSpinBox()
        self.noise.setRange(0.0, 1.0)
        self.noise.setSingleStep(0.1)
        self.noise.setDecimals(2)
        noise_label, _ = _labelled(
            "input noise",
            self.noise,
            "σ of Gaussian noise added to the encoder's input: > 0 makes every model "
            "a denoising autoencoder (the loss still compares with the clean digit)",
        )
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.epochs.setValue(epochs)
        epochs_label, _ = _labelled("epochs", self.epochs, "Passes over the digits")
        self.seed = QSpinBox()
        self.seed.setRange(0, 99_999)
        seed_label, _ = _labelled("seed", self.seed, "Same seed, same run")
        self._settings_timer = QTimer(self)
        self._settings_timer.setSingleShot(True)
        self._settings_timer.setInterval(MODEL_SETTINGS_DELAY_MS)
        self._settings_timer.timeout.connect(self.settings_changed)
        for spin in (self.latent_dim, self.epochs, self.seed):
            spin.valueChanged.connect(self._settings_timer.start)
        self.noise.valueChanged.connect(self._settings_timer.start)
        self.arch.currentIndexChanged.connect(self._settings_timer.start)

        self.save = QPushButton("Save weights…")
        self.save.setToolTip("Save the active model's weights (a PyTorch state dict)")
        self.save.clicked.connect(self.save_clicked)
        self.load = QPushButton("Open weights…")
        self.load.setToolTip(
            "Show saved weights (.pt) in their column: AE, VAE or β-VAE "
            "(File ▸ Open also opens IDX digits and images)"
        )
        self.load.clicked.connect(self.load_clicked)

        for w in (self.train, self.step, self.reset):
            row.addWidget(w)
        row.addSpacing(12)
        row.addWidget(self.side)
        row.addWidget(self.large)
        row.addSpacing(12)
        row.addWidget(beta_label)
        row.addWidget(self.beta)
        row.addWidget(self.beta_value)
        row.addStretch(1)
        row = self.row2
        self.secondary: list[QWidget] = []
        for label, widget in (
            (dim_label, self.latent_dim),
            (arch_label, self.arch),
            (noise_label, self.noise),
            (epochs_label, self.epochs),
            (seed_label, self.seed),
        ):
            row.addWidget(label)
            row.addWidget(widget)
            self.secondary += [label, widget]
        row.addWidget(self.save)
        row.addWidget(self.load)
        row.addStretch(1)
        self.secondary += [self.save, self.load]

    @property
    def beta_value_f(self) -> float:
        """The β the slider shows."""
        return self.beta.value() / BETA_STEPS_PER_UNIT

    def set_beta(self, beta: float) -> None:
        """Move the slider to ``beta`` without retraining."""
        self.beta.blockSignals(True)
        self.beta.setValue(round(beta * BETA_STEPS_PER_UNIT))
        self.beta.blockSignals(False)
        self.beta_value.setText(f"{self.beta_value_f:g}")

    def _on_beta_moved(self) -> None:
        self.beta_value.setText(f"{self.beta_value_f:g}")
        self._beta_timer.start()

    def flush(self) -> None:
        """Apply pending debounced changes now (tests, state restore)."""
        if self._beta_timer.isActive():
            self._beta_timer.stop()
            self.beta_changed.emit(self.beta_value_f)
        if self._settings_timer.isActive():
            self._settings_timer.stop()
            self.settings_changed.emit()

    def cancel_pending(self) -> None:
        """Drop pending debounced changes (the caller applies the settings itself)."""
        self._beta_timer.stop()
        self._settings_timer.stop()

    def set_running(self, running: bool) -> None:
        """Show "Pause" while training runs and "Train" otherwise."""
        self.train.setText("Pause" if running else "▶ Train")


class EndpointBar(QWidget):
    """The two ends A and B of the interpolation (digit numbers) and the step count."""

    changed = Signal()

    def __init__(self, n_digits: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.a = QSpinBox()
        self.b = QSpinBox()
        self.set_count(n_digits)
        self.a.setValue(0)
        self.b.setValue(min(500, n_digits - 1))
        self.a_text = QLabel()
        self.b_text = QLabel()
        self.steps = QSpinBox()
        self.steps.setRange(3, 20)
        self.steps.setValue(10)
        tip = (
            "Number of the digit at this end (Shift+click a point in a scatter to pick)"
        )
        row.addWidget(QLabel("A: digit #"))
        row.addWidget(self.a)
        row.addWidget(self.a_text)
        row.addSpacing(10)
        row.addWidget(QLabel("B: digit #"))
        row.addWidget(self.b)
        row.addWidget(self.b_text)
        row.addSpacing(10)
        steps_label, _ = _labelled(
            "images", self.steps, "Images per strip (ends included)"
        )
        row.addWidget(steps_label)
        row.addWidget(self.steps)
        hint = QLabel("Shift+click two digits in a scatter to pick A and B")
        hint.setWordWrap(True)
        self.hint = hint
        row.addSpacing(10)
        row.addWidget(hint, 1)
        for spin in (self.a, self.b):
            spin.setToolTip(tip)
        for spin in (self.a, self.b, self.steps):
            spin.valueChanged.connect(self.changed)

    def set_count(self, n_digits: int) -> None:
        """Allow digit numbers 0 … n_digits − 1."""
        for spin in (self.a, self.b):
            spin.setRange(0, max(0, n_digits - 1))


class GridBar(QWidget):
    """Settings of the decoded-manifold grid: size, spacing and range."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.n = QSpinBox()
        self.n.setRange(3, 30)
        self.n.setValue(15)
        self.spacing = QComboBox()
        self.spacing.addItem("Gaussian Φ⁻¹", "gaussian")
        self.spacing.addItem("linear", "linear")
        self.extent = QDoubleSpinBox()
        self.extent.setRange(0.5, 50.0)
        self.extent.setValue(3.0)
        self.extent.setSingleStep(0.5)
        n_label, _ = _labelled("images per side", self.n, "Grid size n × n")
        s_label, _ = _labelled(
            "spacing",
            self.spacing,
            "Gaussian: coordinates Φ⁻¹((i + ½)/n), equal prior mass per cell "
            "(Kingma & Welling 2014, Fig. 4);\n"
            "linear: evenly spaced over ± range",
        )
        e_label, _ = _labelled("± range", self.extent, "Half-width of the linear grid")
        self.extent_widgets = (e_label, self.extent)
        for w in (n_label, self.n, s_label, self.spacing, e_label, self.extent):
            row.addWidget(w)
        row.addStretch(1)
        self.n.valueChanged.connect(self.changed)
        self.spacing.currentIndexChanged.connect(self._on_spacing_changed)
        self.extent.valueChanged.connect(self.changed)
        self._on_spacing_changed()

    def _on_spacing_changed(self) -> None:
        linear = self.spacing.currentData() == "linear"
        for w in self.extent_widgets:
            w.setEnabled(linear)
        self.changed.emit()
