"""The latent panel's controls: run bar and model settings, strip ends, grid."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from superqt.utils import qdebounced

from explorer.core.latent.names import (
    ARCH_TITLES,
    ARCHS,
    MODEL_KINDS,
    MODEL_TITLES,
    RECON_FORMULAS,
    RECON_TITLES,
    RECONS,
    SPACINGS,
)
from explorer.core.state import field_limits
from explorer.panels.latent.state import (
    BETA_MAX,
    BETA_STEPS_PER_UNIT,
    LatentState,
)
from explorer.widgets.checked_spin import CheckedSpin
from explorer.widgets.run_bar import RunBar, make_button

MODEL_SETTINGS_DELAY_MS = 400
SPACING_TITLES = {"gaussian": "Gaussian Φ⁻¹", "linear": "linear"}
RECON_SHORT = {"bce": "Bernoulli (BCE)", "mse": "squared error"}


def _labelled(text: str, widget: QWidget, tip: str) -> tuple[QLabel, QWidget]:
    label = QLabel(text)
    label.setBuddy(widget)
    widget.setToolTip(tip)
    label.setToolTip(tip)
    return label, widget


def _checked(name: str, label: str) -> CheckedSpin:
    """Return a box over the state's range for ``name`` that says why it refuses."""
    lo, hi = field_limits(LatentState, name)
    assert lo is not None and hi is not None
    value = getattr(LatentState(), name)
    return CheckedSpin(label, value, "", limits=(int(lo), int(hi)))


def _float_range(spin: QDoubleSpinBox, name: str) -> None:
    lo, hi = field_limits(LatentState, name)
    assert lo is not None and hi is not None
    spin.setRange(float(lo), float(hi))


