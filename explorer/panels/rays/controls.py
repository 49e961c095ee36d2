"""The Rays panel's control column: scene and sampling settings, training buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleRangeSlider, QLabeledDoubleSlider, QLabeledSlider

from explorer.core.rays.scenes import SCENE_NAMES
from explorer.core.rays.sdf_fit import SHAPES

LEARNED_NERF = "learned NeRF"
LEARNED_SDF = "learned SDF"
SCENE_TIPS = {
    "sphere": "the unit sphere at the origin (SDF ‖x‖ − 1)",
    "box": "an axis-aligned box of half size 0.6",
    "torus": "a torus around the y axis (radii 0.7 and 0.25)",
    "blob": "three spheres joined by a smooth minimum",
    "fog": "the cube [−0.5, 0.5]³ filled with constant density σ (no surface)",
    "scene": "a coloured composition; density from its SDF (VolSDF)",
    LEARNED_NERF: "the tiny NeRF trained on views of 'scene' (train it first)",
    LEARNED_SDF: "the SDF network fitted to a point cloud (train it first)",
}


@dataclass(frozen=True)
class RaySettings:
    """What the controls say: the field to show and how rays are sampled."""

    scene: str
    density: float
    sharpness: float
    n_samples: int
    near: float
    far: float
    stratified: bool
    jitter: float
    last_delta: str
    n_freqs: int
    image_size: int


class RayControls(QWidget):
    """Scene, density, sampling and last-interval controls; emits ``changed``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        scene_box = QGroupBox("Field")
        form = QFormLayout(scene_box)
        self.scene = QComboBox()
        for name in (*SCENE_NAMES, LEARNED_NERF, LEARNED_SDF):
            self.scene.addItem(name)
            self.scene.setItemData(
                self.scene.count() - 1, SCENE_TIPS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.scene.setToolTip("The field whose rays you explore")
        form.addRow("Scene", self.scene)
        self.density = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.density.setRange(0.0, 10.0)
        self.density.setValue(1.0)
        self.density.setToolTip(
            "σ inside the fog cube: opacity through it is 1 − e^(−σL)"
        )
        form.addRow("Fog σ", self.density)
        self.sharpness = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.sharpness.setRange(1.0, 100.0)
        self.sharpness.setValue(40.0)
        self.sharpness.setToolTip(
            "1/β of the VolSDF density σ = (1/β) Ψ_β(−d): larger is a crisper surface"
        )
        form.addRow("Sharpness", self.sharpness)
        layout.addWidget(scene_box)

        samp_box = QGroupBox("Samples along each ray")
        form = QFormLayout(samp_box)
        self.samples = QLabeledSlider(Qt.Orientation.Horizontal)
        self.samples.setRange(2, 256)
        self.samples.setValue(64)
        self.samples.setToolTip("N samples per ray (equal bins between near and far)")
        form.addRow("Samples N", self.samples)
        self.near_far = QLabeledDoubleRangeSlider(Qt.Orientation.Horizontal)
        # superqt types setRange as int; the double slider takes floats.
        cast(Any, self.near_far).setRange(0.0, 8.0)
        self.near_far.setValue((1.0, 5.0))
        self.near_far.setToolTip("The ray segment [near, far] that is sampled")
        form.addRow("Near / far", self.near_far)
        self.stratified = QCheckBox("Stratified (NeRF eq. 2)")
        self.stratified.setToolTip("Jitter each sample uniformly inside its bin")
        form.addRow(self.stratified)
        self.jitter = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.jitter.setRange(0.0, 1.0)
        self.jitter.setValue(1.0)
        self.jitter.setToolTip("How much of its bin a stratified sample may move")
        form.addRow("Jitter", self.jitter)
        self.last_delta = QComboBox()
        self.last_delta.addItem("up to far", "far")
        self.last_delta.addItem("1e10 (NeRF code)", "1e10")
        self.last_delta.setToolTip(
            "Length of the last interval δ_N. NeRF's code uses 1e10, which makes any "
            "medium with σ > 0 at the last sample fully opaque (try it on fog)."
        )
        form.addRow("Last δ", self.last_delta)
        self.image_size = QComboBox()
        for size in (64, 128, 256):
            self.image_size.addItem(f"{size} × {size}", size)
        self.image_size.setCurrentIndex(1)
        self.image_size.setToolTip(
            "Resolution of the rendered image (rendered row by row)"
        )
        form.addRow("Image", self.image_size)
        layout.addWidget(samp_box)

        for w in (self.scene, self.last_delta, self.image_size):
            w.currentIndexChanged.connect(self.changed)
        for s in (
            self.density,
            self.sharpness,
            self.samples,
            self.jitter,
            self.near_far,
        ):
            s.valueChanged.connect(self.changed)
        self.stratified.toggled.connect(self.changed)
        self.scene.currentIndexChanged.connect(self._on_scene_changed)
        self._on_scene_changed()

    def settings(self, n_freqs: int) -> RaySettings:
        """Return the current settings."""
        near, far = self.near_far.value()
        return RaySettings(
            scene=self.scene.currentText(),
            density=float(self.density.value()),
            sharpness=float(self.sharpness.value()),
            n_samples=int(self.samples.value()),
            near=float(near),
            far=float(max(far, near + 0.05)),
            stratified=self.stratified.isChecked(),
            jitter=float(self.jitter.value()),
            last_delta=str(self.last_delta.currentData()),
            n_freqs=n_freqs,
            image_size=int(self.image_size.currentData()),
        )

    def set_scene_enabled(self, name: str, enabled: bool) -> None:
        """Enable or disable one entry of the scene list (learned fields)."""
        index = self.scene.findText(name)
        item = self.scene.model().item(index)  # type: ignore[attr-defined]
        item.setEnabled(enabled)

    def apply(self, state: dict[str, Any]) -> None:
        """Set the controls from a saved state (unknown keys ignored)."""
        widgets = (self.scene, self.density, self.sharpness, self.samples)
        for w in widgets:
            w.blockSignals(True)
        if "scene" in state and self.scene.findText(str(state["scene"])) >= 0:
            self.scene.setCurrentText(str(state["scene"]))
        if "density" in state:
            self.density.setValue(float(state["density"]))
        if "sharpness" in state:
            self.sharpness.setValue(float(state["sharpness"]))
        if "n_samples" in state:
            self.samples.setValue(int(state["n_samples"]))
        for w in widgets:
            w.blockSignals(False)
        if "near" in state and "far" in state:
            self.near_far.setValue((float(state["near"]), float(state["far"])))
        if "stratified" in state:
            self.stratified.setChecked(bool(state["stratified"]))
        if "jitter" in state:
            self.jitter.setValue(float(state["jitter"]))
        if "last_delta" in state:
            i = self.last_delta.findData(state["last_delta"])
            if i >= 0:
                self.last_delta.setCurrentIndex(i)
        if "image_size" in state:
            i = self.image_size.findData(int(state["image_size"]))
            if i >= 0:
                self.image_size.setCurrentIndex(i)
        self._on_scene_changed()
        self.changed.emit()

    def _on_scene_changed(self) -> None:
        name = self.scene.currentText()
        self.density.setEnabled(name == "fog")
        self.sharpness.setEnabled(name not in ("fog", LEARNED_NERF))


class TrainControls(QWidget):
    """Buttons and settings of the two learned fields (SDF fit, tiny NeRF)."""

    def __init__(self, device_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        sdf_box = QGroupBox("Learn an SDF (IGR: eikonal loss)")
        form = QFormLayout(sdf_box)
        self.shape = QComboBox()
        self.shape.addItems(SHAPES)
        self.shape.setCurrentText("torus")
        self.shape.setToolTip(
            "Built-in shape whose surface points the network fits; "
            "File ▸ Open… loads your own mesh"
        )
        form.addRow("Shape", self.shape)
        self.train_sdf = QPushButton("Train SDF")
        self.train_sdf.setToolTip("Fit an SDF MLP to the point cloud; level set live")
        form.addRow(self.train_sdf)
        layout.addWidget(sdf_box)

        nerf_box = QGroupBox("Learn a tiny NeRF")
        form = QFormLayout(nerf_box)
        self.freqs = QLabeledSlider(Qt.Orientation.Horizontal)
        self.freqs.setRange(0, 10)
        self.freqs.setValue(6)
        self.freqs.setToolTip(
            "L positional-encoding frequencies: γ(p) = (p, sin 2^k πp, cos 2^k πp)"
        )
        form.addRow("PE freqs L", self.freqs)
        self.train_nerf = QPushButton("Train NeRF")
        self.train_nerf.setToolTip(
            "Train on views rendered from 'scene' (known cameras)"
        )
        form.addRow(self.train_nerf)
        layout.addWidget(nerf_box)

        row = QHBoxLayout()
        self.pause = QPushButton("Pause")
        self.pause.setEnabled(False)
        self.pause.setToolTip("Pause or resume the training")
        self.stop = QPushButton("Stop")
        self.stop.setEnabled(False)
        self.stop.setToolTip("Stop the training (keeps what was learned)")
        row.addWidget(self.pause)
        row.addWidget(self.stop)
        layout.addLayout(row)
        self.device = QLabel(f"Device: {device_label}")
        self.device.setToolTip("Where training runs (CUDA when available)")
        self.status = QLabel("Not trained yet")
        self.status.setWordWrap(True)
        layout.addWidget(self.device)
        layout.addWidget(self.status)

    def set_running(self, running: bool, paused: bool = False) -> None:
        """Reflect a running / paused / idle training in the buttons."""
        self.pause.setEnabled(running)
        self.stop.setEnabled(running)
        self.pause.setText("Resume" if paused else "Pause")
        self.train_sdf.setEnabled(not running)
        self.train_nerf.setEnabled(not running)
