"""A banner that shows an error over the top of its host until dismissed.

The banner floats over the host's content instead of taking a place in its
layout: showing or hiding a message never re-lays out the charts below it
(issue 14: a banner used to squash the plots or push the tabs off screen).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

MARGIN = 8


class ErrorBanner(QFrame):
    """A dismissable message strip over ``parent``'s top edge; hidden when empty.

    Without a parent it is an ordinary widget (for tests and dialogs).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        close = QPushButton("Dismiss")
        close.setToolTip("Hide this message (Esc)")
        close.clicked.connect(self.clear)
        layout.addWidget(self._label, 1)
        layout.addWidget(close)
        if parent is not None:
            parent.installEventFilter(self)
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (empty when hidden)."""
        return self._label.text() if not self.isHidden() else ""

    def show_message(self, message: str) -> None:
        """Show ``message`` over the host's top edge."""
        self._label.setText(message)
        self.setToolTip(message)
        self.show()
        self._place()
        self.raise_()

    def clear(self) -> None:
        """Hide the banner."""
        self._label.clear()
        self.hide()

    def _place(self) -> None:
        host = self.parentWidget()
        if host is None:
            return
        width = max(host.width() - 2 * MARGIN, 1)
        height = self.heightForWidth(width)
        if height <= 0:
            height = self.sizeHint().height()
        self.setGeometry(MARGIN, MARGIN, width, min(height, max(host.height() // 2, 1)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Follow the host's size; keep the banner above widgets added later."""
        if watched is self.parentWidget() and not self.isHidden():
            if event.type() == QEvent.Type.Resize:
                self._place()
            elif event.type() == QEvent.Type.ChildAdded:
                self.raise_()
        return False
