"""The Rays panel: click a pixel, follow its ray through an SDF scene or a NeRF.

Left: controls and the textbook formulas with the selected ray's numbers.  Top:
the rendered image (click a pixel to select its ray), a 3-D view of the scene,
camera, ray and samples (coloured by weight), and a slice of the SDF through the
ray with sphere-tracing balls and DVR's march + secant steps.  Bottom: σ, α, T,
weight, running colour and f(t) along the ray, or the training curves.

The selected ray is recomputed on the GUI thread at every change for analytic
fields (well under the 5 ms goal) and in a worker for learned ones (each probe is
a few hundred network evaluations); the image renders block by block in a
worker, as do the SDF fit and the tiny NeRF.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.device import describe_device, resolve_device
from explorer.core.rays.camera import Camera
from explorer.core.rays.nerf import NerfConfig, NerfField, NerfProgress, train_nerf
from explorer.core.rays.probe import RayProbe, probe_job, probe_ray
from explorer.core.rays.render import (
    RayConfig,
    RaySamples,
    RenderProgress,
    render_progressive,
)
from explorer.core.rays.scenes import Scene, SdfField
from explorer.core.rays.sdf_fit import (
    SdfFitConfig,
    SdfFitProgress,
    SurfaceMesh,
    fit_sdf,
    level_set_mesh,
    load_mesh,
    sdf_from_state,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.rays.controls import (
    LEARNED_NERF,
    LEARNED_SDF,
    RayControls,
    RaySettings,
    TrainControls,
)
from explorer.panels.rays.views import (
    ImageView,
    RayPlots,
    SceneView,
    SliceView,
    TrainingView,
)
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.side_column import controls_scroll, fit_controls_scroll

_MESH_RES = 40
_SURFACE_COLORS = {
    "sphere": "#E69F00",
    "box": "#56B4E9",
    "torus": "#009E73",
    "blob": "#F0E442",
    "scene": "#CC79A7",
    "fog": "#999999",
}


class _MeshReady:
    """A render-job item: the surface to show in the 3-D view."""

    def __init__(self, mesh: SurfaceMesh, key: str) -> None:
        self.mesh = mesh
        self.key = key


def _render_job(
    field: Any,
    camera: Camera,
    cfg: RayConfig,
    *,
    key: str,
    mesh_key: str = "",
    rows: int = 8,
) -> Any:
    """Yield the surface of scene ``mesh_key`` (if given), then the image in bands."""
    if mesh_key:
        yield _MeshReady(level_set_mesh(Scene(mesh_key).sdf, _MESH_RES), mesh_key)
    yield from render_progressive(field, camera, cfg, rows_per_yield=rows, key=key)


class RaysPanel(PanelBase):
    """Volume rendering and root finding one ray at a time; SDF and NeRF training."""

    panel_id: ClassVar[str] = "rays"
    title: ClassVar[str] = "Rays: SDF & NeRF"
    summary: ClassVar[str] = (
        "Follow one camera ray through an implicit surface or a NeRF: densities, "
        "transmittance, weights, sphere tracing and secant root finding."
    )
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = (
        "Meshes (*.obj *.ply *.stl *.off *.glb *.gltf);;All files (*)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self._device = resolve_device(context.device)
        self.controls = RayControls()
        self.train_controls = TrainControls(describe_device(context.device))
        self.card = FormulaCard(
            "Volume rendering of the selected ray",
            "C = Σ<sub>i</sub> T<sub>i</sub> α<sub>i</sub> c<sub>i</sub>,&nbsp; "
            "α<sub>i</sub> = 1 − e<sup>−σ<sub>i</sub>δ<sub>i</sub></sup>,&nbsp; "
            "T<sub>i</sub> = Π<sub>j&lt;i</sub> (1 − α<sub>j</sub>),&nbsp; "
            "δ<sub>i</sub> = t<sub>i+1</sub> − t<sub>i</sub>",
            "NeRF, Mildenhall et al. 2020, eq. 3",
        )
        self.train_card = FormulaCard(
            "Learning the fields",
            "SDF: ℓ = mean|f(x<sub>i</sub>)| "
            "+ τ mean‖∇f(x<sub>i</sub>) − n<sub>i</sub>‖"
            " + λ E(‖∇f(x)‖ − 1)²<br>NeRF: PSNR = −10 log<sub>10</sub> MSE",
            "IGR, Gropp et al. 2020, eq. 2; NeRF sec. 6",
        )
        self.export_button = QPushButton("Export ray samples…")
        self.export_button.setToolTip("Save the selected ray's samples as CSV or JSON")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.controls)
        left_layout.addWidget(self.card)
        left_layout.addWidget(self.export_button)
        left_layout.addWidget(self.train_controls)
        left_layout.addWidget(self.train_card)
        left_layout.addStretch(1)
        scroll = controls_scroll(left, 330)
        self._side_scroll = scroll

        self.image_view = ImageView(theme, "image: click a pixel")
        self.scene_view = SceneView(theme)
        self.slice_view = SliceView(theme)
        top = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.image_view, self.scene_view, self.slice_view):
            top.addWidget(w)
        top.setSizes([340, 380, 380])
        self.ray_plots = RayPlots(theme)
        self.training_view = TrainingView(theme)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.ray_plots, "Along the ray")
        self.tabs.addTab(self.training_view, "Training")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setSizes([430, 470])
        self._main = QWidget()
        main_layout = QHBoxLayout(self._main)
        main_layout.setContentsMargins(0, 0, 0, 0)
        main_layout.addWidget(right)
        outer = QSplitter(Qt.Orientation.Horizontal)
        outer.addWidget(scroll)
        outer.addWidget(self._main)
        outer.setStretchFactor(1, 1)
        outer.setSizes([340, 1060])
        self.body.addWidget(outer)
        self.mark_secondary(
            self.train_card,
            self.export_button,
            self.ray_plots.alpha,
            self.ray_plots.color,
        )

        self._render_runner = self.make_runner("render")
        self._probe_runner = self.make_runner("selected ray")
        self._probe_request: tuple[Any, ...] | None = None
        self._train_runner = self.make_runner("training", training=True)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(60)
        self._render_timer.timeout.connect(self._start_render)

        self._settings = self.controls.settings(self.train_controls.freqs.value())
        self._camera = Camera(
            width=self._settings.image_size, height=self._settings.image_size
        )
        self._pixel = (
            self._camera.width // 2 - 8 * self._camera.width // 64,
            self._camera.height // 2,
        )
        self._field: Any = Scene()
        self._sdf_fn: Any = None
        self._ray: RaySamples | None = None
        self._mesh_key = ""
        self._render_key = ""
        self._image_done = False
        self._user_mesh: str | None = None
        self._sdf_cfg: SdfFitConfig | None = None
        self._sdf_state: dict[str, Any] | None = None
        self._sdf_mesh: SurfaceMesh | None = None
        self._sdf_history: list[tuple[int, float, float, float]] = []
        self._nerf_cfg: NerfConfig | None = None
        self._nerf_state: dict[str, Any] | None = None
        self._last_training = "sdf"
        self.controls.set_scene_enabled(LEARNED_NERF, False)
        self.controls.set_scene_enabled(LEARNED_SDF, False)

        self.controls.changed.connect(self._on_controls_changed)
        self.image_view.pixel_clicked.connect(self._on_image_pixel_clicked)
        self.train_controls.train_sdf.clicked.connect(self._on_train_sdf_clicked)
        self.train_controls.train_nerf.clicked.connect(self._on_train_nerf_clicked)
        self.train_controls.pause.clicked.connect(self._on_pause_clicked)
        self.train_controls.stop.clicked.connect(self._on_stop_clicked)
        self.export_button.clicked.connect(self._on_export_clicked)
        self._train_runner.paused_changed.connect(self._on_train_paused_changed)
        # A black image of the right size until the first rows arrive (clickable now).
        self.image_view.set_rgb(np.zeros((self._camera.height, self._camera.width, 3)))
        self._apply_settings(force_mesh=True)

    # -- settings → field, ray, image --------------------------------------------------
    def _ray_config(self) -> RayConfig:
        s = self._settings
        return RayConfig(
            n_samples=s.n_samples,
            near=s.near,
            far=s.far,
            stratified=s.stratified,
            jitter=s.jitter,
            last_delta="1e10" if s.last_delta == "1e10" else "far",
        )

    def _build_field(self, s: RaySettings) -> tuple[Any, Any]:
        """Return (field, sdf callable or None) for the settings."""
        if s.scene == LEARNED_NERF:
            if self._nerf_cfg is not None and self._nerf_state is not None:
                return NerfField(self._nerf_cfg, self._nerf_state), None
            return Scene("scene", sharpness=s.sharpness), None
        if s.scene == LEARNED_SDF:
            if self._sdf_cfg is not None and self._sdf_state is not None:
                f = sdf_from_state(self._sdf_cfg, self._sdf_state)
                return SdfField(f, sharpness=s.sharpness), f
            return Scene("sphere", sharpness=s.sharpness), None
        scene = Scene(s.scene, sharpness=s.sharpness, fog_density=s.density)
        return scene, scene.sdf

    def _on_controls_changed(self) -> None:
        self._apply_settings()

    def _apply_settings(self, force_mesh: bool = False) -> None:
        old = self._settings
        self._settings = self.controls.settings(self.train_controls.freqs.value())
        s = self._settings
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
        self._render_timer.start()

    def _update_surface(self) -> None:
        s = self._settings
        color = _SURFACE_COLORS.get(s.scene, "#56B4E9")
        if s.scene == "fog":
            self._mesh_key = ""
            self.scene_view.set_surface(None, fog=True, color=color)
        elif s.scene == LEARNED_SDF:
            self._mesh_key = ""
            self.scene_view.set_surface(self._sdf_mesh, color=color)
        elif s.scene == LEARNED_NERF:
            self._mesh_key = ""
            self.scene_view.set_surface(None)
        else:
            self._mesh_key = s.scene
            self.scene_view.set_surface(None)

    def _start_render(self) -> None:
        s = self._settings
        self._render_key = repr((s, self._nerf_state is not None, id(self._sdf_state)))
        rows = max(4, self._camera.height // 8)
        self._render_runner.start(
            _render_job,
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
        for item in items:
            if isinstance(item, _MeshReady):
                if item.key == self._mesh_key:
                    self.scene_view.set_surface(
                        item.mesh, color=_SURFACE_COLORS.get(item.key, "#56B4E9")
                    )
                    self._mesh_key = ""  # shown: later renders need not rebuild it
            elif (
                isinstance(item, RenderProgress) and item.scene_key == self._render_key
            ):
                self.image_view.set_rgb(item.image.rgb)
                self._image_done = item.rows_done == self._camera.height
        self.image_view.set_marker(*self._pixel)

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
            self._probe_request = args
            if not self._probe_runner.is_running:
                self._start_probe()
            return self._ray
        probe = probe_ray(*args)
        self._show_probe(probe)
        return probe.ray

    def probe_pending(self) -> bool:
        """Return True while a learned field's ray probe is computing or queued."""
        return self._probe_runner.is_running or self._probe_request is not None

    def _start_probe(self) -> None:
        args, self._probe_request = self._probe_request, None
        if args is None:
            return
        self._probe_runner.start(
            probe_job,
            *args,
            on_progress=self._show_probe,
            on_error=self._on_probe_failed,
            on_finished=self._start_probe,
            backend="thread",
        )

    def _on_probe_failed(self, exc: BaseException) -> None:
        self.on_job_error(exc)
        self._start_probe()

    def _show_probe(self, probe: RayProbe) -> None:
        self._ray = probe.ray
        self.ray_plots.update_ray(probe.ray, probe.f_t, probe.sphere, probe.secant)
        self.slice_view.update_slice(
            probe.slice_values, probe.extent, probe.sphere, probe.secant
        )
        self.scene_view.set_ray(probe.ray, probe.hit)
        self.image_view.set_marker(*probe.pixel)
        self._update_card(probe)

    def _update_card(self, probe: RayProbe) -> None:
        ray, sphere, secant = probe.ray, probe.sphere, probe.secant
        u, v = probe.pixel
        rgb = ", ".join(f"{c:.3f}" for c in ray.rgb)
        values: dict[str, object] = {
            "pixel (u, v)": f"{u}, {v}",
            "colour C": f"({rgb})",
            "opacity Σw": float(ray.opacity),
            "depth Σwt/Σw": float(ray.depth) if np.isfinite(ray.depth) else "—",
            "samples N": len(ray.t),
            "last δ": "1e10" if ray.delta[-1] >= 1e9 else f"{ray.delta[-1]:.3g}",
        }
        if sphere is not None:
            values["sphere tracing"] = (
                f"t = {sphere.t:.4f} in {len(sphere.steps)} steps"
                if sphere.hit
                else f"miss ({len(sphere.steps)} steps)"
            )
        if secant is not None:
            n_sec = sum(1 for s in secant.steps if s.kind == "secant")
            values["march + secant"] = (
                f"t = {secant.t:.4f} ({n_sec} secant steps)"
                if secant.hit
                else "no sign change"
            )
        self.card.set_values(values)

    # -- user actions ---------------------------------------------------------
    def select_pixel(self, u: int, v: int) -> None:
        """Select the ray through pixel (u, v) (column, row)."""
        self._pixel = (int(u), int(v))
        self.update_ray()

    def _on_image_pixel_clicked(self, u: int, v: int) -> None:
        self.select_pixel(u, v)

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
        ray = self._ray if self._ray is not None else self.update_ray()
        if ray is None:
            raise ValueError("the selected ray is still being computed")
        doc = ray.to_dict()
        doc["pixel"] = list(self._pixel)
        doc["scene"] = self._settings.scene
        if path.suffix.lower() == ".json":
            path.write_text(json.dumps(doc, indent=2, allow_nan=False) + "\n")
            return path
        lines = ["t,delta,sigma,alpha,transmittance,weight,r,g,b"]
        for rec in ray.records():
            rgb = rec["rgb"]
            assert isinstance(rgb, list)
            nums = [
                rec[k]
                for k in ("t", "delta", "sigma", "alpha", "transmittance", "weight")
            ] + rgb
            lines.append(",".join(f"{float(str(x)):.9g}" for x in nums))
        path.write_text("\n".join(lines) + "\n")
        return path

    # -- training ----------------------------------------------------------------------
    def _on_train_sdf_clicked(self) -> None:
        self.train_sdf()

    def train_sdf(
        self, cfg: SdfFitConfig | None = None, *, paused: bool = False
    ) -> None:
        """Start fitting the SDF network to the chosen shape or opened mesh."""
        shape = self.train_controls.shape.currentText()
        base = cfg or SdfFitConfig(
            shape=shape if shape in ("sphere", "box", "torus", "blob") else "torus",
            mesh_path=self._user_mesh if shape.startswith("file: ") else None,
        ).for_device(self._device)
        self._sdf_cfg = base
        self._sdf_history.clear()
        self._last_training = "sdf"
        self.tabs.setCurrentWidget(self.training_view)
        self.train_controls.status.setText("SDF: sampling the point cloud…")
        self._train_runner.start(
            fit_sdf,
            base,
            seed=0,
            device=self._device,
            on_progress=self._on_sdf_progress,
            on_error=self._on_train_error,
            on_finished=self._on_train_finished,
            paused=paused,
        )
        self.train_controls.set_running(True, paused)

    def _on_sdf_progress(self, prog: SdfFitProgress) -> None:
        self._sdf_state = prog.state
        if prog.mesh is not None:
            self._sdf_mesh = prog.mesh
        if prog.losses:
            self._sdf_history.append(
                (
                    prog.step,
                    prog.losses["loss"],
                    prog.eikonal_residual,
                    prog.losses["surface"],
                )
            )
            h = np.asarray(self._sdf_history)
            self.training_view.loss_curve.setData(h[:, 0], h[:, 1])
            self.training_view.eik_curve.setData(h[:, 0], h[:, 2])
            self.training_view.surf_curve.setData(h[:, 0], h[:, 3])
        self.train_card.set_values(
            {
                "step": f"{prog.step}/{prog.total}",
                "loss": prog.losses.get("loss", float("nan")),
                "mean |‖∇f‖ − 1|": prog.eikonal_residual,
                "device": prog.device,
            }
        )
        self.train_controls.status.setText(f"SDF: {prog.message}")
        self.controls.set_scene_enabled(LEARNED_SDF, True)
        if self._settings.scene != LEARNED_SDF:
            self.controls.scene.setCurrentText(LEARNED_SDF)
        else:
            self._field, self._sdf_fn = self._build_field(self._settings)
            if prog.mesh is not None:
                self.scene_view.set_surface(self._sdf_mesh, color="#56B4E9")
            self.update_ray()

    def _on_train_nerf_clicked(self) -> None:
        self.train_nerf()

    def train_nerf(
        self, cfg: NerfConfig | None = None, *, paused: bool = False
    ) -> None:
        """Start training the tiny NeRF on views rendered from ``scene``."""
        base = cfg or NerfConfig(
            n_freqs=self.train_controls.freqs.value(),
            sharpness=self._settings.sharpness,
        ).for_device(self._device)
        self._nerf_cfg = base
        self._last_training = "nerf"
        self.tabs.setCurrentWidget(self.training_view)
        self.train_controls.status.setText("NeRF: rendering the training views…")
        self._train_runner.start(
            train_nerf,
            base,
            seed=0,
            device=self._device,
            on_progress=self._on_nerf_progress,
            on_error=self._on_train_error,
            on_finished=self._on_train_finished,
            paused=paused,
        )
        self.train_controls.set_running(True, paused)

    def _on_nerf_progress(self, prog: NerfProgress) -> None:
        self._nerf_state = prog.state
        hist = np.asarray(prog.psnr_history, dtype=np.float64).reshape(-1, 2)
        self.training_view.psnr_curve.setData(hist[:, 0], hist[:, 1])
        self.training_view.psnr_dots.setData(x=hist[:, 0], y=hist[:, 1])
        if prog.prediction is not None:
            self.training_view.pred.set_rgb(prog.prediction)
        if prog.target is not None:
            self.training_view.target.set_rgb(prog.target)
        self.train_card.set_values(
            {
                "step": f"{prog.step}/{prog.total}",
                "held-out PSNR (dB)": prog.losses.get("psnr", float("nan")),
                "iterations/s": prog.iterations_per_s,
                "device": prog.device,
            }
        )
        self.train_controls.status.setText(f"NeRF: {prog.message}")
        self.controls.set_scene_enabled(LEARNED_NERF, True)
        if self._settings.scene == LEARNED_NERF:
            self._field, self._sdf_fn = self._build_field(self._settings)
            self.update_ray()

    def _on_train_error(self, exc: BaseException) -> None:
        self.on_job_error(exc)
        self.train_controls.set_running(False)

    def _on_train_finished(self) -> None:
        self.train_controls.set_running(False)
        self.train_controls.status.setText(
            self.train_controls.status.text() + " — done"
        )
        if self._settings.scene in (LEARNED_SDF, LEARNED_NERF):
            self._apply_settings(force_mesh=True)

    def _on_pause_clicked(self) -> None:
        self._train_runner.toggle_pause()

    def _on_train_paused_changed(self, paused: bool) -> None:
        self.train_controls.set_running(self._train_runner.is_running, paused)

    def _on_stop_clicked(self) -> None:
        self._train_runner.abort()
        self.train_controls.set_running(False)
        self.train_controls.status.setText("Stopped; what was learned is kept")
        if self._settings.scene in (LEARNED_SDF, LEARNED_NERF):
            self._apply_settings(force_mesh=True)

    # -- protocol -------------------------------------------------------------
    def start_pause(self) -> None:
        """Start the last chosen training (SDF by default), or pause / resume it."""
        if self._train_runner.is_running:
            self._train_runner.toggle_pause()
        elif self._last_training == "nerf":
            self.train_nerf()
        else:
            self.train_sdf()

    def step(self) -> None:
        """Advance the training by one report (starting it paused if needed)."""
        if not self._train_runner.is_running:
            if self._last_training == "nerf":
                self.train_nerf(paused=True)
            else:
                self.train_sdf(paused=True)
        self._train_runner.step()

    def reset(self) -> None:
        """Stop training, forget the learned fields, go back to the analytic scene."""
        self._train_runner.abort()
        self.train_controls.set_running(False)
        self._sdf_state = self._nerf_state = None
        self._sdf_mesh = None
        self._sdf_history.clear()
        for curve in (
            self.training_view.loss_curve,
            self.training_view.eik_curve,
            self.training_view.surf_curve,
            self.training_view.psnr_curve,
        ):
            curve.setData([], [])
        self.training_view.psnr_dots.setData(x=[], y=[])
        self.train_controls.status.setText("Not trained yet")
        if self._settings.scene in (LEARNED_SDF, LEARNED_NERF):
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
        mesh = load_mesh(path)
        self._user_mesh = str(path)
        label = f"file: {Path(path).name}"
        combo = self.train_controls.shape
        if combo.findText(label) < 0:
            combo.addItem(label)
        combo.setCurrentText(label)
        self.train_controls.status.setText(
            f"Loaded {Path(path).name} ({len(mesh.faces)} faces): press Train SDF"
        )

    def main_view(self) -> QWidget:
        """Return the image, 3-D view, slice and plots (without the controls)."""
        return self._main

    def state(self) -> dict[str, Any]:
        """Return the settings and the selected pixel."""
        s = self._settings
        return {
            "scene": s.scene if s.scene not in (LEARNED_NERF, LEARNED_SDF) else "scene",
            "density": s.density,
            "sharpness": s.sharpness,
            "n_samples": s.n_samples,
            "near": s.near,
            "far": s.far,
            "stratified": s.stratified,
            "jitter": s.jitter,
            "last_delta": s.last_delta,
            "n_freqs": self.train_controls.freqs.value(),
            "image_size": s.image_size,
            "pixel": list(self._pixel),
            "shape": self.train_controls.shape.currentText(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a state from :meth:`state`."""
        if "n_freqs" in state:
            self.train_controls.freqs.setValue(int(state["n_freqs"]))
        shape = str(state.get("shape", ""))
        if self.train_controls.shape.findText(shape) >= 0:
            self.train_controls.shape.setCurrentText(shape)
        self.controls.apply(state)
        if "pixel" in state:
            u, v = (int(x) for x in state["pixel"])
            size = self._camera.width
            self.select_pixel(min(max(u, 0), size - 1), min(max(v, 0), size - 1))

    def snapshot_ready(self) -> bool:
        """Return True once the image and the selected ray are done."""
        return self._image_done and not self.probe_pending()

    def apply_theme(self) -> None:
        """Widen the controls column to what its (rescaled) controls need."""
        fit_controls_scroll(self._side_scroll)

    def shutdown(self) -> None:
        """Stop the render and training jobs and close the 3-D view."""
        self._render_timer.stop()
        super().shutdown()
        self.scene_view.close_view()

    def current_ray(self) -> RaySamples | None:
        """Return the selected ray's samples (for tests and export)."""
        return self._ray

    def ray_config(self) -> RayConfig:
        """Return the sampling settings in force."""
        return replace(self._ray_config())
