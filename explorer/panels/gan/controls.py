"""Controls of the GAN panel: data, k and seed, hyper-parameters, timeline."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from explorer.core.gan.config import GanConfig
from explorer.core.gan.names import (
    ACTIVATIONS,
    DATA_TITLES,
    OPTIMIZERS,
)
from explorer.panels.gan.spins import CheckedDoubleSpin, CheckedSpin
from explorer.panels.gan.state import DEFAULT_SEED, SEED_MAX, GanState, HyperState
from explorer.widgets.binding import Binder

COMBO_CHARS = 14  # characters a choice box shows at least


def _combo(items: list[tuple[str, str]], tip: str) -> QComboBox:
    box = QComboBox()
    for key, text in items:
        box.addItem(text, key)
    box.setToolTip(tip)
    # long titles may elide: at ×2 the column must not push the plots off screen
    box.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
    )
    box.setMinimumContentsLength(COMBO_CHARS)
    return box


class SetupBox(QGroupBox):
    """Data, unrolling k and seed; emits ``changed`` on every edit."""

    changed = Signal()
    clear_points_clicked = Signal()
    rejected = Signal(str)  # why a typed number was refused

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Experiment", parent)
        form = QFormLayout(self)
        self.data = _combo(
            list(DATA_TITLES.items()),
            "The 2-D data distribution: a mixture of "
            "Gaussians. Click the plot to add modes, drag to move them.",
        )
        self.unroll = CheckedSpin(
            "unroll",
            GanConfig().unroll,
            "k: how many D steps G looks ahead (unrolled objective)",
        )
        self.seed = QSpinBox()
        self.seed.setRange(0, SEED_MAX)
        self.seed.setValue(DEFAULT_SEED)
        self.seed.setToolTip(
            "Seeds the networks and every minibatch: same seed, same run; all four "
            "objectives start from the same networks"
        )
        self.clear_points = QPushButton("Clear points")
        self.clear_points.setToolTip("Remove your points (keeps one so there is data)")
        self.clear_points.clicked.connect(self.clear_points_clicked)
        form.addRow("Data", self.data)
        form.addRow("", self.clear_points)
        form.addRow("Unroll k", self.unroll)
        form.addRow("Seed", self.seed)
        self.data.currentIndexChanged.connect(self.changed)
        self.unroll.rejected.connect(self.rejected)
        for spin in (self.unroll, self.seed):
            spin.valueChanged.connect(self.changed)


class ViewOptions(QWidget):
    """Check boxes for gradient arrows and sample trails."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.arrows = QCheckBox("G's gradient arrows")
        self.arrows.setChecked(True)
        self.arrows.setToolTip("Arrows: the direction −∂L_G/∂x each sample is pushed")
        self.trails = QCheckBox("Trails")
        self.trails.setChecked(True)
        self.trails.setToolTip(
            "Grey dots: where some samples were in the last snapshots"
        )
        for box in (self.arrows, self.trails):
            box.toggled.connect(self.changed)
            row.addWidget(box)
        row.addStretch(1)


