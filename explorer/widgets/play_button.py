"""A ▶/■ button that plays a slider: one step per tick until its last value.

The kit's one timer for "watch it move" controls (the convolution window
sliding over the input, a time step walking through a sequence): panels do
not make timers of their own.  Pressed at the end it starts over at the
slider's minimum; it stops by itself at the maximum, when pressed again, and
when the button is hidden (another tab, another panel).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent
from PySide6.QtWidgets import QAbstractSlider, QToolButton, QWidget

PLAY_TEXT = "▶"
STOP_TEXT = "■"


class PlayButton(QToolButton):
    """Checkable button that advances ``slider`` by one every ``interval_ms``."""

    def __init__(
        self,
        slider: QAbstractSlider,
        interval_ms: int,
        tip: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._slider = slider
        self.setText(PLAY_TEXT)
        self.setCheckable(True)
        self.setToolTip(tip)
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, int(interval_ms)))
        self._timer.timeout.connect(self._advance)
        self.toggled.connect(self._on_toggled)

    @property
    def interval_ms(self) -> int:
        """Milliseconds between two steps."""
        return self._timer.interval()

    def _on_toggled(self, playing: bool) -> None:
        self.setText(STOP_TEXT if playing else PLAY_TEXT)
        if playing:
            if self._slider.value() >= self._slider.maximum():
                self._slider.setValue(self._slider.minimum())  # start over
            self._timer.start()
        else:
            self._timer.stop()

    def _advance(self) -> None:
        if self._slider.value() >= self._slider.maximum():
            self.setChecked(False)  # reached the last value
        else:
            self._slider.setValue(self._slider.value() + 1)

    def hideEvent(self, event: QHideEvent) -> None:
        """Stop playing when hidden: nothing moves where nobody looks."""
        self.setChecked(False)
        super().hideEvent(event)
