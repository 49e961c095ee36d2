"""The Gridworld learning curves: return and length per episode, DP's max |Δv|."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF
from PySide6.QtGui import QFont, QFontMetricsF
from PySide6.QtWidgets import QHBoxLayout

from explorer.core.gridworld import DP_ALGOS, GridProgress
from explorer.widgets.plot_pane import PlotPane, cache_axes, step_above, stepped_span
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


def lesson_range(
    means: list[np.ndarray], window: int = MOVING_AVERAGE
) -> tuple[float, float] | None:
    """Return the y range that shows the smoothed curves (None: nothing to show).

    Once a curve has two windows of points, its first ``window`` means (partial
    windows dominated by the long first episodes of the cliff, −2000) are left
    out, so the range is the lesson's (S&B Figure 6.4: SARSA near −25, Q-learning
    near −50; measured on the cliff: −145 … −10 instead of −1950 … 0).
    """
    parts = [m[window:] if m.size >= 2 * window else m for m in means if m.size]
    if not parts:
        return None
    lo = float(min(np.min(p) for p in parts))
    hi = float(max(np.max(p) for p in parts))
    pad = max(0.08 * (hi - lo), 0.5)
    return lo - pad, hi + pad


class IntegerAxis(pg.AxisItem):
    """An axis of counts (episodes, sweeps, steps): ticks only at whole numbers."""

    def tickValues(
        self,
        minVal: float,
        maxVal: float,
        size: float,
    ) -> list[tuple[float, list[float]]]:
        """Keep pyqtgraph's tick levels of spacing ≥ 1 and their whole values."""
        levels = super().tickValues(minVal, maxVal, size)
        out = [
            (spacing, [v for v in values if float(v).is_integer()])
            for spacing, values in levels
            if spacing >= 1
        ]
        if not out:  # a range of a few units: every whole number
            lo, hi = math.ceil(minVal), math.floor(maxVal)
            out = [(1.0, [float(v) for v in range(lo, hi + 1)])]
        return out


def _integer_axes(pane: PlotPane, *names: str) -> None:
    pane.getPlotItem().setAxisItems({n: IntegerAxis(n) for n in names})
    for axis in pane.getPlotItem().axes.values():
        axis["item"].enableAutoSIPrefix(False)
    cache_axes(pane.getPlotItem())
    pane.restyle()


