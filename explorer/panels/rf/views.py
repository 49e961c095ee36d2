"""Image views of the receptive-field panel: input with RF box, feature map, kernels."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QWidget

from explorer.core.contour import contour_lines
from explorer.core.rf import Box
from explorer.core.rf.heatmap import mass_level
from explorer.core.rf.names import ERF_MASS
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

ERF_CONTOURS = (0.5, ERF_MASS)  # fractions of Σ|∂y/∂x| the ERF contours enclose


def plain_axes(pane: PlotPane) -> None:
    """Numbers as they are on both axes: no "(×1000)" SI prefixes."""
    for axis in ("bottom", "left"):
        pane.getPlotItem().getAxis(axis).enableAutoSIPrefix(False)


def _image_pane(pane: PlotPane) -> None:
    """Make ``pane`` show images: square pixels, y down, no grid."""
    plain_axes(pane)
    pane.showGrid(x=False, y=False)
    pane.setAspectLocked(True)
    pane.invertY(True)
    pane.getPlotItem().setMenuEnabled(False)


class InputView(PlotPane):
    """The network input in grey, the ERF heat map over it and the RF box of a unit.

    Coordinates are input pixels: pixel (row r, column c) covers [c, c+1] × [r, r+1].
    The box may reach outside the image — that part lies in the zero padding.
    """

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="Input: the unit's field",
            x_label="column (px)",
            y_label="row (px)",
            parent=parent,
        )
        _image_pane(self)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("CET-L1"))
        self.addItem(self.image)
        self.erf = self.add_image("sequential")
        self.erf.setOpacity(0.6)
        self.erf.setZValue(5)
        # contours read where the faint heat map does not (224-px networks)
        self.erf_lines = self.add_curve(
            f"ERF: 50 % and {ERF_MASS:.0%} of |∂y/∂x|", color_index=2, width=2.5
        )
        self.erf_lines.setZValue(9)
        self.box = self.add_curve("theoretical RF", color_index=1, width=2.5)
        self.box.setZValue(10)
        self.center = self.add_scatter("unit centre", color_index=5, size=9, symbol="+")
        self.center.setZValue(11)
        self._size = (0, 0)
        self._box: Box | None = None
        self._heat: NDArray[np.float32] | None = None

    def set_input(self, image: NDArray[np.float32]) -> None:
        """Show ``image`` (H, W) in [0, 1] and fit the view to it and the box."""
        size = (int(image.shape[0]), int(image.shape[1]))
        self.image.setImage(image, levels=(0.0, 1.0), autoLevels=False)
        self.image.setRect(QRectF(0, 0, image.shape[1], image.shape[0]))
        if size != self._size:
            self._size = size
            self.fit()

    def clear_input(self) -> None:
        """Remove the input image (until the new stack's input arrives)."""
        self.image.clear()
        self._size = (0, 0)

    def fit(self) -> None:
        """Fit the view to the image and the box (a field may reach past the image)."""
        x0, y0, x1, y1 = 0, 0, self._size[1], self._size[0]
        if self._box is not None:
            x0, y0 = min(x0, self._box.left), min(y0, self._box.top)
            x1, y1 = max(x1, self._box.right + 1), max(y1, self._box.bottom + 1)
        self.getPlotItem().vb.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.06)

    def set_box(self, box: Box | None) -> None:
        """Outline ``box`` (or hide it), widening the view when it leaves the view."""
        self._box = box
        if box is None:
            self.box.setData([], [])
            self.center.setData(x=[], y=[])
            return
        x0, x1 = box.left, box.right + 1
        y0, y1 = box.top, box.bottom + 1
        self.box.setData([x0, x1, x1, x0, x0], [y0, y0, y1, y1, y0])
        self.center.setData(x=[(x0 + x1) / 2], y=[(y0 + y1) / 2])
        (vx0, vx1), (vy0, vy1) = self.getPlotItem().vb.viewRange()
        if x0 < vx0 or x1 > vx1 or y0 < vy0 or y1 > vy1:
            self.fit()

    def set_erf(self, heat: NDArray[np.float32] | None) -> None:
        """Overlay an ERF map (normalised to its peak), or remove it."""
        self._heat = heat
        if heat is None or float(heat.max()) <= 0:
            self.erf.clear()
            self.erf_lines.setData([], [])
            return
        self.erf.setImage(heat / float(heat.max()), levels=(0.0, 1.0), autoLevels=False)
        self.erf.setRect(QRectF(0, 0, heat.shape[1], heat.shape[0]))
        xs = np.arange(heat.shape[1]) + 0.5  # pixel centres
        ys = np.arange(heat.shape[0]) + 0.5
        parts_x: list[NDArray[np.float64]] = []
        parts_y: list[NDArray[np.float64]] = []
        for mass in ERF_CONTOURS:
            cx, cy = contour_lines(heat, mass_level(heat, mass), xs, ys)
            if cx.size:
                parts_x += [cx, np.array([np.nan])]
                parts_y += [cy, np.array([np.nan])]
        if parts_x:
            self.erf_lines.setData(
                np.concatenate(parts_x), np.concatenate(parts_y), connect="finite"
            )
        else:
            self.erf_lines.setData([], [])

    def set_erf_visible(self, visible: bool) -> None:
        """Show or hide the ERF overlay."""
        self.erf.setVisible(visible)
        self.erf_lines.setVisible(visible)

    @property
    def box_rect(self) -> Box | None:
        """The box drawn now."""
        return self._box


