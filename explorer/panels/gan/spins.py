"""Number boxes that say why a typed value is refused, with the core's ranges.

A plain ``QSpinBox`` swallows the keystrokes of a number beyond its range (``1e9``
in a learning-rate box ended as 1.0, without a word).  These boxes let any number
be typed, keep the value they had when it is out of range, and emit
``rejected`` with the core's message ("lr_g must be in (0, 1], got 1e9"), so the
panel shows it.  Their ranges are :data:`explorer.core.gan.config.LIMITS`.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

from explorer.core.gan.config import LIMITS, OPEN_LOW, out_of_range

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d*)([eE][+-]?\d*)?$")


class _Checked:
    """What both boxes share: remember a typed out-of-range number, then say so."""

    _name: str
    _typed: float | None
    _pending: float | None

    def _check(
        self, result: tuple[QValidator.State, str, int], text: str, pos: int
    ) -> tuple[QValidator.State, str, int]:
        if result[0] != QValidator.State.Invalid:
            self._typed = None
            return result
        t = text.strip()
        if not _NUMBER.match(t):
            return result
        try:
            self._typed = float(t)
        except ValueError:  # "1e" on the way to "1e9"
            self._typed = None
        return (QValidator.State.Intermediate, text, pos)

    def _on_finished(self) -> None:
        value, self._pending = self._pending, None
        if value is not None:
            message = out_of_range(self._name, value)
            if message is not None:
                self._reject(f"{message}: kept the previous value")

    def _reject(self, message: str) -> None:
        raise NotImplementedError


class CheckedSpin(_Checked, QSpinBox):
    """An integer box over ``LIMITS[name]`` that reports refused numbers."""

    rejected = Signal(str)

    def __init__(
        self, name: str, value: int, tip: str, parent: QWidget | None = None
    ) -> None:
        QSpinBox.__init__(self, parent)
        self._name, self._typed, self._pending = name, None, None
        lo, hi = LIMITS[name]
        self.setRange(int(lo), int(hi))
        self.setValue(value)
        self.setToolTip(f"{tip} ({int(lo)}…{int(hi)})")
        self.setKeyboardTracking(False)
        self.editingFinished.connect(self._on_finished)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept any number while typing; out of range it is Intermediate."""
        return self._check(super().validate(text, pos), text, pos)

    def fixup(self, text: str) -> str:
        """Put the previous value back (and remember the refused one)."""
        if self._typed is not None:
            self._pending = self._typed
        return self.textFromValue(self.value())

    def _reject(self, message: str) -> None:
        self.rejected.emit(message)


class CheckedDoubleSpin(_Checked, QDoubleSpinBox):
    """A decimal box over ``LIMITS[name]`` that reports refused numbers."""

    rejected = Signal(str)

    def __init__(
        self,
        name: str,
        value: float,
        tip: str,
        *,
        decimals: int = 5,
        step: float = 1e-4,
        parent: QWidget | None = None,
    ) -> None:
        QDoubleSpinBox.__init__(self, parent)
        self._name, self._typed, self._pending = name, None, None
        lo, hi = LIMITS[name]
        self.setDecimals(decimals)
        # an open low end: the smallest step above it
        self.setRange(lo + 10.0**-decimals if name in OPEN_LOW else lo, hi)
        self.setSingleStep(step)
        self.setValue(value)
        low = "(" if name in OPEN_LOW else "["
        self.setToolTip(f"{tip} {low}{lo:g}, {hi:g}]")
        self.setKeyboardTracking(False)
        self.editingFinished.connect(self._on_finished)

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        """Accept any number while typing; out of range it is Intermediate."""
        return self._check(super().validate(text, pos), text, pos)

    def fixup(self, text: str) -> str:
        """Put the previous value back (and remember the refused one)."""
        if self._typed is not None:
            self._pending = self._typed
        return self.textFromValue(self.value())

    def _reject(self, message: str) -> None:
        self.rejected.emit(message)
