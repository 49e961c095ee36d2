"""The body-posing panel: LBS of a real human mesh, weights, artefacts and DQS.

A worker runs :func:`explorer.core.body.service.pose_service`: it loads the body
(anny, or an SMPL-family ``.npz`` the user opens) and poses it for every request
the controls post through the job control — only the newest waiting request is
served, so a slider drag never builds a backlog.  The GUI thread only moves
points of existing actors.  The run bar sweeps the selected joint (an animation
on the GUI thread: each frame is one request).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QShowEvent
from PySide6.QtWidgets import QSplitter, QWidget
from superqt.utils import qthrottled

from explorer.core.body.model import BodyModel
from explorer.core.body.names import COLOUR_MODES, SkinningMethod, wrap_angle
from explorer.core.body.pose import Pose
from explorer.core.body.service import (
    REQUEST_KEY,
    BodyProgress,
    PoseRequest,
    pose_service,
)
from explorer.core.body.skinning import PosedMesh
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.body import files, readout, session
from explorer.panels.body.column import BodyColumn
from explorer.panels.body.formula import volume_text
from explorer.panels.body.pair import BodyViews
from explorer.panels.body.state import BodyState
from explorer.widgets.binding import Binder
from explorer.widgets.export import grab_widget


def _message(exc: BaseException) -> str:
    return str(exc).split("\n\nIn the worker")[0]


_ANIMATION_MS = 66  # 15 Hz: each frame costs a 3-D render on the GUI thread
_READOUT_MS = 200  # text readouts relayout the controls column: ≤ 5 Hz


class BodyPanel(PanelBase):
    """Pose anny (or an SMPL file) with sliders; compare LBS and DQS side by side."""

    panel_id: ClassVar[str] = "body"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = "Body models (*.npz);;Pose files (*.json)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._runner = self.make_runner("posing")
        self._model: BodyModel | None = None
        self._pose: Pose | None = None
        self._last: BodyProgress | None = None
        self._selected = 0
        self._weights: np.ndarray | None = None
        self.picked_vertex: int | None = None  # the vertex the card shows, if any
        self._turn_from = 0.0  # the angle a ring drag started from
        self._pending: BodyState | None = None
        self._spec: str = "anny"
        # (spec, source) asked for last, and that of the body on screen
        self._requested: tuple[str | BodyModel, str | None] = ("anny", None)
        self._shown: tuple[str | BodyModel, str | None] | None = None
        self._loading = True
        self.frames_shown = 0
        self._phase = 0
        self._animation = QTimer(self)
        self._animation.setInterval(_ANIMATION_MS)
        self._animation.timeout.connect(self._on_animation_timeout)
        self._readouts_soon = qthrottled(
            self._update_readouts, timeout=_READOUT_MS, leading=False, parent=self
        )
        self._build()
        self._bind()
        self.load_model("anny")

    # -- layout ------------------------------------------------------------------
    def _build(self) -> None:
        theme = self.context.theme
        self._splitter = QSplitter(Qt.Orientation.Horizontal)
        self.views = BodyViews(theme)
        self.view, self.view_dqs = self.views.view, self.views.view_dqs
        self.views.vertex_picked.connect(self._on_vertex_picked)
        self.views.joint_grabbed.connect(self._on_rings_grabbed)
        self.views.joint_turned.connect(self._on_rings_turned)
        self._splitter.addWidget(self.views)
        c = self.column = BodyColumn(theme)
        self._splitter.addWidget(c)
        self._splitter.setStretchFactor(0, 3)
        self._splitter.setStretchFactor(1, 1)
        self.body.addWidget(self._splitter)
        # the names tests and the Run menu know the controls by
        self.run_bar = c.run_bar
        self.bone_tree, self.angle_sliders = c.bone_tree, c.angle_sliders
        self.selected_label, self.preset_combo = c.selected_label, c.preset_combo
        self.lbs_radio, self.dqs_radio = c.lbs_radio, c.dqs_radio
        self.split_check, self.correctives_check = c.split_check, c.correctives_check
        self.skeleton_check, self.colour_combo = c.skeleton_check, c.colour_combo
        self.volume_label, self.timing_label = c.volume_label, c.timing_label
        self.shape_box, self.shape_sliders = c.shape_box, c.shape_sliders
        self.formula = c.formula
        self.reset_all_button = c.reset_all_button
        self.mark_secondary(c.files_box, c.timing_label)

        c.run_bar.start_pause_clicked.connect(self.start_pause)
        c.run_bar.step_clicked.connect(self.step)
        c.run_bar.reset_clicked.connect(self.reset)
        c.bone_tree.bone_selected.connect(self.select_bone)
        for i, s in enumerate(c.angle_sliders):
            s.value_changed.connect(lambda _v, i=i: self._on_angle_changed(i))
        c.reset_joint_button.clicked.connect(self._on_reset_joint_clicked)
        c.frame_button.clicked.connect(self._on_frame_clicked)
        c.whole_button.clicked.connect(self._on_whole_clicked)
        c.preset_combo.activated.connect(self._on_preset_activated)
        c.lbs_radio.toggled.connect(self._on_method_toggled)
        c.shape_sliders.changed.connect(self._post)
        c.export_button.clicked.connect(lambda: files.ask_export(self))
        c.save_pose_button.clicked.connect(lambda: files.ask_save_pose(self))
        c.load_pose_button.clicked.connect(lambda: files.ask_load_pose(self))
        c.open_model_button.clicked.connect(lambda: files.ask_open_model(self))
        c.anny_button.clicked.connect(lambda: self.load_model("anny"))

    def _bind(self) -> None:
        self.binder = Binder(BodyState, self)
        self.binder.bind("split", self.split_check)
        # correctives: what the user asked for, kept while a body has none
        self.correctives_check.toggled.connect(self._on_correctives_changed)
        self.binder.bind("skeleton", self.skeleton_check)
        self.binder.bind("colour", self.colour_combo)
        self.binder.changed.connect(self._on_setting_changed)

    # -- loading -----------------------------------------------------------------
    def load_model(self, spec: str | BodyModel, source: str | None = None) -> None:
        """Load and show the body ``spec`` ("anny", an ``.npz`` path or a model).

        ``source`` is what sessions store to reopen a loaded model (its path).
        """
        self._spec = source or (spec.name if isinstance(spec, BodyModel) else str(spec))
        self._requested = (spec, source)
        self._loading = True
        self._last = None
        self.column.set_posing_enabled(False)
        self.column.progress.show()
        self.run_bar.set_status("Loading the body…")
        cache = self.context.data_dir / "body-cache" if self.context.data_dir else None
        self._runner.start(
            pose_service,
            spec,
            cache_dir=cache,
            device=self.context.device,
            on_progress=self._on_progress,
            batched=True,
            on_error=self._on_job_error,
            controlled=True,
        )

    def _on_job_error(self, exc: BaseException) -> None:
        self.column.progress.hide()
        shown = self._shown
        if self._loading and shown is not None and shown != self._requested:
            # a body that cannot be shown: say why, and go back to the one shown
            # (the panel stays usable)
            name = self._model.name if self._model is not None else "the last body"
            self.show_error(f"{_message(exc)} — back to {name}")
            self.run_bar.set_status(f"Could not load that body; back to {name}.")
            self.load_model(*shown)
            return
        self.run_bar.set_status("The body could not be loaded or posed.")
        self.on_job_error(exc)

    def _on_progress(self, items: list[BodyProgress]) -> None:
        # Batched: a heartbeat or loading note must never hide a posed mesh that
        # arrived in the same GUI frame, so only the newest *mesh* is shown.
        latest: BodyProgress | None = None
        for item in items:
            if item.problem:
                # a pose whose numbers overflow: said as it is, the last good
                # body stays (not "training diverged")
                self.show_error(item.problem)
                self.run_bar.set_status("That pose cannot be shown (see above).")
                continue
            model = item.model
            if model is not None and (
                self._model is None or model.faces is not self._model.faces
            ):
                if item.meshes:
                    self._on_new_model(model, item)
                    latest = None
                else:
                    self.run_bar.set_status(item.message)
                continue
            if model is not None:
                self._model = model
            if item.meshes:
                latest = item
            elif item.message and item.message != "ready":
                self.run_bar.set_status(item.message)
        if latest is not None:
            self._show(latest)

    def _on_new_model(self, model: BodyModel, item: BodyProgress) -> None:
        self._shown = self._requested
        self._model = model
        self._pose = Pose.zeros(model.n_bones)
        self._selected, self.picked_vertex = 0, None
        self._last = item
        self.column.show_model(model)
        self.views.set_model(
            model, next(iter(item.meshes.values())), split=self.split_check.isChecked()
        )
        self.column.set_posing_enabled(True)
        self._loading = False
        self.column.progress.hide()
        self.run_bar.set_status(
            f"{model.name}: {model.n_vertices:,} vertices, {model.n_bones} bones. "
            "Click the body or the tree to pick a bone; drag a ring to turn it."
        )
        pending, self._pending = self._pending, None
        if pending is not None:
            self._apply_pose(pending)
        self.select_bone(self._selected)
        self._post()

    # -- requests ----------------------------------------------------------------
    @property
    def model(self) -> BodyModel | None:
        """Return the body shown (``None`` before the first has loaded)."""
        return self._model

    @property
    def pose(self) -> Pose | None:
        """Return the pose shown (``None`` before a body has loaded)."""
        return self._pose

    @property
    def method(self) -> SkinningMethod:
        """Return the skinning method chosen ("lbs" or "dqs")."""
        return "dqs" if self.dqs_radio.isChecked() else "lbs"

    def _post(self) -> None:
        if self._loading or self._pose is None or self._model is None:
            return
        shape = self.shape_sliders.values() if self._model.shape_space else None
        self._runner.post(
            PoseRequest(
                self._pose,
                self.method,
                correctives=self.correctives_check.isChecked(),
                shape=shape,
                compare=self.split_check.isChecked(),
            ),
            REQUEST_KEY,
        )

    def _show(self, item: BodyProgress) -> None:
        self._last = item
        split = self.split_check.isChecked()
        first = "lbs" if split else (item.request.method if item.request else "lbs")
        weights = self._weights if self.view.colour_mode == "weight" else None
        euler = item.request.pose.euler[self._selected] if item.request else None
        self.views.show_meshes(
            item.meshes,
            first,
            split=split,
            selected=self._selected,
            weights=weights,
            euler=euler,
        )
        self.frames_shown += 1
        self._readouts_soon()

    def _update_readouts(self) -> None:
        item = self._last
        if item is None or not item.meshes:
            return
        self.volume_label.set_html(volume_text(item.volumes, item.rest_volume))
        self.timing_label.set_html(f"<small>{item.message}</small>")
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
        self._show_angles()
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
        self._show_angles()
        self._post()

    def _show_angles(self) -> None:
        # the sliders show the joint's angles in their range, the same rotation
        if self._pose is not None:
            k = self._selected
            shown = self.column.show_angles(self._pose.euler[k].tolist())
            self._pose = self._pose.with_bone(k, shown)

    def _on_frame_clicked(self) -> None:
        if self._last is None or not self._last.meshes:
            return
        joint = next(iter(self._last.meshes.values())).joints[self._selected]
        self.views.frame(joint, 0.7)

    def _on_whole_clicked(self) -> None:
        self.views.whole_body()

    def _on_reset_joint_clicked(self) -> None:
        if self._pose is not None:
            self.set_pose(self._pose.with_bone(self._selected, [0.0, 0.0, 0.0]))

    def _on_preset_activated(self, index: int) -> None:
        session.apply_preset_at(self, index)

    def apply_preset(self, name: str) -> None:
        """Choose preset ``name`` as a user would in the preset list."""
        index = self.preset_combo.findText(name)
        if index < 0:
            raise ValueError(f"unknown pose preset {name!r}")
        self.preset_combo.setCurrentIndex(index)
        self._on_preset_activated(index)

    def _on_vertex_picked(self, vertex: int) -> None:
        if self._model is not None:
            self.picked_vertex = vertex
            self.select_bone(int(self._model.skin_indices[vertex, 0]))

    def _on_rings_grabbed(self, axis: int) -> None:
        self._turn_from = self.angle_sliders[axis].value()

    def _on_rings_turned(self, axis: int, degrees: float) -> None:
        # the slider takes the angle (wrapped, the same turn), then the pose follows it
        self.angle_sliders[axis].set_value(wrap_angle(self._turn_from + degrees))
        self._on_angle_changed(axis)

    # -- style -------------------------------------------------------------------
    def _on_setting_changed(self, name: str) -> None:
        if name in ("skeleton", "colour"):
            self._on_style_changed()
            return
        if name == "split":
            self._show_split()
        self._post()

    def _on_correctives_changed(self, _: bool) -> None:
        self._update_formula()
        self._post()

    def _on_method_toggled(self, _: bool) -> None:
        self._update_formula()
        self._post()

    def _show_split(self) -> None:
        on = self.split_check.isChecked()
        self.lbs_radio.setEnabled(not on)
        self.dqs_radio.setEnabled(not on)
        last = self._last
        posed = next(iter(last.meshes.values())) if last and last.meshes else None
        self.views.set_split(on, self._model, posed)
        self._update_formula()

    def _on_style_changed(self) -> None:
        mode = COLOUR_MODES[self.colour_combo.currentText()]
        self.views.restyle(mode, skeleton=self.skeleton_check.isChecked())
        if self._last is not None and self._last.meshes:
            self._show(self._last)

    def apply_theme(self) -> None:
        """Re-create the 3-D actors in the new palette and size the two sides."""
        self._fit_controls()
        self._on_style_changed()

    def _fit_controls(self) -> None:
        # the 3-D view stays the larger part, also at presentation scale
        scale = self.context.theme.scale
        total = max(self._splitter.width(), 800)
        right = max(self.column.minimumWidth(), min(int(400 * scale), total * 2 // 5))
        self._splitter.setSizes([total - right, right])

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_controls()

    def _update_formula(self) -> None:
        readout.update_formula(self)

    # -- the sweep (run bar and Run menu) -----------------------------------------
    def start_pause(self) -> None:
        """Start, pause or resume a sweep of the selected joint's x angle."""
        if self._animation.isActive():
            self._animation.stop()
        elif self._model is not None:
            self._animation.start()
        self._show_run_state()

    def step(self) -> None:
        """Advance the sweep by one frame (and hold it)."""
        self._animation.stop()
        self._on_animation_timeout()
        self._show_run_state()

    def reset(self) -> None:
        """Stop the sweep and return to the rest pose."""
        self._animation.stop()
        self._phase = 0
        if self._model is not None:
            self.set_pose(Pose.zeros(self._model.n_bones))
        self._show_run_state()

    def _show_run_state(self) -> None:
        active = self._animation.isActive()
        self.run_bar.set_state(running=active or self._phase > 0, paused=not active)

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
        return files.export_posed(self, path)

    @property
    def posed_meshes(self) -> dict[str, PosedMesh]:
        """Return the posed meshes shown, by method (empty before the first)."""
        return dict(self._last.meshes) if self._last is not None else {}

    def open_file(self, path: Path) -> None:
        """Open a pose file (.json) or an SMPL-family model (.npz).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        from explorer.core.body.loading import load_body

        if path.suffix.lower() == ".json":
            files.open_pose_file(self, path)
            return
        self.load_model(load_body(path), source=str(path))

    # -- export, sessions, life cycle --------------------------------------------
    def main_view(self) -> QWidget:
        """Return the 3-D view(s)."""
        return self.views

    def export_image(
        self, scale: float = 1.0, *, main_view_only: bool = False
    ) -> QImage:
        """Return the panel (or its views), the 3-D views rendered by their plotter."""
        return grab_widget(self.views if main_view_only else self, scale)

    def current_state(self) -> BodyState:
        """Return the panel's :class:`BodyState` (body, pose, shape, display).

        While a body loads, the pose, shape and joint are those a restore is
        waiting to apply (or none).
        """
        return session.current_state(self)

    def state(self) -> dict[str, Any]:
        """Return the model, pose, shape and display settings."""
        return self.current_state().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict from :meth:`state` (the pose once the body has loaded).

        Raises
        ------
        ValueError
            When ``state`` is not a body state; the message names the field.
        """
        settings = BodyState.from_dict(state)
        if settings.model != self._spec:
            try:
                if settings.model == "anny":
                    self.load_model("anny")
                else:
                    self.open_file(Path(settings.model))
            except ValueError as exc:
                self.show_error(f"cannot reopen {settings.model}: {exc}")
                return
        self.binder.show(settings)
        self.column.set_correctives_wanted(settings.correctives)
        self.dqs_radio.setChecked(settings.method == "dqs")
        self.lbs_radio.setChecked(settings.method != "dqs")
        self._show_split()
        self._on_style_changed()
        if self._loading:
            self._pending = settings
            return
        self._apply_pose(settings)

    def _apply_pose(self, state: BodyState) -> None:
        session.apply_pose(self, state)

    def snapshot_ready(self) -> bool:
        """Return True once a posed body is on screen."""
        return self._last is not None and bool(self._last.meshes)

    def shutdown(self) -> None:
        """Stop the sweep and the posing worker and close the 3-D views."""
        self._animation.stop()
        self._readouts_soon.cancel()
        super().shutdown()
        self.views.close_views()
