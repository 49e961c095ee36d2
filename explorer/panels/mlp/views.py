"""The MLP panel's 2-D views: points over a decision map, neuron maps, weight graph."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import QWidget

from explorer.core.contour import contour_lines
from explorer.widgets.plot_pane import PlotPane, colormap, opaque_viewport
from explorer.widgets.theme import ThemeManager

FloatArray = NDArray[np.float64]
PICK_RADIUS_PX = 9
POS_COLOR = 5  # series colours of class +1 (vermillion) and −1 (blue): the ends
NEG_COLOR = 0  # of the diverging map that shows p(y = +1)


def plain_axes(pane: PlotPane) -> None:
    """No SI prefixes, no menu, no mouse zoom (the views are fixed squares)."""
    plot = pane.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    plot.getViewBox().setMouseEnabled(False, False)


class IntegerAxis(pg.AxisItem):
    """An axis that counts things: whole-number ticks only."""

    def tickSpacing(self, minVal: float, maxVal: float, size: float) -> Any:
        """Return pyqtgraph's tick levels with spacings rounded up to integers."""
        levels = super().tickSpacing(minVal, maxVal, size)
        out: list[tuple[float, float]] = []
        for spacing, offset in levels:
            s = float(max(1, round(spacing)))
            if all(s != t for t, _ in out):
                out.append((s, offset))
        return out


def integer_axis(pane: PlotPane, name: str) -> None:
    """Give ``pane``'s axis ``name`` whole-number ticks (counts: sweeps, steps)."""
    axis = IntegerAxis(name)
    axis.enableAutoSIPrefix(False)
    pane.getPlotItem().setAxisItems({name: axis})
    pane.restyle()


