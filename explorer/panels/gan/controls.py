"""Controls of the GAN panel: run buttons, data / objective choice, hyper-parameters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.gan import ACTIVATIONS, LOSS_NAMES, OPTIMIZERS, GanConfig

DATA_CHOICES = (
    ("ring8", "Ring of 8 Gaussians"),
    ("grid25", "Grid of 25 Gaussians"),
    ("spiral", "Spiral (12 modes)"),
    ("moons", "Two moons (12 modes)"),
    ("points", "Your points (click to draw)"),
)
LOSS_TITLES = {
    "minimax": "Minimax (saturating)",
    "non-saturating": "Non-saturating",
    "unrolled": "Unrolled D (k steps)",
    "wgan-gp": "WGAN-GP",
}
LOSS_TIPS = {
    "minimax": "G descends on log(1 − D(G(z))): its gradient vanishes when D rejects "
    "the samples (Goodfellow et al. 2014, eq. 1).",
    "non-saturating": "G ascends on log D(G(z)): strong gradients early, but prone to "
    "mode collapse (Goodfellow et al. 2014, §3).",
    "unrolled": "G looks ahead: its loss is taken against D after k more D steps, "
    "differentiated through those steps (Metz et al. 2016).",
    "wgan-gp": "A critic estimates the Wasserstein distance; a gradient penalty keeps "
    "it 1-Lipschitz (Gulrajani et al. 2017).",
}
SPEEDS = (1, 2, 5, 10, 20, 50, 100)


def _combo(items: list[tuple[str, str]], tip: str) -> QComboBox:
    box = QComboBox()
    for key, text in items:
        box.addItem(text, key)
    box.setToolTip(tip)
    return box


class RunBar(QWidget):
    """Start / pause, the three step buttons, reset and the speed slider."""

    start_pause_clicked = Signal()
    step_clicked = Signal(str)  # "d", "g" or "both"
    reset_clicked = Signal()
    speed_changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.start = QPushButton("Start")
        self.start.setToolTip(
            "Train G and D continuously; click again to pause (Space)"
        )
        self.start.clicked.connect(self.start_pause_clicked)
        self.step_d = QPushButton("Step D")
        self.step_d.setToolTip("One discriminator (critic) update, G frozen")
        self.step_g = QPushButton("Step G")
        self.step_g.setToolTip("One generator update, D frozen")
        self.step_both = QPushButton("Step both")
        self.step_both.setToolTip("One full iteration: D update(s), then a G update")
        for button, action in (
            (self.step_d, "d"),
            (self.step_g, "g"),
            (self.step_both, "both"),
        ):
            button.clicked.connect(lambda _=False, a=action: self.step_clicked.emit(a))
        self.reset = QPushButton("Reset")
        self.reset.setToolTip("New networks from the seed; the data stays")
        self.reset.clicked.connect(self.reset_clicked)
        grid.addWidget(self.start, 0, 0, 1, 2)
        grid.addWidget(self.reset, 0, 2)
        grid.addWidget(self.step_d, 1, 0)
        grid.addWidget(self.step_g, 1, 1)
        grid.addWidget(self.step_both, 1, 2)
        self.speed = QSlider(Qt.Orientation.Horizontal)
        self.speed.setRange(0, len(SPEEDS) - 1)
        self.speed.setValue(SPEEDS.index(10))
        self.speed.setToolTip("Training iterations between two redraws")
        self.speed_label = QLabel()
        self.speed.valueChanged.connect(self._on_speed_moved)
        grid.addWidget(QLabel("Speed"), 2, 0)
        grid.addWidget(self.speed, 2, 1)
        grid.addWidget(self.speed_label, 2, 2)
        self._on_speed_moved(self.speed.value())

    @property
    def steps_per_update(self) -> int:
        """Iterations per redraw chosen on the speed slider."""
        return SPEEDS[self.speed.value()]

    def _on_speed_moved(self, index: int) -> None:
        self.speed_label.setText(f"{SPEEDS[index]} it/frame")
        self.speed_changed.emit(SPEEDS[index])

    def set_state(self, *, running: bool, paused: bool) -> None:
        """Label the start button after the run's state."""
        self.start.setText(
            "Pause" if running and not paused else ("Resume" if running else "Start")
        )


