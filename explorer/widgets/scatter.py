"""A scatter plot whose points move cheaply: the panel kit's :class:`Scatter`.

pyqtgraph's ``ScatterPlotItem.setData`` rebuilds its record array and looks
every point up in its symbol atlas in a Python loop — 1 ms for the GAN view's
1,152 trail points, 6 ms for 5,000, on every frame of a live view, although
only the positions changed.  :class:`Scatter` keeps the records of a scatter
whose points all share the item's style (the panels' samples, trails and
clouds) and writes the new positions into them when their number is the same.
Anything else (another count, per-point pens or brushes, sizes, symbols, data)
goes through pyqtgraph's own ``setData``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg

_POSITION_KEYS = frozenset({"x", "y"})


class Scatter(pg.ScatterPlotItem):
    """A ``ScatterPlotItem`` whose ``setData(x=…, y=…)`` only moves the points
    when their number is unchanged and they have no style of their own."""

    _plain = False  # the records hold positions only (set before __init__ runs)

    def setData(self, *args: Any, **kargs: Any) -> None:
        """Show these points (pyqtgraph's arguments; see the module docstring)."""
        if self._plain and not args and set(kargs) == _POSITION_KEYS:
            x = np.asarray(kargs["x"], dtype=np.float64).ravel()
            y = np.asarray(kargs["y"], dtype=np.float64).ravel()
            if len(x) == len(y) == len(self.data) > 0:
                self._move(x, y)
                return
        self._plain = not args and set(kargs) <= _POSITION_KEYS
        super().setData(*args, **kargs)

    def _move(self, x: np.ndarray, y: np.ndarray) -> None:
        # what addPoints does after it filled the records, less the atlas
        # lookups: each record's symbol rectangle still holds
        self.data["x"] = x
        self.data["y"] = y
        self.prepareGeometryChange()
        self.informViewBoundsChanged()
        self.bounds = [None, None]
        self.invalidate()
        self.sigPlotChanged.emit(self)
