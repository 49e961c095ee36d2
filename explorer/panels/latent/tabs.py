"""The latent panel's lower tabs: interpolation strips and the decoded manifold."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from explorer.core.latent.names import MODEL_KINDS, MODEL_TITLES
from explorer.panels.latent.controls import EndpointBar, GridBar
from explorer.panels.latent.views import DigitImage
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import ThemeManager


class InterpolationTab(QWidget):
    """Ends A and B, a lerp and a slerp strip per model, ‖z(t)‖ of the active one."""

    def __init__(
        self, theme: ThemeManager, n_digits: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.ends_bar = EndpointBar(n_digits)
        outer.addWidget(self.ends_bar)
        body = QHBoxLayout()
        rows = QGridLayout()
        rows.setVerticalSpacing(2)
        self.strips: list[tuple[DigitImage, DigitImage]] = []
        self.strip_labels: list[tuple[QLabel, QLabel]] = []
        for i, kind in enumerate(MODEL_KINDS):
            name = MODEL_TITLES[kind]
            lerp_label = QLabel(f"<b>{name}</b> lerp")
            slerp_label = QLabel(f"<b>{name}</b> slerp")
            lerp_row = DigitImage(theme)
            slerp_row = DigitImage(theme)
            lerp_row.setToolTip("lerp: z(t) = (1 − t)·z_A + t·z_B")
            slerp_row.setToolTip(
                "slerp: the direction follows the great circle from z_A to z_B,\n"
                "sin((1 − t)Ω)/sin Ω·ẑ_A + sin(tΩ)/sin Ω·ẑ_B (Shoemake 1985; White "
                "2016),\nthe norm runs linearly from ‖z_A‖ to ‖z_B‖"
            )
            for r, (label, row) in enumerate(
                ((lerp_label, lerp_row), (slerp_label, slerp_row))
            ):
                label.setTextFormat(Qt.TextFormat.RichText)
                rows.addWidget(label, 2 * i + r, 0)
                rows.addWidget(row, 2 * i + r, 1)
            self.strips.append((lerp_row, slerp_row))
            self.strip_labels.append((lerp_label, slerp_label))
        rows.setColumnStretch(1, 1)
        body.addLayout(rows, 3)
        self.norm_plot = PlotPane(
            theme, title="‖z(t)‖ (active model)", x_label="t", y_label="‖z‖"
        )
        self.norm_plot.add_legend()
        self.norm_lerp = self.norm_plot.add_curve("lerp", color_index=0)
        self.norm_slerp = self.norm_plot.add_curve("slerp", color_index=1, dashed=True)
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
        self.norm_lerp.setData(t, np.linalg.norm(lerp_codes, axis=1))
        self.norm_slerp.setData(t, np.linalg.norm(slerp_codes, axis=1))

    def show_models(self, visible: list[bool]) -> None:
        """Show the strips of the models marked in ``visible``."""
        for i, (lerp_row, slerp_row) in enumerate(self.strips):
            for w in (lerp_row, slerp_row, *self.strip_labels[i]):
                w.setVisible(visible[i])


class ManifoldTab(QWidget):
    """The grid settings and the decoded grid over the latent plane."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)
        self.grid_bar = GridBar()
        outer.addWidget(self.grid_bar)
        self.grid_image = DigitImage(theme, "Decoded manifold grid")
        outer.addWidget(self.grid_image, 1)
