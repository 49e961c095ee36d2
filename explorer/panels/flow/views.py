"""Views of the flow panel: the 1-D map and its densities, the 2-D density, the warp.

Every plot item is made once and updated with ``setData`` / ``setImage``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QWidget

from explorer.core.flow.spline import MIN_GAP
from explorer.widgets.plot_pane import PlotPane, step_above, stepped_span
from explorer.widgets.theme import ThemeManager

FloatArray = NDArray[np.float64]
PICK_RADIUS_PX = 14.0
MAX_BANDS = 10
TEST_POINTS = 400  # points drawn of the smooth test-NLL curve


def _plain_axes(pane: PlotPane) -> None:
    plot = pane.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    plot.getViewBox().setMouseEnabled(False, False)


class SplineView(PlotPane):
    """z = h(x) through draggable knots; emits ``knots_edited`` with the new knots."""

    knots_edited = Signal(object)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="z = h(x)",
            x_label="x",
            y_label="z",
            parent=parent,
        )
        _plain_axes(self)
        self.curve = self.add_curve("h", color_index=0, width=2.5)
        self.dots = self.add_scatter("knots", color_index=1, size=12.0)
        self.curve.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.dots.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setRange(xRange=(-4, 4), yRange=(-4, 4), padding=0.02)
        self._knots = np.zeros((0, 2))
        self._drag: int | None = None
        self.setToolTip(
            "Drag a knot: h stays increasing (a knot stops at its neighbours), and "
            "p_x follows"
        )
        self.getPlotItem().getViewBox().mouseDragEvent = self._on_view_dragged

    def show_map(self, knots: FloatArray, xs: FloatArray, zs: FloatArray) -> None:
        """Draw h on ``xs`` and its knots."""
        self._knots = np.asarray(knots, dtype=np.float64).copy()
        self.curve.setData(xs, zs)
        self.dots.setData(x=self._knots[:, 0], y=self._knots[:, 1])

    def knot_at(self, scene_pos: QPointF) -> int | None:
        """Return the knot within the pick radius of ``scene_pos``, if any."""
        if len(self._knots) == 0:
            return None
        vb = self.getPlotItem().getViewBox()
        pts = [vb.mapViewToScene(QPointF(float(x), float(y))) for x, y in self._knots]
        d = np.array(
            [(q.x() - scene_pos.x()) ** 2 + (q.y() - scene_pos.y()) ** 2 for q in pts]
        )
        i = int(d.argmin())
        return i if d[i] <= (PICK_RADIUS_PX * self.theme.scale) ** 2 else None

    def move_knot(self, index: int, x: float, z: float) -> None:
        """Move knot ``index`` to (x, z) between its neighbours (h stays increasing)."""
        k = self._knots.copy()
        gap = 5 * MIN_GAP
        lo_x = k[index - 1, 0] + gap if index > 0 else -4.0
        hi_x = k[index + 1, 0] - gap if index < len(k) - 1 else 4.0
        lo_z = k[index - 1, 1] + gap if index > 0 else -6.0
        hi_z = k[index + 1, 1] - gap if index < len(k) - 1 else 6.0
        k[index] = (float(np.clip(x, lo_x, hi_x)), float(np.clip(z, lo_z, hi_z)))
        self._knots = k
        self.knots_edited.emit(k.copy())

    def _on_view_dragged(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        if ev.isStart():
            self._drag = self.knot_at(ev.buttonDownScenePos())
        if self._drag is not None:
            pt = self.getPlotItem().getViewBox().mapSceneToView(ev.scenePos())
            self.move_knot(self._drag, pt.x(), pt.y())
        if ev.isFinish():
            self._drag = None


class MassView(PlotPane):
    """A density with bands of equal probability mass shaded alternately."""

    def __init__(
        self,
        theme: ThemeManager,
        title: str,
        x_label: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            theme, title=title, x_label=x_label, y_label="density", parent=parent
        )
        _plain_axes(self)
        self.bands = []
        for _ in range(MAX_BANDS):
            band = pg.PlotDataItem([], [], fillLevel=0.0, pen=pg.mkPen(None))
            band.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
            self.addItem(band)
            self.bands.append(band)
        self.curve = self.add_curve("p", color_index=0, width=2.5)
        self.setXRange(-4, 4, padding=0.02)
        self._band_data: list[tuple[FloatArray, FloatArray]] = []
        self.restyle()

    def show_density(
        self, xs: FloatArray, ps: FloatArray, edges: FloatArray, fn: Any
    ) -> None:
        """Draw ``ps`` on ``xs``; shade between consecutive ``edges`` (fn: density)."""
        self.curve.setData(xs, ps)
        lo, hi = float(xs[0]), float(xs[-1])
        self._band_data = []
        for i, band in enumerate(self.bands):
            if i >= len(edges) - 1:
                band.setData([], [])
                continue
            a, b = max(float(edges[i]), lo), min(float(edges[i + 1]), hi)
            if b <= a:
                band.setData([], [])
                continue
            bx = np.linspace(a, b, 60)
            band.setData(bx, fn(bx))
        self.setYRange(0.0, max(float(np.max(ps)) * 1.08, 1e-3), padding=0)
        self._color_bands()

    def _color_bands(self) -> None:
        p = self.theme.palette
        for i, band in enumerate(getattr(self, "bands", [])):
            color = pg.mkColor(p.series_color(2 if i % 2 == 0 else 3))
            color.setAlpha(110)
            band.setBrush(pg.mkBrush(color))

    def restyle(self) -> None:
        """Re-apply theme colours, including the bands."""
        super().restyle()
        self._color_bands()


class DensityView(PlotPane):
    """The learned density p(x) as a heat map, the data, and the probed point.

    ``clicked(x, y)`` is emitted for a left click inside the plot.
    """

    clicked = Signal(float, float)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="p(x) and data",
            x_label="x₁",
            y_label="x₂",
            parent=parent,
        )
        _plain_axes(self)
        self.showGrid(x=False, y=False)
        self.setAspectLocked(True)
        self.heat = self.add_image("sequential")
        self.heat.setZValue(-10)
        self.data = self.add_scatter("data", color="#ffffff", size=2.5)
        self.drawn = self.add_scatter("your points", color_index=1, size=7.0)
        self.probe = self.add_scatter("probe", color_index=3, size=16.0, symbol="+")
        for item in (self.heat, self.data, self.drawn, self.probe):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.getPlotItem().getViewBox().mouseClickEvent = self._on_view_clicked
        self.set_box((-4.0, 4.0, -4.0, 4.0))

    def set_box(self, box: tuple[float, float, float, float]) -> None:
        """Show the square ``box`` (x0, x1, y0, y1)."""
        x0, x1, y0, y1 = box
        self._box = box
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.0)

    def show_density(
        self, logp: FloatArray, box: tuple[float, float, float, float]
    ) -> None:
        """Draw exp(``logp``) (rows bottom-up) over ``box``."""
        p = np.exp(logp)
        top = float(np.quantile(p, 0.995)) or 1.0
        self.heat.setImage(p, levels=(0.0, top), autoLevels=False)
        x0, x1, y0, y1 = box
        self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def clear_density(self) -> None:
        """Remove the heat map and the probe marker."""
        self.heat.clear()
        self.probe.setData(x=[], y=[])

    def show_probe(self, point: tuple[float, float] | None) -> None:
        """Mark the probed point (or none)."""
        if point is None:
            self.probe.setData(x=[], y=[])
        else:
            self.probe.setData(x=[point[0]], y=[point[1]])

    def _on_view_clicked(self, ev: Any) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        pt = self.getPlotItem().getViewBox().mapSceneToView(ev.scenePos())
        x0, x1, y0, y1 = self._box
        self.clicked.emit(
            float(np.clip(pt.x(), x0, x1)), float(np.clip(pt.y(), y0, y1))
        )


class WarpView(PlotPane):
    """A grid in z-space and samples z ~ N(0, I), pushed through the flow so far."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme, title="warped grid", x_label="", y_label="", parent=parent
        )
        _plain_axes(self)
        self.setAspectLocked(True)
        self.grid = self.add_curve("grid", color_index=0, width=1.0)
        # ×2 makes the pen 2 px: antialiased, QPainter strokes the 1600-point
        # path (about 11 ms a paint); plain, pyqtgraph draws segments (about 1.4)
        self.grid.opts["antialias"] = False
        self.samples = self.add_scatter("samples", color_index=1, size=3.0)
        self.setRange(xRange=(-4, 4), yRange=(-4, 4), padding=0.0)
        self._stage_title = ""

    def _set_title(self, title: str) -> None:
        if title != self._stage_title:  # a new title lays the plot out again
            self._stage_title = title
            self.getPlotItem().setTitle(
                title,
                color=self.theme.palette.plot_fg,
                size=f"{11 * self.theme.scale:.0f}pt",
            )

    def restyle(self) -> None:
        """Re-apply the theme, the stage title included."""
        super().restyle()
        if getattr(self, "_stage_title", ""):
            title, self._stage_title = self._stage_title, ""
            self._set_title(title)

    def show_stage(self, title: str, grid: FloatArray, samples: FloatArray) -> None:
        """Draw one stage: its polylines (lines, points, 2) and samples (n, 2)."""
        self._set_title(title)
        lines = np.concatenate([grid, np.full((grid.shape[0], 1, 2), np.nan)], axis=1)
        flat = lines.reshape(-1, 2)
        self.grid.setData(flat[:, 0], flat[:, 1], connect="finite")
        self.samples.setData(x=samples[:, 0], y=samples[:, 1])

    def clear_stage(self) -> None:
        """Remove the grid and the samples."""
        self.grid.setData([], [])
        self.samples.setData(x=[], y=[])
        self._set_title("warped grid")


