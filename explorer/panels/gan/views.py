"""Views of the GAN panel: the 2-D field (D heatmap, data, samples, arrows) and curves.

Every plot item is made once and then updated with ``setData`` / ``setImage``.
The field's view box handles the mouse: a click adds a mode, a drag on empty
ground paints a trail of modes, a drag that starts on a mode moves it, and a
right click on a mode removes it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QWidget

from explorer.core.contour import contour_lines
from explorer.core.gan import GanProgress
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

TRAIL_SAMPLES = 96  # samples whose recent path is drawn
ARROW_SAMPLES = 160  # samples that get a gradient arrow (all of them would clutter)
PICK_RADIUS_PX = 12.0


class FieldView(PlotPane):
    """Data modes, real samples and G's samples over D's heatmap with its 0.5 contour.

    Signals
    -------
    modes_edited(object)
        The (M, 2) array of modes after a click, drag or removal by the user.
    """

    modes_edited = Signal(object)

    def __init__(
        self, theme: ThemeManager, title: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(theme, title=title, x_label="x₁", y_label="x₂", parent=parent)
        plot = self.getPlotItem()
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.showGrid(x=False, y=False)  # the heatmap is the background; a grid costs
        self.setAspectLocked(True)
        vb = plot.getViewBox()
        vb.setMouseEnabled(False, False)
        self.heat = self.add_image("diverging")
        self.heat.setOpacity(0.7)
        self.heat.setZValue(-10)
        # D = ½ (or C = mean) traced by contour_lines: the pen follows the theme
        self.contour = pg.PlotCurveItem(pen=pg.mkPen("k"))
        self.addItem(self.contour)
        self.colorbar = self.add_colorbar(self.heat, values=(0.0, 1.0), label="D(x)")
        self.real = self.add_scatter("data", color_index=2, size=3.0)
        self.trails = self.add_scatter("trail", color="#8a8a8a", size=2.0)
        self.samples = self.add_scatter("G(z)", color_index=1, size=4.0)
        self.arrows = self.add_curve("−∂L_G/∂x", width=1.0)  # pen set in restyle
        self.modes = pg.ScatterPlotItem(symbol="o", pxMode=True)
        self.addItem(self.modes)
        for item in (
            self.heat,
            self.real,
            self.trails,
            self.samples,
            self.arrows,
            self.modes,
        ):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._means = np.zeros((0, 2))
        self._std = 0.05
        self._captured = np.zeros(0, dtype=bool)
        self._modes_key: tuple[object, ...] | None = None  # what the circles show
        self._drag_index: int | None = None
        self._last_paint: NDArray[np.float64] | None = None
        self._extent: tuple[float, float, float, float] | None = None
        self._bar_state: tuple[tuple[float, float], str] = ((0.0, 1.0), "D(x)")
        self.editable = True
        vb.mouseClickEvent = self._on_view_clicked
        vb.mouseDragEvent = self._on_view_dragged
        self.restyle()

    def set_title(self, text: str, color_index: int | None = None) -> None:
        """Show ``text`` above the plot, in series colour ``color_index`` if given.

        The curves below use the same colours, so no legend covers them.
        """
        self._title = text
        self._title_color = color_index
        scale = self.theme.scale
        palette = self.theme.palette
        color = (
            palette.plot_fg
            if color_index is None
            else palette.series_color(color_index)
        )
        self.getPlotItem().setTitle(
            f"<b>{text}</b>" if color_index is not None else text,
            color=color,
            size=f"{11 * scale:.0f}pt",
        )

    # -- data ------------------------------------------------------------------------
    @property
    def means(self) -> NDArray[np.float64]:
        """The modes shown (and edited) in this view."""
        return self._means.copy()

    def set_extent(self, extent: tuple[float, float, float, float]) -> None:
        """Fix the visible square to ``extent`` (x0, x1, y0, y1)."""
        if extent == self._extent:
            return
        self._extent = extent
        x0, x1, y0, y1 = extent
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.02)

    def set_data(
        self, means: NDArray[np.float64], std: float, real: NDArray[np.float64]
    ) -> None:
        """Show the data modes (circles of radius 3σ) and a cloud of real samples."""
        self._means = np.asarray(means, dtype=np.float64).reshape(-1, 2).copy()
        self._std = std
        if len(self._captured) != len(self._means):
            self._captured = np.zeros(len(self._means), dtype=bool)
        self.real.setData(x=real[:, 0], y=real[:, 1])
        self._draw_modes()

    def show_progress(
        self, p: GanProgress, trail: Sequence[GanProgress] = (), arrows: bool = True
    ) -> None:
        """Draw snapshot ``p`` (and the samples of ``trail``, oldest first)."""
        self.set_extent(p.extent)
        if p.heat_is_probability:
            levels, label, level = (0.0, 1.0), "D(x)", 0.5
        else:
            # a symmetric range, rounded, and kept while the critic's values fill
            # more than half of it: each new range redraws the colour bar's axes
            # (the WGAN view was painted twice as often as the others)
            label, level = "C(x) − mean", 0.0
            span = float(np.abs(p.heat).max()) or 1.0
            (_low, shown), shown_label = self._bar_state
            if not (shown_label == label and shown / 2 < span <= shown):
                shown = _round_up(span)
            levels = (-shown, shown)
        self.heat.setImage(p.heat, levels=levels, autoLevels=False)
        rows, cols = p.heat.shape
        ex0, ex1, ey0, ey1 = p.extent
        # the heat map is sampled at pixel centres (GanTrainer._make_grid)
        xs = ex0 + (np.arange(cols) + 0.5) * (ex1 - ex0) / cols
        ys = ey0 + (np.arange(rows) + 0.5) * (ey1 - ey0) / rows
        cx, cy = contour_lines(p.heat, level, xs, ys)
        self.contour.setData(cx, cy, connect="finite")
        if (levels, label) != self._bar_state:
            # the colour bar's four axes are costly to repaint: only on change
            self._bar_state = (levels, label)
            self.colorbar.setLevels(levels)
            self.colorbar.getAxis("left").setLabel(label)
            self._fit_bar()
        x0, x1, y0, y1 = p.extent
        # after setImage: ImageItem.setRect needs the image's size
        self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.samples.setData(x=p.samples[:, 0], y=p.samples[:, 1])
        if trail:
            pts = np.concatenate([t.samples[:TRAIL_SAMPLES] for t in trail])
            self.trails.setData(x=pts[:, 0], y=pts[:, 1])
        else:
            self.trails.setData(x=[], y=[])
        if arrows:
            seg = arrow_segments(
                p.samples[:ARROW_SAMPLES], _arrow_scale(p) * p.arrows[:ARROW_SAMPLES]
            )
            self.arrows.setData(seg[:, 0], seg[:, 1], connect="pairs")
        else:
            self.arrows.setData([], [])
        self._captured = (
            p.captured
            if len(p.captured) == len(self._means)
            else (np.zeros(len(self._means), dtype=bool))
        )
        self._draw_modes()

    def clear_progress(self) -> None:
        """Remove samples, arrows, trails and the heatmap (before a first report)."""
        for item in (self.samples, self.trails):
            item.setData(x=[], y=[])
        self.arrows.setData([], [])
        self.heat.clear()
        self.contour.setData([], [])
        self._captured = np.zeros(len(self._means), dtype=bool)
        self._draw_modes()

    def _draw_modes(self) -> None:
        p = self.theme.palette
        scale = self.theme.scale
        key = (self._means.tobytes(), self._captured.tobytes(), scale, p)
        if key == self._modes_key:
            # unchanged: new pens each frame made new symbol pixmaps (pyqtgraph's
            # atlas knows a pen by its id), 2–10 ms a frame at ×2
            return
        self._modes_key = key
        # a mode's circle is drawn at 3σ in data units when that is visible, else 12 px
        pens = [
            pg.mkPen(p.series_color(2) if c else p.plot_fg, width=2.0 * scale)
            for c in self._captured
        ]
        self.modes.setData(
            x=self._means[:, 0],
            y=self._means[:, 1],
            size=12 * scale,
            pen=pens or None,
            brush=pg.mkBrush(None),
        )

    def restyle(self) -> None:
        """Re-apply theme colours, including the contour and the mode circles."""
        super().restyle()
        if hasattr(self, "contour"):
            fg, scale = self.theme.palette.plot_fg, self.theme.scale
            self.contour.setPen(pg.mkPen(fg, width=2.0 * scale))
            self.arrows.setPen(pg.mkPen(fg, width=1.0 * scale))
            # the colour bar is a plot of its own: give it the pane's fonts
            font = self.font()
            font.setPointSizeF(9.0 * scale)
            ticks = self.colorbar.getAxis("right")  # "left" only carries the label
            ticks.setStyle(tickFont=font)
            ticks.setTextPen(pg.mkPen(fg))
            self.colorbar.getAxis("left").label.setFont(font)
            self._fit_bar()
            self._draw_modes()
        if getattr(self, "_title_color", None) is not None:
            self.set_title(self._title, self._title_color)

    def _fit_bar(self) -> None:
        """Give the colour bar three numbers (ends and middle) and just their width.

        Four fields side by side at ×2 leave a bar ~50 px: five numbers print over
        each other, and a fixed 80 px axis pushed the last field's numbers out of
        its pane (pyqtgraph drops a number that does not fit, without a word).
        """
        (low, high), _label = self._bar_state
        ticks = self.colorbar.getAxis("right")
        shown = (low, (low + high) / 2.0, high)
        ticks.setTicks([[(v, f"{v:g}") for v in shown], []])
        metrics = QFontMetricsF(ticks.style["tickFont"] or ticks.font())
        widest = max(metrics.horizontalAdvance(f"{v:g}") for v in shown)
        room = max(0, ticks.style["tickLength"]) + ticks.style["tickTextOffset"][0]
        ticks.setWidth(math.ceil(widest + room + 2))

    # -- mouse -------------------------------------------------------------------------
    def _view_pos(self, scene_pos: QPointF) -> NDArray[np.float64]:
        pt = self.getPlotItem().getViewBox().mapSceneToView(scene_pos)
        return np.array([pt.x(), pt.y()])

    def _mode_at(self, scene_pos: QPointF) -> int | None:
        if len(self._means) == 0:
            return None
        vb = self.getPlotItem().getViewBox()
        pts = [vb.mapViewToScene(QPointF(float(x), float(y))) for x, y in self._means]
        d = np.array(
            [(q.x() - scene_pos.x()) ** 2 + (q.y() - scene_pos.y()) ** 2 for q in pts]
        )
        i = int(d.argmin())
        return i if d[i] <= (PICK_RADIUS_PX * self.theme.scale) ** 2 else None

    def add_mode(self, x: float, y: float) -> None:
        """Add a mode at (x, y) and emit :attr:`modes_edited`."""
        self._set_means(np.vstack([self._means, [[x, y]]]))

    def move_mode(self, index: int, x: float, y: float) -> None:
        """Move mode ``index`` to (x, y) and emit :attr:`modes_edited`."""
        means = self._means.copy()
        means[index] = (x, y)
        self._set_means(means)

    def remove_mode(self, index: int) -> None:
        """Remove mode ``index`` (the last one stays) and emit :attr:`modes_edited`."""
        if len(self._means) > 1:
            self._set_means(np.delete(self._means, index, axis=0))

    def _set_means(self, means: NDArray[np.float64]) -> None:
        self._means = means
        self._captured = np.zeros(len(means), dtype=bool)
        self._draw_modes()
        self.modes_edited.emit(means.copy())

    def _clamp(self, xy: NDArray[np.float64]) -> tuple[float, float]:
        if self._extent is None:
            return float(xy[0]), float(xy[1])
        x0, x1, y0, y1 = self._extent
        return float(np.clip(xy[0], x0, x1)), float(np.clip(xy[1], y0, y1))

    def _on_view_clicked(self, ev: Any) -> None:
        if not self.editable:
            return
        ev.accept()
        hit = self._mode_at(ev.scenePos())
        if ev.button() == Qt.MouseButton.RightButton and hit is not None:
            self.remove_mode(hit)
        elif ev.button() == Qt.MouseButton.LeftButton and hit is None:
            self.add_mode(*self._clamp(self._view_pos(ev.scenePos())))

    def _on_view_dragged(self, ev: Any, axis: int | None = None) -> None:
        if not self.editable or ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        pos = self._view_pos(ev.scenePos())
        if ev.isStart():
            self._drag_index = self._mode_at(ev.buttonDownScenePos())
            self._last_paint = None
            if self._drag_index is None:
                start = self._view_pos(ev.buttonDownScenePos())
                self.add_mode(*self._clamp(start))
                self._last_paint = start
        if self._drag_index is not None:
            self.move_mode(self._drag_index, *self._clamp(pos))
        elif self._last_paint is not None and (
            np.linalg.norm(pos - self._last_paint) >= 8 * self._std
        ):
            # painting: one new mode every 8σ so the 3σ balls stay apart
            self.add_mode(*self._clamp(pos))
            self._last_paint = pos
        if ev.isFinish():
            self._drag_index = None
            self._last_paint = None


def _round_up(span: float) -> float:
    """Return ``span`` rounded up to one significant digit below 1 (0.34 → 0.4),
    else to a half (2.3 → 2.5): a colour bar's end."""
    if span >= 1:
        return math.ceil(span * 2) / 2
    unit = 10.0 ** math.floor(math.log10(span))
    return float(f"{math.ceil(span / unit - 1e-6) * unit:.1g}")  # float32 0.2 → 0.2


