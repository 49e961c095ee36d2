"""A pyqtgraph plot that follows the theme: colours, line widths and marker sizes.

Panels create items through :class:`PlotPane` (``add_curve``, ``add_scatter``,
``add_image``) and then update them with ``setData`` / ``setImage``; on a theme or
presentation-scale change the pane restyles the items it made, its legend
included.  Axes read at a glance: no SI prefixes ("(×0.001)") unless a pane asks
for them, integer ticks on integer axes (:meth:`PlotPane.set_integer_axis`), and an
empty pane shows a stated range (:meth:`PlotPane.set_empty_range`) instead of
pyqtgraph's 0–1 — on a log axis one decade, its ticks bunched.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
from PySide6.QtWidgets import QGraphicsItem, QWidget

from explorer.widgets.scatter import Scatter
from explorer.widgets.theme import Palette, ThemeManager

ColorMapKind = Literal["sequential", "diverging"]


@dataclass
class _Styled:
    item: Any
    kind: str
    color_index: int | None
    color: str | None
    base: float
    dash: bool = False


def colormap(palette: Palette, kind: ColorMapKind) -> pg.ColorMap:
    """Return the palette's perceptually uniform colour map of ``kind``."""
    name = palette.sequential_cmap if kind == "sequential" else palette.diverging_cmap
    return pg.colormap.get(name)


def apply_pyqtgraph_defaults(palette: Palette) -> None:
    """Set pyqtgraph's global background / foreground from ``palette``."""
    pg.setConfigOptions(
        background=palette.plot_bg, foreground=palette.plot_fg, antialias=True
    )


def cache_axes(plot: pg.PlotItem) -> None:
    """Paint ``plot``'s axes (and their grid lines) from a pixmap cache.

    An axis replays its tick labels and grid as a ``QPicture`` on every repaint of
    the plot, about 1 ms each; cached, a data update costs a blit until the axis
    range changes.  :func:`explorer.widgets.export.export_svg` turns caching off
    while it paints, so that SVG text stays text.
    """
    for entry in plot.axes.values():
        entry["item"].setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def hold_text_space(axis: pg.AxisItem) -> None:
    """Let ``axis`` widen for longer tick labels but never narrow again.

    An axis that also narrows makes an aspect-locked plot oscillate: a narrower
    axis gives the view more width, the locked aspect changes the other range, its
    labels ("−2.2" ↔ "−2.06") change the axis width back — a repaint loop that
    kept the GUI thread 90 % busy on an idle rays panel at 1920 × 1080 ×2.  In
    other plots it stops the plot area from jittering while values stream in.
    The space is measured afresh from here (call it on a font or scale change).
    """
    axis.setStyle(autoReduceTextSpace=False)
    axis.textWidth = 30  # pyqtgraph's initial text space
    axis.textHeight = 18


AXES = ("left", "bottom", "right", "top")


def _nice_above(value: float) -> float:
    """Return the smallest 1, 2 or 5 × 10ᵏ that is at least ``value`` (> 0)."""
    exp = math.floor(math.log10(value))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0**exp >= value * (1 - 1e-9):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


def step_above(value: float) -> float:
    """Return the smallest 1, 1.5, 2, 3, 4, 5, 6 or 8 × 10ᵏ at least ``value`` (> 0).

    A growing axis jumps along these steps (see :meth:`PlotPane.set_live_range`), so it
    is re-ranged (and its labels redrawn) a few times a decade instead of on every
    report; the curve keeps at least 75 % of the width.
    """
    exp = math.floor(math.log10(value))
    for m in (1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0):
        if m * 10.0**exp >= value * (1 - 1e-9):
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


