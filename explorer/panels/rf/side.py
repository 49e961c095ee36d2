"""The receptive-field panel's side column: ERF card, live CNN, RF-vs-depth plot."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from explorer.core.rf import Row
from explorer.panels.rf.formulas import ERF_FORMULA, ERF_SOURCE
from explorer.panels.rf.live import LiveCnnBox
from explorer.panels.rf.views import plain_axes
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager


class SideColumn(ControlsColumn):
    """The ERF formula card, the live CNN (its run bar) and the RF-growth plot."""

    def __init__(self, theme: ThemeManager, live: LiveCnnBox) -> None:
        super().__init__(theme, min_width=300)
        self.erf_card = FormulaCard(
            "Effective receptive field", ERF_FORMULA, ERF_SOURCE
        )
        self.live = live
        self.growth = PlotPane(
            theme,
            title="Receptive field vs depth",
            x_label="row of the table",
            y_label="RF (px)",
        )
        self.growth_curve = self.growth.add_curve("RF", color_index=0)
        self.growth_dots = self.growth.add_scatter(color_index=0, size=6)
        self.growth_sel = self.growth.add_scatter(color_index=1, size=12)
        plain_axes(self.growth)
        self.growth.getPlotItem().getAxis("bottom").setTickSpacing(1, 1)

    def moving(self) -> list[tuple[QWidget, int]]:
        """The column's widgets with their stretch (:class:`Columns` places them)."""
        return [(self.erf_card, 0), (self.live, 3), (self.growth, 2)]

    def plots(self) -> list[tuple[QWidget, int]]:
        """The plots and the text lines of height each needs to stay readable."""
        return [(self.live.curves, 9), (self.live.kernels, 6), (self.growth, 9)]

    def show_rows(self, rows: list[Row]) -> None:
        """Plot the field size of every row (the line follows the main path)."""
        xs = np.arange(len(rows), dtype=float)
        ys = np.array([r.geometry.r[0] for r in rows], dtype=float)
        main = np.array([r.depth == 0 for r in rows])
        # the line follows the main path; dots also show the rows inside blocks
        self.growth_curve.setData(xs[main], ys[main])
        self.growth_dots.setData(x=xs, y=ys)

    def select_row(self, index: int, row: Row) -> None:
        """Mark row ``index`` on the plot."""
        self.growth_sel.setData(x=[index], y=[row.geometry.r[0]])
