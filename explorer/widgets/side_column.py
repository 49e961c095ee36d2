"""A panel's controls column in a vertical scroll area that is never cut off."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QScrollArea, QWidget


def controls_scroll(content: QWidget, min_width: int) -> QScrollArea:
    """Return a vertical-only scroll area around ``content``.

    Call :func:`fit_controls_scroll` after a font change (presentation scale): the
    column then widens to what its controls need instead of clipping them.
    """
    scroll = QScrollArea()
    scroll.setWidget(content)
    scroll.setWidgetResizable(True)
    scroll.setMinimumWidth(min_width)
    scroll.setProperty("baseMinimumWidth", min_width)
    scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    fit_controls_scroll(scroll)
    return scroll


def fit_controls_scroll(scroll: QScrollArea) -> None:
    """Soon (after pending style changes), widen ``scroll`` to its content's need."""

    def fit() -> None:
        content = scroll.widget()
        if content is None:
            return
        # superqt's labelled sliders size their value boxes when first shown only:
        # at a new font size the numbers would be cut ("0.00" shows as ".00").
        for box in content.findChildren(QLineEdit):
            resize = getattr(box, "_update_size", None)
            refresh = getattr(box, "updateText", None)
            if callable(resize) and callable(refresh):
                resize()
                refresh()
        base = int(scroll.property("baseMinimumWidth") or 0)
        bar = scroll.verticalScrollBar().sizeHint().width()
        need = content.minimumSizeHint().width() + bar + 2
        scroll.setMinimumWidth(max(base, need))

    QTimer.singleShot(0, scroll, fit)
