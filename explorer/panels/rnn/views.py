"""Views of the RNN panel: the gradient through time, W's spectrum, training curves.

Every plot item is made once and updated with ``setData`` / ``setImage``.
Log axes are fed clipped values (float64 reaches 10^±308; λ = 5 over T = 500
does not), so a curve never breaks on inf or 0.

The training curves are drawn cheaply (a thick antialiased pen sends QPainter
through its path stroker: about 150 ms for two 1000-step noisy curves at ×2): the
smooth running means are thinned to :data:`SMOOTH_POINTS` points, which a 25-step
mean does not show, and the noisy per-step ‖g‖ is drawn without antialiasing, as
separate segments.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtWidgets import QWidget

from explorer.core.rnn import JacobianResult
from explorer.core.rnn.names import CELL_SHORT, GATE_NAMES, GATE_TITLES
from explorer.widgets.plot_pane import PlotPane, step_above
from explorer.widgets.theme import ThemeManager

FloatArray = NDArray[np.float64]
LOG_CLIP = 300.0  # log10 limits fed to a log axis
LINEAR_TOP = 10.0  # the accuracy / loss axis ends here (a loss of 2 is already bad)
PAD = 0.02  # fraction of a range left empty at each end
SMOOTH = 25  # steps in the running mean of the training curves
GATE_GAP = 2  # empty rows between the gate heat maps
SMOOTH_POINTS = 300  # points drawn of a running-mean curve (≥ 3 per SMOOTH window)


def _plain_axes(pane: PlotPane, *, integer_x: bool = False) -> None:
    plot = pane.getPlotItem()
    plot.setMenuEnabled(False)
    plot.hideButtons()
    for name in ("left", "bottom"):
        plot.getAxis(name).enableAutoSIPrefix(False)
    if integer_x:
        plot.getAxis("bottom").setTickSpacing()  # auto, but only at whole numbers


def from_log10(values: FloatArray) -> FloatArray:
    """Return 10^values with the exponent clipped to ±:data:`LOG_CLIP` (NaN kept)."""
    out: FloatArray = np.power(10.0, np.clip(values, -LOG_CLIP, LOG_CLIP))
    return out


def power_of_ten(log10: float) -> str:
    """Return 10^log10 as rich text, e.g. ``2.66·10<sup>−5</sup>`` (any size)."""
    if not np.isfinite(log10):
        return "0" if log10 < 0 else "∞"
    exp = int(np.floor(log10))
    if -3 <= exp <= 3:
        return f"{10.0**log10:.4g}"
    mant = 10.0 ** (log10 - exp)
    sign = "−" if exp < 0 else ""
    return f"{mant:.3g}·10<sup>{sign}{abs(exp)}</sup>"


def running_mean(y: FloatArray, window: int = SMOOTH) -> FloatArray:
    """Return the trailing mean of ``y`` over at most ``window`` points."""
    if len(y) == 0:
        return y
    c = np.cumsum(np.insert(np.asarray(y, dtype=np.float64), 0, 0.0))
    idx = np.arange(1, len(y) + 1)
    lo = np.maximum(0, idx - window)
    out: FloatArray = (c[idx] - c[lo]) / (idx - lo)
    return out


def settle(pane: PlotPane) -> None:
    """Apply a new range to ``pane``'s items now, so one frame paints it.

    pyqtgraph moves the items to a new range only when it next paints, which
    asks for a second paint of the whole plot area in the following frame.
    """
    pane.getPlotItem().getViewBox().updateMatrix()


def decades(
    values: list[FloatArray], shown: tuple[float, ...] | None = None
) -> tuple[float, float]:
    """Return whole log10 decades around the finite positive ``values``.

    The ``shown`` range is kept while it holds the values with less than two
    spare decades at each end, so values hovering at a decade's edge do not re-range
    the axis on every report.
    """
    logs = [np.log10(v[np.isfinite(v) & (v > 0)]) for v in values]
    logs = [v for v in logs if len(v)]
    if not logs:
        return (-1.0, 1.0)
    v_lo = min(float(v.min()) for v in logs)
    v_hi = max(float(v.max()) for v in logs)
    if shown is not None:
        spare = (v_lo - shown[0], shown[1] - v_hi)  # decades free below, above
        if all(0.0 <= d < 2.0 for d in spare):
            return (shown[0], shown[1])
    lo = math.floor(v_lo)
    return (float(lo), float(max(math.ceil(v_hi), lo + 1)))


def thinned(n: int, most: int = SMOOTH_POINTS) -> slice | NDArray[np.intp]:
    """Return the indices of every k-th of ``n`` points (at most ``most``), last
    kept."""
    if n <= most:
        return slice(None)
    stride = -(-n // most)
    idx = np.arange(0, n, stride)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


def clip_marks(g: FloatArray, c: float) -> FloatArray:
    """Return min(g, c) on the steps that were clipped and their neighbours, else NaN.

    Drawn dashed over the solid ‖g‖, min(g, c) is hidden by it wherever g ≤ c:
    only the segments that touch a clipped step show, so only those are drawn.
    """
    hit = g > c
    near = hit.copy()
    near[1:] |= hit[:-1]
    near[:-1] |= hit[1:]
    out: FloatArray = np.where(near, np.minimum(g, c), np.nan)
    return out


class JacobianView(PlotPane):
    """‖∂h^T/∂h^k‖ against k on a log axis, with the bound η^(T−k) dashed."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="‖∂hᵀ/∂hᵏ‖",
            x_label="k (time step)",
            y_label="norm",
            parent=parent,
        )
        _plain_axes(self)
        self.setLogMode(x=False, y=True)
        self.add_legend()
        self.norms = self.add_curve("‖∂hᵀ/∂hᵏ‖", color_index=0, width=2.5)
        self.bound = self.add_curve("η^(T−k)", color_index=1, dashed=True)
        self.one = self.add_curve("", color="#888888", width=1.0, dashed=True)

    def show_result(self, result: JacobianResult) -> None:
        """Draw ``result``'s norms and bound."""
        k = result.ks.astype(np.float64)
        q = result.quantity
        title = f"‖∂{q}ᵀ/∂{q}ᵏ‖"
        if title != self._title:  # as the GAN's FieldView.set_title does
            self._title = title
            self.restyle()
        self.norms.setData(k, from_log10(result.log10_norms))
        with np.errstate(divide="ignore", invalid="ignore"):
            log_bound = np.log10(result.bound)
        if np.all(np.isfinite(log_bound)):
            self.bound.setData(k, from_log10(log_bound))
        else:
            self.bound.setData([], [])
        self.one.setData([0.0, k[-1]], [1.0, 1.0])
        # the range follows the norms (and 1): a bound of 10^37 would flatten them
        logs = np.clip(result.log10_norms, -LOG_CLIP, LOG_CLIP)
        lo, hi = min(float(logs.min()), 0.0), max(float(logs.max()), 0.0)
        pad = max(0.3, 0.08 * (hi - lo))
        self.setYRange(lo - pad, hi + pad, padding=0.0)  # log-mode: log10 units
        self.setXRange(0.0, float(k[-1]), padding=0.02)

    def clear_result(self) -> None:
        """Show no curve (the net is being recomputed or was refused)."""
        for item in (self.norms, self.bound, self.one):
            item.setData([], [])


