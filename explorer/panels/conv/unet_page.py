"""The U-Net page: the size walker and the FCN-vs-U-Net segmentation experiment."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core.conv.config import LIMITS
from explorer.core.conv.names import ARCH_TITLES, ARCHS, UNET_PADDINGS
from explorer.core.conv.segment import SegmentProgress
from explorer.core.conv.unet import Stage
from explorer.panels.conv.views import ImagePane, Page, mosaic
from explorer.widgets.formula_card import LiveText
from explorer.widgets.plot_pane import PlotPane, step_above
from explorer.widgets.theme import ThemeManager

HEADERS = ("stage", "size", "ch", "crop")


class UnetPage(Page):
    """Each stage's map size, channels and crop (Ronneberger et al. 2015)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        left = QVBoxLayout(self)
        left.setContentsMargins(2, 2, 2, 2)
        row = QHBoxLayout()
        self.side = QSpinBox()
        self.side.setRange(*LIMITS["unet_input"])
        self.side.setToolTip("The input's side in pixels (572 in the U-Net paper)")
        self.levels = QSpinBox()
        self.levels.setRange(*LIMITS["unet_depth"])
        self.levels.setPrefix("depth ")
        self.levels.setToolTip("Pooling levels (4 in the paper)")
        self.padding = QComboBox()
        for p in UNET_PADDINGS:
            self.padding.addItem(p, p)
        self.padding.setToolTip(
            "valid: unpadded 3×3 convolutions (−2 each; skips are cropped)\n"
            "same: padded convolutions keep the size (no crop)"
        )
        for w in (self.side, self.levels, self.padding):
            row.addWidget(w)
        left.addLayout(row)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.setToolTip(
            "Ronneberger et al. 2015, Fig. 1: two 3×3 convolutions and a 2×2 max-pool "
            "per level down;\nup-convolution 2×2, the encoder's map cropped and "
            "concatenated, two 3×3 convolutions per level up"
        )
        left.addWidget(self.table, 1)
        self.walk_text = QLabel("")
        self.walk_text.setWordWrap(True)
        left.addWidget(self.walk_text)

    def show_walk(self, stages: Sequence[Stage]) -> None:
        """Fill the table with ``stages``."""
        self.table.setRowCount(len(stages))
        for r, s in enumerate(stages):
            crop = f"{s.crop[0]}→{s.crop[1]}" if s.crop else ""
            for c, text in enumerate((s.name, str(s.size), str(s.channels), crop)):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        crops = [s for s in stages if s.crop]
        self.walk_text.setText(
            f"{stages[0].size} → {stages[-1].size} pixels"
            + (f"; {len(crops)} skips cropped" if crops else "; no crops needed")
        )

    def clear_walk(self, message: str) -> None:
        """Empty the table and say why."""
        self.table.setRowCount(0)
        self.walk_text.setText(message)


class SegmentPage(Page):
    """Masks and IoU curves of the FCN (no skips) and the U-Net (skips)."""

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        right = QVBoxLayout(self)
        right.setContentsMargins(2, 2, 2, 2)
        self.masks = ImagePane(theme, "masks", "grey")
        self.masks.setToolTip(
            "Rows: noisy input, true mask (pixels > ½), FCN prediction, U-Net "
            "prediction (held-out digits)"
        )
        self.curves = PlotPane(theme, title="IoU", x_label="step")
        for name in ("bottom", "left"):
            self.curves.getPlotItem().getAxis(name).enableAutoSIPrefix(False)
        self.curves.add_legend()
        self.curve = {
            a: self.curves.add_curve(ARCH_TITLES[a], color_index=i)
            for i, a in enumerate(ARCHS)
        }
        self.curves.set_live_range((0.0, 1.0), (0.0, 1.0))
        self.readout = LiveText()
        right.addWidget(self.masks, 3)
        right.addWidget(self.curves, 2)
        right.addWidget(self.readout)

    def show_run(self, history: Sequence[SegmentProgress]) -> None:
        """Draw the IoU curves and the latest masks."""
        last = history[-1]
        steps = np.array([p.step for p in history], dtype=np.float64)
        for a, curve in self.curve.items():
            if a in last.iou:
                curve.setData(steps, np.array([p.iou[a] for p in history]))
        # stepped ranges of our own: pyqtgraph's auto range painted each update twice
        self.curves.set_live_range(
            (0.0, step_above(max(float(steps[-1]), 1.0))), (0.0, 1.0)
        )
        maps = [*last.inputs.clip(0, 1), *last.truths]
        for a in ARCHS:
            if a in last.masks:
                maps += list(last.masks[a])
        self.masks.set_data(
            mosaic([np.asarray(m, dtype=np.float64) for m in maps], len(last.inputs)),
            "masks",
            levels=(0.0, 1.0),
        )
        self.readout.set_html(
            "rows: noisy input, truth, FCN, U-Net.<br>"
            f"step {last.step}: "
            + ", ".join(
                f"{ARCH_TITLES[a]} IoU <b>{v:.3f}</b>" for a, v in last.iou.items()
            )
        )

    def clear_run(self) -> None:
        """Forget the run: empty curves and masks."""
        for curve in self.curve.values():
            curve.setData([], [])
        self.masks.set_data(None, "masks")
        self.readout.set_html("IoU —: press Start to train both networks")
