"""The run bar every panel uses: Start/Pause, Step, Reset, an optional speed, status.

The same words, tooltips and keys everywhere: **Start** (Space) turns into
**Pause** while the job runs and **Resume** while it is paused; **Step** (S)
advances one step; **Reset** (R) stops and returns to the initial state.  The
keys themselves are the main window's Run menu (they call the active panel's
``start_pause`` / ``step`` / ``reset``, which the buttons call too).  A panel
may add buttons of its own (GAN's "Step D") with :meth:`RunBar.add_button`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from explorer.widgets.formula_card import LiveText

START_TEXT = "Start"
PAUSE_TEXT = "Pause"
RESUME_TEXT = "Resume"


def make_button(
    text: str, tip: str, slot: Callable[[], object] | None = None
) -> QPushButton:
    """Return a push button with a tooltip, its ``clicked`` connected to ``slot``."""
    button = QPushButton(text)
    button.setToolTip(tip)
    if slot is not None:
        button.clicked.connect(lambda _=False: slot())
    return button


class _SpeedSlider(QSlider):
    """A slider that keeps its label right even when its signals are blocked.

    ``Binder.show`` blocks signals while it restores a state; ``sliderChange`` is
    called for every value change all the same.
    """

    def __init__(self, on_change: Callable[[], object]) -> None:
        super().__init__(Qt.Orientation.Horizontal)
        self._on_change = on_change

    def sliderChange(self, change: QSlider.SliderChange) -> None:
        super().sliderChange(change)
        if change == QSlider.SliderChange.SliderValueChange:
            self._on_change()


class RunBar(QWidget):
    """Start/Pause · Step · Reset, an optional speed slider and a status line.

    Parameters
    ----------
    what
        What the job does, for the tooltips ("train G and D", "iterate values").
    step_tip, reset_tip
        What one step and a reset do in this panel.
    speeds
        The speed slider's values (e.g. iterations per frame); ``None``: no slider.
    speed_unit
        Shown after the speed value ("it/frame").
    default_speed
        The slider's initial value (one of ``speeds``).
    step, reset
        Whether the panel has a Step / Reset button.
    """

    start_pause_clicked = Signal()
    step_clicked = Signal()
    reset_clicked = Signal()
    speed_changed = Signal(int)

    def __init__(
        self,
        what: str = "run the job",
        *,
        step_tip: str = "Advance one step, then pause (S)",
        reset_tip: str = "Stop and go back to the initial state (R)",
        speeds: Sequence[int] | None = None,
        speed_unit: str = "steps/frame",
        default_speed: int | None = None,
        step: bool = True,
        reset: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("run-bar")
        self._what = what
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(6)
        grid.addLayout(self.buttons, 0, 0, 1, 3)
        self.start = make_button(START_TEXT, "", self.start_pause_clicked.emit)
        self.start.setObjectName("run-start")
        self.buttons.addWidget(self.start)
        self.step: QPushButton | None = None
        self.reset: QPushButton | None = None
        if step:
            self.step = make_button("Step", step_tip, self.step_clicked.emit)
            self.step.setObjectName("run-step")
            self.buttons.addWidget(self.step)
        if reset:
            self.reset = make_button("Reset", reset_tip, self.reset_clicked.emit)
            self.reset.setObjectName("run-reset")
            self.buttons.addWidget(self.reset)
        self.extra = QHBoxLayout()
        self.extra.setSpacing(6)
        grid.addLayout(self.extra, 1, 0, 1, 3)
        self._speeds = tuple(speeds or ())
        self.speed: QSlider | None = None
        self.speed_label: QLabel | None = None
        self._unit = speed_unit
        if self._speeds:
            self.speed = _SpeedSlider(self._show_speed)
            self.speed.setObjectName("run-speed")
            self.speed.setRange(0, len(self._speeds) - 1)
            start_value = default_speed if default_speed in self._speeds else None
            self.speed.setValue(
                self._speeds.index(start_value) if start_value is not None else 0
            )
            self.speed.setToolTip(f"Speed: {speed_unit}")
            self.speed_label = QLabel()
            self.speed.valueChanged.connect(self._on_speed_moved)
            grid.addWidget(QLabel("Speed"), 2, 0)
            grid.addWidget(self.speed, 2, 1)
            grid.addWidget(self.speed_label, 2, 2)
            self._show_speed()
        self.status = LiveText()
        self.status.setObjectName("run-status")
        grid.addWidget(self.status, 3, 0, 1, 3)
        self.set_state(running=False, paused=False)

    # -- panel side -------------------------------------------------------------
    def add_button(
        self, text: str, tip: str, slot: Callable[[], object]
    ) -> QPushButton:
        """Add a panel-specific button on a second row and return it."""
        button = make_button(text, tip, slot)
        self.extra.addWidget(button)
        return button

    @property
    def speed_value(self) -> int:
        """Return the chosen speed (the first value when there is no slider)."""
        if self.speed is None:
            return self._speeds[0] if self._speeds else 1
        return self._speeds[self.speed.value()]

    def set_speed_value(self, value: int) -> None:
        """Move the slider to ``value`` (or the nearest offered one)."""
        if self.speed is None or not self._speeds:
            return
        nearest = min(
            range(len(self._speeds)), key=lambda i: abs(self._speeds[i] - value)
        )
        self.speed.setValue(nearest)

    def set_state(self, *, running: bool, paused: bool) -> None:
        """Show the job's state on the Start button (Start / Pause / Resume)."""
        if running and not paused:
            text, tip = PAUSE_TEXT, "Pause: hold the job after this step (Space)"
        elif running:
            text, tip = RESUME_TEXT, f"Resume: {self._what} again (Space)"
        else:
            text, tip = START_TEXT, f"Start: {self._what} (Space)"
        self.start.setText(text)
        self.start.setToolTip(tip)

    def set_status(self, text: str) -> None:
        """Show ``text`` in the status line (no re-layout while its height holds)."""
        self.status.set_html(text)

    # -- internals -------------------------------------------------------------
    def _show_speed(self) -> None:
        if self.speed_label is not None:
            self.speed_label.setText(f"{self.speed_value} {self._unit}")

    def _on_speed_moved(self, _index: int) -> None:
        self.speed_changed.emit(self.speed_value)