class SpectrumView(PlotPane):
    """The eigenvalues of W on the complex plane, with the unit circle."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme, title="λᵢ(W)", x_label="Re λ", y_label="Im λ", parent=parent
        )
        _plain_axes(self)
        self.setAspectLocked(True)
        self.circle = self.add_curve("", color="#888888", width=1.0, dashed=True)
        a = np.linspace(0.0, 2.0 * np.pi, 181)
        self.circle.setData(np.cos(a), np.sin(a))
        self.points = self.add_scatter("λ_i", color_index=0, size=6.0)

    def show_result(self, result: JacobianResult) -> None:
        """Draw the eigenvalues; the view always shows the whole unit circle."""
        ev = result.eigenvalues
        self.points.setData(x=ev.real, y=ev.imag)
        r = max(1.1, float(np.max(np.abs(ev))) * 1.1 if len(ev) else 1.1)
        self.setRange(xRange=(-r, r), yRange=(-r, r), padding=0.0)

    def clear_result(self) -> None:
        """Show no eigenvalues."""
        self.points.setData(x=[], y=[])


class SingularView(PlotPane):
    """The singular values of W, largest first, with the line σ = 1."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="σᵢ(W)",
            x_label="i",
            y_label="σᵢ",
            parent=parent,
        )
        _plain_axes(self)
        self.one = self.add_curve("", color="#888888", width=1.0, dashed=True)
        self.points = self.add_scatter("σ_i", color_index=2, size=5.0)

    def show_result(self, result: JacobianResult) -> None:
        """Draw the singular values."""
        sv = result.singular_values
        i = np.arange(1, len(sv) + 1, dtype=np.float64)
        self.points.setData(x=i, y=sv)
        self.one.setData([1.0, max(2.0, float(len(sv)))], [1.0, 1.0])
        self.setYRange(0.0, max(1.2, float(sv.max()) * 1.1 if len(sv) else 1.2))

    def clear_result(self) -> None:
        """Show no singular values."""
        self.points.setData(x=[], y=[])


