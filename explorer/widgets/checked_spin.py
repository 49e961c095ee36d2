"""Number boxes that say why a typed value is refused instead of clamping it.

A plain ``QSpinBox`` swallows the keystrokes of a number beyond its range (``1e9``
in a learning-rate box ended as 1.0, a latent size of 100 stayed 64, without a
word).  These boxes let any number be typed, keep the value they had when it is
out of range, and emit ``rejected`` with a message a student understands ("latent
size must be 1…64, got 100: kept the previous value"), which the panel shows in
its error banner.  The ranges are the core's, the CLI's too.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QSpinBox, QWidget

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d*)([eE][+-]?\d*)?$")

Check = Callable[[float], "str | None"]


def range_check(
    label: str, low: float, high: float, *, open_low: bool = False, unit: str = ""
) -> Check:
    """Return a check: why a value is outside [low, high] ((low, high]), or None."""

    def check(value: float) -> str | None:
        inside = (low < value if open_low else low <= value) and value <= high
        if inside:
            return None
        if isinstance(low, int) and isinstance(high, int):
            return f"{label} must be {low}…{high}{unit}, got {value:g}"
        bracket = "(" if open_low else "["
        return f"{label} must be in {bracket}{low:g}, {high:g}], got {value:g}"

    return check


class _Checked:
    """What both boxes share: remember a typed out-of-range number, then say so."""

    _check_value: Check
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
            message = self._check_value(value)
            if message is not None:
                self._reject(f"{message}: kept the previous value")

    def _reject(self, message: str) -> None:
        raise NotImplementedError


class CheckedSpin(_Checked, QSpinBox):
    """An integer box over ``limits`` that reports refused numbers (``rejected``).

    ``check`` words the refusal (default: :func:`range_check` with ``label``).
    """

    rejected = Signal(str)

    def __init__(
        self,
        label: str,
        value: int,
        tip: str,
        *,
        limits: tuple[float, float],
        check: Check | None = None,
        parent: QWidget | None = None,
    ) -> None:
        QSpinBox.__init__(self, parent)
        lo, hi = int(limits[0]), int(limits[1])
        self._check_value = check or range_check(label, lo, hi)
        self._typed, self._pending = None, None
        self.setRange(lo, hi)
        self.setValue(value)
        self.setToolTip(f"{tip} ({lo}…{hi})")
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
    """A decimal box over ``limits`` that reports refused numbers (``rejected``)."""

    rejected = Signal(str)

    def __init__(
        self,
        label: str,
        value: float,
        tip: str,
        *,
        limits: tuple[float, float],
        open_low: bool = False,
        check: Check | None = None,
        decimals: int = 5,
        step: float = 1e-4,
        parent: QWidget | None = None,
    ) -> None:
        QDoubleSpinBox.__init__(self, parent)
        lo, hi = float(limits[0]), float(limits[1])
        self._check_value = check or range_check(label, lo, hi, open_low=open_low)
        self._typed, self._pending = None, None
        self.setDecimals(decimals)
        # an open low end: the smallest step above it
        self.setRange(lo + 10.0**-decimals if open_low else lo, hi)
        self.setSingleStep(step)
        self.setValue(value)
        self.setToolTip(f"{tip} {'(' if open_low else '['}{lo:g}, {hi:g}]")
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