class PointsView(PlotPane):
    """Two classes of 2-D points over an optional heat map and a line.

    Left-click adds a point of class +1 (Shift: −1); right-click on a point
    switches its class.  Edits emit :attr:`points_edited` with ``(x, y)``.
    """

    points_edited = Signal(object, object)

    def __init__(
        self, theme: ThemeManager, title: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(theme, title=title, x_label="x₁", y_label="x₂", parent=parent)
        plain_axes(self)
        self.showGrid(x=False, y=False)
        self.setAspectLocked(True)
        self.heat = self.add_image("diverging")
        self.heat.setOpacity(0.75)
        self.heat.setZValue(-10)
        self.boundary = self.add_curve("p = ½", color="#444444", width=2.0)
        self.line = self.add_curve("wᵀx̃ = 0", color="#000000", width=2.5)
        self.neg = self.add_scatter(
            "class −1", color_index=NEG_COLOR, size=8.0, symbol="s"
        )
        self.pos = self.add_scatter("class +1", color_index=POS_COLOR, size=8.0)
        self.used = pg.ScatterPlotItem(symbol="o", pxMode=True)
        self.addItem(self.used)
        for item in (
            self.heat,
            self.boundary,
            self.line,
            self.neg,
            self.pos,
            self.used,
        ):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.x: FloatArray = np.zeros((0, 2))
        self.y: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.half = 1.0
        self.editable = True
        self.getPlotItem().getViewBox().mouseClickEvent = self._on_view_clicked
        self.set_extent(1.0)
        self._ready = True
        self.restyle()

    def restyle(self) -> None:
        """Outline the points so that they stand out on the heat map."""
        super().restyle()
        if getattr(self, "_ready", False):
            pen = pg.mkPen(self.theme.palette.plot_fg, width=max(1.0, self.theme.scale))
            for item in (self.pos, self.neg):
                item.setPen(pen)

    def set_extent(self, half: float) -> None:
        """Show the square [−half, half]²."""
        self.half = half
        self.setRange(xRange=(-half, half), yRange=(-half, half), padding=0.02)

    def set_points(self, x: FloatArray, y: NDArray[np.int64]) -> None:
        """Show the labelled points (labels ±1)."""
        self.x, self.y = np.asarray(x, dtype=np.float64), np.asarray(y)
        pos, neg = self.x[self.y > 0], self.x[self.y <= 0]
        self.pos.setData(x=pos[:, 0], y=pos[:, 1])
        self.neg.setData(x=neg[:, 0], y=neg[:, 1])

    def set_heat(self, values: FloatArray | None, half: float) -> None:
        """Show p(y = +1) sampled on a square grid over [−half, half]² (or nothing)."""
        if values is None:
            self.heat.clear()
            self.boundary.setData([], [])
            return
        self.heat.setImage(values, levels=(0.0, 1.0), autoLevels=False)
        n = values.shape[0]
        step = 2 * half / (n - 1)
        self.heat.setRect(
            QRectF(-half - step / 2, -half - step / 2, 2 * half + step, 2 * half + step)
        )
        ticks = np.linspace(-half, half, n)
        cx, cy = contour_lines(values, 0.5, ticks, ticks)
        self.boundary.setData(cx, cy, connect="finite")

    def set_line(self, w: FloatArray | None) -> None:
        """Draw w₀ + w₁x₁ + w₂x₂ = 0 across the view (nothing for w = 0 or None)."""
        if w is None or not np.any(w[1:]):
            self.line.setData([], [])
            return
        h = self.half
        w0, w1, w2 = (float(v) for v in w)
        if abs(w2) >= abs(w1):
            xs = np.array([-h, h])
            self.line.setData(xs, -(w0 + w1 * xs) / w2)
        else:
            ys = np.array([-h, h])
            self.line.setData(-(w0 + w2 * ys) / w1, ys)

    def set_used(self, index: int) -> None:
        """Ring the point the last update used (none for −1)."""
        if index < 0 or index >= len(self.x):
            self.used.setData(x=[], y=[])
            return
        p = self.x[index]
        self.used.setData(
            x=[p[0]],
            y=[p[1]],
            size=22 * self.theme.scale,
            pen=pg.mkPen(self.theme.palette.plot_fg, width=3 * self.theme.scale),
            brush=pg.mkBrush(None),
        )

    # -- mouse ---------------------------------------------------------------------
    def point_at(self, scene_pos: QPointF) -> int | None:
        """Return the index of the point under ``scene_pos``, if any."""
        if len(self.x) == 0:
            return None
        vb = self.getPlotItem().getViewBox()
        pts = [vb.mapViewToScene(QPointF(float(a), float(b))) for a, b in self.x]
        d = np.array(
            [(q.x() - scene_pos.x()) ** 2 + (q.y() - scene_pos.y()) ** 2 for q in pts]
        )
        i = int(d.argmin())
        return i if d[i] <= (PICK_RADIUS_PX * self.theme.scale) ** 2 else None

    def _on_view_clicked(self, ev: Any) -> None:
        if not self.editable:
            return
        ev.accept()
        hit = self.point_at(ev.scenePos())
        x, y = self.x.copy(), self.y.copy()
        if ev.button() == Qt.MouseButton.RightButton:
            if hit is None:
                return
            y[hit] = -y[hit]
        elif ev.button() == Qt.MouseButton.LeftButton:
            pt = self.getPlotItem().getViewBox().mapSceneToView(ev.scenePos())
            shift = bool(ev.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            x = np.vstack([x, [[pt.x(), pt.y()]]])
            y = np.append(y, -1 if shift else 1)
        else:
            return
        self.points_edited.emit(x, y)


class NeuronGrid(pg.GraphicsLayoutWidget):
    """Each hidden neuron's activation over the input square, one row per layer.

    Clicking a map emits :attr:`neuron_clicked` with (layer, unit).
    """

    neuron_clicked = Signal(int, int)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent=parent)
        self._theme = theme
        self._layout_key: tuple[tuple[int, int], ...] = ()
        self._images: dict[tuple[int, int], pg.ImageItem] = {}
        self._boxes: dict[tuple[int, int], pg.ViewBox] = {}
        self.selected: tuple[int, int] | None = None
        opaque_viewport(self)
        self.setToolTip(
            "Each hidden neuron's output over the input square; click one to enlarge it"
        )
        theme.changed.connect(self.restyle)
        self.restyle()

    def restyle(self) -> None:
        """Follow the palette."""
        self.setBackground(self._theme.palette.plot_bg)
        cmap = colormap(self._theme.palette, "diverging")
        for img in self._images.values():
            img.setColorMap(cmap)

    def show_maps(
        self, neurons: tuple[tuple[int, int, FloatArray], ...], activation: str
    ) -> None:
        """Show the maps (rebuilding the grid only when the units change)."""
        key = tuple((layer, unit) for layer, unit, _ in neurons)
        if key != self._layout_key:
            self._rebuild(key)
        for layer, unit, m in neurons:
            if activation == "sigmoid":
                levels = (0.0, 1.0)
            else:
                span = float(np.abs(m).max()) or 1.0
                levels = (-span, span)
            self._images[(layer, unit)].setImage(m, levels=levels, autoLevels=False)

    def clear_maps(self) -> None:
        """Remove every map (a new architecture or data set)."""
        self._rebuild(())

    def _rebuild(self, key: tuple[tuple[int, int], ...]) -> None:
        self.clear()
        self._images.clear()
        self._boxes.clear()
        self._layout_key = key
        cmap = colormap(self._theme.palette, "diverging")
        row = -1
        last_layer = -1
        col = 0
        for layer, unit in key:
            if layer != last_layer:
                row, col, last_layer = row + 1, 0, layer
            vb = self.addViewBox(row=row, col=col, lockAspect=True, enableMouse=False)
            vb.setMenuEnabled(False)
            img = pg.ImageItem(axisOrder="row-major")
            img.setColorMap(cmap)
            vb.addItem(img)
            vb.mouseClickEvent = lambda ev, k=(layer, unit): self._on_box_clicked(ev, k)
            self._images[(layer, unit)] = img
            self._boxes[(layer, unit)] = vb
            col += 1

    def _on_box_clicked(self, ev: Any, key: tuple[int, int]) -> None:
        ev.accept()
        self.selected = key
        self.neuron_clicked.emit(*key)

    def box_center(self, layer: int, unit: int) -> QPointF:
        """Return the widget position of a map's centre (tests click there)."""
        vb = self._boxes[(layer, unit)]
        scene = vb.mapToScene(vb.boundingRect().center())
        return QPointF(self.mapFromScene(scene))

    def image(self, layer: int, unit: int) -> pg.ImageItem:
        """Return the image item of one neuron."""
        return self._images[(layer, unit)]


class WeightGraph(PlotPane):
    """The network as a graph: one column of nodes per layer, line width ∝ |w|."""

    BUCKETS = 4

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(theme, title="Weights (width ∝ |w|)", parent=parent)
        plain_axes(self)
        self.showGrid(x=False, y=False)
        plot = self.getPlotItem()
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        self._edges: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        for k in range(self.BUCKETS):
            width = 0.5 + 1.5 * k
            self._edges.append(
                (
                    self.add_curve(color_index=POS_COLOR, width=width),
                    self.add_curve(color_index=NEG_COLOR, width=width),
                )
            )
        for pos_item, neg_item in self._edges:  # thick antialiased pens paint slowly
            pos_item.opts["antialias"] = False
            neg_item.opts["antialias"] = False
        self.nodes = self.add_scatter(color="#777777", size=7.0)
        self._sizes: list[int] = []
        self.setToolTip(
            "Vermillion: positive weight, blue: negative; thicker: larger |w|"
        )

    def show_weights(self, weights: Any) -> None:
        """Draw the layers of ``weights`` ((W, b) per layer, input side first)."""
        sizes = [weights[0][0].shape[1], *(w.shape[0] for w, _ in weights)]
        ys = [np.linspace(-1, 1, n) if n > 1 else np.zeros(1) for n in sizes]
        nx = np.concatenate([np.full(n, float(i)) for i, n in enumerate(sizes)])
        self.nodes.setData(x=nx, y=np.concatenate(ys))
        blocks = []
        for i, (w, _) in enumerate(weights):
            y_out, y_in = np.meshgrid(ys[i + 1], ys[i], indexing="ij")
            blocks.append(
                np.column_stack(
                    [
                        np.full(w.size, float(i)),
                        y_in.ravel(),
                        np.full(w.size, i + 1.0),
                        y_out.ravel(),
                        w.ravel(),
                    ]
                )
            )
        arr = np.concatenate(blocks) if blocks else np.zeros((0, 5))
        top = float(np.abs(arr[:, 4]).max()) if len(arr) else 1.0
        bucket = np.minimum(
            (np.abs(arr[:, 4]) / (top or 1.0) * self.BUCKETS).astype(int),
            self.BUCKETS - 1,
        )
        for k, (pos_item, neg_item) in enumerate(self._edges):
            for item, sel in ((pos_item, arr[:, 4] > 0), (neg_item, arr[:, 4] <= 0)):
                s = arr[(bucket == k) & sel]
                xs = np.column_stack([s[:, 0], s[:, 2]]).ravel()
                yv = np.column_stack([s[:, 1], s[:, 3]]).ravel()
                item.setData(xs, yv, connect="pairs")
        if sizes != self._sizes:  # a new range re-lays the axes out: only on change
            self._sizes = sizes
            self.setRange(
                xRange=(-0.3, len(sizes) - 0.7), yRange=(-1.2, 1.2), padding=0
            )

    def clear_weights(self) -> None:
        """Remove the graph."""
        self._sizes = []
        self.nodes.setData(x=[], y=[])
        for pos_item, neg_item in self._edges:
            pos_item.setData([], [])
            neg_item.setData([], [])
