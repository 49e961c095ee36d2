"""Image views of the convolution panel and its kernel editor.

:class:`ImagePane` shows one map (grey, sequential or diverging colours) with
square pixels, an optional outline (the input window of an output cell) and
hover/click signals giving the pixel under the mouse.  :class:`KernelEditor`
is a table of the kernel's entries: click a cell and type a value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

GREY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)
Kind = str  # "grey" | "sequential" | "diverging"


def fmt(v: float) -> str:
    """Return ``v`` in at most 4 significant digits, −0 shown as 0."""
    return f"{v:.3g}" if v != 0 else "0"


class ImagePane(PlotPane):
    """One map, pixel (r, c) covering [c, c+1] × [r, r+1]; y runs down.

    ``cell_hovered(r, c)`` / ``cell_clicked(r, c)`` report the pixel under the mouse.
    """

    cell_hovered = Signal(int, int)
    cell_clicked = Signal(int, int)

    def __init__(
        self,
        theme: ThemeManager,
        title: str,
        kind: Kind = "sequential",
        *,
        axes: bool = False,
        short: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(theme, title=title, parent=parent)
        # a narrow pane (a projector at ×2) shows ``short`` instead of its title
        self._title_text, self._short = title, short or title
        plot = self.getPlotItem()
        for name in ("bottom", "left"):
            plot.getAxis(name).enableAutoSIPrefix(False)
            if not axes:
                plot.hideAxis(name)
        self.showGrid(x=False, y=False)
        self.setAspectLocked(True)
        self.invertY(True)
        plot.setMenuEnabled(False)
        plot.vb.setMouseEnabled(x=False, y=False)
        self.kind = kind
        if kind == "grey":
            self.image = pg.ImageItem(axisOrder="row-major")
            self.image.setLookupTable(GREY_LUT)
            self.addItem(self.image)
        else:
            self.image = self.add_image(
                "diverging" if kind == "diverging" else "sequential"
            )
        self.outline = self.add_curve("", color_index=1, width=2.5)
        self.outline.setZValue(10)
        self.marks = self.add_scatter("", color_index=3, size=5)
        self.marks.setZValue(11)
        self._shape = (0, 0)
        self.data: NDArray[np.float64] | None = None
        self._shown: tuple[object, ...] = ()
        self._source: object = None
        self.setMinimumSize(60, 60)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.scene().sigMouseMoved.connect(self._on_scene_moved)
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)

    def set_data(
        self,
        data: NDArray[np.float64] | None,
        title: str | None = None,
        *,
        levels: tuple[float, float] | None = None,
        extent: tuple[float, float, float, float] | None = None,
    ) -> None:
        """Show ``data`` (or nothing), coloured over ``levels`` (default: its range).

        Diverging maps are symmetric about 0; ``extent`` (x0, y0, x1, y1) widens
        the view beyond the map (a window reaching into the padding).
        """
        if title is not None:
            self._title_text = title
            self._fit_title()
        key = (levels, extent)
        if data is not None and data is self._source and key == self._shown:
            return  # the same array again (a kernel edit leaves the input as it is)
        self._source, self._shown = data, key
        self.data = None if data is None else np.asarray(data, dtype=np.float64)
        if self.data is None or self.data.size == 0:
            self.image.clear()
            self.outline.setData([], [])
            self.marks.setData(x=[], y=[])
            self._shape = (0, 0)
            return
        d = self.data
        if levels is None:
            if self.kind == "diverging":
                peak = float(np.abs(d).max()) or 1.0
                levels = (-peak, peak)
            else:
                lo, hi = float(d.min()), float(d.max())
                levels = (lo, hi if hi > lo else lo + 1.0)
        self.image.setImage(d, levels=levels, autoLevels=False)
        h, w = d.shape
        self.image.setRect(QRectF(0, 0, w, h))
        x0, y0, x1, y1 = extent or (0, 0, w, h)
        shape = (h, w)
        if shape != self._shape or extent is not None:
            self._shape = shape
            self.getPlotItem().vb.setRange(
                xRange=(min(0, x0), max(w, x1)),
                yRange=(min(0, y0), max(h, y1)),
                padding=0.03,
            )

    def _fit_title(self) -> None:
        from PySide6.QtGui import QFont, QFontMetrics

        font = QFont(self.font())
        font.setPointSizeF(11 * self.theme.scale)
        room = self.width() - 16
        text = self._title_text
        if QFontMetrics(font).horizontalAdvance(text) > room:
            text = self._short
        if QFontMetrics(font).horizontalAdvance(text) > room:
            text = ""
        plot = self.getPlotItem()
        if plot.titleLabel.text != text or plot.titleLabel.isVisible() != bool(text):
            plot.setTitle(text or None)
            # a longer title had widened the plot past the view: fit it again
            pg.GraphicsView.resizeEvent(self, None)

    def resizeEvent(self, event: Any) -> None:
        """Shorten the title when the pane is too narrow for it."""
        super().resizeEvent(event)
        if hasattr(self, "_short"):  # pyqtgraph resizes before __init__ is done
            self._fit_title()

    def restyle(self) -> None:
        """Re-apply the theme, then fit the title at the new scale."""
        super().restyle()
        if hasattr(self, "_short"):
            self._fit_title()

    def set_outline(self, rects: list[tuple[float, float, float, float]]) -> None:
        """Outline rectangles (x0, y0, x1, y1) in pixel coordinates (NaN-separated)."""
        xs: list[float] = []
        ys: list[float] = []
        for x0, y0, x1, y1 in rects:
            xs += [x0, x1, x1, x0, x0, math.nan]
            ys += [y0, y0, y1, y1, y0, math.nan]
        self.outline.setData(xs, ys, connect="finite")

    def set_marks(self, points: list[tuple[float, float]]) -> None:
        """Put dots at pixel centres (row, col)."""
        self.marks.setData(
            x=[c + 0.5 for _, c in points], y=[r + 0.5 for r, _ in points]
        )

    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """Return the pixel (row, col) under ``scene_pos``, or ``None``."""
        if not self._shape[0] or not self.getPlotItem().sceneBoundingRect().contains(
            scene_pos
        ):
            return None
        p = self.getPlotItem().vb.mapSceneToView(scene_pos)
        r, c = int(np.floor(p.y())), int(np.floor(p.x()))
        if 0 <= r < self._shape[0] and 0 <= c < self._shape[1]:
            return r, c
        return None

    def scene_pos_of(self, r: int, c: int) -> QPointF:
        """Return the scene position of pixel (r, c)'s centre (tests, lessons)."""
        pos: QPointF = self.getPlotItem().vb.mapViewToScene(QPointF(c + 0.5, r + 0.5))
        return pos

    def _on_scene_moved(self, pos: QPointF) -> None:
        cell = self.cell_at(pos)
        if cell is not None:
            self.cell_hovered.emit(*cell)

    def _on_scene_clicked(self, event: object) -> None:
        scene_pos = getattr(event, "scenePos", None)
        if scene_pos is None:
            return
        cell = self.cell_at(scene_pos())
        if cell is not None:
            self.cell_clicked.emit(*cell)


