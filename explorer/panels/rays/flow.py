"""A grid of panes that reflows with its width and scrolls vertically (Rays panel).

The Rays panel shows up to six plots side by side.  On a projector at ×2 text
there is room for one or two columns; on a wide screen for three.  A
:class:`FlowGrid` puts as many columns as fit ``min_width × scale`` pixels each,
balances the rows (six panes in four columns would leave a ragged row: it
uses three) and asks for ``rows × min_height × scale`` pixels of height, so
the scroll area around it scrolls vertically and never sideways.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QScrollArea, QWidget

from explorer.widgets.theme import ThemeManager


def flow_shape(n: int, width: int, min_width: int) -> tuple[int, int]:
    """Return (rows, columns) for ``n`` panes in ``width`` px, each ≥ ``min_width``."""
    if n <= 0:
        return 0, 0
    fit = max(1, min(n, width // max(min_width, 1)))
    rows = math.ceil(n / fit)
    return rows, math.ceil(n / rows)


class FlowGrid(QWidget):
    """Panes in as many balanced columns as fit; taller than its area when needed."""

    def __init__(
        self,
        theme: ThemeManager,
        panes: Sequence[QWidget],
        *,
        min_width: int = 210,
        min_height: int = 170,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        self._panes = list(panes)
        self._min = (min_width, min_height)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(4)
        self._shape = (0, 0)
        for pane in self._panes:
            pane.setParent(self)
        theme.changed.connect(self.reflow)
        self.reflow()

    @property
    def shape(self) -> tuple[int, int]:
        """The (rows, columns) the panes are laid out in now."""
        return self._shape

    def pane_min(self) -> tuple[int, int]:
        """Return the least (width, height) of one pane at the current scale."""
        s = self._theme.scale
        return int(self._min[0] * s), int(self._min[1] * s)

    def reflow(self) -> None:
        """Lay the panes out for the current width and scale."""
        min_w, min_h = self.pane_min()
        shape = flow_shape(len(self._panes), max(self.width(), 1), min_w)
        self.setMinimumHeight(shape[0] * min_h)
        if shape == self._shape:
            return
        self._shape = shape
        for pane in self._panes:
            self._grid.removeWidget(pane)
        rows, cols = shape
        for i, pane in enumerate(self._panes):
            self._grid.addWidget(pane, i // cols, i % cols)
        for r in range(len(self._panes)):
            self._grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(len(self._panes)):
            self._grid.setColumnStretch(c, 1 if c < cols else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.reflow()


class PaneScroll(QScrollArea):
    """A frameless area that scrolls its panes vertically only (not a side column)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)


def vertical_scroller(content: QWidget) -> QScrollArea:
    """Return a :class:`PaneScroll` around ``content``."""
    return PaneScroll(content)
