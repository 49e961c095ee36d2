"""The five pages of the Autoregressive panel's tabs, and the images they show."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.core.ar.config import COST_LENGTHS
from explorer.core.ar.masks import BlindSpot
from explorer.panels.ar.formulas import complexity_html
from explorer.panels.ar.views import RGB, CurvePlot, HeatView, PixelImage, TreeView, rgb
from explorer.widgets.theme import Palette, ThemeManager

SEEN, BLIND = 0, 1  # palette series: blue, orange (the output: text colour)
PAST, FUTURE = "#d9dde3", "#f6f7f9"
UNDRAWN = "#9aa3ad"


def _label(html: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(html)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(wrap)
    return label


def spot_rgb(spot: BlindSpot, palette: Palette) -> RGB:
    """Colour one :class:`BlindSpot`: seen, blind, the output, the past, the future."""
    h, w = spot.seen.shape
    idx = np.arange(h * w).reshape(h, w)
    out = np.empty((h, w, 3), dtype=np.uint8)
    out[:] = rgb(FUTURE)
    out[idx < spot.row * w + spot.col] = rgb(PAST)
    out[spot.seen] = rgb(palette.series_color(SEEN))
    out[spot.blind] = rgb(palette.series_color(BLIND))
    out[spot.row, spot.col] = rgb(palette.text)
    return out


def samples_rgb(samples: NDArray[np.float32] | None, n: int = 4) -> RGB:
    """Tile N 28 × 28 samples side by side: ink black, paper white, undrawn grey."""
    if samples is None:
        samples = np.full((n, 28, 28), np.nan, dtype=np.float32)
    tiles = []
    for s in samples:
        tile = np.empty((28, 28, 3), dtype=np.uint8)
        tile[:] = rgb(UNDRAWN)
        tile[s == 0.0] = 255
        tile[s == 1.0] = 0
        tiles.append(tile)
        tiles.append(np.full((28, 2, 3), 200, dtype=np.uint8))
    return np.concatenate(tiles[:-1], axis=1)


class ChainPage(QWidget):
    """Bits per pixel as the model trains, and its samples drawn pixel by pixel."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.bits = CurvePlot(
            theme,
            title="Negative log-likelihood",
            x_label="epoch",
            y_label="bits per pixel",
            names=("training (last 10 batches)", "epoch mean", "independent pixels"),
            dashed_from=2,
        )
        for name in ("training (last 10 batches)", "independent pixels"):
            self.bits.curves[name].setSymbol(None)
        self.bits.curves["epoch mean"].setPen(None)
        self.bits.curves["epoch mean"].setSymbolSize(10)
        self.samples = PixelImage(theme, "Samples, drawn one pixel after the other")
        self.samples.setToolTip(
            "Each pixel is drawn from p(x_i | x_<i) given the ones drawn before it: "
            "784 steps in raster order (grey: not drawn yet)"
        )
        layout.addWidget(self.bits, 3)
        layout.addWidget(self.samples, 2)


class MaskPage(QWidget):
    """PixelCNN and Gated PixelCNN side by side: click an output pixel."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.pixelcnn = PixelImage(theme, "PixelCNN")
        self.gated = PixelImage(theme, "Gated PixelCNN")
        for view in (self.pixelcnn, self.gated):
            view.setToolTip("Click an output pixel: the inputs it depends on turn blue")
            row.addWidget(view, 1)
        layout.addLayout(row, 1)
        p = theme.palette
        swatch = "<span style='color:{}'>■</span> {}"
        self.legend = _label(
            " &nbsp; ".join(
                swatch.format(c, t)
                for c, t in (
                    (p.text, "output pixel"),
                    (p.series_color(SEEN), "depends on (∂y/∂x ≠ 0)"),
                    (p.series_color(BLIND), "blind spot"),
                    ("#b5bcc6", "earlier pixels"),
                )
            )
        )
        layout.addWidget(self.legend)


class WavePage(QWidget):
    """The dilation tree of one output, and how fast the field grows with depth."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.tree = TreeView(theme)
        self.growth = CurvePlot(
            theme,
            title="Receptive field vs depth",
            x_label="layers",
            y_label="samples seen",
            names=("d = 1, 2, 4, …", "all d = 1", "this stack"),
            log=(False, True),
            dashed_from=2,
        )
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.growth, 2)


class AttentionPage(QWidget):
    """α as a heat map, with the complexity table beside it."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.heat = HeatView(theme)
        layout.addWidget(self.heat, 3)
        self.table = _label(complexity_html())
        self.table.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.table, 1)


class CostPage(QWidget):
    """Measured seconds per layer as T grows (log axes), the table beside them."""

    def __init__(self, theme: ThemeManager) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.curves = CurvePlot(
            theme,
            title="Measured time per layer (this machine)",
            x_label="sequence length T",
            y_label="seconds",
            names=("self-attention", "recurrent", "convolution"),
            log=(True, True),
        )
        self.curves.set_x_ticks(COST_LENGTHS)
        self.curves.setMinimumHeight(120)  # the table below must never be cut off
        layout.addWidget(self.curves, 1)
        side = QHBoxLayout()
        self.table = _label(complexity_html(), wrap=False)
        self.note = _label("")
        side.addWidget(self.table)
        side.addWidget(self.note, 1)
        layout.addLayout(side)
