"""The Gridworld learning curves: return and length per episode, DP's max |Δv|."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtWidgets import QHBoxLayout

from explorer.core.gridworld import DP_ALGOS, GridProgress
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

MOVING_AVERAGE = 20


def moving_average(values: np.ndarray, window: int = MOVING_AVERAGE) -> np.ndarray:
    """Return the trailing mean of ``values`` over up to ``window`` points."""
    if values.size == 0:
        return values
    csum = np.cumsum(np.insert(values.astype(np.float64), 0, 0.0))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - window, 0)
    out: np.ndarray = (csum[idx] - csum[lo]) / (idx - lo)
    return out


class Curves(QHBoxLayout):
    """Three plots side by side with one set of curves per grid ("A", "B")."""

    def __init__(self, theme: ThemeManager, sides: tuple[tuple[str, int], ...]):
        super().__init__()
        self.returns = PlotPane(
            theme, title="Return per episode", x_label="episode", y_label="G₀"
        )
        self.returns.add_legend()
        self.lengths = PlotPane(
            theme, title="Episode length", x_label="episode", y_label="steps"
        )
        self.deltas = PlotPane(
            theme, title="DP: max |Δv| per sweep", x_label="sweep", y_label="max |Δv|"
        )
        self.deltas.setLogMode(y=True)
        self.curves: dict[str, Any] = {}
        self._names = tuple(name for name, _color in sides)
        for n, color in sides:
            self.curves[f"raw{n}"] = self.returns.add_curve(
                color_index=color, width=1.0
            )
            self.curves[f"raw{n}"].setOpacity(0.35)
            self.curves[f"avg{n}"] = self.returns.add_curve(
                f"{n}: mean of last {MOVING_AVERAGE}", color_index=color, width=2.5
            )
            self.curves[f"len{n}"] = self.lengths.add_curve(color_index=color)
            self.curves[f"delta{n}"] = self.deltas.add_curve(color_index=color)
        for pane in (self.returns, self.lengths, self.deltas):
            pane.setMinimumHeight(170)
            self.addWidget(pane, 1)

    def show_progress(self, name: str, progress: GridProgress) -> None:
        """Draw grid ``name``'s curves from ``progress``."""
        if progress.algo in DP_ALGOS:
            x = np.arange(1, progress.deltas.size + 1)
            self.curves[f"delta{name}"].setData(x, np.maximum(progress.deltas, 1e-12))
        else:
            x = np.arange(1, progress.returns.size + 1)
            self.curves[f"raw{name}"].setData(x, progress.returns)
            self.curves[f"avg{name}"].setData(x, moving_average(progress.returns))
            self.curves[f"len{name}"].setData(x, progress.lengths)

    def clear(self, name: str | None = None) -> None:
        """Empty grid ``name``'s curves (all grids' with ``None``)."""
        for n in self._names if name is None else (name,):
            for kind in ("raw", "avg", "len", "delta"):
                self.curves[f"{kind}{n}"].setData([], [])

    def show_panes(self, algos: list[str], *, legend_b: bool) -> None:
        """Show the plots that ``algos`` fill; list B's mean in the legend or not."""
        legend = self.returns.add_legend()
        avg_b = self.curves["avgB"]
        in_legend = any(sample.item is avg_b for sample, _label in legend.items)
        if legend_b and not in_legend:
            legend.addItem(avg_b, f"B: mean of last {MOVING_AVERAGE}")
        elif not legend_b and in_legend:
            legend.removeItem(avg_b)
        self.deltas.setVisible(any(a in DP_ALGOS for a in algos))
        learn = any(a not in DP_ALGOS for a in algos)
        self.returns.setVisible(learn)
        self.lengths.setVisible(learn)