class Curves(QHBoxLayout):
    """Three plots side by side with one set of curves per grid ("A", "B")."""

    # (full title, short title for a narrow pane)
    TITLES: ClassVar[dict[str, tuple[str, str]]] = {
        "returns": ("Return per episode", "Return"),
        "lengths": ("Episode length", "Length"),
        "deltas": ("DP: max |Δv| per sweep", "DP: max |Δv|"),
    }

    def __init__(self, theme: ThemeManager, sides: tuple[tuple[str, int], ...]):
        super().__init__()
        self._theme = theme
        self.returns = PlotPane(
            theme, title=self.TITLES["returns"][0], x_label="episode", y_label="G₀"
        )
        self.returns.setToolTip(
            f"The y range follows the mean of the last {MOVING_AVERAGE} episodes "
            f"(after its first {MOVING_AVERAGE}); single episodes beyond it are cut"
        )
        self.lengths = PlotPane(
            theme, title=self.TITLES["lengths"][0], x_label="episode", y_label="steps"
        )
        self.deltas = PlotPane(
            theme,
            title=self.TITLES["deltas"][0],
            x_label="sweep",
            y_label="max |Δv|",
        )
        _integer_axes(self.returns, "bottom")
        _integer_axes(self.lengths, "bottom", "left")
        _integer_axes(self.deltas, "bottom")
        self.deltas.setLogMode(y=True)
        legend = self.returns.add_legend()
        # bottom right: learning curves rise to the right, the early ones start low
        legend.anchor(itemPos=(1, 1), parentPos=(1, 1), offset=(-10, -10))
        self.curves: dict[str, Any] = {}
        self._names = tuple(name for name, _color in sides)
        for n, color in sides:
            self.curves[f"raw{n}"] = self.returns.add_curve(
                color_index=color, width=1.0
            )
            self.curves[f"raw{n}"].setOpacity(0.35)
            self.curves[f"avg{n}"] = self.returns.add_curve(
                self._legend_text(n), color_index=color, width=2.5
            )
            self.curves[f"len{n}"] = self.lengths.add_curve(color_index=color)
            self.curves[f"delta{n}"] = self.deltas.add_curve(color_index=color)
        self._means: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._deltas: dict[str, np.ndarray] = {}
        for pane in (self.returns, self.lengths, self.deltas):
            pane.setMinimumHeight(170)
            self.addWidget(pane, 1)
        self.returns.restyle()  # the legend's labels exist now: scale them too

    @staticmethod
    def _legend_text(name: str) -> str:
        return f"{name}: mean of last {MOVING_AVERAGE}"

    def panes(self) -> dict[str, PlotPane]:
        """Return the three plots by name."""
        return {"returns": self.returns, "lengths": self.lengths, "deltas": self.deltas}

    def show_progress(self, name: str, progress: GridProgress) -> None:
        """Draw grid ``name``'s curves from ``progress``."""
        if progress.algo in DP_ALGOS:
            x = np.arange(1, progress.deltas.size + 1)
            deltas = np.maximum(progress.deltas, 1e-12)
            self.curves[f"delta{name}"].setData(x, deltas)
            self._deltas[name] = deltas
            self._fit_deltas()
        else:
            x = np.arange(1, progress.returns.size + 1)
            mean = moving_average(progress.returns)
            self.curves[f"raw{name}"].setData(x, progress.returns)
            self.curves[f"avg{name}"].setData(x, mean)
            self.curves[f"len{name}"].setData(x, progress.lengths)
            self._means[name] = (mean, moving_average(progress.lengths))
        self._fit_ranges()

    def _fit_deltas(self) -> None:
        """Range the sweeps in steps and max |Δv| over whole decades.

        Our own stepped ranges, applied at once: pyqtgraph's auto range re-ranged
        one frame after each sweep, so each update was painted twice (18 ms a
        paint at 1400 × 900) with its log axis redrawn.
        """
        shown = [d for d in self._deltas.values() if d.size]
        if not shown:
            self.deltas.auto_range()
            return
        n = max(d.size for d in shown)
        logs = np.log10(np.concatenate(shown))
        lo, hi = math.floor(float(logs.min())), math.ceil(float(logs.max()))
        self.deltas.set_live_range((0.5, step_above(n + 0.5)), (lo, max(hi, lo + 1)))

    def _fit_ranges(self) -> None:
        """Show the smoothed curves' range (the lesson's), not the first episodes'."""
        returns = lesson_range([m for m, _ in self._means.values()])
        lengths = lesson_range([n for _, n in self._means.values()])
        episodes = max((m.size for m, _ in self._means.values()), default=0)
        for pane, span, floor in (
            (self.returns, returns, None),
            (self.lengths, lengths, 0.0),
        ):
            if span is None:
                pane.auto_range()
                continue
            lo = span[0] if floor is None else floor  # lengths from 0
            # in steps, applied at once (as _fit_deltas): one paint per update
            y = (
                stepped_span(lo, span[1])
                if floor is None
                else (lo, step_above(span[1]))
            )
            pane.set_live_range((0.5, step_above(episodes + 0.5)), y, padding=0.0)

    def clear(self, name: str | None = None) -> None:
        """Empty grid ``name``'s curves (all grids' with ``None``)."""
        for n in self._names if name is None else (name,):
            for kind in ("raw", "avg", "len", "delta"):
                self.curves[f"{kind}{n}"].setData([], [])
            self._means.pop(n, None)
            self._deltas.pop(n, None)
        self._fit_ranges()
        self._fit_deltas()

    def show_panes(self, algos: list[str], *, legend_b: bool) -> None:
        """Show the plots that ``algos`` fill; list B's mean in the legend or not."""
        legend = self.returns.add_legend()
        avg_b = self.curves["avgB"]
        in_legend = any(sample.item is avg_b for sample, _label in legend.items)
        if legend_b and not in_legend:
            legend.addItem(avg_b, self._legend_text("B"))
            self.returns.restyle()
        elif not legend_b and in_legend:
            legend.removeItem(avg_b)
        self.deltas.setVisible(any(a in DP_ALGOS for a in algos))
        learn = any(a not in DP_ALGOS for a in algos)
        self.returns.setVisible(learn)
        self.lengths.setVisible(learn)

    def setGeometry(self, rect: QRect) -> None:
        """Lay the plots out; a pane too narrow for its title gets the short one."""
        super().setGeometry(rect)
        font = QFont()
        font.setPointSizeF(11.0 * self._theme.scale)
        metrics = QFontMetricsF(font)
        for key, pane in self.panes().items():
            full, short = self.TITLES[key]
            room = pane.width() - pane.getPlotItem().getAxis("left").width()
            fits = metrics.horizontalAdvance(full) + 24 <= room
            title = full if fits else short
            if pane._title != title:
                pane._title = title
                pane.restyle()
                # the plot item kept the long title's minimum width: fit it again
                pane.getPlotItem().setGeometry(
                    QRectF(0, 0, pane.width(), pane.height())
                )
        # the legend takes at most a third of the returns plot's width; in a
        # narrower plot it would cover the curves: the grids' captions carry the
        # colours instead
        legend_font = QFont()
        legend_font.setPointSizeF(9.0 * self._theme.scale)
        long_text = f"A: mean of last {MOVING_AVERAGE}"
        wide = QFontMetricsF(legend_font).horizontalAdvance(long_text)
        room = self.returns.width() > 0 and wide + 40 <= self.returns.width() / 3
        self.returns.add_legend().setVisible(room)
