"""The Rays panel's controls: scene and sampling settings, the learned fields' box."""

from __future__ import annotations

from typing import Any, cast

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)
from superqt import QLabeledDoubleSlider, QLabeledSlider

from explorer.core.rays.names import (
    DEFAULT_DENSITY,
    DEFAULT_EIKONAL_WEIGHT,
    DEFAULT_FAR,
    DEFAULT_NEAR,
    DEFAULT_NORMAL_WEIGHT,
    DEFAULT_SAMPLES,
    DEFAULT_SHARPNESS,
    DENSITY_RANGE,
    EIKONAL_RANGE,
    FREQS_RANGE,
    IMAGE_SIZES,
    JITTER_RANGE,
    LEARNED_KINDS,
    LEARNED_LABELS,
    LEARNED_NERF,
    LEARNED_SDF,
    MIN_SEGMENT,
    NEAR_FAR_RANGE,
    NORMAL_RANGE,
    PANEL_SCENES,
    SAMPLES_RANGE,
    SHAPES,
    SHARPNESS_RANGE,
)
from explorer.widgets.run_bar import RunBar

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
        for name in PANEL_SCENES:
            self.scene.addItem(name)
            self.scene.setItemData(
                self.scene.count() - 1, SCENE_TIPS[name], Qt.ItemDataRole.ToolTipRole
            )
        self.scene.setToolTip("The field whose rays you explore")
        form.addRow("Scene", self.scene)
        self.density = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.density.setRange(*DENSITY_RANGE)
        self.density.setValue(DEFAULT_DENSITY)
        self.density.setToolTip(
            "σ inside the fog cube: opacity through it is 1 − e^(−σL)"
        )
        form.addRow("Fog σ", self.density)
        self.sharpness = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.sharpness.setRange(*SHARPNESS_RANGE)
        self.sharpness.setValue(DEFAULT_SHARPNESS)
        self.sharpness.setToolTip(
            "1/β of the VolSDF density σ = (1/β) Ψ_β(−d): larger is a crisper surface"
        )
        form.addRow("Sharpness", self.sharpness)
        layout.addWidget(scene_box)

        samp_box = QGroupBox("Samples along each ray")
        form = QFormLayout(samp_box)
        self.samples = QLabeledSlider(Qt.Orientation.Horizontal)
        self.samples.setRange(*SAMPLES_RANGE)
        self.samples.setValue(DEFAULT_SAMPLES)
        self.samples.setToolTip("N samples per ray (equal bins between near and far)")
        form.addRow("Samples N", self.samples)
        # Two plain sliders: superqt's range slider lost its groove and one handle
        # under the app's stylesheet, and its value labels ran together.
        lo, hi = NEAR_FAR_RANGE
        self.near = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        cast(Any, self.near).setRange(lo, hi - MIN_SEGMENT)
        self.near.setValue(DEFAULT_NEAR)
        self.near.setToolTip(
            "Start of the sampled segment [near, far]; far stays at least "
            f"{MIN_SEGMENT:g} beyond it (moving near past far pushes far along)"
        )
        form.addRow("Near", self.near)
        self.far = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        cast(Any, self.far).setRange(lo + MIN_SEGMENT, hi)
        self.far.setValue(DEFAULT_FAR)
        self.far.setToolTip(
            "End of the sampled segment [near, far]; near stays at least "
            f"{MIN_SEGMENT:g} before it (moving far past near pushes near back)"
        )
        form.addRow("Far", self.far)
        self.stratified = QCheckBox("Stratified (NeRF eq. 2)")
        self.stratified.setToolTip("Jitter each sample uniformly inside its bin")
        form.addRow(self.stratified)
        self.jitter = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.jitter.setRange(*JITTER_RANGE)
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
        for size in IMAGE_SIZES:
            self.image_size.addItem(f"{size} × {size}", size)
        self.image_size.setCurrentIndex(1)
        self.image_size.setToolTip(
            "Resolution of the rendered image (rendered row by row)"
        )
        form.addRow("Image", self.image_size)
        layout.addWidget(samp_box)

        self.near.valueChanged.connect(self._on_near_changed)
        self.far.valueChanged.connect(self._on_far_changed)
        self.scene.currentIndexChanged.connect(self.refresh_enabled)
        self.refresh_enabled()

    def near_far_values(self) -> tuple[float, float]:
        """Return the (near, far) the two sliders show."""
        return float(self.near.value()), float(self.far.value())

    def set_near_far(self, near: float, far: float) -> None:
        """Show (near, far) without emitting ``changed``."""
        with QSignalBlocker(self.near), QSignalBlocker(self.far):
            self.near.setValue(near)
            self.far.setValue(far)

    def _on_near_changed(self, near: float) -> None:
        if self.far.value() < near + MIN_SEGMENT:
            with QSignalBlocker(self.far):
                self.far.setValue(near + MIN_SEGMENT)
        self.changed.emit()

    def _on_far_changed(self, far: float) -> None:
        if self.near.value() > far - MIN_SEGMENT:
            with QSignalBlocker(self.near):
                self.near.setValue(far - MIN_SEGMENT)
        self.changed.emit()

    def set_scene_enabled(self, name: str, enabled: bool) -> None:
        """Enable or disable one entry of the scene list (learned fields)."""
        index = self.scene.findText(name)
        item = self.scene.model().item(index)  # type: ignore[attr-defined]
        item.setEnabled(enabled)

    def refresh_enabled(self) -> None:
        """Enable the sliders that act on the chosen scene (σ: fog; sharpness: SDFs)."""
        name = self.scene.currentText()
        self.density.setEnabled(name == "fog")
        self.sharpness.setEnabled(name not in ("fog", LEARNED_NERF))


