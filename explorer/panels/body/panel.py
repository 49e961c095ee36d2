"""The body-posing panel: LBS of a real human mesh, weights, artefacts and DQS.

A worker runs :func:`explorer.core.body.service.pose_service`: it loads the body
(anny, or an SMPL-family ``.npz`` the user opens) and poses it for every request
the controls post — only the newest waiting request is served, so a slider drag
never builds a backlog.  The GUI thread only moves points of existing actors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QImage, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.body.model import BodyModel
from explorer.core.body.pose import (
    Pose,
    load_pose,
    pose_from_json,
    pose_to_json,
    save_pose,
)
from explorer.core.body.service import (
    BodyProgress,
    PoseMailbox,
    PoseRequest,
    pose_service,
)
from explorer.core.body.skinning import SkinningMethod
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.body.controls import AngleSlider, BoneTree, ShapeSliders
from explorer.panels.body.views import COLOUR_MODES, BodyView
from explorer.widgets.export import grab_widget
from explorer.widgets.formula_card import FormulaCard

_LBS_HTML = (
    "t′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> G<sub>k</sub>(θ, J) t<sub>i</sub>,"
    "  G<sub>k</sub> = W<sub>k</sub> P<sub>k</sub><sup>−1</sup>,"
    "  W<sub>k</sub> = W<sub>p(k)</sub> P<sub>p(k)</sub><sup>−1</sup>"
    " P<sub>k</sub> R<sub>k</sub>(θ<sub>k</sub>)"
)
_SMPL_HTML = (
    "t′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> G<sub>k</sub>(θ, J(β))"
    " (t<sub>i</sub> + s<sub>i</sub>(β) + p<sub>i</sub>(θ)),"
    "  p(θ) = P · vec(R<sub>k</sub>(θ) − I)"
)
_DQS_HTML = (
    "t′<sub>i</sub> = q̂<sub>i</sub> t<sub>i</sub> q̂<sub>i</sub><sup>*</sup>,"
    "  q̂<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> q<sub>k</sub> /"
    " ‖Σ<sub>k</sub> w<sub>ki</sub> q<sub>k</sub>‖ (q<sub>k</sub>: dual quaternion of"
    " G<sub>k</sub>)"
)
_SOURCES = (
    "LBS / SMPL: Loper et al., “SMPL”, SIGGRAPH Asia 2015, eqs. 2–4, 9; "
    "DQS: Kavan et al., “Geometric skinning with approximate dual quaternion "
    "blending”, ACM TOG 2008, eq. 5"
)
_AXIS_TIPS = (
    "Rotation about the bone's own x axis, in degrees (applied first)",
    "Rotation about the bone's own y axis, in degrees (anny: along the bone = twist)",
    "Rotation about the bone's own z axis, in degrees (applied last)",
)
_ANIMATION_MS = 66  # 15 Hz: each frame costs a 3-D render on the GUI thread


class BodyPanel(PanelBase):
    """Pose anny (or an SMPL file) with sliders; compare LBS and DQS side by side."""

    panel_id: ClassVar[str] = "body"
    title: ClassVar[str] = "Body posing"
    summary: ClassVar[str] = (
        "Pose a real human mesh with linear blend skinning, see its weights, and "
        "compare its candy-wrapper artefact with dual-quaternion skinning."
    )
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = "Body models (*.npz);;Pose files (*.json)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._runner = self.make_runner("posing")
        self._mailbox: PoseMailbox | None = None
        self._model: BodyModel | None = None
        self._pose: Pose | None = None
        self._last: BodyProgress | None = None
        self._selected = 0
        self._weights: np.ndarray | None = None
        self._pending: dict[str, Any] | None = None
        self._spec: str = "anny"
        self._dqs_model: BodyModel | None = None
        self._loading = True
        self.frames_shown = 0
        self._phase = 0
        self._animation = QTimer(self)
        self._animation.setInterval(_ANIMATION_MS)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._readout_timer = QTimer(self)
        self._readout_timer.setSingleShot(True)
        self._readout_timer.setInterval(200)
        self._readout_timer.timeout.connect(self._update_readouts)
        self._build()
        self.load_model("anny")

    # -- layout ------------------------------------------------------------------
    def _build(self) -> None:
        theme = self.context.theme
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self._views_box = QWidget()
        views = QHBoxLayout(self._views_box)
        views.setContentsMargins(0, 0, 0, 0)
        self.view = BodyView(theme, "LBS")
        self.view_dqs = BodyView(theme, "DQS")
        self.view_dqs.hide()
        views.addWidget(self.view, 1)
        views.addWidget(self.view_dqs, 1)
        self.view.view.clicked.connect(self._on_view_clicked)
        self.view_dqs.view.clicked.connect(self._on_dqs_view_clicked)
        splitter.addWidget(self._views_box)

        column = QWidget()
        col = QVBoxLayout(column)
        status = QHBoxLayout()
        self.status = QLabel("Loading…")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        status.addWidget(self.status, 1)
        status.addWidget(self.progress)
        col.addLayout(status)

        joint = QGroupBox("Joint")
        jl = QVBoxLayout(joint)
        self.bone_tree = BoneTree()
        self.bone_tree.setMinimumHeight(150)
        self.bone_tree.bone_selected.connect(self.select_bone)
        jl.addWidget(self.bone_tree)
        self.selected_label = QLabel()
        self.selected_label.setWordWrap(True)
        jl.addWidget(self.selected_label)
        self.angle_sliders = [
            AngleSlider(f"{axis}", tip)
            for axis, tip in zip("xyz", _AXIS_TIPS, strict=True)
        ]
        for i, s in enumerate(self.angle_sliders):
            s.value_changed.connect(lambda _v, i=i: self._on_angle_changed(i))
            jl.addWidget(s)
        buttons = QHBoxLayout()
        self.reset_joint_button = QPushButton("Reset joint")
        self.reset_joint_button.setToolTip(
            "Put the selected bone back to its rest angle"
        )
        self.reset_joint_button.clicked.connect(self._on_reset_joint_clicked)
        self.reset_all_button = QPushButton("Reset all")
        self.reset_all_button.setToolTip("Back to the rest pose")
        self.reset_all_button.clicked.connect(self.reset)
        self.frame_button = QPushButton("Zoom to joint")
        self.frame_button.setToolTip("Aim the camera at the selected joint, close up")
        self.frame_button.clicked.connect(self._on_frame_clicked)
        self.whole_button = QPushButton("Whole body")
        self.whole_button.setToolTip("Show the whole body again")
        self.whole_button.clicked.connect(self._on_whole_clicked)
        buttons.addWidget(self.reset_joint_button)
        buttons.addWidget(self.reset_all_button)
        jl.addLayout(buttons)
        camera_row = QHBoxLayout()
        camera_row.addWidget(self.frame_button)
        camera_row.addWidget(self.whole_button)
        jl.addLayout(camera_row)
        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip(
            "Pose presets; the twisted ones show LBS's candy wrapper"
        )
        self.preset_combo.activated.connect(self._on_preset_activated)
        jl.addWidget(self.preset_combo)
        col.addWidget(joint)

        skin = QGroupBox("Skinning")
        sl = QVBoxLayout(skin)
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
        group = QButtonGroup(self)
        group.addButton(self.lbs_radio)
        group.addButton(self.dqs_radio)
        self.lbs_radio.toggled.connect(self._on_method_toggled)
        self.split_check = QCheckBox("Split view LBS | DQS")
        self.split_check.setToolTip("Show both skinnings of the same pose side by side")
        self.split_check.toggled.connect(self._on_split_toggled)
        self.correctives_check = QCheckBox("Pose correctives p(θ)")
        self.correctives_check.setChecked(True)
        self.correctives_check.setToolTip(
            "SMPL's pose blend shapes fix LBS's artefacts with learned offsets; "
            "anny has none"
        )
        self.correctives_check.toggled.connect(self._post)
        self.skeleton_check = QCheckBox("Show skeleton")
        self.skeleton_check.setChecked(True)
        self.skeleton_check.toggled.connect(self._on_style_changed)
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
        self.colour_combo.currentIndexChanged.connect(self._on_style_changed)
        self.volume_label = QLabel("Volume: –")
        self.volume_label.setWordWrap(True)
        self.volume_label.setToolTip(
            "Enclosed volume of the posed mesh vs the rest mesh (divergence theorem)"
        )
        self.timing_label = QLabel()
        radios = QHBoxLayout()
        radios.addWidget(self.lbs_radio)
        radios.addWidget(self.dqs_radio)
        radios.addStretch(1)
        sl.addLayout(radios)
        for w in (
            self.split_check,
            self.correctives_check,
            self.skeleton_check,
            self.colour_combo,
            self.volume_label,
            self.timing_label,
        ):
            sl.addWidget(w)
        col.addWidget(skin)

        self.shape_box = QGroupBox("Shape")
        shl = QVBoxLayout(self.shape_box)
        self.shape_sliders = ShapeSliders()
        self.shape_sliders.changed.connect(self._post)
        shl.addWidget(self.shape_sliders)
        col.addWidget(self.shape_box)

        self.formula = FormulaCard("Linear blend skinning", _LBS_HTML, _SOURCES)
        col.addWidget(self.formula)

        files = QGroupBox("Files")
        fl = QGridLayout(files)
        self.export_button = QPushButton("Export mesh…")
        self.export_button.setToolTip("Save the posed mesh (OBJ, PLY or GLB)")
        self.export_button.clicked.connect(self._on_export_clicked)
        self.save_pose_button = QPushButton("Save pose…")
        self.save_pose_button.clicked.connect(self._on_save_pose_clicked)
        self.load_pose_button = QPushButton("Load pose…")
        self.load_pose_button.clicked.connect(self._on_load_pose_clicked)
        self.open_model_button = QPushButton("Open SMPL .npz…")
        self.open_model_button.setToolTip(
            "Use an SMPL / SMPL-H / SMPL-X model file you have (.npz; never unpickled)"
        )
        self.open_model_button.clicked.connect(self._on_open_model_clicked)
        self.anny_button = QPushButton("Back to anny")
        self.anny_button.clicked.connect(lambda: self.load_model("anny"))
        for i, b in enumerate(
            (
                self.export_button,
                self.save_pose_button,
                self.load_pose_button,
                self.open_model_button,
                self.anny_button,
            )
        ):
            fl.addWidget(b, i // 2, i % 2)
        col.addWidget(files)
        self.mark_secondary(files, self.timing_label)
        self.credit = QLabel()
        self.credit.setWordWrap(True)
        col.addWidget(self.credit)
        col.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(column)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll = scroll
        self._splitter = splitter
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        self.body.addWidget(splitter)
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
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

    # -- loading -----------------------------------------------------------------
    def load_model(self, spec: str | BodyModel, source: str | None = None) -> None:
        """Load and show the body ``spec`` ("anny", an ``.npz`` path or a model).

        ``source`` is what sessions store to reopen a loaded model (its path).
        """
        if self._mailbox is not None:
            self._mailbox.close()
        self._mailbox = PoseMailbox()
        self._spec = source or (spec.name if isinstance(spec, BodyModel) else str(spec))
        self._loading = True
        self._last = None
        self._set_enabled(False)
        self.progress.show()
        self.status.setText("Loading the body…")
        cache = self.context.data_dir / "body-cache" if self.context.data_dir else None
        self._runner.start(
            pose_service,
            spec,
            mailbox=self._mailbox,
            cache_dir=cache,
            device=self.context.device,
            on_progress=self._on_progress,
            batched=True,
            on_error=self._on_job_error,
        )

    def _on_job_error(self, exc: BaseException) -> None:
        self.progress.hide()
        self.status.setText("The body could not be loaded or posed.")
        self.on_job_error(exc)

    def _on_progress(self, items: list[BodyProgress]) -> None:
        # Batched: a heartbeat or loading note must never hide a posed mesh that
        # arrived in the same GUI frame, so only the newest *mesh* is shown.
        latest: BodyProgress | None = None
        for item in items:
            model = item.model
            if model is not None and (
                self._model is None or model.faces is not self._model.faces
            ):
                if item.meshes:
                    self._on_new_model(model, item)
                    latest = None
                else:
                    self.status.setText(item.message)
                continue
            if model is not None:
                self._model = model
            if item.meshes:
                latest = item
            elif item.message and item.message != "ready":
                self.status.setText(item.message)
        if latest is not None:
            self._show(latest)

    def _on_new_model(self, model: BodyModel, item: BodyProgress) -> None:
        from explorer.core.body.presets import PRESET_NAMES

        self._model = model
        self._pose = Pose.zeros(model.n_bones)
        self._selected = 0
        self._last = item
        self.bone_tree.set_bones(model.bone_names, model.bone_parents.tolist())
        space = model.shape_space
        if space is not None:
            from explorer.core.body.anny_adapter import PHENOTYPE_HELP

            self.shape_box.setTitle(
                "Phenotype (anny)" if space.kind == "phenotype" else "Shape β (SMPL)"
            )
            self.shape_sliders.set_space(
                space.names, space.ranges, dict(model.shape_values), PHENOTYPE_HELP
            )
        self.shape_box.setVisible(space is not None)
        self.correctives_check.setEnabled(model.posedirs is not None)
        self.formula.set_formula(
            _SMPL_HTML if model.posedirs is not None else _LBS_HTML
        )
        self.preset_combo.clear()
        self.preset_combo.addItem("Pose presets…")
        self.preset_combo.addItems(list(PRESET_NAMES))
        self.credit.setText(f"<small>{model.credit}</small>")
        self.view.set_model(model, next(iter(item.meshes.values())))
        self._dqs_model = None
        if self.split_check.isChecked():
            self._prepare_dqs_view()
        self._set_enabled(True)
        self._loading = False
        self.progress.hide()
        self.status.setText(
            f"{model.name}: {model.n_vertices:,} vertices, {model.n_bones} bones. "
            "Click the body or the tree to pick a bone."
        )
        pending, self._pending = self._pending, None
        if pending is not None:
            self._apply_state(pending)
        self.select_bone(self._selected)
        self._post()

    # -- requests ----------------------------------------------------------------
    @property
    def method(self) -> SkinningMethod:
        """Return the skinning method chosen ("lbs" or "dqs")."""
        return "dqs" if self.dqs_radio.isChecked() else "lbs"

    def _post(self) -> None:
        if self._mailbox is None or self._pose is None or self._model is None:
            return
        shape = self.shape_sliders.values() if self._model.shape_space else None
        self._mailbox.post(
            PoseRequest(
                self._pose,
                self.method,
                correctives=self.correctives_check.isChecked(),
                shape=shape,
                compare=self.split_check.isChecked(),
            )
        )

    def _show(self, item: BodyProgress) -> None:
        self._last = item
        split = self.split_check.isChecked()
        first = "lbs" if split else (item.request.method if item.request else "lbs")
        weights = self._weights if self.view.colour_mode == "weight" else None
        self.view.update_pose(item.meshes[first], self._selected, weights)
        if self.view.caption.text() != first.upper():
            self.view.caption.setText(first.upper())
        if split and "dqs" in item.meshes:
            self.view_dqs.update_pose(item.meshes["dqs"], self._selected, weights)
        self.frames_shown += 1
        # text readouts relayout the controls column: refresh them at ≤ 5 Hz
        if not self._readout_timer.isActive():
            self._readout_timer.start()

    def _update_readouts(self) -> None:
        item = self._last
        if item is None or not item.meshes:
            return
        rest = item.rest_volume
        parts = [
            f"{m.upper()} {v * 1000:.2f} L ({(v / rest - 1) * 100:+.2f} %)"
            for m, v in item.volumes.items()
        ]
        self.volume_label.setText(
            f"Volume vs rest {rest * 1000:.2f} L: " + ", ".join(parts)
        )
        self.timing_label.setText(f"<small>{item.message}</small>")
        self._update_formula()

    # -- selection & pose --------------------------------------------------------
    def select_bone(self, bone: int | str) -> None:
        """Select ``bone`` (index or name): sliders, heat map and formula follow it."""
        if self._model is None or self._pose is None:
            return
        k = self._model.bone_index(bone) if isinstance(bone, str) else int(bone)
        self._selected = k
        self.bone_tree.select(k)
        parent = int(self._model.bone_parents[k])
        self.selected_label.setText(
            f"<b>{self._model.bone_names[k]}</b> (parent: "
            f"{self._model.bone_names[parent] if parent >= 0 else 'none, the root'})"
        )
        for slider, angle in zip(self.angle_sliders, self._pose.euler[k], strict=True):
            slider.set_value(float(angle))
        model = self._model
        self._weights = (model.skin_weights * (model.skin_indices == k)).sum(axis=1)
        if self._last is not None and self._last.meshes:
            self._show(self._last)
            self._update_readouts()

    def _on_angle_changed(self, _axis: int) -> None:
        if self._pose is None:
            return
        angles = [s.value() for s in self.angle_sliders]
        self._pose = self._pose.with_bone(self._selected, angles)
        self._post()

    def set_pose(self, pose: Pose) -> None:
        """Show ``pose`` (its bone count must match the model)."""
        if self._model is None or pose.n_bones != self._model.n_bones:
            raise ValueError("the pose does not fit the body shown")
        self._pose = pose
        for slider, angle in zip(
            self.angle_sliders, pose.euler[self._selected], strict=True
        ):
            slider.set_value(float(angle))
        self._post()

    def _on_frame_clicked(self) -> None:
        if self._last is None or not self._last.meshes:
            return
        joint = next(iter(self._last.meshes.values())).joints[self._selected]
        for view in (self.view, self.view_dqs):
            view.frame(joint, 0.7)

    def _on_whole_clicked(self) -> None:
        for view in (self.view, self.view_dqs):
            view.whole_body()

    def _on_reset_joint_clicked(self) -> None:
        if self._pose is not None:
            self.set_pose(self._pose.with_bone(self._selected, [0.0, 0.0, 0.0]))

    def _on_preset_activated(self, index: int) -> None:
        from explorer.core.body.presets import preset_pose

        if index <= 0 or self._model is None:
            return
        try:
            self.set_pose(preset_pose(self._model, self.preset_combo.itemText(index)))
        except ValueError as exc:
            self.show_error(str(exc))
        self.preset_combo.setCurrentIndex(0)

    def apply_preset(self, name: str) -> None:
        """Choose preset ``name`` as a user would in the preset list."""
        index = self.preset_combo.findText(name)
        if index < 0:
            raise ValueError(f"unknown pose preset {name!r}")
        self.preset_combo.setCurrentIndex(index)
        self._on_preset_activated(index)

    def _on_view_clicked(self, x: float, y: float) -> None:
        self._pick(self.view, x, y)

    def _on_dqs_view_clicked(self, x: float, y: float) -> None:
        self._pick(self.view_dqs, x, y)

    def _pick(self, view: BodyView, x: float, y: float) -> None:
        if self._model is None:
            return
        point = view.view.pick(x, y)
        if point is None:
            return
        verts = view.vertices()
        nearest = int(np.argmin(((verts - point) ** 2).sum(axis=1)))
        self.select_bone(int(self._model.skin_indices[nearest, 0]))

    # -- style -------------------------------------------------------------------
    def _on_method_toggled(self, _: bool) -> None:
        self._update_formula()
        self._post()

    def _on_split_toggled(self, on: bool) -> None:
        self.view_dqs.setVisible(on)
        self.lbs_radio.setEnabled(not on)
        self.dqs_radio.setEnabled(not on)
        if on:
            self._prepare_dqs_view()
        self._post()

    def _prepare_dqs_view(self) -> None:
        """Build the DQS view's actors (only when the split view is first shown)."""
        model = self._model
        if model is None or self._last is None or not self._last.meshes:
            return
        if self._dqs_model is None or self._dqs_model.faces is not model.faces:
            self.view_dqs.set_model(model, next(iter(self._last.meshes.values())))
            self._dqs_model = model
        self.view_dqs.view.plotter.camera = self.view.view.plotter.camera.copy()
        self.view_dqs.sync_camera()

    def _on_style_changed(self) -> None:
        mode = COLOUR_MODES[self.colour_combo.currentText()]
        for view in (self.view, self.view_dqs):
            view.colour_mode = mode
            view.show_skeleton = self.skeleton_check.isChecked()
            view.restyle()
        if self._last is not None and self._last.meshes:
            self._show(self._last)

    def apply_theme(self) -> None:
        """Re-create the 3-D actors in the new palette and widen the controls."""
        self._fit_controls()
        self._on_style_changed()

    def _fit_controls(self) -> None:
        # the 3-D view stays the larger part, also at presentation scale
        scale = self.context.theme.scale
        total = max(self._splitter.width(), 800)
        right = min(int(400 * scale), int(total * 0.4))
        self._scroll.setMinimumWidth(right)
        self._splitter.setSizes([total - right, right])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_controls()

    def _update_formula(self) -> None:
        if self._model is None:
            return
        dqs = self.method == "dqs" and not self.split_check.isChecked()
        if dqs:
            self.formula.set_formula(_DQS_HTML)
        else:
            self.formula.set_formula(
                _SMPL_HTML if self._model.posedirs is not None else _LBS_HTML
            )
        k = self._selected
        values: dict[str, object] = {"k": f"{k} ({self._model.bone_names[k]})"}
        if self._weights is not None:
            values["vertices with w_ki > 0"] = int((self._weights > 0).sum())
        if self._last is not None and self._last.meshes:
            g = next(iter(self._last.meshes.values())).transforms[k]
            for r in range(3):
                row = " ".join(f"{v:+.3f}" for v in g[r, :3])
                values[f"G_k row {r + 1}"] = f"[{row} | {g[r, 3]:+.3f}]"
        self.formula.set_values(values)

    # -- animation (Run menu) ----------------------------------------------------
    def start_pause(self) -> None:
        """Start or pause a sweep of the selected joint's x angle."""
        if self._animation.isActive():
            self._animation.stop()
        elif self._model is not None:
            self._animation.start()

    def step(self) -> None:
        """Advance the sweep by one frame."""
        self._on_animation_timeout()

    def reset(self) -> None:
        """Stop the sweep and return to the rest pose."""
        self._animation.stop()
        if self._model is not None:
            self.set_pose(Pose.zeros(self._model.n_bones))

    def _on_animation_timeout(self) -> None:
        if self._pose is None:
            return
        self._phase += 1
        angle = 80.0 * np.sin(self._phase / 12.0)
        self.angle_sliders[0].set_value(angle)
        self._on_angle_changed(0)

    # -- files -------------------------------------------------------------------
    def export_mesh_to(self, path: Path) -> Path:
        """Write the posed mesh shown to ``path`` (.obj, .ply or .glb); return it.

        Raises
        ------
        ValueError
            Before a body is shown or for an unknown file type.
        """
        from explorer.core.body.export import export_mesh

        if self._model is None or self._last is None or not self._last.meshes:
            raise ValueError("no posed body to export yet")
        mesh = self._last.meshes.get(self.method) or next(
            iter(self._last.meshes.values())
        )
        return export_mesh(path, mesh.vertices, self._model.faces)

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Export posed mesh",
            "posed_body.obj",
            "Wavefront OBJ (*.obj);;Stanford PLY (*.ply);;glTF binary (*.glb)",
        )
        if path:
            try:
                self.export_mesh_to(Path(path))
            except (ValueError, OSError) as exc:
                self.show_error(str(exc))

    def _on_save_pose_clicked(self) -> None:
        if self._model is None or self._pose is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Save pose", "pose.json", "Pose files (*.json)"
        )
        if path:
            try:
                save_pose(path, self._model, self._pose)
            except OSError as exc:
                self.show_error(f"cannot save the pose: {exc}")

    def _on_load_pose_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Load pose", "", "Pose files (*.json)"
        )
        if path:
            try:
                self.open_file(Path(path))
            except ValueError as exc:
                self.show_error(str(exc))

    def _on_open_model_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open an SMPL-family model", "", "Body models (*.npz)"
        )
        if path:
            try:
                self.open_file(Path(path))
            except ValueError as exc:
                self.show_error(str(exc))

    def open_file(self, path: Path) -> None:
        """Open a pose file (.json) or an SMPL-family model (.npz).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        from explorer.core.body.loading import load_body

        if path.suffix.lower() == ".json":
            if self._model is None:
                raise ValueError("wait until the body is loaded to open a pose")
            self.set_pose(load_pose(path, self._model))
            return
        self.load_model(load_body(path), source=str(path))

    # -- export, sessions, life cycle --------------------------------------------
    def main_view(self) -> QWidget:
        """Return the 3-D view(s)."""
        return self._views_box

    def export_image(
        self, scale: float = 1.0, *, main_view_only: bool = False
    ) -> QImage:
        """Return the panel (or its views), the 3-D views rendered by their plotter."""
        target = self._views_box if main_view_only else self
        image = grab_widget(target, scale)
        painter = QPainter(image)
        for view in (self.view, self.view_dqs):
            if not view.isVisible():
                continue
            at = view.view.mapTo(target, QPoint(0, 0))
            painter.drawImage(
                int(at.x() * scale),
                int(at.y() * scale),
                view.view.render_to_image(scale),
            )
        painter.end()
        return image

    def state(self) -> dict[str, Any]:
        """Return the model, pose, shape and display settings."""
        out: dict[str, Any] = {
            "model": self._spec,
            "method": self.method,
            "split": self.split_check.isChecked(),
            "correctives": self.correctives_check.isChecked(),
            "colour": self.colour_combo.currentText(),
            "skeleton": self.skeleton_check.isChecked(),
        }
        if self._model is not None and self._pose is not None:
            out["pose"] = pose_to_json(self._model, self._pose)
            out["shape"] = self.shape_sliders.values()
            out["selected"] = self._model.bone_names[self._selected]
        return out

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict from :meth:`state` (after the body has loaded)."""
        model = state.get("model", "anny")
        if isinstance(model, str) and model != self._spec:
            try:
                if model == "anny":
                    self.load_model("anny")
                else:
                    self.open_file(Path(model))
            except ValueError as exc:
                self.show_error(f"cannot reopen {model}: {exc}")
                return
        if self._loading:
            self._pending = state
            return
        self._apply_state(state)

    def _apply_state(self, state: dict[str, Any]) -> None:
        self.dqs_radio.setChecked(state.get("method") == "dqs")
        self.lbs_radio.setChecked(state.get("method") != "dqs")
        self.split_check.setChecked(bool(state.get("split", False)))
        self.correctives_check.setChecked(bool(state.get("correctives", True)))
        self.skeleton_check.setChecked(bool(state.get("skeleton", True)))
        colour = state.get("colour")
        if isinstance(colour, str) and colour in COLOUR_MODES:
            self.colour_combo.setCurrentText(colour)
        shape = state.get("shape")
        if isinstance(shape, dict):
            self.shape_sliders.set_values({str(k): float(v) for k, v in shape.items()})
        if self._model is not None and isinstance(state.get("pose"), dict):
            try:
                self.set_pose(pose_from_json(self._model, state["pose"]))
                selected = state.get("selected")
                if isinstance(selected, str):
                    self.select_bone(selected)
            except (ValueError, KeyError) as exc:
                self.show_error(f"the saved pose does not fit this body: {exc}")

    def snapshot_ready(self) -> bool:
        """Return True once a posed body is on screen."""
        return self._last is not None and bool(self._last.meshes)

    def shutdown(self) -> None:
        """Stop the posing worker and close the 3-D views."""
        self._animation.stop()
        self._readout_timer.stop()
        if self._mailbox is not None:
            self._mailbox.close()
        super().shutdown()
        self.view.close_view()
        self.view_dqs.close_view()
