"""The Autoregressive panel's views: pixel maps, the dilation tree, heat map, curves."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from numpy.typing import ArrayLike, NDArray
from PySide6.QtCore import QPointF, QRectF, Signal

from explorer.widgets.plot_pane import PlotPane, colormap
from explorer.widgets.theme import ThemeManager

RGB = NDArray[np.uint8]


def plain_axes(plot: pg.PlotWidget) -> None:
    """Turn off SI prefixes on both axes (values, not "(×1e3)")."""
    for name in ("left", "bottom"):
        plot.getPlotItem().getAxis(name).enableAutoSIPrefix(False)


def integer_ticks(plot: pg.PlotWidget, axis: str) -> None:
    """Make ``axis`` of ``plot`` show whole numbers only."""
    ax = plot.getPlotItem().getAxis(axis)
    original = ax.tickValues

    def whole(
        minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        out = []
        for spacing, values in original(minVal, maxVal, size):
            if spacing >= 1:
                out.append((spacing, [v for v in values if float(v).is_integer()]))
        return out or [(1.0, [float(v) for v in range(int(minVal), int(maxVal) + 1)])]

    ax.tickValues = whole


def rgb(hex_color: str) -> tuple[int, int, int]:
    """Return the (r, g, b) bytes of ``#rrggbb``."""
    c = pg.mkColor(hex_color)
    return c.red(), c.green(), c.blue()


class PixelImage(PlotPane):
    """An RGB image drawn one square per pixel, row 0 at the top; clicks give pixels."""

    pixel_clicked = Signal(int, int)  # row, col

    def __init__(self, theme: ThemeManager, title: str = "") -> None:
        super().__init__(theme, title=title)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        plot = self.getPlotItem()
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.vb.setMouseEnabled(x=False, y=False)
        plot.vb.setMenuEnabled(False)
        self.showGrid(x=False, y=False)
        self._shape = (0, 0)
        self.setMinimumSize(140, 140)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def show_rgb(self, image: RGB) -> None:
        """Show ``image`` (h × w × 3 bytes)."""
        h, w = int(image.shape[0]), int(image.shape[1])
        self.image.setImage(image, levels=(0, 255), autoLevels=False)
        self.image.setRect(QRectF(0, 0, w, h))
        if (h, w) != self._shape:
            self._shape = (h, w)
            self.getPlotItem().vb.setRange(xRange=(0, w), yRange=(0, h), padding=0.02)

    def pixel_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """Return the (row, col) under ``scene_pos``, or ``None`` outside the image."""
        p = self.getPlotItem().vb.mapSceneToView(scene_pos)
        row, col = int(np.floor(p.y())), int(np.floor(p.x()))
        h, w = self._shape
        if 0 <= row < h and 0 <= col < w:
            return row, col
        return None

    def _on_scene_clicked(self, event: object) -> None:
        scene_pos = getattr(event, "scenePos", None)
        if scene_pos is None:
            return
        hit = self.pixel_at(scene_pos())
        if hit is not None:
            self.pixel_clicked.emit(*hit)


