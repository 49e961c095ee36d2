"""The side column of controls every panel uses: scrolls vertically, never sideways.

:class:`ControlsColumn` is a vertical-only scroll area around a column of
controls.  After a theme or scale change (presentation mode) it widens to what
its controls need instead of cutting them off, and re-measures superqt's
labelled sliders (they size their value boxes only when first shown: at ×2
"0.00" showed as ".00").  The mouse wheel over a slider, spin box or combo box
that does not have the keyboard focus scrolls the column instead of changing the
value under the pointer (scrolling down to a formula must not move a slider).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QFrame,
    QGroupBox,
    QLineEdit,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.widgets.theme import ThemeManager

_USER_FOCUS = "explorerUserFocus"


class _WheelGuard(QObject):
    """Sends wheel events on value widgets to the column's scroll bar.

    A value widget takes the wheel only after the user gave it the focus (a click,
    Tab): a window's first focus goes to its first control by itself, and that
    must not make the wheel slide it.
    """

    _USER_REASONS = (
        Qt.FocusReason.MouseFocusReason,
        Qt.FocusReason.TabFocusReason,
        Qt.FocusReason.BacktabFocusReason,
        Qt.FocusReason.ShortcutFocusReason,
    )

    def __init__(self, column: ControlsColumn) -> None:
        super().__init__(column)
        self._column = column

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusIn and isinstance(event, QFocusEvent):
            watched.setProperty(_USER_FOCUS, event.reason() in self._USER_REASONS)
        elif kind == QEvent.Type.FocusOut:
            watched.setProperty(_USER_FOCUS, False)
        elif kind == QEvent.Type.Wheel and isinstance(watched, QWidget):
            user_focus = watched.hasFocus() and bool(watched.property(_USER_FOCUS))
            if not user_focus:
                self._column.verticalScrollBar().event(event)
            return not user_focus
        return False


class ControlsColumn(QScrollArea):
    """A panel's side column: ``add(widget)``, ``add_group(title)``, ``add_stretch()``.

    Parameters
    ----------
    theme
        The app's theme: the column re-fits after each change.
    min_width
        Width at scale ×1 (it grows with the content at larger scales).
    max_width
        Upper bound at scale ×1 (scaled up to the presentation scale).
    """

    def __init__(
        self,
        theme: ThemeManager | None = None,
        *,
        min_width: int = 260,
        max_width: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("controls-column")
        self._theme = theme
        self._base_min = min_width
        self._base_max = max_width
        self.content = QWidget()
        self.content.setObjectName("controls-column-content")
        self.column = QVBoxLayout(self.content)
        self.column.setContentsMargins(0, 0, 4, 0)
        self.setWidget(self.content)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(min_width)
        self._guard = _WheelGuard(self)
        if theme is not None:
            theme.changed.connect(self.refit)
        self.refit()

    # -- building ----------------------------------------------------------------
    def add(self, widget: QWidget, stretch: int = 0) -> QWidget:
        """Append ``widget`` to the column and return it."""
        self.column.addWidget(widget, stretch)
        self._guard_wheel(widget)
        self.refit()
        return widget

    def add_group(self, title: str) -> QVBoxLayout:
        """Append a titled group box; return its layout for the group's controls.

        Widgets added to the returned layout later are guarded by :meth:`refit`.
        """
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        self.add(box)
        return layout

    def add_stretch(self) -> None:
        """Push what follows to the bottom (call once, after the last control)."""
        self.column.addStretch(1)

    # -- fitting -----------------------------------------------------------------
    def _guard_wheel(self, root: QWidget) -> None:
        for w in [root, *root.findChildren(QWidget)]:
            value_widget = isinstance(w, QAbstractSlider | QAbstractSpinBox | QComboBox)
            if value_widget and not w.property("explorerWheelGuard"):
                w.setProperty("explorerWheelGuard", True)
                w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
                w.installEventFilter(self._guard)

    def refit(self) -> None:
        """Soon (after pending style changes), widen the column to its content."""
        QTimer.singleShot(0, self, self._fit)

    def _fit(self) -> None:
        self._guard_wheel(self.content)
        # superqt's labelled sliders size their value boxes only when first shown.
        for box in self.content.findChildren(QLineEdit):
            resize = getattr(box, "_update_size", None)
            refresh = getattr(box, "updateText", None)
            if callable(resize) and callable(refresh):
                resize()
                refresh()
        scale = self._theme.scale if self._theme is not None else 1.0
        bar = self.verticalScrollBar().sizeHint().width()
        need = self.content.minimumSizeHint().width() + bar + 2
        width = max(int(self._base_min * min(scale, 1.5)), need)
        self.setMinimumWidth(width)
        if self._base_max is not None:
            self.setMaximumWidth(max(width, int(self._base_max * scale)))
