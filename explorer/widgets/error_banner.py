"""An inline banner that shows a panel's error until it is dismissed."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class ErrorBanner(QFrame):
    """A dismissable message strip; hidden while there is no error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self._label = QLabel()
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(self._label.textInteractionFlags())
        close = QPushButton("Dismiss")
        close.setToolTip("Hide this message")
        close.clicked.connect(self.clear)
        layout.addWidget(self._label, 1)
        layout.addWidget(close)
        self.hide()

    @property
    def text(self) -> str:
        """The message shown (empty when hidden)."""
        return self._label.text() if not self.isHidden() else ""

    def show_message(self, message: str) -> None:
        """Show ``message``."""
        self._label.setText(message)
        self.show()

    def clear(self) -> None:
        """Hide the banner."""
        self._label.clear()
        self.hide()