class ControlBar(QWidget):
    """The run bar, layout switch, β slider and the model settings (two rows).

    Row 1 holds what a lecture turns (run, layout, β, latent size); row 2 the
    settings hidden in presentation mode (:attr:`secondary`: network, noise,
    seed, save / open).  The reconstruction loss and the epochs
    (:attr:`loss_widgets`) go above the loss curves.

    ``settings_changed`` fires (debounced) when a setting that needs retraining
    changes; ``beta_changed`` when the β slider settles.  The widgets' ranges
    come from :class:`LatentState`, whose model limits are the core's.
    """

    layout_changed = Signal(str)
    beta_changed = Signal(float)
    settings_changed = Signal()
    save_clicked = Signal()
    load_clicked = Signal()
    rejected = Signal(str)  # why a typed number was refused

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        d = LatentState()
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        self.row1 = QHBoxLayout()
        self.row2 = QHBoxLayout()
        rows.addLayout(self.row1)
        rows.addLayout(self.row2)
        self.run_bar = RunBar(
            "train AE, VAE and β-VAE at once",
            step_tip="Let each model run one more report (a fifth of an epoch) (S)",
            reset_tip="Stop and go back to untrained models (R)",
        )
        # Each latent scatter shows its model's status; the bar needs no line.
        self.run_bar.status.hide()

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
        self.beta.setValue(round(d.beta * BETA_STEPS_PER_UNIT))
        self.beta.setMinimumWidth(80)
        self.beta_value = QLabel()
        beta_label, _ = _labelled(
            "β-VAE β",
            self.beta,
            "KL weight β of the β-VAE (β = 1 is the VAE); changing it retrains the "
            "β-VAE.\nLarger β: codes closer to N(0, I), blurrier reconstructions.",
        )
        self._beta_settled = qdebounced(
            self._emit_beta, timeout=MODEL_SETTINGS_DELAY_MS, parent=self
        )
        self.beta.valueChanged.connect(self._on_beta_moved)
        self.show_beta()

        self.latent_dim = _checked("latent_dim", "latent size D")
        lo, hi = self.latent_dim.minimum(), self.latent_dim.maximum()
        dim_label, _ = _labelled(
            "latent D",
            self.latent_dim,
            f"Size of the code z, {lo} to {hi} (the CLI's limit too); above 2 the "
            "scatter shows a PCA projection. Changing it retrains all three models.",
        )
        self.recon = QComboBox()
        for recon in RECONS:
            self.recon.addItem(RECON_SHORT[recon], recon)
        recon_label, _ = _labelled(
            "recon loss",
            self.recon,
            "Reconstruction term of every model's loss:\n"
            + "\n".join(
                f"{RECON_TITLES[r]}: {RECON_FORMULAS[r]}, x̂ = the decoded mean image"
                for r in RECONS
            )
            + "\n(Bernoulli: −log p(x|z) in nats; the course's seed uses the squared "
            "error). Changing it retrains all three models.",
        )
        self.arch = QComboBox()
        for arch in ARCHS:
            self.arch.addItem(ARCH_TITLES[arch], arch)
        arch_label, _ = _labelled(
            "network", self.arch, "Encoder / decoder type (MLP is faster on a CPU)"
        )
        self.noise = QDoubleSpinBox()
        _float_range(self.noise, "noise")
        self.noise.setSingleStep(0.1)
        self.noise.setDecimals(2)
        noise_label, _ = _labelled(
            "input noise",
            self.noise,
            "σ of Gaussian noise added to the encoder's input: > 0 makes every model "
            "a denoising autoencoder (the loss still compares with the clean digit)",
        )
        self.epochs = _checked("epochs", "epochs")
        lo, hi = self.epochs.minimum(), self.epochs.maximum()
        epochs_label, _ = _labelled(
            "epochs", self.epochs, f"Passes over the digits, {lo} to {hi}"
        )
        self.seed = _checked("seed", "seed")
        seed_label, _ = _labelled("seed", self.seed, "Same seed, same run")
        self._settings_settled = qdebounced(
            self.settings_changed.emit, timeout=MODEL_SETTINGS_DELAY_MS, parent=self
        )
        for spin in (self.latent_dim, self.epochs, self.seed):
            spin.valueChanged.connect(lambda _v: self._settings_settled())
        for checked in (self.latent_dim, self.epochs, self.seed):
            checked.rejected.connect(self.rejected)
        self.noise.valueChanged.connect(lambda _v: self._settings_settled())
        self.arch.currentIndexChanged.connect(lambda _i: self._settings_settled())
        self.recon.currentIndexChanged.connect(lambda _i: self._settings_settled())

        self.save = make_button(
            "Save weights…",
            "Save the active model's weights (a PyTorch state dict)",
            self.save_clicked.emit,
        )
        self.load = make_button(
            "Open weights…",
            "Show saved weights (.pt) in their column: AE, VAE or β-VAE "
            "(File ▸ Open also opens IDX digits and images)",
            self.load_clicked.emit,
        )

        row = self.row1
        row.addWidget(self.run_bar)
        row.addSpacing(12)
        row.addWidget(self.side)
        row.addWidget(self.large)
        row.addSpacing(12)
        row.addWidget(beta_label)
        row.addWidget(self.beta)
        row.addWidget(self.beta_value)
        row.addSpacing(12)
        row.addWidget(dim_label)
        row.addWidget(self.latent_dim)
        row.addStretch(1)
        # The loss and the epochs sit above the loss curves (the panel places them).
        self.loss_widgets: tuple[QWidget, ...] = (
            recon_label,
            self.recon,
            epochs_label,
            self.epochs,
        )
        row = self.row2
        self.secondary: list[QWidget] = []
        for label, widget in (
            (arch_label, self.arch),
            (noise_label, self.noise),
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
        self.show_beta()

    def show_beta(self) -> None:
        """Show the slider's β next to it."""
        self.beta_value.setText(f"{self.beta_value_f:g}")

    def show_layout(self, mode: str) -> None:
        """Check the layout button of ``mode`` ("side" or "large")."""
        (self.side if mode == "side" else self.large).setChecked(True)

    def _on_beta_moved(self, _value: int) -> None:
        self.show_beta()
        self._beta_settled()

    def _emit_beta(self) -> None:
        self.beta_changed.emit(self.beta_value_f)

    def flush(self) -> None:
        """Apply pending debounced changes now (tests, state restore)."""
        self._beta_settled.flush()
        self._settings_settled.flush()

    def cancel_pending(self) -> None:
        """Drop pending debounced changes (the caller applies the settings itself)."""
        self._beta_settled.cancel()
        self._settings_settled.cancel()


class EndpointBar(QWidget):
    """The two ends A and B of the interpolation (digit numbers) and the step count."""

    changed = Signal()
    rejected = Signal(str)  # why a typed number was refused

    def __init__(self, n_digits: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        row = QHBoxLayout()
        outer.addLayout(row)
        self.a = QSpinBox()
        self.b = QSpinBox()
        self.set_count(n_digits)
        self.a.setValue(0)
        self.b.setValue(min(LatentState().ends[1], n_digits - 1))
        self.a_text = QLabel()
        self.b_text = QLabel()
        self.steps = _checked("steps", "images per strip")
        self.steps.rejected.connect(self.rejected)
        tip = (
            "Number of the digit at this end (Shift+click a point in a scatter to pick)"
        )
        for name, spin, text in (
            ("A", self.a, self.a_text),
            ("B", self.b, self.b_text),
        ):
            label, _ = _labelled(f"{name}: digit", spin, tip)
            row.addWidget(label)
            row.addWidget(spin)
            row.addWidget(text)
            row.addSpacing(8)
        steps_label, _ = _labelled(
            "images", self.steps, "Images per strip (ends included)"
        )
        row.addWidget(steps_label)
        row.addWidget(self.steps)
        row.addStretch(1)
        hint = QLabel("Shift+click two digits in a scatter to pick A and B")
        hint.setWordWrap(True)
        self.hint = hint
        outer.addWidget(hint)
        for spin in (self.a, self.b, self.steps):
            spin.valueChanged.connect(self.changed)

    def set_count(self, n_digits: int) -> None:
        """Allow digit numbers 0 … n_digits − 1."""
        for spin in (self.a, self.b):
            spin.setRange(0, max(0, n_digits - 1))


class GridBar(QWidget):
    """Settings of the decoded-manifold grid: model, size, spacing and range (2 rows).

    ``model_changed(i)`` fires when the user picks the model the grid decodes.
    """

    changed = Signal()
    model_changed = Signal(int)
    rejected = Signal(str)  # why a typed number was refused

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        rows.addLayout(row1)
        rows.addLayout(row2)
        self.model = QComboBox()
        for kind in MODEL_KINDS:
            self.model.addItem(MODEL_TITLES[kind], kind)
        self.n = _checked("grid_n", "images per side")
        self.n.rejected.connect(self.rejected)
        d = LatentState()
        self.spacing = QComboBox()
        for spacing in SPACINGS:
            self.spacing.addItem(SPACING_TITLES[spacing], spacing)
        self.extent = QDoubleSpinBox()
        _float_range(self.extent, "grid_range")
        self.extent.setValue(d.grid_range)
        self.extent.setSingleStep(0.5)
        m_label, _ = _labelled(
            "model",
            self.model,
            "The model whose decoder draws the grid (the active model: clicking a "
            "latent space picks it too)",
        )
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
        first: tuple[QWidget, ...] = (m_label, self.model, n_label, self.n)
        second: tuple[QWidget, ...] = (s_label, self.spacing, e_label, self.extent)
        for row, widgets in ((row1, first), (row2, second)):
            for w in widgets:
                row.addWidget(w)
            row.addStretch(1)
        self.model.activated.connect(self.model_changed)
        self.n.valueChanged.connect(self.changed)
        self.spacing.currentIndexChanged.connect(self._on_spacing_changed)
        self.extent.valueChanged.connect(self.changed)
        self._on_spacing_changed()

    def show_model(self, i: int) -> None:
        """Show model ``i`` as the grid's model (without emitting a signal)."""
        self.model.blockSignals(True)
        self.model.setCurrentIndex(i)
        self.model.blockSignals(False)

    def show_spacing(self) -> None:
        """Enable the ± range only for the linear spacing."""
        linear = self.spacing.currentData() == "linear"
        for w in self.extent_widgets:
            w.setEnabled(linear)

    def _on_spacing_changed(self) -> None:
        self.show_spacing()
        self.changed.emit()
