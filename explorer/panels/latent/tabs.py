"""The latent panel's lower tabs: interpolation strips and the decoded manifold."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.core.latent.names import MODEL_KINDS, MODEL_TITLES
from explorer.panels.latent.controls import EndpointBar, GridBar
from explorer.panels.latent.views import GREY_LUT, DigitImage
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager


class InterpolationTab(QWidget):
    """Ends A and B, a lerp and a slerp strip per model, ‖z(t)‖ of the active one."""

    def __init__(
        self, theme: ThemeManager, n_digits: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        self.ends_bar = EndpointBar(n_digits)
        outer.addWidget(self.ends_bar)
        body = QHBoxLayout()
        rows = QGridLayout()
        rows.setVerticalSpacing(2)
        # One row per model, lerp beside slerp: the two paths of a model compare at
        # a glance, and three rows fit a projector's height where six did not.
        lerp_tip = "lerp: z(t) = (1 − t)·z_A + t·z_B"
        slerp_tip = (
            "slerp: the direction follows the great circle from z_A to z_B,\n"
            "sin((1 − t)Ω)/sin Ω·ẑ_A + sin(tΩ)/sin Ω·ẑ_B (Shoemake 1985; White "
            "2016),\nthe norm runs linearly from ‖z_A‖ to ‖z_B‖"
        )
        for col, (text, tip) in enumerate(
            (("<b>lerp</b>", lerp_tip), ("<b>slerp</b>", slerp_tip)), start=1
        ):
            head = QLabel(text)
            head.setTextFormat(Qt.TextFormat.RichText)
            head.setToolTip(tip)
            rows.addWidget(head, 0, col, Qt.AlignmentFlag.AlignHCenter)
        self.strips: list[tuple[DigitImage, DigitImage]] = []
        self.strip_labels: list[QLabel] = []
        for i, kind in enumerate(MODEL_KINDS):
            label = QLabel(f"<b>{MODEL_TITLES[kind]}</b>")
            label.setTextFormat(Qt.TextFormat.RichText)
            lerp_row = DigitImage(theme)
            slerp_row = DigitImage(theme)
            for strip, tip in ((lerp_row, lerp_tip), (slerp_row, slerp_tip)):
                strip.view.setMinimumSize(40, 20)
                strip.setToolTip(tip)
            rows.addWidget(label, i + 1, 0)
            rows.addWidget(lerp_row, i + 1, 1)
            rows.addWidget(slerp_row, i + 1, 2)
            rows.setRowStretch(i + 1, 1)
            self.strips.append((lerp_row, slerp_row))
            self.strip_labels.append(label)
        rows.setColumnStretch(1, 1)
        rows.setColumnStretch(2, 1)
        body.addLayout(rows, 3)
        self.norm_plot = PlotPane(
            theme, title="‖z(t)‖ (active model)", x_label="t", y_label="‖z‖"
        )
        # Top right: the y range runs to 1.6 × the largest norm (show_norms), so the
        # top third above the curves is empty and the legend covers none of them.
        legend = self.norm_plot.add_legend()
        legend.anchor((1, 0), (1, 0), offset=(-10, 5))
        self.norm_lerp = self.norm_plot.add_curve("lerp", color_index=0)
        self.norm_slerp = self.norm_plot.add_curve("slerp", color_index=1, dashed=True)
        self.norm_plot.setXRange(0.0, 1.0, padding=0.02)
        self.norm_plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self.norm_plot.setMinimumWidth(200)
        body.addWidget(self.norm_plot, 1)
        outer.addLayout(body, 1)

    @property
    def secondary(self) -> list[QWidget]:
        """Return the widgets hidden in presentation mode."""
        return [self.ends_bar.hint, self.norm_plot]

    def show_norms(
        self, lerp_codes: NDArray[np.float32], slerp_codes: NDArray[np.float32]
    ) -> None:
        """Plot ‖z(t)‖ along both paths."""
        t = np.linspace(0.0, 1.0, len(lerp_codes))
        lerp_norm = np.linalg.norm(lerp_codes, axis=1)
        slerp_norm = np.linalg.norm(slerp_codes, axis=1)
        self.norm_lerp.setData(t, lerp_norm)
        self.norm_slerp.setData(t, slerp_norm)
        # From 0: the lesson is how far lerp's norm dips against slerp's; the top
        # third stays empty for the legend.
        top = float(max(lerp_norm.max(), slerp_norm.max(), 1e-3))
        self.norm_plot.setYRange(0.0, 1.6 * top, padding=0.0)

    def clear_norms(self) -> None:
        """Show no ‖z(t)‖ (no model to encode the ends yet)."""
        self.norm_lerp.setData([], [])
        self.norm_slerp.setData([], [])

    def show_models(self, visible: list[bool]) -> None:
        """Show the strips of the models marked in ``visible``."""
        for i, (lerp_row, slerp_row) in enumerate(self.strips):
            for w in (lerp_row, slerp_row, self.strip_labels[i]):
                w.setVisible(visible[i])


class ManifoldTab(QWidget):
    """The grid settings and the decoded grid over the latent plane, with axes.

    The grid's cells sit at integer plot positions 0 … n − 1; each axis names its
    coordinate (z₁ / z₂, or the principal axes) and labels the cells with their
    latent values, so the Gaussian spacing Φ⁻¹((i + ½)/n) shows as uneven numbers.
    """

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        # Settings and caption beside the grid: the grid is square, the tab wide.
        outer = QHBoxLayout(self)
        outer.setContentsMargins(4, 2, 4, 2)
        side = QVBoxLayout()
        outer.addLayout(side)
        self.grid_bar = GridBar()
        side.addWidget(self.grid_bar)
        self.title = QLabel("Decoded manifold grid")
        self.title.setWordWrap(True)
        side.addWidget(self.title)
        side.addStretch(1)
        self.plot = PlotPane(theme, x_label="z₁", y_label="z₂")
        self.plot.showGrid(x=False, y=False)
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)
        self.plot.setMinimumSize(80, 80)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(GREY_LUT)
        self.plot.addItem(self.image)
        outer.addWidget(self.plot, 1)
        self.coords: NDArray[np.float64] = np.zeros(0)

    def has_image(self) -> bool:
        """Return whether a grid is shown."""
        return self.image.image is not None

    def set_grid(
        self,
        tiled: NDArray[np.float32],
        coords: NDArray[np.float64],
        axis_names: tuple[str, str],
    ) -> None:
        """Show the tiled grid image; ``coords`` are the latent values of the cells."""
        n = len(coords)
        self.coords = np.asarray(coords, np.float64)
        # Row 0 of the tiled image is the top of the plane: flip for a y-up plot.
        self.image.setImage(tiled[::-1], levels=(0.0, 1.0), autoLevels=False)
        self.image.setRect(QRectF(-0.5, -0.5, n, n))
        # As many labels as the plot has room for (~70 px each at ×1), ends included.
        side = min(self.plot.width(), self.plot.height())
        count = int(np.clip(side // (70 * self._theme.scale), 2, min(n, 6)))
        picks = np.unique(np.linspace(0, n - 1, count).round().astype(int))
        ticks = [(float(i), f"{coords[i]:.1f}") for i in picks]
        item = self.plot.getPlotItem()
        for axis, name in zip(("bottom", "left"), axis_names, strict=True):
            item.getAxis(axis).setTicks([ticks, []])
            item.setLabel(axis, name)
        self.plot.setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0.02)

    def clear(self, title: str = "Decoded manifold grid") -> None:
        """Show no grid (no model yet), and ``title``."""
        self.image.clear()
        self.coords = np.zeros(0)
        self.title.setText(title)
