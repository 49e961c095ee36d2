"""The panel's pages: the layer, the band matrix, the backward pass, upsampling.

Each page is built once and redrawn from an :class:`~explorer.core.conv.analysis.
Analysis` (``show``) or emptied (``clear``): nothing it shows outlives the
analysis it came from.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from explorer.core.conv.analysis import Analysis
from explorer.core.conv.names import KERNEL_NAMES, KERNEL_TITLES, MODES
from explorer.panels.conv.state import PANEL_KERNEL
from explorer.panels.conv.views import ImagePane, KernelEditor, Page, fmt, mosaic
from explorer.widgets.formula_card import LiveText
from explorer.widgets.play_button import PlayButton
from explorer.widgets.theme import ThemeManager

MAX_TERMS_SHOWN = 25  # a 7 × 7 kernel lists its first 25 products, then "…"
SLIDE_INTERVAL_MS = 120  # the played window moves ~8 cells a second


def _wrap(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class KernelBox(QWidget):
    """The kernel: mode, preset, size, the editable table, the symmetry note."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.preset = QComboBox()
        for name in KERNEL_NAMES:
            self.preset.addItem(KERNEL_TITLES[name], name)
        self.preset.addItem("custom", "custom")
        self.preset.setToolTip("Kernel presets; editing a cell makes it 'custom'")
        self.side = QSpinBox()
        self.side.setRange(*PANEL_KERNEL)
        self.side.setPrefix("k = ")
        self.side.setToolTip("Kernel side k (box, Gaussian, identity and custom)")
        self.mode = QComboBox()
        for m in MODES:
            self.mode.addItem("correlation" if m == "corr" else "convolution", m)
        self.mode.setToolTip(
            "correlation: I′(i,j) = Σ K(m,n) I(i+m, j+n)\n"
            "convolution: I′(i,j) = Σ K(m,n) I(i−m, j−n) (the kernel flipped)"
        )
        self.editor = KernelEditor()
        self.symmetry = LiveText()  # a QLabel's setText would re-lay out the column
        box.addWidget(self.mode)
        row = QHBoxLayout()
        row.addWidget(self.preset, 1)
        row.addWidget(self.side)
        box.addLayout(row)
        box.addWidget(self.editor, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addWidget(self.symmetry)

    def show_symmetry(self, a: Analysis | None) -> None:
        """Say whether correlation and convolution agree for this kernel."""
        if a is None:
            self.symmetry.set_html("")
        elif a.symmetric:
            self.symmetry.set_html(
                "K(m,n) = K(−m,−n): correlation <b>=</b> convolution"
            )
        else:
            self.symmetry.set_html(
                "K is not point-symmetric: correlation <b>≠</b> convolution "
                f"(max |difference| {fmt(a.mode_difference)})"
            )


class LayerPage(Page):
    """Input with the window, the output; the slider and the window's sum."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.input_view = ImagePane(theme, "I", "grey", short="I")
        self.input_view.setToolTip(
            "The input (grey). The outline is the window the selected output cell "
            "reads;\nparts outside the image lie in the zero padding."
        )
        self.output_view = ImagePane(theme, "I′", "diverging", short="I′")
        self.output_view.setToolTip(
            "The layer's output (blue < 0 < red). Hover or click a cell to see its "
            "window and sum."
        )
        row.addWidget(self.input_view, 1)
        row.addWidget(self.output_view, 1)
        outer.addLayout(row, 1)
        slide = QHBoxLayout()
        self.window_label = QLabel("cell")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip(
            "Slide the window over the input: output cells in reading order "
            "(← → keys step it)"
        )
        self.play = PlayButton(
            self.slider,
            SLIDE_INTERVAL_MS,
            "Play: slide the window over the input one output cell at a time "
            "(press again to stop)",
        )
        slide.addWidget(self.play)
        slide.addWidget(self.window_label)
        slide.addWidget(self.slider, 1)
        outer.addLayout(slide)
        self.sum_text = LiveText()
        self.sum_text.setToolTip("The products the selected output cell adds up")
        outer.addWidget(self.sum_text)
        self.bank_view = ImagePane(theme, "filters", "diverging")
        self.bank_view.setMaximumHeight(160)
        outer.addWidget(self.bank_view)

    def draw(self, a: Analysis) -> None:
        """Draw the layer of ``a``."""
        cfg = a.cfg
        r, c = a.cell
        kh, kw = a.kernel.shape
        h, w = a.image.shape
        oh, ow = a.output.shape
        self.input_view.set_data(a.image, f"I: {h} × {w}", levels=(0.0, 1.0))
        word = "corr" if cfg.mode == "corr" else "conv"
        self.output_view.set_data(a.output, f"I′ ({word}): {oh} × {ow}")
        rects: list[tuple[float, float, float, float]] = [
            (t.col, t.row, t.col + 1, t.row + 1) for t in a.terms
        ]
        x0 = min(t.col for t in a.terms)
        y0 = min(t.row for t in a.terms)
        x1 = max(t.col for t in a.terms) + 1
        y1 = max(t.row for t in a.terms) + 1
        if cfg.dilation == 1:
            rects = [(x0, y0, x1, y1)]
        self.input_view.set_outline(rects)
        if cfg.padding:
            p = cfg.padding
            self.input_view.set_data(
                a.image,
                f"I: {h} × {w}, p = {p}",
                levels=(0.0, 1.0),
                extent=(-p, -p, w + p, h + p),
            )
            self.input_view.set_outline([*rects, (-p, -p, w + p, h + p)])
        self.output_view.set_outline([(c, r, c + 1, r + 1)])
        self.slider.blockSignals(True)
        self.slider.setRange(0, oh * ow - 1)
        self.slider.setValue(r * ow + c)
        self.slider.blockSignals(False)
        self.window_label.setText(f"cell ({r}, {c})")
        terms = a.terms[:MAX_TERMS_SHOWN]
        parts = [f"{fmt(t.weight)}·{'0' if t.padded else fmt(t.value)}" for t in terms]
        more = " + …" if len(a.terms) > MAX_TERMS_SHOWN else ""
        index = "i+m, j+n" if cfg.mode == "corr" else "i−m, j−n"
        self.sum_text.set_html(
            f"I′({r},{c}) = Σ K(m,n)·I({index}) = {' + '.join(parts)}{more} "
            f"= <b>{fmt(float(a.output[r, c]))}</b>"
            f"&nbsp;&nbsp;({kh}×{kw} products; 0 = padding)"
        )
        n = len(a.bank)
        self.bank_view.setVisible(n > 1)
        if n > 1:
            self.bank_view.set_data(
                mosaic(a.bank, n),
                f"{oh} × {ow} × {n}",
            )

    def clear(self, message: str) -> None:
        """Empty the output views, keeping the input, and say why."""
        self.output_view.set_data(None, "I′: none")
        self.input_view.set_outline([])
        self.sum_text.set_html(message)
        self.window_label.setText("cell —")
        self.bank_view.set_data(None, "filters")


class MatrixPage(Page):
    """The band matrix C of a small input, and C·x = conv, Cᵀ·g = transposed conv."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.dim = QComboBox()
        self.dim.addItem("2-D input", False)
        self.dim.addItem("1-D input", True)
        self.dim.setToolTip("1-D: a row of up to 16 values; 2-D: up to 6 × 6 pixels")
        self.side = QSpinBox()
        self.side.setRange(2, 16)
        self.side.setPrefix("n = ")
        self.side.setToolTip("The small input's side (the input averaged down to it)")
        row.addWidget(self.dim)
        row.addWidget(self.side)
        row.addStretch(1)
        outer.addLayout(row)
        views = QHBoxLayout()
        self.small = ImagePane(theme, "input", "grey")
        self.matrix = ImagePane(theme, "C", "diverging")
        self.matrix.setToolTip(
            "Row r of C holds the kernel's entries at the input pixels output r reads "
            "(row-major):\nthe kernel runs along C's diagonals."
        )
        views.addWidget(self.small, 1)
        views.addWidget(self.matrix, 3)
        outer.addLayout(views, 1)
        self.readout = LiveText()
        outer.addWidget(self.readout)

    def draw(self, a: Analysis) -> None:
        """Draw the matrix of ``a``."""
        m = a.matrix
        h, w = m.image.shape
        self.small.set_data(m.image, f"I: {h} × {w}", levels=(0.0, 1.0))
        if m.matrix is None or m.output is None:
            self.matrix.set_data(None, "C: none")
            self.readout.set_html(m.problem)
            return
        rows, cols = m.matrix.shape
        self.matrix.set_data(m.matrix, f"C: {rows} × {cols}")
        self.readout.set_html(
            f"vec(I′) = C · vec(I): {rows} outputs × {cols} inputs, "
            f"{int(np.count_nonzero(m.matrix))} non-zero. "
            f"max |C·vec(I) − layer| = <b>{m.forward_error:.1e}</b>; "
            f"max |Cᵀ·g − transposed conv of g| = <b>{m.transpose_error:.1e}</b> "
            "(g random)"
        )

    def clear(self, message: str) -> None:
        """Empty the views and say why."""
        self.small.set_data(None, "input")
        self.matrix.set_data(None, "C")
        self.readout.set_html(message)


class BackwardPage(Page):
    """δ^(l−1) three ways side by side, ∂L/∂w three ways, their differences."""

    TITLES = ("autograd", "Cᵀ · δ", "δ * ROT180(w)")

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        self.head = _wrap("")
        outer.addWidget(self.head)
        grid = QGridLayout()
        self.delta = ImagePane(theme, "δ(l) = I′", "diverging", short="δ(l)")
        self.delta.setToolTip("The upstream gradient ∂L/∂I′ for L = ½‖I′‖²: I′ itself")
        self.views = [
            ImagePane(theme, t, "diverging", short=short)
            for t, short in zip(
                self.TITLES, ("autograd", "Cᵀδ", "δ*rot(w)"), strict=True
            )
        ]
        tips = (
            "torch.autograd.grad of L with respect to the input",
            "the band matrix transposed times vec(δ) (C built sparse)",
            "δ spread on the stride grid, zero-padded by d(k−1) and correlated with "
            "the kernel rotated by 180° (a full convolution)",
        )
        for v, tip in zip(self.views, tips, strict=True):
            v.setToolTip(tip)
        for i, v in enumerate((self.delta, *self.views)):
            grid.addWidget(v, i // 2, i % 2)
        outer.addLayout(grid, 1)
        self.readout = LiveText()
        outer.addWidget(self.readout)

    def draw(self, a: Analysis) -> None:
        """Draw the backward pass of ``a``."""
        b = a.backward
        self.head.setText(
            f"L = ½‖I′‖² = {fmt(b.loss)}: δ<sup>(l−1)</sup> = ∂L/∂I three ways, "
            f"max difference <b>{b.max_difference:.1e}</b>"
        )
        peak = float(np.abs(b.autograd).max()) or 1.0
        self.delta.set_data(b.delta, "δ(l) = I′")
        for v, g, t in zip(
            self.views, (b.autograd, b.matrix, b.flipped), self.TITLES, strict=True
        ):
            v.set_data(g, t, levels=(-peak, peak))
        lines = "".join(
            f"<br>{name}: ["
            + ", ".join(fmt(float(v)) for v in g.ravel()[:9])
            + (", …" if g.size > 9 else "")
            + "]"
            for name, g in (
                ("autograd", b.w_autograd),
                ("Xᵀ·δ (im2col)", b.w_matrix),
                ("I ⋆ δ (correlation)", b.w_flipped),
            )
        )
        self.readout.set_html(
            f"∂L/∂w in reading order, max difference "
            f"<b>{b.w_max_difference:.1e}</b>:{lines}"
        )

    def clear(self, message: str) -> None:
        """Empty the views and say why."""
        self.head.setText(message)
        self.delta.set_data(None)
        for v, t in zip(self.views, self.TITLES, strict=True):
            v.set_data(None, t)
        self.readout.set_html("")


class UpsamplePage(Page):
    """Original, 2 × 2 max-pool and its gradient; four upsamplers; the overlap map."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.kernel = QSpinBox()
        self.kernel.setRange(1, 6)
        self.kernel.setPrefix("k = ")
        self.kernel.setToolTip("The transposed convolution's kernel side")
        self.stride = QSpinBox()
        self.stride.setRange(1, 4)
        self.stride.setPrefix("s = ")
        self.stride.setToolTip("The transposed convolution's stride")
        row.addWidget(QLabel("transposed conv:"))
        row.addWidget(self.kernel)
        row.addWidget(self.stride)
        row.addStretch(1)
        outer.addLayout(row)
        grid = QGridLayout()
        names = (
            ("input", "grey", "input"),
            ("max-pool 2×2", "grey", "pool"),
            ("pool gradient", "sequential", "∂pool"),
            ("nearest", "grey", "nearest"),
            ("bed of nails", "grey", "nails"),
            ("max-unpool", "grey", "unpool"),
            ("transposed", "grey", "transp."),
            ("overlap count", "sequential", "overlap"),
        )
        self.views: dict[str, ImagePane] = {}
        for i, (name, kind, short) in enumerate(names):
            v = ImagePane(theme, name, kind, short=short)
            self.views[name] = v
            grid.addWidget(v, i // 3, i % 3)
        self.views["pool gradient"].setToolTip(
            "∂(Σ pooled)/∂x: 1 where the window's max was, else 0"
        )
        self.views["overlap count"].setToolTip(
            "How many kernel copies a transposed convolution adds on each output "
            "pixel:\nk = 3, s = 2 gives a checkerboard; k = 4, s = 2 an even interior "
            "(Odena et al., Distill 2016)"
        )
        self.views["transposed"].setToolTip(
            "Each input scales a uniform k × k kernel (weights s²/k²) placed s apart; "
            "the copies add up"
        )
        outer.addLayout(grid, 1)
        self.readout = LiveText()
        outer.addWidget(self.readout)

    def draw(self, a: Analysis) -> None:
        """Draw the pooling and upsampling of ``a``."""
        u = a.upsampling
        lv = (0.0, 1.0)
        ph, pw = u.pooled.output.shape
        v = self.views
        v["input"].set_data(
            a.image, f"input {a.image.shape[0]}×{a.image.shape[1]}", levels=lv
        )
        v["max-pool 2×2"].set_data(u.pooled.output, f"max-pool {ph}×{pw}", levels=lv)
        v["pool gradient"].set_data(u.pool_gradient, "pool gradient", levels=lv)
        v["nearest"].set_data(u.nearest, "nearest", levels=lv)
        v["bed of nails"].set_data(u.bed_of_nails, "bed of nails", levels=lv)
        v["max-unpool"].set_data(u.max_unpool, "max-unpool", levels=lv)
        v["transposed"].set_data(u.transposed, "transposed", levels=lv)
        v["overlap count"].set_data(u.overlap, "overlap count")
        inner = (
            u.overlap[u.kernel : -u.kernel, u.kernel : -u.kernel]
            if min(u.overlap.shape) > 2 * u.kernel
            else u.overlap
        )
        counts = sorted({int(x) for x in np.unique(inner)})
        even = "even: no checkerboard" if len(counts) == 1 else "uneven: a checkerboard"
        self.readout.set_html(
            f"overlap counts inside: {', '.join(map(str, counts))} — {even} "
            f"(k = {u.kernel}, s = {u.stride}; even when s divides k)"
        )

    def clear(self, message: str) -> None:
        """Empty the views and say why."""
        for name, v in self.views.items():
            v.set_data(None, name)
        self.readout.set_html(message)