def arrow_segments(
    starts: NDArray[np.float32], vectors: NDArray[np.float32], head: float = 0.35
) -> NDArray[np.float32]:
    """Return (6N, 2) point pairs: each arrow's shaft and the two strokes of its head.

    The head strokes are ``head`` times the arrow's length, at ±25° from its
    back, so a reader sees which way G pushes each sample.
    """
    starts = np.asarray(starts, dtype=np.float32).reshape(-1, 2)
    vec = np.asarray(vectors, dtype=np.float32).reshape(-1, 2)
    ends = starts + vec
    c, s = math.cos(math.radians(25.0)), math.sin(math.radians(25.0))
    back = -head * vec
    left = np.stack(
        [c * back[:, 0] - s * back[:, 1], s * back[:, 0] + c * back[:, 1]], 1
    )
    right = np.stack(
        [c * back[:, 0] + s * back[:, 1], -s * back[:, 0] + c * back[:, 1]], 1
    )
    seg = np.empty((6 * len(starts), 2), dtype=np.float32)
    seg[0::6], seg[1::6] = starts, ends
    seg[2::6], seg[3::6] = ends, ends + left
    seg[4::6], seg[5::6] = ends, ends + right
    return seg


def _arrow_scale(p: GanProgress) -> float:
    """Return a length factor so the longer arrows span ~6 % of the view."""
    norms = np.linalg.norm(p.arrows, axis=1)
    top = float(np.percentile(norms, 95)) if len(norms) else 0.0
    if top <= 0 or not np.isfinite(top):
        return 0.0
    x0, x1, _, _ = p.extent
    return 0.06 * (x1 - x0) / top