class TreeView(PlotPane):
    """WaveNet's dilation tree: which earlier samples feed one output (figs. 43–44)."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__(
            theme,
            title="Which inputs feed the output",
            x_label="time offset t (samples before the output)",
            y_label="layer",
        )
        plain_axes(self)
        integer_ticks(self, "left")
        self.edges = self.add_curve("", color_index=0, width=1.0)
        self.nodes = self.add_scatter("", color_index=1, size=6.0)
        self.output = self.add_scatter("", color_index=5, size=11.0)
        self.getPlotItem().vb.setMouseEnabled(x=True, y=False)

    def show_tree(
        self, levels: Sequence[NDArray[np.int64]], dilations: Sequence[int], kernel: int
    ) -> None:
        """Draw ``levels`` (input level first) and the edges between them."""
        xs, ys = [], []
        taps = np.arange(kernel)
        for lev in range(1, len(levels)):
            top = levels[lev].astype(float)[:, None].repeat(kernel, axis=1)
            below = top - dilations[lev - 1] * taps[None, :]
            xs.append(np.stack([top.ravel(), below.ravel()], axis=1).ravel())
            ys.append(np.tile([float(lev), float(lev - 1)], top.size))
        self.edges.setData(np.concatenate(xs), np.concatenate(ys), connect="pairs")
        nx = np.concatenate([lv.astype(float) for lv in levels])
        ny = np.concatenate([np.full(len(lv), i, float) for i, lv in enumerate(levels)])
        self.nodes.setData(x=nx, y=ny)
        self.output.setData(x=[0.0], y=[float(len(levels) - 1)])
        left = float(levels[0].min()) if len(levels[0]) else 0.0
        self.setXRange(left - 0.5, 0.5, padding=0.02)
        self.setYRange(-0.3, len(levels) - 0.7, padding=0.05)


class CurvePlot(PlotPane):
    """A plot of a few named curves (legend), optionally on log axes."""

    def __init__(
        self,
        theme: ThemeManager,
        *,
        title: str,
        x_label: str,
        y_label: str,
        names: Sequence[str],
        log: tuple[bool, bool] = (False, False),
        markers: bool = True,
        dashed_from: int = 99,
    ) -> None:
        super().__init__(theme, title=title, x_label=x_label, y_label=y_label)
        plain_axes(self)
        self.add_legend()
        self.setLogMode(x=log[0], y=log[1])
        self.curves = {}
        for i, name in enumerate(names):
            curve = self.add_curve(name, color_index=i, dashed=i >= dashed_from)
            if markers:
                color = theme.palette.series_color(i)
                curve.setSymbol("o")
                curve.setSymbolSize(6)
                curve.setSymbolBrush(pg.mkBrush(color))
                curve.setSymbolPen(pg.mkPen(color))
            self.curves[name] = curve

    def set_x_ticks(self, values: Sequence[int]) -> None:
        """Label the (log) x axis at ``values`` only (no crowded minor labels)."""
        self.getPlotItem().getAxis("bottom").setTicks(
            [[(float(np.log10(v)), f"{v:,}") for v in values], []]
        )
        # room at both ends, so the first and last labels are not dropped
        lo, hi = float(np.log10(min(values))), float(np.log10(max(values)))
        self.setXRange(lo - 0.15, hi + 0.25, padding=0)
        self.getPlotItem().vb.setMouseEnabled(x=False, y=True)

    def set_log_y_ticks(self, top: float) -> None:
        """Label a log y axis at whole numbers up to ``top`` (1, 2, 4, … or 10ⁿ)."""
        step = 2 if top <= 64 else 10
        values = [1]
        while values[-1] < top:
            values.append(values[-1] * step)
        self.getPlotItem().getAxis("left").setTicks(
            [[(float(np.log10(v)), f"{v:,}") for v in values], []]
        )

    def set_curve(self, name: str, x: ArrayLike, y: ArrayLike) -> None:
        """Show curve ``name`` through the points (x, y)."""
        self.curves[name].setData(np.asarray(x, float), np.asarray(y, float))

    def clear_curves(self) -> None:
        """Remove every curve's data."""
        for curve in self.curves.values():
            curve.setData([], [])


class HeatView(PlotPane):
    """α as a T × T heat map (row i: how query i spreads its attention over keys j)."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__(
            theme,
            title="α = softmax(QKᵀ/√D + M)",
            x_label="key position j",
            y_label="query position i",
        )
        plain_axes(self)
        integer_ticks(self, "left")
        integer_ticks(self, "bottom")
        self.image = self.add_image("sequential")
        self.colorbar = self.add_colorbar(self.image, values=(0, 1), label="α")
        self.colorbar.axis.enableAutoSIPrefix(False)
        theme.changed.connect(self._restyle_colorbar)
        plot = self.getPlotItem()
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.vb.setMouseEnabled(x=False, y=False)
        self.showGrid(x=False, y=False)

    def _restyle_colorbar(self) -> None:
        # PlotPane recolours its images; the bar must follow the same map
        self.colorbar.setColorMap(colormap(self.theme.palette, "sequential"))

    def show_alpha(
        self, alpha: NDArray[np.float64], letters: str = "", *, masked: bool = False
    ) -> None:
        """Show ``alpha`` (levels 0 … 1); ``letters`` label the axes of a word.

        With ``masked`` the cells above the diagonal (the masked future) are drawn
        blank, so a zero there is told apart from a small weight.
        """
        if masked:
            alpha = np.where(np.triu(np.ones_like(alpha), 1) > 0, np.nan, alpha)
        t = alpha.shape[0]
        self.image.setImage(alpha, levels=(0.0, 1.0), autoLevels=False)
        self.image.setToolTip(
            "Blank cells: masked (α = 0 exactly, the future)" if masked else ""
        )
        self.image.setRect(QRectF(-0.5, -0.5, t, t))
        self.getPlotItem().vb.setRange(
            xRange=(-0.5, t - 0.5), yRange=(-0.5, t - 0.5), padding=0.02
        )
        ticks = [[(i, ch) for i, ch in enumerate(letters)]] if letters else None
        for name in ("left", "bottom"):
            self.getPlotItem().getAxis(name).setTicks(ticks)