def stepped_span(lo: float, hi: float) -> tuple[float, float]:
    """Return ``lo`` … ``hi`` widened to multiples of a round step (a quarter span).

    For a live axis whose values may be negative (an NLL): the range changes
    only when the values cross such a multiple, not on every report.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return (0.0, 1.0)
    span = hi - lo if hi > lo else max(abs(hi), 1.0)
    q = _nice_above(span / 4.0)
    low, high = math.floor(lo / q) * q, math.ceil(hi / q) * q
    return (low, high if high > low else low + q)


# the in-between ticks of a log axis, densest first (see ReadableAxis.logTickValues)
_LOG_MINOR_SETS: tuple[frozenset[int], ...] = (
    frozenset(range(2, 10)),
    frozenset({2, 3, 5}),
    frozenset({2, 5}),
    frozenset({3}),
    frozenset(),
)


class ReadableAxis(pg.AxisItem):
    """An axis whose tick numbers never overlap.

    pyqtgraph always draws its major ticks' numbers, however close: on a short
    pane at ×2 ("captured" 0 2 4 6 8 in 50 px) they print over each other.  A
    vertical axis here keeps its numbers at least ~1.2 text heights apart,
    widening the spacing to the next 1, 2, 5 × 10ᵏ.
    """

    ROOM = 1.2  # text heights between neighbouring numbers

    def tickSpacing(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, float]]:
        """Return pyqtgraph's spacings, the major one wide enough for its numbers."""
        levels = list(super().tickSpacing(minVal, maxVal, size))
        if self.orientation not in ("left", "right") or not levels:
            return levels
        span = abs(maxVal - minVal)
        if span <= 0 or size <= 0:
            return levels
        font = self.style["tickFont"] or self.font()
        need = self.ROOM * QFontMetricsF(font).height() * span / size  # data units
        roomy = [(sp, off) for sp, off in levels if sp >= need * (1 - 1e-9)]
        return roomy or [(_nice_above(need), 0.0)]

    def logTickValues(
        self,
        minVal: float,
        maxVal: float,
        size: float,
        stdTicks: list[tuple[float, list[float]]],
    ) -> list[tuple[float | None, list[float]]]:
        """Return pyqtgraph's log ticks, the in-between ones thinned to fit.

        pyqtgraph ticks every 2…9 × 10ᵏ of a short log axis: their numbers crowd
        below each power of ten (0.6 0.7 0.8 0.9 printed over each other on the
        rays' loss pane).  A vertical axis keeps the densest of 2…9, {2, 3, 5},
        {2, 5}, {3} and none whose numbers stay ~1.2 text heights apart.
        """
        levels: list[tuple[float | None, list[float]]] = list(
            super().logTickValues(minVal, maxVal, size, stdTicks)
        )
        if self.orientation not in ("left", "right") or size <= 0:
            return levels
        font = self.style["tickFont"] or self.font()
        need = self.ROOM * QFontMetricsF(font).height() * (maxVal - minVal) / size
        majors = [float(v) for sp, vs in levels if sp is not None for v in vs]
        thinned: list[tuple[float | None, list[float]]] = []
        for spacing, values in levels:
            if spacing is not None:
                thinned.append((spacing, values))
                continue
            keep: list[float] = []
            for digits in _LOG_MINOR_SETS:
                keep = [
                    v for v in values if round(10.0 ** (v - math.floor(v))) in digits
                ]
                shown = sorted(majors + keep)
                if all(b - a >= need for a, b in itertools.pairwise(shown)):
                    break
            thinned.append((None, keep))
        return thinned


class IntegerAxis(ReadableAxis):
    """An axis of whole numbers (steps, episodes, counts): ticks 1 apart or more."""

    def tickSpacing(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, float]]:
        """Return readable spacings, whole and at least 1."""
        levels = super().tickSpacing(minVal, maxVal, size)
        whole = [(float(max(1, round(sp))), off) for sp, off in levels if sp >= 1]
        return whole or [(1.0, 0.0)]

    def tickStrings(
        self, values: Sequence[float], scale: float, spacing: float
    ) -> list[str]:
        """Return the ticks as whole numbers."""
        return [f"{round(v * scale):d}" for v in values]


def opaque_viewport(view: pg.GraphicsView) -> None:
    """Mark ``view``'s viewport as painting every pixel itself (its background
    brush is the palette's opaque ``plot_bg``).

    Without it Qt treats the viewport as see-through: each repaint of a live plot
    first repainted the part of every widget under it, up to the main window (the
    rnn panel: 24 repaints a second of the window, its stack, scroll area, panel
    and tab widget, each a paint event of its own).
    """
    view.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)