class NllPane(PlotPane):
    """Train and test NLL per step, and the fitted Gaussian's test NLL."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="NLL (nats / point)",
            x_label="step",
            y_label="NLL",
            parent=parent,
        )
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        for name in ("left", "bottom"):
            plot.getAxis(name).enableAutoSIPrefix(False)
        self.add_legend()
        self.train = self.add_curve("train (batch)", color_index=0)
        # the per-batch NLL is noisy: antialiased at ×2 it cost ~60 ms a paint
        # (QPainter's path stroker), drawn as plain segments ~7 ms
        self.train.opts["antialias"] = False
        self.test = self.add_curve("test", color_index=1)
        self.gauss = self.add_curve("Gaussian (test)", color_index=2, dashed=True)

    def show_curves(
        self, steps: FloatArray, train: FloatArray, test: FloatArray, gauss: float
    ) -> None:
        """Draw the NLL history and the Gaussian's level across it."""
        self.train.setData(steps, train)
        # the test NLL (a fixed set) is smooth: every k-th of at most TEST_POINTS
        # points looks the same and keeps the antialiased stroke cheap
        stride = max(1, -(-len(steps) // TEST_POINTS))
        keep = np.unique(np.append(np.arange(0, len(steps), stride), len(steps) - 1))
        keep = keep[keep >= 0]
        self.test.setData(steps[keep], test[keep])
        end = float(steps[-1]) if len(steps) and steps[-1] > 0 else 1.0
        self.gauss.setData([0.0, end], [gauss, gauss])
        # our own stepped ranges: pyqtgraph's auto range painted each update twice
        values = np.concatenate([train, test, [gauss]])
        values = values[np.isfinite(values)]
        if len(values):
            self.set_live_range(
                (0.0, step_above(end)),
                stepped_span(float(values.min()), float(values.max())),
            )

    def clear_curves(self) -> None:
        """Remove every curve."""
        for item in (self.train, self.test, self.gauss):
            item.setData([], [])