class CurvePane(PlotPane):
    """A live curve per run, coloured like that run's field title (no legend).

    ``y_range`` fixes the vertical axis to what the lesson needs (0 … modes,
    −log 4 … 0); ``integer`` gives the y axis whole-number ticks.  Axes never
    use SI prefixes ("×0.001").
    """

    def __init__(
        self,
        theme: ThemeManager,
        title: str,
        y_label: str,
        runs: int,
        parent: QWidget | None = None,
        *,
        integer: bool = False,
    ) -> None:
        super().__init__(
            theme, title=title, x_label="G step", y_label=y_label, parent=parent
        )
        self._integer = integer
        # G steps (and captured modes) are whole numbers, their ticks too; the
        # pane keeps the numbers apart however short it is
        self.set_integer_axis("bottom", *(("left",) if integer else ()))
        self._curves = [self.add_curve(color_index=i) for i in range(runs)]
        self.setMinimumHeight(120)

    def set_y_range(self, low: float, high: float) -> None:
        """Fix the y axis to [low, high] (integer ticks if asked for)."""
        self.getPlotItem().enableAutoRange(y=False)
        if self._integer:  # room for the top and bottom counts
            low, high = low - 0.5, high + 0.5
        self.setYRange(low, high, padding=0.05)

    def set_curve(self, run: int, x: NDArray[Any], y: NDArray[Any]) -> None:
        """Replace the data of run ``run``'s curve."""
        self._curves[run].setData(x, y)

    def curve_data(self, run: int) -> tuple[NDArray[Any], NDArray[Any]]:
        """Return run ``run``'s (x, y) data (tests compare it with a fresh panel)."""
        x, y = self._curves[run].getData()
        empty = np.zeros(0)
        return (empty if x is None else x, empty if y is None else y)

    def clear_curves(self) -> None:
        """Empty every curve."""
        for curve in self._curves:
            curve.setData([], [])
