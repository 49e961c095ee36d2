"""The body panel's side column: run bar, joint, skinning, shape, formula, files.

:class:`BodyColumn` only builds and lays out the controls; the panel connects
them to what they do and binds them to its :class:`~.state.BodyState`.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from explorer.core.body.anny_adapter import PHENOTYPE_HELP
from explorer.core.body.model import BodyModel
from explorer.core.body.names import COLOUR_MODES, PRESET_NAMES
from explorer.panels.body.controls import AngleSlider, BoneTree, ShapeSliders
from explorer.panels.body.formula import LBS_HTML, SOURCES, formula_html
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import RunBar, make_button
from explorer.widgets.theme import ThemeManager

_AXIS_TIPS = (
    "Rotation about the bone's own x axis, in degrees (applied first)",
    "Rotation about the bone's own y axis, in degrees (anny: along the bone = twist)",
    "Rotation about the bone's own z axis, in degrees (applied last)",
)
_MIN_WIDTH = 340  # at ×1; the 3-D view stays the larger part, also at ×2


class BodyColumn(ControlsColumn):
    """The controls of the body panel, in one scrolling column."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__(theme, min_width=_MIN_WIDTH)
        self.run_bar = RunBar(
            "sweep the selected joint's x angle",
            step_tip="Advance the sweep of the selected joint by one frame (S)",
            reset_tip="Stop the sweep and go back to the rest pose (R)",
        )
        self.run_bar.set_status("Loading…")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumHeight(8)
        self.progress.setTextVisible(False)
        self.add(self.run_bar)
        self.add(self.progress)
        self._build_joint()
        self._build_skinning()
        self.shape_box = QGroupBox("Shape")
        shape_layout = QVBoxLayout(self.shape_box)
        self.shape_sliders = ShapeSliders()
        shape_layout.addWidget(self.shape_sliders)
        self.add(self.shape_box)
        self.formula = FormulaCard("Linear blend skinning", LBS_HTML, SOURCES)
        self.add(self.formula)
        self._build_files()
        self.credit = QLabel()
        self.credit.setWordWrap(True)
        self.add(self.credit)
        self.add_stretch()
        self.set_posing_enabled(False)

    @property
    def reset_all_button(self) -> QPushButton:
        """Return the run bar's Reset: back to the rest pose."""
        assert self.run_bar.reset is not None
        return self.run_bar.reset

    def show_model(self, model: BodyModel) -> None:
        """Fill the tree, shape sliders, presets and credit for a new ``model``."""
        self.bone_tree.set_bones(model.bone_names, model.bone_parents.tolist())
        space = model.shape_space
        if space is not None:
            self.shape_box.setTitle(
                "Phenotype (anny)" if space.kind == "phenotype" else "Shape β (SMPL)"
            )
            self.shape_sliders.set_space(
                space.names, space.ranges, dict(model.shape_values), PHENOTYPE_HELP
            )
        self.shape_box.setVisible(space is not None)
        self.correctives_check.setEnabled(model.posedirs is not None)
        self.formula.set_formula(formula_html(model, dqs=False))
        self.preset_combo.clear()
        self.preset_combo.addItem("Pose presets…")
        self.preset_combo.addItems(list(PRESET_NAMES))
        self.credit.setText(f"<small>{model.credit}</small>")

    def set_posing_enabled(self, on: bool) -> None:
        """Enable the controls that need a loaded body (off while loading)."""
        for w in (
            self.bone_tree,
            *self.angle_sliders,
            self.reset_joint_button,
            self.reset_all_button,
            self.preset_combo,
            self.shape_sliders,
            self.export_button,
            self.save_pose_button,
            self.load_pose_button,
        ):
            w.setEnabled(on)

    def _build_joint(self) -> None:
        joint = self.add_group("Joint")
        self.bone_tree = BoneTree()
        self.bone_tree.setMinimumHeight(150)
        joint.addWidget(self.bone_tree)
        self.selected_label = QLabel()
        self.selected_label.setWordWrap(True)
        joint.addWidget(self.selected_label)
        self.angle_sliders = [
            AngleSlider(axis, tip) for axis, tip in zip("xyz", _AXIS_TIPS, strict=True)
        ]
        for slider in self.angle_sliders:
            joint.addWidget(slider)
        self.reset_joint_button = make_button(
            "Reset joint", "Put the selected bone back to its rest angle"
        )
        self.frame_button = make_button(
            "Zoom to joint", "Aim the camera at the selected joint, close up"
        )
        self.whole_button = make_button("Whole body", "Show the whole body again")
        joint.addWidget(self.reset_joint_button)
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.frame_button)
        camera_row.addWidget(self.whole_button)
        joint.addLayout(camera_row)
        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip(
            "Pose presets; the twisted ones show LBS's candy wrapper"
        )
        joint.addWidget(self.preset_combo)

    def _build_skinning(self) -> None:
        skin = self.add_group("Skinning")
        self.lbs_radio = QRadioButton("LBS")
        self.dqs_radio = QRadioButton("DQS")
        self.lbs_radio.setChecked(True)
        self.lbs_radio.setToolTip(
            "Linear blend skinning: blend the bones' matrices; fast, but collapses "
            "under twist"
        )
        self.dqs_radio.setToolTip(
            "Dual-quaternion skinning: blend the bones' rigid motions; keeps the volume"
        )
        self.method_group = QButtonGroup(self)
        self.method_group.addButton(self.lbs_radio)
        self.method_group.addButton(self.dqs_radio)
        radios = QHBoxLayout()
        radios.addWidget(self.lbs_radio)
        radios.addWidget(self.dqs_radio)
        radios.addStretch(1)
        skin.addLayout(radios)
        self.split_check = QCheckBox("Split view LBS | DQS")
        self.split_check.setToolTip("Show both skinnings of the same pose side by side")
        self.correctives_check = QCheckBox("Pose correctives p(θ)")
        self.correctives_check.setChecked(True)
        self.correctives_check.setToolTip(
            "SMPL's pose blend shapes fix LBS's artefacts with learned offsets; "
            "anny has none"
        )
        self.skeleton_check = QCheckBox("Show skeleton")
        self.skeleton_check.setChecked(True)
        self.colour_combo = QComboBox()
        self.colour_combo.addItems(list(COLOUR_MODES))
        self.colour_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.colour_combo.setMinimumContentsLength(8)
        self.colour_combo.setToolTip(
            "Colour by the selected bone's skinning weight w_ki, or by each vertex's "
            "bone of largest weight"
        )
        self.volume_label = QLabel("Volume: –")
        self.volume_label.setWordWrap(True)
        self.volume_label.setToolTip(
            "Enclosed volume of the posed mesh vs the rest mesh (divergence theorem)"
        )
        self.timing_label = QLabel()
        for w in (
            self.split_check,
            self.correctives_check,
            self.skeleton_check,
            self.colour_combo,
            self.volume_label,
            self.timing_label,
        ):
            skin.addWidget(w)

    def _build_files(self) -> None:
        self.files_box = QGroupBox("Files")
        grid = QGridLayout(self.files_box)
        self.export_button = make_button(
            "Export mesh…", "Save the posed mesh (OBJ, PLY or GLB)"
        )
        self.save_pose_button = QPushButton("Save pose…")
        self.load_pose_button = QPushButton("Load pose…")
        self.open_model_button = make_button(
            "Open SMPL .npz…",
            "Use an SMPL / SMPL-H / SMPL-X model file you have (.npz; never unpickled)",
        )
        self.anny_button = QPushButton("Back to anny")
        for i, button in enumerate(
            (
                self.export_button,
                self.save_pose_button,
                self.load_pose_button,
                self.open_model_button,
                self.anny_button,
            )
        ):
            grid.addWidget(button, i // 2, i % 2)
        self.add(self.files_box)
