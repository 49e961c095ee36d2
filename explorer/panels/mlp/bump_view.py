"""The universal-approximation views: f, the hand-made bumps g, and sup error vs N."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QWidget

from explorer.core.mlp.approx import OUTSIDE, Bump
from explorer.panels.mlp.views import plain_axes
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager

FloatArray = NDArray[np.float64]
HANDLE_PX = 12
MIN_WIDTH = 0.005  # a bump keeps s₂ − s₁ at least this wide


class BumpView(PlotPane):
    """f, the sum of bumps g, its handles, the ε band and a fitted net.

    Each bump has three handles on its top: the left edge s₁ and the right edge
    s₂ (s = −b/w, where each sigmoid is ½) and, between them, the height h.  Dragging
    one emits :attr:`bumps_edited`.  With :attr:`drawing` on, a drag draws f
    instead (:attr:`target_drawn` with the x, y of the stroke).
    """

    bumps_edited = Signal(object)
    target_drawn = Signal(object, object)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="f and g(x) = Σ vᵢ σ(wᵢx + bᵢ)",
            x_label="x",
            y_label="y",
            parent=parent,
        )
        plain_axes(self)
        self.add_legend()
        self.band_lo = self.add_curve(color="#9a9a9a", width=1.0, dashed=True)
        self.band_hi = self.add_curve("f ± ε", color="#9a9a9a", width=1.0, dashed=True)
        self.f_curve = self.add_curve("f", color_index=7, width=2.5)
        self.g_curve = self.add_curve("g (your bumps)", color_index=5, width=2.5)
        self.fit_curve = self.add_curve(
            "g (trained)", color_index=2, width=2.0, dashed=True
        )
        self.handles = self.add_scatter(color_index=5, size=11.0, symbol="d")
        for item in (
            self.band_lo,
            self.band_hi,
            self.f_curve,
            self.g_curve,
            self.fit_curve,
            self.handles,
        ):
            item.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.bumps: list[Bump] = []
        self.drawing = False
        self._drag: tuple[int, int] | None = None  # (bump, 0 left / 1 right / 2 top)
        self._stroke: list[tuple[float, float]] = []
        vb = self.getPlotItem().getViewBox()
        vb.mouseDragEvent = self._on_view_dragged
        vb.mouseClickEvent = self._on_view_clicked
        self.setXRange(-OUTSIDE, 1 + OUTSIDE, padding=0.02)

    def set_curves(
        self, x: FloatArray, f: FloatArray, g: FloatArray, eps: float
    ) -> None:
        """Show f, g and the band f ± ε."""
        self.f_curve.setData(x, f)
        self.g_curve.setData(x, g)
        self.band_lo.setData(x, f - eps)
        self.band_hi.setData(x, f + eps)
        lo = min(float(f.min()), float(g.min()), 0.0) - eps
        hi = max(float(f.max()), float(g.max())) + eps
        pad = 0.08 * (hi - lo or 1.0)
        self.setYRange(lo - pad, hi + pad, padding=0)

    def set_fit(self, x: FloatArray | None, g: FloatArray | None) -> None:
        """Show a trained net's g (or nothing)."""
        if x is None or g is None:
            self.fit_curve.setData([], [])
        else:
            self.fit_curve.setData(x, g)

    def set_bumps(self, bumps: list[Bump]) -> None:
        """Show the handles of ``bumps``."""
        self.bumps = list(bumps)
        pts = self._handle_points()
        self.handles.setData(x=pts[:, 0], y=pts[:, 1])

    def _handle_points(self) -> FloatArray:
        rows = []
        for s1, s2, h in self.bumps:
            rows += [(s1, h), (s2, h), ((s1 + s2) / 2, h)]
        return np.array(rows, dtype=np.float64).reshape(-1, 2)

    def handle_pos(self, bump: int, which: int) -> QPointF:
        """Return the widget position of a handle (tests drag it)."""
        x, y = self._handle_points()[3 * bump + which]
        vb = self.getPlotItem().getViewBox()
        return QPointF(self.mapFromScene(vb.mapViewToScene(QPointF(x, y))))

    def _handle_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        pts = self._handle_points()
        if len(pts) == 0:
            return None
        vb = self.getPlotItem().getViewBox()
        qs = [vb.mapViewToScene(QPointF(float(a), float(b))) for a, b in pts]
        d = np.array(
            [(q.x() - scene_pos.x()) ** 2 + (q.y() - scene_pos.y()) ** 2 for q in qs]
        )
        i = int(d.argmin())
        if d[i] > (HANDLE_PX * self.theme.scale) ** 2:
            return None
        return i // 3, i % 3

    def _view(self, scene_pos: QPointF) -> tuple[float, float]:
        pt = self.getPlotItem().getViewBox().mapSceneToView(scene_pos)
        return float(pt.x()), float(pt.y())

    def move_handle(self, bump: int, which: int, x: float, y: float) -> None:
        """Move one handle to (x, y) and emit :attr:`bumps_edited`."""
        s1, s2, h = self.bumps[bump]
        x = float(np.clip(x, -OUTSIDE, 1.0 + OUTSIDE))  # (edges may sit off [0, 1])
        if which == 0:
            s1 = min(x, s2 - MIN_WIDTH)
        elif which == 1:
            s2 = max(x, s1 + MIN_WIDTH)
        else:
            h = y
        self.bumps[bump] = (s1, s2, h)
        self.set_bumps(self.bumps)
        self.bumps_edited.emit(list(self.bumps))

    def _on_view_clicked(self, ev: Any) -> None:
        ev.accept()

    def _on_view_dragged(self, ev: Any, axis: int | None = None) -> None:
        if ev.button() != Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        ev.accept()
        x, y = self._view(ev.scenePos())
        if self.drawing:
            if ev.isStart():
                self._stroke = []
            self._stroke.append((x, y))
            if ev.isFinish() and len(self._stroke) >= 2:
                s = np.array(self._stroke)
                self.target_drawn.emit(s[:, 0], s[:, 1])
            return
        if ev.isStart():
            self._drag = self._handle_at(ev.buttonDownScenePos())
        if self._drag is not None:
            self.move_handle(*self._drag, x, y)
        if ev.isFinish():
            self._drag = None


