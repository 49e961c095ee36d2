"""The Rays panel: click a pixel, follow its ray through an SDF scene or a NeRF.

Left: controls and the textbook formulas with the selected ray's numbers.  Top:
the rendered image (click a pixel to select its ray), a 3-D view of the scene,
camera, ray and samples (coloured by weight), and a slice of the SDF through the
ray with sphere-tracing balls and DVR's march + secant steps.  Bottom: σ, α, T,
weight, running colour and f(t) along the ray, or the training curves.

The selected ray is recomputed on the GUI thread at every change for analytic
fields (well under the 5 ms goal) and in a worker for learned ones (each probe is
a few hundred network evaluations; the panel posts each request to the probe
job and the newest wins); the image renders block by block in a worker, as do
the SDF fit and the tiny NeRF, which the run bar drives.

While a job streams (training, a learned field's probes, the image's bands) the
views are drawn through a :class:`DrawScheduler`, one view per tick
(:mod:`explorer.panels.rays.ray_drawing`); what a user does is drawn at once.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QSplitter, QWidget
from superqt.utils import qdebounced

from explorer.core.device import describe_device, resolve_device
from explorer.core.files import atomic_write
from explorer.core.rays.camera import Camera
from explorer.core.rays.names import (
    LEARNED_NERF,
    LEARNED_SDF,
    MIN_SEGMENT,
    SHAPES,
    LearnedKind,
)
from explorer.core.rays.nerf import NerfConfig, NerfField
from explorer.core.rays.probe import probe_ray
from explorer.core.rays.render import RayConfig, RaySamples, RenderProgress
from explorer.core.rays.scenes import Scene, SdfField
from explorer.core.rays.sdf_fit import (
    SdfFitConfig,
    sdf_from_state,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.rays.controls import RayControls, TrainControls
from explorer.panels.rays.probing import RayProber
from explorer.panels.rays.ray_drawing import RayDrawing
from explorer.panels.rays.readouts import (
    DEFAULT_SURFACE_COLOR,
    RAY_FORMULA,
    SURFACE_COLORS,
    TRAIN_FORMULA,
    MeshReady,
    describe_sdf_target,
    render_job,
    samples_csv,
    samples_json,
)
from explorer.panels.rays.state import RaysState
from explorer.panels.rays.stepper import RootStepper
from explorer.panels.rays.training import LearnedFields
from explorer.panels.rays.views import RaysMainView
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import make_button

_LEARNED_SCENES = (LEARNED_NERF, LEARNED_SDF)
DRAW_INTERVAL_MS = 30  # one view per tick: ≤ 33 view draws a second
# A 3-D render costs 30–50 ms: while a job streams, the 3-D view shows the
# newest ray and surface twice a second (a click still shows at once).
SCENE_INTERVAL_MS = 500
# Edits of these fields change what the next training does, not the shown field.
_TRAINING_FIELDS = ("shape", "n_freqs", "learn", "eikonal_weight", "normal_weight")


class RaysPanel(PanelBase):
    """Volume rendering and root finding one ray at a time; SDF and NeRF training."""

    panel_id: ClassVar[str] = "rays"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = (
        "Meshes and point clouds (*.obj *.ply *.xyz *.stl *.off *.glb *.gltf);;"
        "Point clouds (*.ply *.xyz *.obj);;All files (*)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self._device = resolve_device(context.device)
        self.controls = RayControls()
        self.train_controls = TrainControls(describe_device(context.device))
        self.card = FormulaCard(*RAY_FORMULA)
        self.train_card = FormulaCard(*TRAIN_FORMULA)
        self.export_button = make_button(
            "Export ray samples…",
            "Save the selected ray's samples as CSV or JSON",
            self._on_export_clicked,
        )
        self.stepper = RootStepper()
        self.column = ControlsColumn(theme, min_width=330)
        for w in (
            self.controls,
            self.card,
            self.stepper,
            self.export_button,
            self.train_controls,
            self.train_card,
        ):
            self.column.add(w)
        self.column.add_stretch()

        self._main = RaysMainView(theme)
        self.image_view = self._main.image_view
        self.scene_view = self._main.scene_view
        self.slice_view = self._main.slice_view
        self.ray_plots = self._main.ray_plots
        self.training_view = self._main.training_view
        self.tabs = self._main.tabs
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(self.column)
        outer.addWidget(self._main)
        outer.setStretchFactor(1, 1)
        outer.setSizes([340, 1060])
        self.body.addWidget(outer)
        self.mark_secondary(self.export_button)

        self.draws = DrawScheduler(DRAW_INTERVAL_MS, self)
        self.scene_draws = DrawScheduler(SCENE_INTERVAL_MS, self)
        self._render_runner = self.make_runner("render")
        self.learned = LearnedFields(
            self,
            self.train_controls,
            self.training_view,
            self.train_card,
            self._device,
            self.draws,
        )
        self._train_runner = self.learned.runner
        self.ray_drawing = RayDrawing(
            self._main,
            self.card,
            self.stepper,
            self.draws,
            self.scene_draws,
            lambda: self.learned.sdf_mesh,
        )
        self.prober = RayProber(self, self.ray_drawing.show)
        self._render_soon = qdebounced(self._start_render, timeout=60, parent=self)
        self._render_serial = 0

        self.binder = Binder(RaysState, self)
        c, t = self.controls, self.train_controls
        for name, widget in (
            ("scene", c.scene),
            ("density", c.density),
            ("sharpness", c.sharpness),
            ("n_samples", c.samples),
            ("stratified", c.stratified),
            ("jitter", c.jitter),
            ("last_delta", c.last_delta),
            ("image_size", c.image_size),
            ("n_freqs", t.freqs),
            ("shape", t.shape),
            ("learn", t.learn),
            ("eikonal_weight", t.eikonal),
            ("normal_weight", t.normal),
        ):
            self.binder.bind(name, widget)
        defaults = RaysState()
        self.binder.show(defaults)
        self._pixel = defaults.pixel
        self._settings = self._read_state()
        self._camera = Camera(
            width=self._settings.image_size, height=self._settings.image_size
        )
        self._field: Any = Scene()
        self._sdf_fn: Any = None
        self._mesh_key = ""
        self._render_key = ""
        self._image_done = False
        self._user_mesh: str | None = None
        self._user_is_cloud = False
        self.controls.set_scene_enabled(LEARNED_NERF, False)
        self.controls.set_scene_enabled(LEARNED_SDF, False)

        self.binder.changed.connect(self._on_binder_changed)
        self.controls.changed.connect(self._on_controls_changed)
        self.image_view.pixel_clicked.connect(self.select_pixel)
        rb = self.train_controls.run_bar
        rb.start_pause_clicked.connect(self.start_pause)
        rb.step_clicked.connect(self.step)
        rb.reset_clicked.connect(self.reset)
        self.learned.sdf_progressed.connect(self._on_sdf_progressed)
        self.learned.nerf_progressed.connect(self._on_nerf_progressed)
        self.learned.ended.connect(self._on_training_ended)
        # A black image of the right size until the first rows arrive (clickable now).
        self.image_view.set_rgb(np.zeros((self._camera.height, self._camera.width, 3)))
        self._apply_settings(force_mesh=True)

    # -- settings → field, ray, image --------------------------------------------------
    def _read_state(self) -> RaysState:
        near, far = self.controls.near_far_values()
        self.binder.set_extra(
            near=near, far=max(far, near + MIN_SEGMENT), pixel=self._pixel
        )
        return self.binder.state()

    def _ray_config(self) -> RayConfig:
        s = self._settings
        return RayConfig(
            n_samples=s.n_samples,
            near=s.near,
            far=s.far,
            stratified=s.stratified,
            jitter=s.jitter,
            last_delta=s.last_delta,
        )

    def _build_field(self, s: RaysState) -> tuple[Any, Any]:
        """Return (field, sdf callable or None) for the settings."""
        learned = self.learned
        if s.scene == LEARNED_NERF:
            if learned.nerf_cfg is not None and learned.nerf_state is not None:
                return NerfField(learned.nerf_cfg, learned.nerf_state), None
            return Scene("scene", sharpness=s.sharpness), None
        if s.scene == LEARNED_SDF:
            if learned.sdf_cfg is not None and learned.sdf_state is not None:
                f = sdf_from_state(learned.sdf_cfg, learned.sdf_state)
                return SdfField(f, sharpness=s.sharpness), f
            return Scene("sphere", sharpness=s.sharpness), None
        scene = Scene(s.scene, sharpness=s.sharpness, fog_density=s.density)
        return scene, scene.sdf

    def _on_binder_changed(self, name: str) -> None:
        if name == "learn":
            self.learned.show_run_state()
        elif name not in _TRAINING_FIELDS:
            self._apply_settings()

    def _on_controls_changed(self) -> None:
        self._apply_settings()

    def _apply_settings(self, force_mesh: bool = False) -> None:
        old = self._settings
        self._settings = s = self._read_state()
        if s.image_size != self._camera.width:
            scale = s.image_size / self._camera.width
            self._pixel = (int(self._pixel[0] * scale), int(self._pixel[1] * scale))
            self._camera = self._camera.resized(s.image_size, s.image_size)
            self.image_view.set_rgb(np.zeros((s.image_size, s.image_size, 3)))
        self._field, self._sdf_fn = self._build_field(s)
        if force_mesh or s.scene != old.scene:
            self._update_surface()
        self.scene_view.set_camera(self._camera)
        self.update_ray()
        self._image_done = False
        self._render_key = ""  # the old image's bands still coming are dropped
        self._render_soon()

    def _update_surface(self) -> None:
        s = self._settings
        color = SURFACE_COLORS.get(s.scene, DEFAULT_SURFACE_COLOR)
        self.ray_drawing.surface_replaced()
        self._mesh_key = ""
        if s.scene == "fog":
            self.scene_view.set_surface(None, fog=True, color=color)
        elif s.scene == LEARNED_SDF:
            self.scene_view.set_surface(self.learned.sdf_mesh, color=color)
        elif s.scene == LEARNED_NERF:
            self.scene_view.set_surface(None)
        else:
            self._mesh_key = s.scene
            self.scene_view.set_surface(None)

    def _start_render(self) -> None:
        self._render_serial += 1
        self._render_key = f"render {self._render_serial}"
        rows = max(4, self._camera.height // 8)
        self._render_runner.start(
            render_job,
            self._field,
            self._camera,
            self._ray_config(),
            key=self._render_key,
            mesh_key=self._mesh_key,
            rows=rows,
            on_progress=self._on_render_progress,
            on_error=self.on_job_error,
            batched=True,
        )

    def _on_render_progress(self, items: list[Any]) -> None:
        latest: RenderProgress | None = None
        for item in items:
            if isinstance(item, MeshReady):
                if item.key == self._mesh_key:
                    self.scene_view.set_surface(
                        item.mesh,
                        color=SURFACE_COLORS.get(item.key, DEFAULT_SURFACE_COLOR),
                    )
                    self._mesh_key = ""  # shown: later renders need not rebuild it
            elif (
                isinstance(item, RenderProgress) and item.scene_key == self._render_key
            ):
                latest = item  # each band's image holds the bands before it
        if latest is not None:
            done = latest.rows_done == self._camera.height
            rgb, key = latest.image.rgb, latest.scene_key
            self.draws.request("image", lambda: self._draw_image(rgb, done, key))

    def _draw_image(self, rgb: Any, done: bool, key: str) -> None:
        if key != self._render_key:  # a newer render started since it arrived
            return
        self.image_view.set_rgb(rgb)
        self.image_view.set_marker(*self._pixel)
        self._image_done = done

    # -- the selected ray ----------------------------------------------------------
    def update_ray(self) -> RaySamples | None:
        """Recompute the selected ray, its plots, root steps, slice and 3-D drawing.

        Analytic scenes are probed at once (a few ms) and their ray returned; a
        learned SDF or NeRF costs a network evaluation per probe, so it runs in a
        worker (newest request wins) and this returns the ray shown so far.
        """
        args = (
            self._field,
            self._sdf_fn,
            self._camera,
            self._pixel,
            self._ray_config(),
        )
        if not isinstance(self._field, Scene):  # a learned field: off the GUI thread
            self.prober.request(args)
            return self.ray_drawing.ray
        self.prober.cancel()
        probe = probe_ray(*args)
        self.ray_drawing.show(probe, now=True)
        return probe.ray

    def probe_pending(self) -> bool:
        """Return True while the selected ray is computing, queued or not drawn."""
        return self.prober.pending or self.ray_drawing.pending()

    # -- user actions ---------------------------------------------------------
    def select_pixel(self, u: int, v: int) -> None:
        """Select the ray through pixel (u, v) (column, row)."""
        self._pixel = (int(u), int(v))
        self.update_ray()

    def _on_export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export ray samples", "ray_samples.csv", "CSV (*.csv);;JSON (*.json)"
        )
        if path:
            try:
                self.export_samples(Path(path))
            except OSError as exc:
                self.show_error(f"Could not write {path}: {exc}")

    def export_samples(self, path: Path) -> Path:
        """Write the selected ray's samples to ``path`` (.json, else CSV); return it."""
        ray = self.ray_drawing.ray
        if ray is None:
            ray = self.update_ray()
        if ray is None:
            raise ValueError("the selected ray is still being computed")
        if path.suffix.lower() == ".json":
            text = samples_json(ray, self._pixel, self._settings.scene)
        else:
            text = samples_csv(ray)
        return atomic_write(path, text)

    # -- training ----------------------------------------------------------------------
    def _select_learn(self, kind: LearnedKind) -> None:
        combo = self.train_controls.learn
        combo.setCurrentIndex(combo.findData(kind))

    def train_sdf(
        self, cfg: SdfFitConfig | None = None, *, paused: bool = False
    ) -> None:
        """Start fitting the SDF network to the chosen shape or opened mesh."""
        shape = self.train_controls.shape.currentText()
        s = self.binder.state()
        from_file = self._user_mesh if shape.startswith("file: ") else None
        base = cfg or SdfFitConfig(
            shape=shape if shape in SHAPES else "torus",
            mesh_path=from_file if not self._user_is_cloud else None,
            cloud_path=from_file if self._user_is_cloud else None,
            eikonal_weight=s.eikonal_weight,
            normal_weight=s.normal_weight,
        ).for_device(self._device)
        self._select_learn("sdf")
        self.tabs.setCurrentWidget(self.training_view)
        self.learned.start_sdf(base, paused=paused)

    def train_nerf(
        self, cfg: NerfConfig | None = None, *, paused: bool = False
    ) -> None:
        """Start training the tiny NeRF on views rendered from ``scene``."""
        base = cfg or NerfConfig(
            n_freqs=self.train_controls.freqs.value(),
            sharpness=self._settings.sharpness,
        ).for_device(self._device)
        self._select_learn("nerf")
        self.tabs.setCurrentWidget(self.training_view)
        self.learned.start_nerf(base, paused=paused)

    def _train(self, kind: LearnedKind, *, paused: bool = False) -> None:
        if kind == "nerf":
            self.train_nerf(paused=paused)
        else:
            self.train_sdf(paused=paused)

    def _on_sdf_progressed(self, new_mesh: bool) -> None:
        self.controls.set_scene_enabled(LEARNED_SDF, True)
        if self._settings.scene != LEARNED_SDF:
            self.controls.scene.setCurrentText(LEARNED_SDF)
        else:
            self._field, self._sdf_fn = self._build_field(self._settings)
            if new_mesh:
                self.ray_drawing.surface_changed()
            self.update_ray()
            self._render_again()

    def _on_nerf_progressed(self) -> None:
        self.controls.set_scene_enabled(LEARNED_NERF, True)
        if self._settings.scene == LEARNED_NERF:
            self._field, self._sdf_fn = self._build_field(self._settings)
            self.update_ray()
            self._render_again()

    def _render_again(self) -> None:
        """Render the learned field's new weights once the last image is done."""
        if self._image_done:  # else the render in progress ends first
            self._image_done = False
            self._render_soon()

    def _on_training_ended(self) -> None:
        if self._settings.scene in _LEARNED_SCENES:
            self._apply_settings(force_mesh=True)

    # -- protocol -------------------------------------------------------------
    def start_pause(self) -> None:
        """Start training the chosen field, or pause / resume its training."""
        kind: LearnedKind = self.binder.state().learn
        if self.learned.runs(kind):
            self._train_runner.toggle_pause()
        else:
            self._train(kind)

    def step(self) -> None:
        """Advance the chosen field's training by one report (starting it paused)."""
        kind: LearnedKind = self.binder.state().learn
        if not self.learned.runs(kind):
            self._train(kind, paused=True)
        self._train_runner.step()

    def reset(self) -> None:
        """Stop training, forget the learned fields, go back to the analytic scene."""
        self.learned.forget()
        if self._settings.scene in _LEARNED_SCENES:
            self.controls.scene.setCurrentText("scene")
        self.controls.set_scene_enabled(LEARNED_NERF, False)
        self.controls.set_scene_enabled(LEARNED_SDF, False)

    def open_file(self, path: Path) -> None:
        """Use the mesh in ``path`` as the target of the SDF fit.

        Raises
        ------
        ValueError
            When the file is not a usable mesh ("not a mesh: no faces found in …").
        """
        name = Path(path).name
        is_cloud, what = describe_sdf_target(Path(path))
        self._user_mesh = str(path)
        self._user_is_cloud = is_cloud
        label = f"file: {name}"
        combo = self.train_controls.shape
        if combo.findText(label) < 0:
            combo.addItem(label)
        combo.setCurrentText(label)
        self._select_learn("sdf")
        self.learned.set_status(f"Loaded {name} ({what}): press Start")

    def main_view(self) -> QWidget:
        """Return the image, 3-D view, slice and plots (without the controls)."""
        return self._main

    def state(self) -> dict[str, Any]:
        """Return the settings and the selected pixel (``RaysState.to_dict``)."""
        s = self._read_state()
        if s.scene in _LEARNED_SCENES:
            s = s.replace(scene="scene")
        return s.to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a state from :meth:`state`.

        Raises
        ------
        ValueError
            A :class:`~explorer.core.state.StateError` naming the bad field.
        """
        s = RaysState.from_dict(state)
        if self.train_controls.shape.findText(s.shape) < 0:  # a mesh not opened here
            s = s.replace(shape=self.train_controls.shape.currentText())
        self.binder.show(s)
        self.controls.set_near_far(s.near, s.far)
        self.controls.refresh_enabled()
        self.learned.show_run_state()
        self._apply_settings()
        size = self._camera.width
        u, v = s.pixel
        self.select_pixel(min(max(u, 0), size - 1), min(max(v, 0), size - 1))

    def snapshot_ready(self) -> bool:
        """Return True once the image and the selected ray are done and drawn."""
        return (
            self._image_done
            and not self.probe_pending()
            and not self.draws.pending()
            and not self.scene_draws.pending()
        )

    def shutdown(self) -> None:
        """Stop the render, probe and training jobs and close the 3-D view."""
        self._render_soon.cancel()
        self.draws.clear()
        self.scene_draws.clear()
        super().shutdown()
        self.scene_view.close_view()

    def current_ray(self) -> RaySamples | None:
        """Return the selected ray's samples (for tests and export)."""
        return self.ray_drawing.ray

    def ray_config(self) -> RayConfig:
        """Return the sampling settings in force."""
        return replace(self._ray_config())
