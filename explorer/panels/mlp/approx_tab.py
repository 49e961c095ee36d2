"""The universal-approximation section: bumps by hand, then trained nets of N units."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from explorer.core.mlp.approx import (
    DEFAULT_STEEPNESS,
    Bump,
    SweepPoint,
    bumps_sum,
    even_bumps,
    sup_error,
    sweep,
    xs,
)
from explorer.core.mlp.data import FloatArray, sampled_target, target_values
from explorer.panels.mlp.bump_view import BumpView, ErrorPlot
from explorer.panels.mlp.state import DRAWN_SAMPLES, MAX_BUMPS, MlpState
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.theme import ThemeManager
from explorer.workers import JobRunner


def sweep_units(n_max: int) -> list[int]:
    """Return N = 1, 2, 4, … up to ``n_max`` (``n_max`` itself last)."""
    out = [1]
    while out[-1] * 2 < n_max:
        out.append(out[-1] * 2)
    if out[-1] != n_max:
        out.append(n_max)
    return out


def target_of(state: MlpState) -> FloatArray:
    """Return f sampled on the section's grid (a drawn f: its 101 values)."""
    x = xs()
    if state.a_target == "drawn":
        if not state.a_drawn:
            return np.zeros_like(x)
        return sampled_target(
            np.linspace(0, 1, DRAWN_SAMPLES), np.array(state.a_drawn), x
        )
    return target_values(state.a_target, x)


class ApproxSection(QObject):
    """The bump construction (drawn directly: it is cheap) and the trained sweep."""

    progressed = Signal()

    def __init__(
        self,
        theme: ThemeManager,
        runner: JobRunner,
        card: FormulaCard,
        on_error: Callable[[BaseException], None],
        set_bumps: Callable[[list[Bump]], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = QWidget()
        col = QVBoxLayout(self.page)
        col.setContentsMargins(0, 0, 0, 0)
        self.view = BumpView(theme)
        self.errors_plot = ErrorPlot(theme)
        col.addWidget(self.view, 3)
        col.addWidget(self.errors_plot, 2)
        self.runner = runner
        self.card = card
        self.on_error = on_error
        self._set_bumps = set_bumps
        self.f = target_of(MlpState())
        self.bumps: list[Bump] = []
        self.eps = 0.05
        self.results: list[SweepPoint] = []
        self.view.bumps_edited.connect(self._on_view_bumps_edited)

    def load(self, state: MlpState) -> None:
        """Show the target and bumps of ``state``; forget trained nets."""
        self.runner.abort()
        self.f = target_of(state)
        self.bumps = [tuple(b) for b in state.a_bumps]  # type: ignore[misc]
        self.eps = state.a_epsilon
        self.results = []
        self.view.set_fit(None, None)
        self.errors_plot.show_errors([], [], self.eps)
        self.view.set_bumps(self.bumps)
        self.redraw()

    def set_epsilon(self, eps: float) -> None:
        """Compare with a new ε (nothing to recompute)."""
        self.eps = eps
        self.redraw()
        self.errors_plot.show_errors(
            [r.units for r in self.results], [r.max_error for r in self.results], eps
        )

    # -- bumps -----------------------------------------------------------------------
    def add_bump(self) -> None:
        """Add a bump in the widest gap between bumps, as high as f there."""
        if len(self.bumps) >= MAX_BUMPS:
            raise ValueError(f"at most {MAX_BUMPS} bumps")
        edges = sorted([0.0, 1.0, *[e for s1, s2, _ in self.bumps for e in (s1, s2)]])
        gaps = np.diff(edges)
        i = int(np.argmax(gaps))
        a, b = edges[i], edges[i + 1]
        if b - a < 0.02:
            a, b = 0.45, 0.55
        mid = (a + b) / 2
        half = min(0.1, (b - a) / 2)
        h = float(np.interp(mid, xs(), self.f))
        self._commit([*self.bumps, (mid - half, mid + half, h)])

    def remove_bump(self) -> None:
        """Remove the last bump."""
        self._commit(self.bumps[:-1])

    def tile(self, n: int) -> None:
        """Replace the bumps by ``n`` equal ones (Nielsen's construction)."""
        self._commit(even_bumps(self.f, n))

    def _on_view_bumps_edited(self, bumps: list[Bump]) -> None:
        self._commit(bumps, redraw_handles=False)

    def _commit(self, bumps: list[Bump], *, redraw_handles: bool = True) -> None:
        self.bumps = list(bumps)
        if redraw_handles:
            self.view.set_bumps(self.bumps)
        self._set_bumps(self.bumps)
        self.redraw()

    def g(self) -> FloatArray:
        """Return the hand-made sum of bumps on the grid."""
        return bumps_sum(xs(), self.bumps, DEFAULT_STEEPNESS)

    def sup(self) -> float:
        """Return max|g − f| of the hand-made bumps."""
        return sup_error(self.g(), self.f)

    def redraw(self) -> None:
        """Draw f, g, the band and the card (cheap: 400 samples, a few bumps)."""
        self.view.set_curves(xs(), self.f, self.g(), self.eps)
        self.card.set_values(self.values())
        self.progressed.emit()

    # -- trained sweep -------------------------------------------------------------
    def start(self, state: MlpState, *, paused: bool) -> None:
        """Fit nets of N = 1, 2, 4, … units in a worker, one N per yield."""
        self.results = []
        self.errors_plot.show_errors([], [], self.eps)
        self.view.set_fit(None, None)
        self.runner.start(
            sweep,
            self.f,
            sweep_units(state.a_units),
            steps=state.a_steps,
            seed=0,
            on_progress=self._on_sweep_progressed,
            on_error=self.on_error,
            paused=paused,
            controlled=True,
        )

    def _on_sweep_progressed(self, item: SweepPoint) -> None:
        self.results.append(item)
        self.view.set_fit(xs(), item.g)
        self.errors_plot.show_errors(
            [r.units for r in self.results],
            [r.max_error for r in self.results],
            self.eps,
        )
        self.card.set_values(self.values())
        self.progressed.emit()

    def status(self) -> str:
        """Return the status line."""
        sup = self.sup()
        verdict = "<" if sup < self.eps else "≥"
        text = (
            f"{len(self.bumps)} bumps: max|g − f| = {sup:.4f} {verdict} "
            f"ε = {self.eps:g}"
        )
        if self.results:
            r = self.results[-1]
            text += f" · trained N = {r.units}: {r.max_error:.4f}"
        return text

    def values(self) -> dict[str, object]:
        """Return the card's live numbers."""
        sup = self.sup()
        out: dict[str, object] = {
            "bumps (neurons)": f"{len(self.bumps)} ({2 * len(self.bumps)})",
            "max|g − f|": sup,
            "ε": self.eps,
            "within ε": "yes" if sup < self.eps else "no",
        }
        if self.results:
            r = self.results[-1]
            out[f"trained, N = {r.units}: max|g − f|"] = r.max_error
            out["mean|g − f|"] = r.mean_error
        return out
