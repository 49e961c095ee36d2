"""Views of the Rays panel: the clickable image, plots along the ray, SDF slice, 3-D."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.rays.camera import Camera
from explorer.core.rays.render import RaySamples
from explorer.core.rays.roots import StepInfo, TraceResult
from explorer.core.rays.sdf_fit import SurfaceMesh
from explorer.panels.rays.flow import FlowGrid, vertical_scroller
from explorer.widgets.mesh_view import MeshView
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

FloatArray = NDArray[np.floating[Any]]


class ImageView(PlotPane):
    """An RGB image (row 0 at the top) with a marker; emits ``pixel_clicked(u, v)``."""

    pixel_clicked = Signal(int, int)

    def __init__(self, theme: ThemeManager, title: str, parent: QWidget | None = None):
        super().__init__(theme, title=title, parent=parent)
        plot = self.getPlotItem()
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        self.showGrid(x=False, y=False)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.marker = self.add_scatter(
            "selected pixel", color_index=6, size=14.0, symbol="+"
        )
        self._shape = (0, 0)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_rgb(self, rgb: FloatArray) -> None:
        """Show an (H, W, 3) image with values in [0, 1]."""
        pixels = (np.clip(rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
        self.image.setImage(pixels, levels=(0, 255), autoLevels=False)
        if pixels.shape[:2] != self._shape:
            self._shape = pixels.shape[:2]
            self.getPlotItem().vb.setRange(
                xRange=(0, pixels.shape[1]), yRange=(0, pixels.shape[0]), padding=0.02
            )

    def clear_image(self) -> None:
        """Show nothing (until the next :meth:`set_rgb`)."""
        self.image.clear()
        self._shape = (0, 0)

    def set_marker(self, u: float, v: float) -> None:
        """Mark pixel (u, v) (column, row)."""
        self.marker.setData(x=[u + 0.5], y=[v + 0.5])

    def widget_pos_of_pixel(self, u: int, v: int) -> QPointF:
        """Return the widget position of the centre of pixel (u, v) (for tests)."""
        vb = self.getPlotItem().vb
        scene_pos = vb.mapViewToScene(QPointF(u + 0.5, v + 0.5))
        return QPointF(self.mapFromScene(scene_pos))

    def _on_scene_clicked(self, event: Any) -> None:
        h, w = self._shape
        pos = self.getPlotItem().vb.mapSceneToView(event.scenePos())
        u, v = int(np.floor(pos.x())), int(np.floor(pos.y()))
        if 0 <= u < w and 0 <= v < h:
            self.pixel_clicked.emit(u, v)


class RayPlots(QWidget):
    """σ, α, T, weight, running colour and f(t) with root steps, all against t."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Short titles: at ×2 on a projector a pane may be 400 px wide.
        self.sigma = PlotPane(theme, title="density σ", x_label="t")
        self.alpha = PlotPane(theme, title="α = 1 − e^(−σδ)", x_label="t")
        self.trans = PlotPane(theme, title="T (transmitted)", x_label="t")
        self.weight = PlotPane(theme, title="w = Tα", x_label="t")
        self.color = PlotPane(theme, title="colour Σ w c", x_label="t")
        self.roots = PlotPane(theme, title="SDF f(t)", x_label="t")
        panes = (
            self.sigma,
            self.alpha,
            self.trans,
            self.weight,
            self.color,
            self.roots,
        )
        tips = (
            "σ(t): the density at each sample",
            "α_i = 1 − exp(−σ_i δ_i): the opacity of each interval",
            "T_i = Π_{j<i} (1 − α_j): the light that reaches sample i",
            "w_i = T_i α_i: how much sample i adds to the colour (dashed: depth)",
            "the colour accumulated up to t (R, G, B)",
            "f(t) along the ray with sphere-tracing, DVR-march and secant steps",
        )
        for pane, tip in zip(panes, tips, strict=True):
            pane.setToolTip(tip)
        self.flow = FlowGrid(theme, panes, min_width=170, min_height=150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(vertical_scroller(self.flow))
        self.sigma_curve = self.sigma.add_curve(color_index=0)
        self.sigma_dots = self.sigma.add_scatter(color_index=0, size=5)
        self.alpha_curve = self.alpha.add_curve(color_index=1)
        self.alpha_dots = self.alpha.add_scatter(color_index=1, size=5)
        self.trans_curve = self.trans.add_curve(color_index=2)
        self.trans_dots = self.trans.add_scatter(color_index=2, size=5)
        self.weight_bars = pg.BarGraphItem(x=[], height=[], width=0.01)
        self.weight.addItem(self.weight_bars)
        self.weight_dots = self.weight.add_scatter(color_index=3, size=5)
        self.depth_line = pg.InfiniteLine(angle=90, movable=False)
        self.weight.addItem(self.depth_line)
        self._legends = [self.color.add_legend()]
        self._legends[0].setOffset((-10, -10))
        self.red = self.color.add_curve("R", color="#D55E00")
        self.green = self.color.add_curve("G", color="#009E73")
        self.blue = self.color.add_curve("B", color="#0072B2")
        # Top centre: f(t) along a ray is high at both ends, low in the middle.
        roots_legend = self.roots.add_legend()
        roots_legend.anchor(itemPos=(0.5, 0.0), parentPos=(0.5, 0.0), offset=(0, 8))
        self._legends.append(roots_legend)
        self.sdf_curve = self.roots.add_curve("f(t)", color_index=7, width=1.5)
        self.sphere_dots = self.roots.add_scatter(
            "sphere tracing", color_index=1, size=8
        )
        self.march_dots = self.roots.add_scatter(
            "DVR march", color_index=4, size=5, symbol="s"
        )
        self.secant_dots = self.roots.add_scatter(
            "secant", color_index=5, size=9, symbol="t"
        )
        self.step_dot = self.roots.add_scatter(
            "step shown", color_index=6, size=14, symbol="o"
        )
        self.zero = pg.InfiniteLine(angle=0, movable=False)
        self.roots.addItem(self.zero)
        self._theme = theme
        theme.changed.connect(self._restyle)
        self._restyle()

    def _restyle(self) -> None:
        p = self._theme.palette
        pen = pg.mkPen(
            p.muted, width=self._theme.scale, style=pg.QtCore.Qt.PenStyle.DashLine
        )
        self.depth_line.setPen(pen)
        self.zero.setPen(pen)
        self.weight_bars.setOpts(
            brush=pg.mkBrush(p.series_color(3)), pen=pg.mkPen(None)
        )
        for legend in self._legends:
            legend.setLabelTextColor(p.plot_fg)
            legend.setLabelTextSize(f"{9 * self._theme.scale:.0f}pt")
            backdrop = pg.mkColor(p.plot_bg)
            backdrop.setAlpha(210)
            legend.setBrush(pg.mkBrush(backdrop))
            # LabelItem.setAttr only stores the style; setText re-renders with it.
            for _, label in legend.items:
                label.setText(label.text)

    def set_step(self, info: StepInfo | None) -> None:
        """Ring the root-finding step shown by the stepper (``None``: none)."""
        if info is None:
            self.step_dot.setData(x=[], y=[])
        else:
            self.step_dot.setData(x=[info.t], y=[info.value])

    def update_ray(
        self,
        ray: RaySamples,
        f_t: tuple[FloatArray, FloatArray] | None,
        sphere: TraceResult | None,
        secant: TraceResult | None,
    ) -> None:
        """Show one ray's samples and, for SDF fields, f(t) and the root steps."""
        t = ray.t
        self.sigma_curve.setData(t, ray.sigma)
        self.sigma_dots.setData(x=t, y=ray.sigma)
        self.alpha_curve.setData(t, ray.alpha)
        self.alpha_dots.setData(x=t, y=ray.alpha)
        self.trans_curve.setData(t, ray.transmittance)
        self.trans_dots.setData(x=t, y=ray.transmittance)
        width = 0.8 * float(np.min(ray.delta)) if len(t) > 1 else 0.05
        self.weight_bars.setOpts(x=t, height=ray.weights, width=max(width, 1e-3))
        self.weight_dots.setData(x=t, y=ray.weights)
        self.depth_line.setVisible(bool(np.isfinite(ray.depth)))
        if np.isfinite(ray.depth):
            self.depth_line.setValue(ray.depth)
        self.red.setData(t, ray.running_rgb[:, 0])
        self.green.setData(t, ray.running_rgb[:, 1])
        self.blue.setData(t, ray.running_rgb[:, 2])
        if f_t is None:
            for item in (self.sdf_curve,):
                item.setData([], [])
            for dots in (self.sphere_dots, self.march_dots, self.secant_dots):
                dots.setData(x=[], y=[])
            return
        self.sdf_curve.setData(*f_t)
        for dots, res, kind in (
            (self.sphere_dots, sphere, "sphere"),
            (self.march_dots, secant, "march"),
            (self.secant_dots, secant, "secant"),
        ):
            steps = [] if res is None else [s for s in res.steps if s.kind == kind]
            dots.setData(x=[s.t for s in steps], y=[s.value for s in steps])


class SliceView(PlotPane):
    """The SDF on a plane holding the ray: diverging colours, zero contour, steps."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="SDF slice",
            x_label="t along the ray",
            y_label="s",
            parent=parent,
        )
        self.getPlotItem().setAspectLocked(True)
        self.image = self.add_image("diverging")
        self.contour = pg.PlotCurveItem()  # f = 0, traced by contour_lines
        self.addItem(self.contour)
        self.ray_line = self.add_curve("ray", color_index=7, width=1.5)
        self.circles = self.add_curve("sphere-tracing balls", color_index=1, width=1.5)
        self.sphere_dots = self.add_scatter(color_index=1, size=7)
        self.march_dots = self.add_scatter(color_index=4, size=4, symbol="s")
        self.secant_dots = self.add_scatter(color_index=5, size=9, symbol="t")
        # The stepper's step: a ring at t_k and an arrow to t_k + Δt on the ray.
        self.step_dot = self.add_scatter(color_index=6, size=14)
        self.step_line = self.add_curve(color_index=6, width=3.0)
        self.step_head = pg.ArrowItem(angle=180, headLen=16, tipAngle=40)
        self.step_head.setVisible(False)
        self.addItem(self.step_head)
        self._theme = theme
        theme.changed.connect(self._restyle)
        self._restyle()

    def set_step(self, info: StepInfo | None) -> None:
        """Draw the stepper's step on the ray: where it is and where it moves to."""
        if info is None:
            self.step_dot.setData(x=[], y=[])
            self.step_line.setData([], [])
            self.step_head.setVisible(False)
            return
        self.step_dot.setData(x=[info.t], y=[0.0])
        if info.size is None or info.size == 0.0:
            self.step_line.setData([], [])
            self.step_head.setVisible(False)
            return
        end = info.t + info.size
        self.step_line.setData([info.t, end], [0.0, 0.0])
        # ArrowItem's angle 180 points right (+t); 0 points left.
        self.step_head.setStyle(angle=180 if info.size > 0 else 0)
        self.step_head.setPos(end, 0.0)
        self.step_head.setVisible(True)

    def _restyle(self) -> None:
        color = self._theme.palette.series_color(6)
        self.step_head.setStyle(
            brush=pg.mkBrush(color),
            pen=pg.mkPen(color),
            headLen=16 * self._theme.scale,
        )
        self.contour.setPen(
            pg.mkPen(self._theme.palette.plot_fg, width=2.0 * self._theme.scale)
        )

    def _set_title(self, text: str) -> None:
        if text != self._title:
            self._title = text  # PlotPane restyles with it on theme changes
            size = f"{11 * self.theme.scale:.0f}pt"
            self.getPlotItem().setTitle(
                text, color=self.theme.palette.plot_fg, size=size
            )

    def update_slice(
        self,
        values: FloatArray | None,
        extent: tuple[float, float, float],
        sphere: TraceResult | None,
        secant: TraceResult | None,
        contour: tuple[FloatArray, FloatArray] | None = None,
    ) -> None:
        """Show SDF ``values`` (rows: s, columns: t) over t ∈ [t0, t1], s ∈ ±half.

        ``contour`` is the zero level set (t, s), NaN-separated, traced where the
        values were computed (:attr:`~explorer.core.rays.probe.RayProbe.contour`).
        """
        if values is None:
            self._set_title("no SDF here")
            self.image.clear()
            self.contour.setData([], [])
            for item in (self.ray_line, self.circles):
                item.setData([], [])
            for dots in (self.sphere_dots, self.march_dots, self.secant_dots):
                dots.setData(x=[], y=[])
            return
        self._set_title("SDF slice")
        t0, t1, half = extent
        limit = float(max(np.abs(values).max(), 1e-6))
        self.image.setImage(values, levels=(-limit, limit), autoLevels=False)
        self.image.setRect(pg.QtCore.QRectF(t0, -half, t1 - t0, 2 * half))
        cx, cy = contour if contour is not None else ([], [])
        self.contour.setData(cx, cy, connect="finite")
        self.ray_line.setData([t0, t1], [0.0, 0.0])
        xs: list[float] = []
        ys: list[float] = []
        theta = np.linspace(0.0, 2.0 * np.pi, 48)
        steps = [] if sphere is None else sphere.steps
        for s in steps:
            r = abs(s.value)
            xs += [*(s.t + r * np.cos(theta)), np.nan]
            ys += [*(r * np.sin(theta)), np.nan]
        self.circles.setData(xs, ys, connect="finite")
        self.sphere_dots.setData(x=[s.t for s in steps], y=[0.0] * len(steps))
        marches = (
            [] if secant is None else [s for s in secant.steps if s.kind == "march"]
        )
        secs = [] if secant is None else [s for s in secant.steps if s.kind == "secant"]
        self.march_dots.setData(x=[s.t for s in marches], y=[0.0] * len(marches))
        self.secant_dots.setData(x=[s.t for s in secs], y=[0.0] * len(secs))
        self.getPlotItem().vb.setRange(xRange=(t0, t1), yRange=(-half, half), padding=0)


class SceneView(QWidget):
    """3-D view: the surface, the camera frustum, the ray and its samples by weight."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyvista as pv

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.view = MeshView(theme, self)
        layout.addWidget(self.view)
        self._theme = theme
        self._pv = pv
        plotter = self.view.plotter
        self._surface_actor: Any = None
        self._framed = False
        self._ray = pv.PolyData(np.zeros((2, 3)), lines=np.array([2, 0, 1]))
        self._ray_actor = plotter.add_mesh(
            self._ray, color=theme.palette.plot_fg, line_width=3, name="ray"
        )
        self._samples: Any = None
        self._samples_actor: Any = None
        self._frustum = pv.PolyData(
            np.zeros((5, 3)),
            lines=np.array(
                [2, 0, 1, 2, 0, 2, 2, 0, 3, 2, 0, 4, 2, 1, 2, 2, 2, 3, 2, 3, 4, 2, 4, 1]
            ),
        )
        plotter.add_mesh(
            self._frustum, color=theme.palette.muted, line_width=2, name="camera"
        )
        self._points = pv.PolyData(np.zeros((1, 3)))
        self._points_actor: Any = None
        # From the side: the default camera looks along −z, so its rays run across.
        plotter.camera_position = [(7.5, 3.0, 0.6), (0.0, 0.0, 0.6), (0.0, 1.0, 0.0)]
        theme.changed.connect(self._on_theme_changed)

    def _on_theme_changed(self) -> None:
        self._ray_actor.GetProperty().SetColor(
            self._pv.Color(self._theme.palette.plot_fg).float_rgb
        )

    def set_surface(
        self, mesh: SurfaceMesh | None, *, fog: bool = False, color: str = "#56B4E9"
    ) -> None:
        """Show ``mesh`` (or the fog cube as a translucent box); ``None`` hides it."""
        plotter = self.view.plotter
        if self._surface_actor is not None:
            plotter.remove_actor(self._surface_actor, render=False)
            self._surface_actor = None
        if fog:
            # Edges only: a translucent box shows sorting artefacts (no depth peeling).
            box = self._pv.Box(bounds=(-0.5, 0.5, -0.5, 0.5, -0.5, 0.5))
            self._surface_actor = plotter.add_mesh(
                box.outline(), color=color, line_width=3, name="surface", render=False
            )
        elif mesh is not None and len(mesh.faces) > 0:
            faces = np.hstack([np.full((len(mesh.faces), 1), 3), mesh.faces]).ravel()
            poly = self._pv.PolyData(np.asarray(mesh.vertices, dtype=np.float64), faces)
            self._surface_actor = plotter.add_mesh(
                poly,
                color=color,
                opacity=0.55,
                smooth_shading=True,
                name="surface",
                render=False,
            )
        if self._surface_actor is not None and not self._framed:
            # Frame scene, ray and camera once; afterwards the user's view is kept.
            plotter.reset_camera(render=False)
            self._framed = True
        plotter.reset_camera_clipping_range()
        self.view.request_render()

    def set_camera(self, cam: Camera) -> None:
        """Draw the camera as a small frustum (eye and image corners at depth 0.6)."""
        w, h = cam.width, cam.height
        corners_u = np.array([-0.5, w - 0.5, w - 0.5, -0.5])
        corners_v = np.array([-0.5, -0.5, h - 0.5, h - 0.5])
        o, d = cam.pixel_rays(corners_u, corners_v)
        pts = np.vstack([np.asarray(cam.eye), o + 0.6 * d])
        points: Any = self._frustum.points
        points[:] = pts
        self._frustum.Modified()
        self.view.request_render()

    def set_ray(self, ray: RaySamples, hit: FloatArray | None) -> None:
        """Draw the sampled segment and the samples as dots sized/coloured by weight."""
        plotter = self.view.plotter
        pts = ray.points
        # The segment ends at far (t_N + δ_N), or at t_N with the 1e10 last interval.
        t_end = ray.t[-1] + ray.delta[-1] if ray.delta[-1] < 1e9 else ray.t[-1]
        ray_points: Any = self._ray.points
        ray_points[:] = np.vstack([pts[0], ray.origin + t_end * ray.direction])
        self._ray.Modified()
        w = ray.weights / max(float(ray.weights.max()), 1e-12)
        if self._samples is None or self._samples.n_points != len(pts):
            if self._samples_actor is not None:
                plotter.remove_actor(self._samples_actor, render=False)
            self._samples = self._pv.PolyData(np.asarray(pts, dtype=np.float64))
            self._samples["weight"] = w
            self._samples_actor = plotter.add_mesh(
                self._samples,
                scalars="weight",
                cmap="viridis",
                clim=(0.0, 1.0),
                render_points_as_spheres=True,
                point_size=9,
                show_scalar_bar=False,
                name="samples",
                render=False,
            )
        else:
            self._samples.points[:] = pts
            self._samples["weight"][:] = w
            self._samples.Modified()
        if hit is not None:
            hit_points: Any = self._points.points
            hit_points[:] = np.asarray(hit, dtype=np.float64).reshape(1, 3)
            self._points.Modified()
            if self._points_actor is None:
                self._points_actor = plotter.add_mesh(
                    self._points,
                    color="#D55E00",
                    point_size=16,
                    render_points_as_spheres=True,
                    name="hit",
                    render=False,
                )
            self._points_actor.SetVisibility(True)
        elif self._points_actor is not None:
            self._points_actor.SetVisibility(False)
        plotter.reset_camera_clipping_range()
        self.view.request_render()

    def close_view(self) -> None:
        """Release the 3-D view."""
        self.view.close_view()


class TrainingView(QWidget):
    """Loss and PSNR curves, the held-out NeRF view next to its ground truth."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sdf_loss = PlotPane(theme, title="SDF losses", x_label="step")
        self.sdf_loss.getPlotItem().setLogMode(y=True)
        self.sdf_loss.set_integer_axis("bottom")
        self.sdf_loss.add_legend()
        self.loss_curve = self.sdf_loss.add_curve("total", color_index=0)
        self.eik_curve = self.sdf_loss.add_curve("|‖∇f‖ − 1|", color_index=1)
        self.surf_curve = self.sdf_loss.add_curve("|f| on surface", color_index=2)
        self.psnr = PlotPane(theme, title="NeRF PSNR (dB)", x_label="step")
        self.psnr.setToolTip("PSNR of the NeRF's render of a held-out view")
        self.psnr.add_legend()
        self.psnr_prev = self.psnr.add_curve("previous run", color_index=7, dashed=True)
        self.psnr_curve = self.psnr.add_curve("this run", color_index=5)
        self.psnr_dots = self.psnr.add_scatter(color_index=5, size=6)
        self.psnr.set_integer_axis("bottom")
        # before any run: a sensible frame, not pyqtgraph's 0–1 (on the log axis,
        # one decade of bunched ticks)
        self.sdf_loss.set_empty_range(x=(0.0, 100.0), y=(1e-3, 10.0))
        self.psnr.set_empty_range(x=(0.0, 100.0), y=(10.0, 40.0))
        self.pred = ImageView(theme, "NeRF view")
        self.pred.setToolTip("The NeRF's render of a view it is not trained on")
        self.target = ImageView(theme, "true view")
        self.target.setToolTip("The held-out view rendered from the analytic scene")
        self.flow = FlowGrid(
            theme,
            (self.sdf_loss, self.psnr, self.pred, self.target),
            min_width=220,
            min_height=180,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(vertical_scroller(self.flow))


class RaysMainView(QWidget):
    """The panel's views: image, 3-D scene and slice on top; plots in tabs below."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image_view = ImageView(theme, "image (click)")
        self.image_view.setToolTip("Click a pixel to follow its ray")
        self.scene_view = SceneView(theme)
        self.slice_view = SliceView(theme)
        self.top_flow = FlowGrid(
            theme,
            (self.image_view, self.scene_view, self.slice_view),
            min_width=160,
            min_height=180,
        )
        top = vertical_scroller(self.top_flow)
        self.ray_plots = RayPlots(theme)
        self.training_view = TrainingView(theme)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.ray_plots, "Along the ray")
        self.tabs.addTab(self.training_view, "Training")
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(top)
        right.addWidget(self.tabs)
        right.setSizes([430, 470])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(right)
