"""The receptive-field panel's columns: three where they fit, two on a projector.

Wide windows show the layer table and the RF card (left), the unit views
(centre) and the ERF card, live CNN and RF-vs-depth plot (side).  Where the three
do not fit (1280 × 720 at ×2 text), the side column's widgets move below the
left column, which scrolls vertically: nothing is cut off, nothing scrolls
sideways and no plot shrinks to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget

from explorer.widgets.controls_column import ControlsColumn

CENTER_LINES = 13  # the unit views are at least this many text lines wide


class Columns(QSplitter):
    """Left column, centre views and a side column whose widgets may move left.

    Parameters
    ----------
    left, side
        Vertically scrolling columns; ``left`` holds its own widgets already.
    center
        The unit views (stretch first).
    moving
        The side column's widgets with their stretch, top to bottom.
    plots
        Plots with the text lines of height each needs to stay readable.
    """

    def __init__(
        self,
        left: ControlsColumn,
        center: QWidget,
        side: ControlsColumn,
        moving: Sequence[tuple[QWidget, int]],
        plots: Sequence[tuple[QWidget, int]] = (),
    ) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self.left, self.center, self.side = left, center, side
        self._moving = list(moving)
        self._plots = list(plots)
        items = [left.column.itemAt(i) for i in range(left.column.count())]
        self._own = [item.widget() for item in items if item is not None]
        left.add_stretch()  # spare height below the cards, not inside them
        for w, stretch in self._moving:
            side.add(w, stretch)
        for w in (left, center, side):
            self.addWidget(w)
        self.setChildrenCollapsible(False)
        self.setStretchFactor(0, 6)
        self.setStretchFactor(1, 5)
        self.setStretchFactor(2, 4)
        self.narrow = False

    # -- measuring ------------------------------------------------------------------
    def _column_need(self, widgets: Sequence[QWidget | None]) -> int:
        bar = self.left.verticalScrollBar().sizeHint().width()
        widths = [w.minimumSizeHint().width() for w in widgets if w is not None]
        widths += [w.minimumWidth() for w in widgets if w is not None]
        return max(widths, default=0) + bar + 8

    def center_need(self) -> int:
        """Width below which the unit views are too small to read."""
        return CENTER_LINES * self.center.fontMetrics().height()

    def three_need(self) -> int:
        """Width the three columns need side by side."""
        return (
            self._column_need(self._own)
            + self.center_need()
            + self._column_need([w for w, _ in self._moving])
            + 2 * self.handleWidth()
        )

    # -- arranging ------------------------------------------------------------------
    def arrange(self, available: int) -> None:
        """Use three columns if ``available`` pixels hold them, else two."""
        self.center.setMinimumWidth(self.center_need())
        narrow = available < self.three_need()
        if narrow == self.narrow:
            self._fit_plots()
            self.left.refit()
            return
        self.narrow = narrow
        for w, stretch in self._moving:
            if narrow:  # before the left column's closing stretch
                self.left.column.insertWidget(self.left.column.count() - 1, w, stretch)
            else:
                self.side.add(w, stretch)
        self.side.setVisible(not narrow)
        self._fit_plots()
        total = max(available, 1)
        if narrow:
            center = max(self.center_need(), total - self._column_need(self._own))
            self.setSizes([total - center, center, 0])
        else:
            side = self._column_need([w for w, _ in self._moving])
            center = self.center_need()
            self.setSizes([total - center - side, center, side])
        self.left.refit()
        self.side.refit()

    def _fit_plots(self) -> None:
        lines = self.fontMetrics().height()
        for w, n in self._plots:
            w.setMinimumHeight(n * lines)


def shown_width(panel: QWidget) -> int:
    """The width the window shows ``panel`` at (its scroll holder's viewport)."""
    holder = panel.parentWidget()
    scroll = holder.parentWidget() if holder is not None else None
    if holder is not None and isinstance(scroll, QScrollArea):
        return holder.width()
    return panel.width()


def fit_cards(*cards: QWidget) -> None:
    """Keep formula cards tall enough for their wrapped text."""
    for card in cards:
        layout = card.layout()
        if layout is not None and layout.hasHeightForWidth() and card.width() > 0:
            card.setMinimumHeight(layout.totalHeightForWidth(card.width()))
