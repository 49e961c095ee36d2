"""The receptive-field panel's centre: the input with the RF box over a feature map."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from explorer.core.rf import Row
from explorer.core.rf.names import MAX_SHOWN_CHANNELS
from explorer.panels.rf.views import InputView, MapView
from explorer.widgets.theme import ThemeManager

TITLE_CHARS = 16  # longer layer names lose their leading modules in the map's title


class UnitViews(QWidget):
    """The input view, the channel choice and the feature map of the selected row.

    :attr:`features` holds the newest feature maps (a ``FeatureMaps`` report).
    """

    def __init__(
        self,
        theme: ThemeManager,
        erf_controls: QWidget | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.features: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.input_view = InputView(theme)
        self.map_view = MapView(theme)
        opts = QHBoxLayout()
        self.channel = QSpinBox()
        self.channel.setRange(0, MAX_SHOWN_CHANNELS)
        self.channel.setSpecialValueText("mean of channels")
        self.channel.setPrefix("channel ")
        self.channel.setToolTip("Which channel of the layer's output to show")
        self.show_erf = QCheckBox("show effective RF")
        self.show_erf.setChecked(True)
        self.show_erf.toggled.connect(self.input_view.set_erf_visible)
        opts.addWidget(self.channel)
        opts.addWidget(self.show_erf)
        opts.addStretch(1)
        if erf_controls is not None:
            layout.addWidget(erf_controls)
        layout.addWidget(self.input_view, 1)
        layout.addLayout(opts)
        layout.addWidget(self.map_view, 1)

    @staticmethod
    def _short(name: str) -> str:
        parts = name.split(".")
        while len(".".join(parts)) > TITLE_CHARS and len(parts) > 3:
            parts.pop(0)  # "inception3a.branch2.1.conv" → "branch2.1.conv"
        return ".".join(parts)

    def show_map(self, row: Row, unit: tuple[int, int]) -> None:
        """Draw ``row``'s map (the chosen channel or the mean) and mark ``unit``."""
        fm = self.features
        if (
            fm is None
            or row.name not in fm.maps
            or fm.means[row.name].shape != row.geometry.size
        ):
            self.map_view.clear_map(f"{self._short(row.name)}: computing…")
            self.map_view.set_marker(*unit)
            return
        count = int(fm.channels[row.name])
        self.channel.setMaximum(fm.maps[row.name].shape[0])
        c = self.channel.value()
        data = fm.means[row.name] if c == 0 else fm.maps[row.name][c - 1]
        what = "mean" if c == 0 else f"channel {c}/{count}"
        name = self._short(row.name)
        # the map's size is in the table and on the card; the title must fit
        self.map_view.set_map(data, f"{name}: {what}")
        self.map_view.set_marker(*unit)