class CurvesView(PlotPane):
    """Per-step curves of the two cells (running means), one colour per cell."""

    def __init__(
        self,
        theme: ThemeManager,
        title: str,
        y_label: str,
        cells: tuple[str, str],
        *,
        log_y: bool = False,
        legend: bool = False,
        smooth: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(theme, title=title, x_label="step", parent=parent)
        self._smooth = smooth
        self.setToolTip(y_label)
        _plain_axes(self)
        self.setLogMode(x=False, y=log_y)
        self._log = log_y
        self._with_legend = legend
        if legend:
            self.add_legend()
        self.curves = [
            self.add_curve(CELL_SHORT[c], color_index=i) for i, c in enumerate(cells)
        ]
        self.extra = [
            self.add_curve("", color_index=i, width=1.5, dashed=True)
            for i in range(len(cells))
        ]
        self.level = self.add_curve("", color="#888888", width=1.0, dashed=True)
        for item in (*self.curves, *self.extra):
            # a long budget: at most a few points per pixel column, extremes kept
            item.setDownsampling(auto=True, method="peak")
            if not smooth:  # noisy per-step values: segments, no path stroker
                item.opts["antialias"] = False
        for item in self.extra:  # an antialiased dash is the costliest stroke
            item.opts["antialias"] = False
        # The ranges come from our numbers (fit_range), not from pyqtgraph's auto
        # range: that re-ranged one frame after each setData, so every update was
        # painted twice, its axes redrawn each time.
        self._values: dict[int, list[FloatArray]] = {}
        self._level: float | None = None
        self._shown_range: tuple[float, float, float] | tuple[()] = ()
        self.clear_curves()

    def set_names(self, names: tuple[str, ...]) -> None:
        """Rename the legend entries (the runs changed: another baseline, clipping)."""
        if not self._with_legend:
            return
        legend = self.add_legend()
        for (_sample, label), name in zip(legend.items, names, strict=False):
            label.setText(name)

    def set_curve(
        self, index: int, x: FloatArray, y: FloatArray, extra: FloatArray | None = None
    ) -> None:
        """Show cell ``index``'s curve (and its dashed companion).

        A ``smooth`` view draws every k-th point only (see :func:`thinned`).
        """
        if self._smooth:
            keep = thinned(len(x))
            x, y = x[keep], y[keep]
            extra = None if extra is None else extra[keep]
        if not self._log:  # a loss that blew up (10^35 under SGD) runs off the top
            y = np.minimum(y, LINEAR_TOP)
            extra = None if extra is None else np.minimum(extra, LINEAR_TOP)
        self.curves[index].setData(x, y)
        self._values[index] = [y]
        if extra is not None:
            self.extra[index].setData(x, extra)
            self._values[index].append(extra)

    def set_level(self, value: float | None) -> None:
        """Draw a dashed horizontal line at ``value`` (chance, the clip c) or none;
        it spans the x range :meth:`fit_range` sets."""
        if value != self._level:
            self._level = value
            self._shown_range = ()

    def fit_range(self, x_max: float, budget: int) -> None:
        """Range x over 0 … a step above ``x_max`` (at most ``budget``), y over the
        curves and the level: from 0 (linear) or in whole decades (log)."""
        x_hi = max(1.0, min(float(budget), step_above(max(x_max, 1.0))))
        values = [v for vs in self._values.values() for v in vs]
        if self._level is not None:
            values.append(np.array([self._level]))
        if self._log:  # log-mode ranges are in log10 units
            shown = self._shown_range[1:] if self._shown_range else None
            y_lo, y_hi = decades(values, shown)
        else:
            tops = [float(np.nanmax(v)) for v in values if np.isfinite(v).any()]
            y_lo, y_hi = 0.0, step_above(min(max([1.0, *tops]), LINEAR_TOP))
        target = (x_hi, y_lo, y_hi)
        if target != self._shown_range:
            self._shown_range = target
            self.setRange(xRange=(0.0, x_hi), yRange=(y_lo, y_hi), padding=PAD)
            settle(self)
            if self._level is None:
                self.level.setData([], [])
            else:
                self.level.setData([0.0, x_hi], [self._level, self._level])

    def clear_curves(self) -> None:
        """Remove every curve's data; the axes show the empty range again."""
        for item in (*self.curves, *self.extra):
            item.setData([], [])
        self._values.clear()
        self._level = None
        self._shown_range = ()
        self.fit_range(0.0, 1)


class GradientVsKView(PlotPane):
    """‖∂L/∂m^k‖ on a probe batch for both trained cells (m = h for the RNN, c for
    the memory cells)."""

    def __init__(
        self, theme: ThemeManager, cells: tuple[str, str], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            theme,
            title="‖∂L/∂mᵏ‖",
            x_label="k",
            parent=parent,
        )
        _plain_axes(self)
        self.setLogMode(x=False, y=True)
        self.curves = [self.add_curve("", color_index=i) for i in range(len(cells))]
        self._values: dict[int, FloatArray] = {}
        self._shown_range: tuple[float, float, float] | tuple[()] = ()

    def set_curve(self, index: int, norms: FloatArray) -> None:
        """Show cell ``index``'s gradient norms over k (call :meth:`fit_range`)."""
        k = np.arange(len(norms), dtype=np.float64)
        safe = np.clip(norms, 10.0**-LOG_CLIP, 10.0**LOG_CLIP)
        self.curves[index].setData(k, safe)
        self._values[index] = safe

    def fit_range(self) -> None:
        """Range k over the sequence and y over whole decades of the norms."""
        if not self._values:
            return
        k_hi = float(max(1, max(len(v) for v in self._values.values()) - 1))
        shown = self._shown_range[1:] if self._shown_range else None
        target = (k_hi, *decades(list(self._values.values()), shown))
        if target != self._shown_range:
            self._shown_range = target
            self.setRange(xRange=(0.0, k_hi), yRange=target[1:], padding=PAD)
            settle(self)

    def clear_curve(self, index: int) -> None:
        """Remove cell ``index``'s curve (a run that died)."""
        self.curves[index].setData([], [])
        self._values.pop(index, None)

    def clear_curves(self) -> None:
        """Remove every curve's data."""
        for item in self.curves:
            item.setData([], [])
        self._values.clear()


class GateView(PlotPane):
    """The LSTM's gates f, i, o, g over time for one example, stacked heat maps."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(
            theme,
            title="LSTM gates",
            x_label="t",
            parent=parent,
        )
        _plain_axes(self)
        self.image = self.add_image("sequential")
        self._hidden = 0
        self._rect: tuple[float, ...] = ()

    def show_gates(self, gates: dict[str, FloatArray]) -> None:
        """Stack f, i, o, g (each T × n) into one image, time along x."""
        if not gates:
            self.clear_gates()
            return
        blocks = [gates[name].T for name in GATE_NAMES]  # (n, T) each
        n, T = blocks[0].shape
        gap = np.full((GATE_GAP, T), np.nan)
        rows: list[FloatArray] = []
        for b in reversed(blocks):  # f at the top
            rows.extend([b, gap])
        stacked = np.concatenate(rows[:-1], axis=0)
        self.image.setImage(stacked, levels=(-1.0, 1.0), autoLevels=False)
        rect = (0.5, 0.0, float(T), float(stacked.shape[0]))
        if rect != self._rect:  # (a new shape only)
            self._rect = rect
            self.image.setRect(*rect)
        if n != self._hidden:
            self._hidden = n
            ticks = [
                ((3 - j) * (n + GATE_GAP) + n / 2, GATE_TITLES[name])
                for j, name in enumerate(GATE_NAMES)
            ]
            self.getPlotItem().getAxis("left").setTicks([ticks])
        # only a new shape re-ranges, applied at once: one paint per update
        self.set_live_range((0.5, T + 0.5), (0.0, float(stacked.shape[0])), 0.0)

    def clear_gates(self) -> None:
        """Show an empty map."""
        self.image.clear()
        self._hidden = 0
        self._rect = ()
        self.getPlotItem().getAxis("left").setTicks(None)


def integer_ticks(pane: pg.PlotWidget) -> None:
    """Ask the bottom axis for whole-number ticks only (step and time axes)."""
    axis = pane.getPlotItem().getAxis("bottom")
    axis.setStyle(autoReduceTextSpace=True)