class PlotPane(pg.PlotWidget):
    """A themed ``pg.PlotWidget``; use its ``add_*`` methods to create items."""

    def __init__(
        self,
        theme: ThemeManager | None = None,
        *,
        title: str = "",
        x_label: str = "",
        y_label: str = "",
        parent: QWidget | None = None,
        si_prefix: bool = False,
    ) -> None:
        super().__init__(parent=parent, axisItems={"left": ReadableAxis("left")})
        self._theme = theme or ThemeManager()
        self._si_prefix = si_prefix
        self._empty_range: tuple[tuple[float, float] | None, ...] | None = None
        self._showing_empty = False
        self._fitted: tuple[object, ...] | None = None  # the range fit_range set
        self._styled: list[_Styled] = []
        self._images: list[tuple[pg.ImageItem, ColorMapKind]] = []
        self._title = title
        self._labels = (x_label, y_label)
        opaque_viewport(self)
        self.showGrid(x=True, y=True, alpha=0.25)
        cache_axes(self.getPlotItem())
        if title:
            self._span_title(3)
        self._legend: pg.LegendItem | None = None
        self._theme.changed.connect(self.restyle)
        self.restyle()

    @property
    def theme(self) -> ThemeManager:
        """The theme this pane follows."""
        return self._theme

    def add_legend(self) -> pg.LegendItem:
        """Add (once) and return the legend; items added afterwards appear in it.

        Its text follows the theme and the presentation scale like the axes'.
        """
        if self._legend is None:
            self._legend = self.getPlotItem().addLegend(offset=(10, 10))
            self._style_legend()
        return self._legend

    def set_integer_axis(self, *names: str) -> None:
        """Give the axes ``names`` ("bottom", "left", …) whole-number ticks only."""
        plot = self.getPlotItem()
        plot.setAxisItems({n: IntegerAxis(n) for n in names})
        cache_axes(plot)
        self.restyle()

    def set_empty_range(
        self,
        x: tuple[float, float] | None = None,
        y: tuple[float, float] | None = None,
    ) -> None:
        """Show ``x`` / ``y`` (data units, also on a log axis) while no item has data.

        Once an item made by this pane has data the axes range over it again;
        cleared (a reset), the pane shows this range again.
        """
        self._empty_range = (x, y)
        self._on_item_data_changed()

    def set_live_range(
        self, x: tuple[float, float], y: tuple[float, float], padding: float = 0.02
    ) -> bool:
        """Show ``x`` × ``y`` (auto-range off); return True when the range changed.

        For live curves: pyqtgraph's auto range re-ranges one frame after each
        ``setData``, so every update is painted twice and its axes redrawn each
        time.  A caller that grows its range in steps (:func:`step_above`) calls
        this on each update; only a new range is applied, and at once, so one
        frame paints it.
        """
        target = (x, y, padding)
        if target == self._fitted:
            return False
        self._fitted = target
        self.setRange(xRange=x, yRange=y, padding=padding)
        self.getPlotItem().getViewBox().updateMatrix()
        return True

    def auto_range(self) -> None:
        """Let pyqtgraph range the view again (after :meth:`set_live_range`)."""
        self._fitted = None
        self.enableAutoRange()

    def _on_item_data_changed(self, *_: object) -> None:
        if self._empty_range is None:
            return
        empty = not any(_has_data(s.item) for s in self._styled)
        if empty == self._showing_empty and not empty:
            return
        self._showing_empty = empty
        box = self.getPlotItem().getViewBox()
        if not empty:
            box.enableAutoRange()
            return
        log_x, log_y = (
            self.getPlotItem().getAxis(a).logMode for a in ("bottom", "left")
        )
        x, y = self._empty_range
        if x is not None:
            box.setXRange(*_axis_values(x, log_x), padding=0.0)
        if y is not None:
            box.setYRange(*_axis_values(y, log_y), padding=0.0)

    def add_curve(
        self,
        name: str = "",
        *,
        color_index: int = 0,
        color: str | None = None,
        width: float = 2.0,
        dashed: bool = False,
    ) -> pg.PlotDataItem:
        """Add an empty line plot; ``setData(x, y)`` fills it."""
        item = self.getPlotItem().plot([], [], name=name or None)
        self._styled.append(_Styled(item, "curve", color_index, color, width, dashed))
        self._style(self._styled[-1])
        item.sigPlotChanged.connect(self._on_item_data_changed)
        return item

    def add_scatter(
        self,
        name: str = "",
        *,
        color_index: int = 0,
        color: str | None = None,
        size: float = 6.0,
        symbol: str = "o",
    ) -> Scatter:
        """Add an empty scatter plot; ``setData(x=..., y=...)`` fills it (moving
        the points is cheap: :class:`~explorer.widgets.scatter.Scatter`)."""
        item = Scatter(name=name or None, symbol=symbol, pxMode=True)
        self.addItem(item)
        self._styled.append(_Styled(item, "scatter", color_index, color, size))
        self._style(self._styled[-1])
        item.sigPlotChanged.connect(self._on_item_data_changed)
        return item

    def add_image(self, kind: ColorMapKind = "sequential") -> pg.ImageItem:
        """Add an image item coloured with the theme's ``kind`` colour map."""
        item = pg.ImageItem(axisOrder="row-major")
        self.addItem(item)
        self._images.append((item, kind))
        item.setColorMap(colormap(self._theme.palette, kind))
        return item

    def add_colorbar(
        self,
        image: pg.ImageItem,
        *,
        values: tuple[float, float] = (0, 1),
        label: str = "",
    ) -> pg.ColorBarItem:
        """Add a colour bar linked to ``image`` on the right of the plot."""
        kind: ColorMapKind = next(
            (k for it, k in self._images if it is image), "sequential"
        )
        bar = pg.ColorBarItem(
            values=values,
            colorMap=colormap(self._theme.palette, kind),
            label=label,
            interactive=False,
        )
        plot = self.getPlotItem()
        bar.setImageItem(image, insert_in=plot)  # at column 5 of the plot's grid
        # The title spans the axes' and the bar's columns: over the view box alone,
        # a long title ("non-saturating" at ×2) widened the plot past its pane and
        # the bar's numbers were cut off at the pane's edge.
        self._span_title(6)
        bar.axis.enableAutoSIPrefix(self._si_prefix)
        bar.axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        return bar

    def _pen_color(self, s: _Styled) -> str:
        if s.color is not None:
            return s.color
        return self._theme.palette.series_color(s.color_index or 0)

    def _style(self, s: _Styled) -> None:
        scale = self._theme.scale
        color = self._pen_color(s)
        if s.kind == "curve":
            style = Qt.PenStyle.DashLine if s.dash else Qt.PenStyle.SolidLine
            s.item.setPen(pg.mkPen(color, width=s.base * scale, style=style))
        else:
            s.item.setSize(s.base * scale)
            s.item.setBrush(pg.mkBrush(color))
            s.item.setPen(pg.mkPen(None))

    def restyle(self) -> None:
        """Re-apply palette colours and the presentation scale to every item."""
        p = self._theme.palette
        scale = self._theme.scale
        self.setBackground(p.plot_bg)
        plot = self.getPlotItem()
        font = self.font()
        font.setPointSizeF(9.0 * scale)
        for name in AXES:
            axis = plot.getAxis(name)
            axis.enableAutoSIPrefix(self._si_prefix)
            axis.setPen(pg.mkPen(p.plot_fg, width=max(1.0, scale)))
            axis.setTextPen(pg.mkPen(p.plot_fg))
            hold_text_space(axis)
            axis.setStyle(tickFont=font)
        size = f"{11 * scale:.0f}pt"
        if self._title:
            plot.setTitle(self._title, color=p.plot_fg, size=size)
        x_label, y_label = self._labels
        style = {"color": p.plot_fg, "font-size": f"{10 * scale:.0f}pt"}
        if x_label:
            plot.setLabel("bottom", x_label, **style)
        if y_label:
            plot.setLabel("left", y_label, **style)
        self._style_legend()
        for s in self._styled:
            self._style(s)
        for item, kind in self._images:
            item.setColorMap(colormap(p, kind))

    def _span_title(self, columns: int) -> None:
        """Lay the title over the plot's first ``columns`` grid columns.

        Over the view box's column alone (pyqtgraph's place for it) a title wider
        than the view box widens the whole plot past its pane.
        """
        plot = self.getPlotItem()
        plot.layout.removeItem(plot.titleLabel)
        plot.layout.addItem(plot.titleLabel, 0, 0, 1, columns)

    def _style_legend(self) -> None:
        if self._legend is None:
            return
        self._legend.setLabelTextColor(self._theme.palette.plot_fg)
        self._legend.setLabelTextSize(f"{9 * self._theme.scale:.0f}pt")
        for _sample, label in self._legend.items:
            label.setText(label.text)  # LabelItem applies new attributes on setText


def _has_data(item: Any) -> bool:
    if isinstance(item, pg.ScatterPlotItem):
        return len(item.data) > 0
    x, _y = item.getData()
    return x is not None and len(x) > 0


def _axis_values(span: tuple[float, float], log: bool) -> tuple[float, float]:
    """Return ``span`` in the view's units (log10 on a log axis)."""
    if not log:
        return span
    return (math.log10(span[0]), math.log10(span[1]))