def mosaic(maps: list[NDArray[np.float64]], columns: int) -> NDArray[np.float64]:
    """Return equal-shaped maps tiled ``columns`` wide with one-pixel NaN gaps."""
    h, w = maps[0].shape
    rows = -(-len(maps) // columns)
    out = np.full((rows * (h + 1) - 1, columns * (w + 1) - 1), np.nan)
    for n, m in enumerate(maps):
        r, q = divmod(n, columns)
        out[r * (h + 1) : r * (h + 1) + h, q * (w + 1) : q * (w + 1) + w] = m
    return out


class KernelEditor(QTableWidget):
    """The kernel's entries; click a cell and type a number.

    ``edited(row, col, value)`` is emitted for a valid number; anything else
    puts the old value back and emits ``refused(message)``.
    """

    edited = Signal(int, int, float)
    refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.horizontalHeader().setVisible(False)
        self.verticalHeader().setVisible(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.setToolTip(
            "The kernel K(m, n): click a cell and type a value (Enter to apply).\n"
            "Row m runs down, column n across; K(0, 0) is the top-left entry."
        )
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._values = np.zeros((0, 0))
        self._showing = False
        self.itemChanged.connect(self._on_item_changed)

    def values(self) -> NDArray[np.float64]:
        """Return the kernel shown."""
        return self._values.copy()

    def show_kernel(self, kernel: NDArray[np.float64]) -> None:
        """Fill the table with ``kernel`` (no signals)."""
        self._showing = True
        self._values = np.array(kernel, dtype=np.float64)
        kh, kw = kernel.shape
        self.setRowCount(kh)
        self.setColumnCount(kw)
        for r in range(kh):
            for c in range(kw):
                item = QTableWidgetItem(fmt(float(kernel[r, c])))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.setItem(r, c, item)
        self._showing = False
        self.fit()

    def fit(self) -> None:
        """Size the cells to the widest entry and the table to its cells."""
        fm = self.fontMetrics()
        cell_w = max(fm.horizontalAdvance("−0.000"), fm.horizontalAdvance("0") * 6) + 12
        for item_text in (
            self.item(r, c)
            for r in range(self.rowCount())
            for c in range(self.columnCount())
        ):
            if item_text is not None:
                cell_w = max(cell_w, fm.horizontalAdvance(item_text.text()) + 12)
        cell_h = fm.height() + 10
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(cell_w)
        header.setMinimumSectionSize(cell_w)
        vh = self.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setMinimumSectionSize(cell_h)
        vh.setDefaultSectionSize(cell_h)
        frame = 2 * self.frameWidth()
        self.setFixedSize(
            cell_w * max(1, self.columnCount()) + frame,
            cell_h * max(1, self.rowCount()) + frame,
        )

    def changeEvent(self, event: object) -> None:
        """Refit when the font changes (presentation mode)."""
        super().changeEvent(event)  # type: ignore[arg-type]
        from PySide6.QtCore import QEvent

        if getattr(event, "type", lambda: None)() == QEvent.Type.FontChange:
            self.fit()

    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._showing:
            return
        r, c = item.row(), item.column()
        text = item.text().strip().replace("−", "-")
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        old = float(self._values[r, c])
        if not math.isfinite(value) or abs(value) > 1e6:
            self._showing = True
            item.setText(fmt(old))
            self._showing = False
            self.refused.emit(
                f"kernel entry ({r}, {c}): {text!r} is not a finite number within "
                f"±1e6; kept {fmt(old)}"
            )
            return
        self._values[r, c] = value
        self._showing = True
        item.setText(fmt(value))
        self._showing = False
        self.edited.emit(r, c, value)


class Page(QWidget):
    """A page of the panel's tabs that hides its text's height-for-width.

    Wrapped text (``LiveText``) makes a layout height-for-width, and the main
    window's scroll area then sizes the whole panel to the height the text
    would take beside full-height plots: taller than a projector's screen.  The
    page still gives its text the height it needs; only its parents stop asking.
    """

    def hasHeightForWidth(self) -> bool:
        """Return False (see the class docstring)."""
        return False