class ErrorPlot(PlotPane):
    """The sup error max|g − f| of the trained net against N, on log axes."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="Trained: sup error vs N",
            x_label="hidden units N",
            y_label="max |g − f|",
            parent=parent,
        )
        plain_axes(self)
        self.setLogMode(x=True, y=True)
        # fixed ticks: pyqtgraph labels every minor tick of a log axis
        units = (1, 2, 4, 8, 16, 32, 64, 128, 256)
        self.getPlotItem().getAxis("bottom").setTicks(
            [[(float(np.log10(n)), str(n)) for n in units], []]
        )
        errs = [m * 10.0**e for e in range(-4, 2) for m in (1, 2, 5)]
        self.getPlotItem().getAxis("left").setTicks(
            [[(float(np.log10(v)), f"{v:g}") for v in errs], []]
        )
        self.curve = self.add_curve(color_index=2, width=2.0)
        self.eps = self.add_curve("ε", color="#9a9a9a", width=1.0, dashed=True)

    def show_errors(self, units: list[int], errors: list[float], eps: float) -> None:
        """Plot the sweep so far and the ε line."""
        color = self.theme.palette.series_color(2)
        self.curve.setData(
            units, errors, symbol="o", symbolSize=8, symbolBrush=color, symbolPen=None
        )
        if units:
            self.eps.setData([min(units), max(max(units), 2)], [eps, eps])
        else:
            self.eps.setData([], [])
        # log-axis ranges are in decades: always show at least 0.01 … 1 and 1 … 64
        values = [eps, *errors]
        lo = min(-2.0, np.floor(np.log10(max(min(values), 1e-6))))
        hi = max(0.0, np.ceil(np.log10(max(values))))
        self.setYRange(lo, hi, padding=0.02)
        self.setXRange(
            0.0, max(np.log10(64), np.log10(max(units, default=1))), padding=0.04
        )
