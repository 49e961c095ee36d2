"""The body panel's side column: run bar, joint, skinning, shape, formula, files.

:class:`BodyColumn` only builds and lays out the controls; the panel connects
them to what they do and binds them to its :class:`~.state.BodyState`.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from explorer.core.body.names import (
    ANGLE_RANGE,
    COLOUR_MODES,
    PRESET_NAMES,
    wrap_angle,
)
from explorer.panels.body.controls import AngleSlider, BoneTree, ShapeSliders
from explorer.panels.body.formula import SOURCES, formula_html
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.formula_card import FormulaCard, LiveText
from explorer.widgets.run_bar import RunBar, make_button
from explorer.widgets.theme import ThemeManager

_AXIS_TIPS = (
    "Rotation about the bone's own x axis, in degrees (applied first); "
    "the red ring in the 3-D view turns it too",
    "Rotation about the bone's own y axis, in degrees (anny: along the bone = "
    "twist); the green ring turns it too",
    "Rotation about the bone's own z axis, in degrees (applied last); "
    "the blue ring turns it too",
)
_CORRECTIVES = "Pose correctives p(θ)"
_CORRECTIVES_TIP = (
    "SMPL's pose blend shapes fix LBS's artefacts with learned offsets; anny has none"
)
_MIN_WIDTH = 340  # at ×1; the 3-D view stays the larger part, also at ×2


class BodyColumn(ControlsColumn):
    """The controls of the body panel, in one scrolling column."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__(theme, min_width=_MIN_WIDTH)
        self._theme_ref = theme
        self._correctives_wanted = True
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
        self.formula = FormulaCard("Skinning", "", SOURCES)
        self.add(self.formula)
        self._build_files()
        self.credit = QLabel()
        self.credit.setWordWrap(True)
        self.add(self.credit)
        self.add_stretch()
        self.set_posing_enabled(False)
        self._style_disabled()
        theme.changed.connect(self._style_disabled)

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
        self.show_correctives(model.posedirs is not None)
        self.formula.set_formula(formula_html(model))
        self.preset_combo.clear()
        self.preset_combo.addItem("Pose presets…")
        self.preset_combo.addItems(list(PRESET_NAMES))
        self.credit.setText(f"<small>{model.credit}</small>")

    @property
    def correctives_wanted(self) -> bool:
        """Return whether the user asked for pose correctives (kept across bodies)."""
        return self._correctives_wanted

    def set_correctives_wanted(self, on: bool) -> None:
        """Ask for pose correctives or not (shown ticked only where a body has them)."""
        self._correctives_wanted = on
        self.show_correctives(self.correctives_check.isEnabled())

    def show_correctives(self, available: bool) -> None:
        """Offer the correctives box, or show it off and greyed for a body without.

        A body without pose blend shapes (anny) shows the box unticked and greyed
        with the reason, not ticked as if they were applied.
        """
        box = self.correctives_check
        box.blockSignals(True)
        box.setEnabled(available)
        box.setChecked(available and self._correctives_wanted)
        box.blockSignals(False)
        box.setText(_CORRECTIVES if available else f"{_CORRECTIVES}: none here")
        box.setToolTip(
            _CORRECTIVES_TIP
            if available
            else "This body has no pose blend shapes (anny has none; SMPL files do)"
        )
        self._style_disabled()

    def _style_disabled(self) -> None:
        # the app's stylesheet gives every widget the text colour, so a disabled
        # check box or radio button would look enabled: grey them here
        muted = self._theme_ref.palette.muted if self._theme_ref else "#808080"
        self.content.setStyleSheet(
            f"QCheckBox:disabled, QRadioButton:disabled, QLabel:disabled "
            f"{{ color: {muted}; }}"
        )

    def show_angles(self, angles: Sequence[float]) -> list[float]:
        """Show a joint's Euler ``angles``; return them as the sliders hold them.

        An angle past the sliders' range is wrapped into it (the same turn) and
        the note under the sliders says so, instead of a silent clamp.
        """
        shown = [wrap_angle(a) for a in angles]
        notes = [
            f"{axis} = {a:g}° is shown as {s:g}° (the same turn)"
            for axis, a, s in zip("xyz", angles, shown, strict=True)
            if abs(a - s) > 1e-9
        ]
        for slider, value in zip(self.angle_sliders, shown, strict=True):
            slider.set_value(value)
        lo, hi = ANGLE_RANGE
        self.angle_note.setText(
            f"<small>{'; '.join(notes)}: the sliders run {lo:g}° … {hi:g}°</small>"
        )
        self.angle_note.setVisible(bool(notes))
        return shown

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

    def _on_correctives_toggled(self, on: bool) -> None:
        if self.correctives_check.isEnabled():
            self._correctives_wanted = on

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
        self.angle_note = QLabel()
        self.angle_note.setWordWrap(True)
        self.angle_note.hide()
        joint.addWidget(self.angle_note)
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
        self.correctives_check = QCheckBox(_CORRECTIVES)
        self.correctives_check.setChecked(True)
        self.correctives_check.setToolTip(_CORRECTIVES_TIP)
        self.correctives_check.toggled.connect(self._on_correctives_toggled)
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
        # live text: re-laid out when its wrapped height changes (a QLabel in the
        # scrolled column kept its old height: the split view's second line was cut)
        self.volume_label = LiveText()
        self.volume_label.set_html("Volume: –")
        self.volume_label.setToolTip(
            "Enclosed volume of the posed mesh vs the rest mesh (divergence theorem)"
        )
        self.timing_label = LiveText()
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