class SetupBox(QGroupBox):
    """Data, objective(s), unrolling k and seed; emits ``changed`` on every edit."""

    changed = Signal()
    clear_points_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Experiment", parent)
        form = QFormLayout(self)
        self.data = _combo(
            list(DATA_CHOICES),
            "The 2-D data distribution: a mixture of "
            "Gaussians. Click the plot to add modes, drag to move them.",
        )
        self.loss = _combo(
            [(k, LOSS_TITLES[k]) for k in LOSS_NAMES], "The objective of run A"
        )
        self.compare = _combo(
            [("", "—")] + [(k, LOSS_TITLES[k]) for k in LOSS_NAMES],
            "A second objective trained side by side from the same seed (run B)",
        )
        for box in (self.loss, self.compare):
            for i in range(box.count()):
                key = box.itemData(i)
                if key:
                    box.setItemData(i, LOSS_TIPS[key], Qt.ItemDataRole.ToolTipRole)
        self.unroll = QSpinBox()
        self.unroll.setRange(1, 20)
        self.unroll.setValue(GanConfig().unroll)
        self.unroll.setToolTip("k: how many D steps G looks ahead (unrolled objective)")
        self.seed = QSpinBox()
        self.seed.setRange(0, 9999)
        self.seed.setToolTip(
            "Seeds the networks and every minibatch: same seed, same run"
        )
        self.clear_points = QPushButton("Clear points")
        self.clear_points.setToolTip("Remove your points (keeps one so there is data)")
        self.clear_points.clicked.connect(self.clear_points_clicked)
        form.addRow("Data", self.data)
        form.addRow("", self.clear_points)
        form.addRow("Objective", self.loss)
        form.addRow("Compare with", self.compare)
        form.addRow("Unroll k", self.unroll)
        form.addRow("Seed", self.seed)
        self.loss.setCurrentIndex(self.loss.findData(GanConfig().loss))
        self.compare.setCurrentIndex(self.compare.findData("unrolled"))
        for box in (self.data, self.loss, self.compare):
            box.currentIndexChanged.connect(self.changed)
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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Networks and optimiser", parent)
        d = GanConfig()
        form = QFormLayout(self)
        self.latent = self._spin(
            1, 256, d.latent_dim, "Latent dimension of z ~ N(0, I)"
        )
        self.g_hidden = self._spin(4, 512, d.g_hidden, "Units per hidden layer of G")
        self.d_hidden = self._spin(4, 512, d.d_hidden, "Units per hidden layer of D")
        self.layers = self._spin(1, 6, d.g_layers, "Hidden layers of G and of D")
        self.activation = _combo([(a, a) for a in ACTIVATIONS], "Hidden activation")
        self.optimizer = _combo(
            [(o, o) for o in OPTIMIZERS], "Optimiser of G and D (Adam: β₁ = 0.5)"
        )
        self.lr_g = self._lr(d.lr_g, "Learning rate of G")
        self.lr_d = self._lr(d.lr_d, "Learning rate of D (critic)")
        self.unroll_lr = self._lr(d.unroll_lr, "SGD step η of the unrolled copy of D")
        self.n_critic = self._spin(
            1, 20, d.n_critic, "Critic steps per G step (WGAN-GP)"
        )
        self.gp_lambda = QDoubleSpinBox()
        self.gp_lambda.setRange(0.0, 100.0)
        self.gp_lambda.setDecimals(3)
        self.gp_lambda.setValue(d.gp_lambda)
        self.gp_lambda.setToolTip("Gradient-penalty weight λ (WGAN-GP)")
        self.batch = self._spin(8, 4096, d.batch_size, "Minibatch size")
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

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(lo, hi)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.editingFinished.connect(self.changed)
        return spin

    def _lr(self, value: float, tip: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(5)
        spin.setRange(1e-5, 1.0)
        spin.setSingleStep(1e-4)
        spin.setValue(value)
        spin.setToolTip(tip)
        spin.editingFinished.connect(self.changed)
        return spin

    def values(self) -> dict[str, Any]:
        """Return the GanConfig keyword arguments these controls hold."""
        return {
            "latent_dim": self.latent.value(),
            "g_hidden": self.g_hidden.value(),
            "d_hidden": self.d_hidden.value(),
            "g_layers": self.layers.value(),
            "d_layers": self.layers.value(),
            "activation": self.activation.currentData(),
            "optimizer": self.optimizer.currentData(),
            "lr_g": self.lr_g.value(),
            "lr_d": self.lr_d.value(),
            "unroll_lr": self.unroll_lr.value(),
            "n_critic": self.n_critic.value(),
            "gp_lambda": self.gp_lambda.value(),
            "batch_size": self.batch.value(),
        }


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


def stack(*widgets: QWidget) -> QWidget:
    """Return a plain widget with ``widgets`` stacked vertically."""
    box = QWidget()
    col = QVBoxLayout(box)
    col.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        col.addWidget(w)
    return box