class MapView(PlotPane):
    """One feature map; hovering or clicking a unit emits its (row, column)."""

    unit_hovered = Signal(int, int)
    unit_clicked = Signal(int, int)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="Feature map: click a unit",
            x_label="unit column",
            y_label="unit row",
            parent=parent,
        )
        _image_pane(self)
        self.image = self.add_image("sequential")
        self.marker = self.add_curve("selected unit", color_index=1, width=2.5)
        self.marker.setZValue(10)
        self._shape = (0, 0)
        self.scene().sigMouseMoved.connect(self._on_scene_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_map(self, data: NDArray[np.float32], title: str = "") -> None:
        """Show ``data`` (h, w), one pixel per unit, with its own colour range."""
        shape = (int(data.shape[0]), int(data.shape[1]))
        lo, hi = float(data.min()), float(data.max())
        if hi <= lo:
            hi = lo + 1.0
        self.image.setImage(data, levels=(lo, hi), autoLevels=False)
        self.image.setRect(QRectF(0, 0, shape[1], shape[0]))
        if shape != self._shape:
            self._shape = shape
            self.getPlotItem().vb.setRange(
                xRange=(0, shape[1]), yRange=(0, shape[0]), padding=0.05
            )
        if title:
            self.getPlotItem().setTitle(title)

    def clear_map(self, title: str) -> None:
        """Remove the map (until the new one is computed) and say so in the title."""
        self.image.clear()
        self._shape = (0, 0)
        self.getPlotItem().setTitle(title)

    def set_marker(self, i: int, j: int) -> None:
        """Outline unit (``i``, ``j``)."""
        self.marker.setData([j, j + 1, j + 1, j, j], [i, i, i + 1, i + 1, i])

    def unit_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """Return the unit under a scene position, or ``None`` outside the map."""
        if not self.getPlotItem().sceneBoundingRect().contains(scene_pos):
            return None
        p = self.getPlotItem().vb.mapSceneToView(scene_pos)
        i, j = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= i < self._shape[0] and 0 <= j < self._shape[1]:
            return i, j
        return None

    def scene_pos_of(self, i: int, j: int) -> QPointF:
        """Return the scene position of the centre of unit (``i``, ``j``)."""
        pos: QPointF = self.getPlotItem().vb.mapViewToScene(QPointF(j + 0.5, i + 0.5))
        return pos

    def _on_scene_moved(self, pos: QPointF) -> None:
        unit = self.unit_at(pos)
        if unit is not None:
            self.unit_hovered.emit(*unit)

    def _on_scene_clicked(self, event: object) -> None:
        scene_pos = getattr(event, "scenePos", None)
        if scene_pos is None:
            return
        unit = self.unit_at(scene_pos())
        if unit is not None:
            self.unit_clicked.emit(*unit)


def mosaic(
    kernels: NDArray[np.float32], columns: int = 4, gap: float = np.nan
) -> NDArray[np.float32]:
    """Return (C, k, k) kernels tiled in a grid with one-pixel gaps (NaN = blank)."""
    c, kh, kw = kernels.shape
    rows = -(-c // columns)
    out = np.full((rows * (kh + 1) - 1, columns * (kw + 1) - 1), gap, dtype=np.float32)
    for n in range(c):
        r, q = divmod(n, columns)
        out[r * (kh + 1) : r * (kh + 1) + kh, q * (kw + 1) : q * (kw + 1) + kw] = (
            kernels[n]
        )
    return out


class KernelView(PlotPane):
    """The first layer's kernels of the live CNN (diverging colours, 0 = white)."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(theme, title="Live CNN: conv1 kernels", parent=parent)
        _image_pane(self)
        self.getPlotItem().hideAxis("left")
        self.getPlotItem().hideAxis("bottom")
        self.image = self.add_image("diverging")

    def set_kernels(self, kernels: NDArray[np.float32]) -> None:
        """Show (C, k, k) kernels, coloured symmetric about zero."""
        tiles = mosaic(kernels)
        peak = float(np.nanmax(np.abs(tiles))) or 1.0
        self.image.setImage(
            np.nan_to_num(tiles, nan=0.0), levels=(-peak, peak), autoLevels=False
        )
        self.image.setRect(QRectF(0, 0, tiles.shape[1], tiles.shape[0]))
        self.getPlotItem().vb.setRange(
            xRange=(0, tiles.shape[1]), yRange=(0, tiles.shape[0]), padding=0.02
        )