class HyperBox(QGroupBox):
    """Architecture and optimiser settings (hidden in presentation mode)."""

    changed = Signal()
    rejected = Signal(str)  # why a typed number was refused

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Networks and optimiser", parent)
        d = GanConfig()
        form = QFormLayout(self)
        self.latent = self._spin("latent_dim", d.latent_dim, "Latent dimension of z")
        self.g_hidden = self._spin("g_hidden", d.g_hidden, "Units per layer of G")
        self.d_hidden = self._spin("d_hidden", d.d_hidden, "Units per layer of D")
        self.layers = self._spin("g_layers", d.g_layers, "Hidden layers of G and D")
        self.activation = _combo([(a, a) for a in ACTIVATIONS], "Hidden activation")
        self.optimizer = _combo(
            [(o, o) for o in OPTIMIZERS], "Optimiser of G and D (Adam: β₁ = 0.5)"
        )
        self.lr_g = self._real("lr_g", d.lr_g, "Learning rate of G")
        self.lr_d = self._real("lr_d", d.lr_d, "Learning rate of D (critic)")
        self.unroll_lr = self._real("unroll_lr", d.unroll_lr, "SGD step η of D's copy")
        self.n_critic = self._spin("n_critic", d.n_critic, "Critic steps per G step")
        self.gp_lambda = self._real(
            "gp_lambda", d.gp_lambda, "Gradient-penalty weight λ", decimals=3, step=0.1
        )
        self.batch = self._spin("batch_size", d.batch_size, "Minibatch size")
        for label, w in (
            ("Latent dim", self.latent),
            ("G units", self.g_hidden),
            ("D units", self.d_hidden),
            ("Layers", self.layers),
            ("Activation", self.activation),
            ("Optimiser", self.optimizer),
            ("lr G", self.lr_g),
            ("lr D", self.lr_d),
            ("Unroll η", self.unroll_lr),
            ("n_critic", self.n_critic),
            ("GP λ", self.gp_lambda),
            ("Batch", self.batch),
        ):
            form.addRow(label, w)
        for box in (self.activation, self.optimizer):
            box.currentIndexChanged.connect(self.changed)

    def _spin(self, name: str, value: int, tip: str) -> CheckedSpin:
        spin = CheckedSpin(name, value, tip)
        # committed values only (no keyboard tracking); a refused one changes none
        spin.valueChanged.connect(self.changed)
        spin.rejected.connect(self.rejected)
        return spin

    def _real(
        self, name: str, value: float, tip: str, decimals: int = 5, step: float = 1e-4
    ) -> CheckedDoubleSpin:
        spin = CheckedDoubleSpin(name, value, tip, decimals=decimals, step=step)
        spin.valueChanged.connect(self.changed)
        spin.rejected.connect(self.rejected)
        return spin


class Timeline(QWidget):
    """A scrubber over the recorded snapshots and a button back to the live view."""

    scrubbed = Signal(int)
    live_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(
            "Replay earlier snapshots (pauses the view, not training)"
        )
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.label = QLabel("step 0")
        self.live = QPushButton("Live")
        self.live.setCheckable(True)
        self.live.setChecked(True)
        self.live.setToolTip("Follow the latest snapshot")
        self.live.clicked.connect(self.live_clicked)
        row.addWidget(QLabel("Timeline"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.label)
        row.addWidget(self.live)
        self._quiet = False

    def set_length(self, n: int, *, follow: bool) -> None:
        """Make ``n`` snapshots reachable; with ``follow`` move to the last one."""
        self._quiet = True
        try:
            self.slider.setRange(0, max(0, n - 1))
            if follow:
                self.slider.setValue(max(0, n - 1))
        finally:
            self._quiet = False

    def _on_slider_moved(self, value: int) -> None:
        if not self._quiet:
            self.live.setChecked(False)
            self.scrubbed.emit(value)


def bind_setup(
    setup: SetupBox, options: ViewOptions, parent: QObject
) -> Binder[GanState]:
    """Return the binder of the experiment and view widgets to :class:`GanState`."""
    binder = Binder(GanState, parent)
    widgets: tuple[tuple[str, QWidget], ...] = (
        ("data", setup.data),
        ("unroll", setup.unroll),
        ("seed", setup.seed),
        ("arrows", options.arrows),
        ("trails", options.trails),
    )
    for name, widget in widgets:
        binder.bind(name, widget)
    return binder


def bind_hyper(box: HyperBox, parent: QObject) -> Binder[HyperState]:
    """Return the binder of the network and optimiser widgets to :class:`HyperState`."""
    binder = Binder(HyperState, parent)
    widgets: tuple[tuple[str, QWidget], ...] = (
        ("latent_dim", box.latent),
        ("g_hidden", box.g_hidden),
        ("d_hidden", box.d_hidden),
        ("g_layers", box.layers),
        ("activation", box.activation),
        ("optimizer", box.optimizer),
        ("lr_g", box.lr_g),
        ("lr_d", box.lr_d),
        ("unroll_lr", box.unroll_lr),
        ("n_critic", box.n_critic),
        ("gp_lambda", box.gp_lambda),
        ("batch_size", box.batch),
    )
    for name, widget in widgets:
        binder.bind(name, widget)
    return binder