class TrainControls(QGroupBox):
    """The learned fields' box: which one to train, its settings, the run bar."""

    def __init__(self, device_label: str, parent: QWidget | None = None) -> None:
        super().__init__("Learn a field", parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.learn = QComboBox()
        for kind in LEARNED_KINDS:
            self.learn.addItem(LEARNED_LABELS[kind], kind)
        self.learn.setToolTip(
            "SDF fit: an MLP fitted to a point cloud (IGR: eikonal loss); "
            "tiny NeRF: trained on views rendered from 'scene' (known cameras)"
        )
        form.addRow("Train", self.learn)
        self.shape = QComboBox()
        self.shape.addItems(SHAPES)
        self.shape.setCurrentText("torus")
        self.shape.setToolTip(
            "Built-in shape whose surface points the SDF network fits; "
            "File ▸ Open… loads your own mesh or point cloud (PLY, XYZ, OBJ)"
        )
        form.addRow("SDF shape", self.shape)
        self.eikonal = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        cast(Any, self.eikonal).setRange(*EIKONAL_RANGE)
        self.eikonal.setValue(DEFAULT_EIKONAL_WEIGHT)
        self.eikonal.setToolTip(
            "λ: weight of the eikonal term E(‖∇f‖ − 1)² (IGR uses 0.1); "
            "0 fits the points with no distance property"
        )
        form.addRow("Eikonal λ", self.eikonal)
        self.normal = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        cast(Any, self.normal).setRange(*NORMAL_RANGE)
        self.normal.setValue(DEFAULT_NORMAL_WEIGHT)
        self.normal.setToolTip(
            "τ: weight of the normal term mean‖∇f(x_i) − n_i‖ (IGR uses 1); "
            "unused for a point cloud without normals"
        )
        form.addRow("Normals τ", self.normal)
        self.freqs = QLabeledSlider(Qt.Orientation.Horizontal)
        self.freqs.setRange(*FREQS_RANGE)
        self.freqs.setValue(6)
        self.freqs.setToolTip(
            "L positional-encoding frequencies of the NeRF: "
            "γ(p) = (p, sin 2^k πp, cos 2^k πp)"
        )
        form.addRow("PE freqs L", self.freqs)
        layout.addLayout(form)
        self.run_bar = RunBar(
            "train the chosen field (the level set or image updates live)",
            step_tip="Train until the next report, then pause (S)",
            reset_tip="Stop training and forget what was learned (R)",
        )
        layout.addWidget(self.run_bar)
        self.run_bar.set_status("Not trained yet")
        self.device = QLabel(f"Device: {device_label}")
        self.device.setToolTip("Where training runs (CUDA when available)")
        layout.addWidget(self.device)
