"""A pyqtgraph plot that follows the theme: colours, line widths and marker sizes.

Panels create items through :class:`PlotPane` (``add_curve``, ``add_scatter``,
``add_image``) and then update them with ``setData`` / ``setImage``; on a theme or
presentation-scale change the pane restyles the items it made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem, QWidget

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
    ) -> None:
        super().__init__(parent=parent)
        self._theme = theme or ThemeManager()
        self._styled: list[_Styled] = []
        self._images: list[tuple[pg.ImageItem, ColorMapKind]] = []
        self._title = title
        self._labels = (x_label, y_label)
        self.showGrid(x=True, y=True, alpha=0.25)
        cache_axes(self.getPlotItem())
        self._legend: pg.LegendItem | None = None
        self._theme.changed.connect(self.restyle)
        self.restyle()

    @property
    def theme(self) -> ThemeManager:
        """The theme this pane follows."""
        return self._theme

    def add_legend(self) -> pg.LegendItem:
        """Add (once) and return the legend; items added afterwards appear in it."""
        if self._legend is None:
            self._legend = self.getPlotItem().addLegend(offset=(10, 10))
        return self._legend

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
        return item

    def add_scatter(
        self,
        name: str = "",
        *,
        color_index: int = 0,
        color: str | None = None,
        size: float = 6.0,
        symbol: str = "o",
    ) -> pg.ScatterPlotItem:
        """Add an empty scatter plot; ``setData(x=..., y=...)`` fills it."""
        item = pg.ScatterPlotItem(name=name or None, symbol=symbol, pxMode=True)
        self.addItem(item)
        self._styled.append(_Styled(item, "scatter", color_index, color, size))
        self._style(self._styled[-1])
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
        bar.setImageItem(image, insert_in=self.getPlotItem())
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
        for name in ("left", "bottom", "right", "top"):
            axis = plot.getAxis(name)
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
        if self._legend is not None:
            self._legend.setLabelTextColor(p.plot_fg)
            self._legend.setLabelTextSize(f"{9 * scale:.0f}pt")
            for _sample, label in self._legend.items:
                label.setText(label.text)  # LabelItem applies new attributes on setText
        for s in self._styled:
            self._style(s)
        for item, kind in self._images:
            item.setColorMap(colormap(p, kind))
