"""A card that shows a textbook formula next to its live numbers."""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QSizePolicy,
    QStyle,
    QStyleOption,
    QVBoxLayout,
    QWidget,
)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


class LiveText(QWidget):
    """Rich text for numbers that change many times a second.

    A ``QLabel``'s ``setText`` always asks every enclosing layout to lay out again
    (up to the scroll area around a panel, re-measuring each word-wrapped label):
    30–50 ms per update on the panels measured.  This widget repaints itself and
    asks for a new layout only when its height at its current width changes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._doc = QTextDocument(self)
        self._doc.setDocumentMargin(0)
        self._doc.setDefaultFont(self.font())
        self._html = ""
        self._height = 0
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def html(self) -> str:
        """Return the rich text shown."""
        return self._html

    def set_html(self, html: str) -> None:
        """Show ``html``; re-lay out the parents only if the height changes."""
        if html == self._html:
            return
        self._html = html
        self._doc.setHtml(html)
        self._relayout_if_taller_or_shorter()
        self.update()

    def _relayout_if_taller_or_shorter(self) -> None:
        height = self.heightForWidth(self.width()) if self.width() > 0 else -1
        if height != self._height:
            self._height = height
            self.updateGeometry()

    def hasHeightForWidth(self) -> bool:
        """Return True: wrapped text is taller when narrower."""
        return True

    def heightForWidth(self, width: int) -> int:
        """Return the height the text needs at ``width`` pixels."""
        self._doc.setTextWidth(max(1, width))
        return math.ceil(self._doc.size().height())

    def sizeHint(self) -> QSize:
        """Return the text's natural (unwrapped) size."""
        self._doc.setTextWidth(-1)
        width = math.ceil(self._doc.idealWidth())
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        """Return the narrowest wrap's width and the unwrapped text's height.

        (The height at the narrowest wrap would make every enclosing layout
        reserve that much; the layouts ask :meth:`heightForWidth` for the rest.)
        """
        self._doc.setTextWidth(0)
        width = math.ceil(self._doc.idealWidth())
        return QSize(width, self.sizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        """Follow font changes (presentation scale)."""
        if event.type() == QEvent.Type.FontChange:
            self._doc.setDefaultFont(self.font())
            self._height = -2
            self._relayout_if_taller_or_shorter()
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Re-wrap at the new width."""
        self._relayout_if_taller_or_shorter()
        super().resizeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the stylesheet background, then the text in the widget's colour."""
        painter = QPainter(self)
        option = QStyleOption()
        option.initFrom(self)
        self.style().drawPrimitive(
            QStyle.PrimitiveElement.PE_Widget, option, painter, self
        )
        self._doc.setTextWidth(self.width())
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(
            QPalette.ColorRole.Text, self.palette().color(QPalette.ColorRole.WindowText)
        )
        self._doc.documentLayout().draw(painter, context)
        painter.end()


class FormulaCard(QFrame):
    """Title, formula (rich text), source citation and a table of current values.

    Parameters
    ----------
    title
        What the formula is ("Volume rendering").
    formula
        Rich text (HTML subset) or Unicode, e.g.
        ``"C = Σ<sub>i</sub> T<sub>i</sub> α<sub>i</sub> c<sub>i</sub>"``.
    source
        Where it comes from ("NeRF, Mildenhall et al. 2020, eq. 3").
    """

    def __init__(
        self, title: str, formula: str, source: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("formulaCard")
        layout = QVBoxLayout(self)
        self._title = QLabel(title)
        self._title.setObjectName("formulaTitle")
        self._formula = QLabel(formula)
        self._formula.setTextFormat(Qt.TextFormat.RichText)
        self._formula.setWordWrap(True)
        font = self._formula.font()
        font.setFamilies(["DejaVu Serif", "Cambria Math", "serif"])
        self._formula.setFont(font)
        self._shown: dict[str, object] = {}
        self._values = LiveText()
        self._source = QLabel(f"<i>{source}</i>" if source else "")
        self._source.setWordWrap(True)
        for label in (self._title, self._formula, self._source):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (self._title, self._formula, self._values, self._source):
            layout.addWidget(w)
        self._source.setVisible(bool(source))

    def set_formula(self, formula: str) -> None:
        """Replace the formula text."""
        self._formula.setText(formula)

    def set_values(self, values: Mapping[str, object]) -> None:
        """Show ``values`` as ``name = value`` rows (floats to 4 significant digits)."""
        self._shown = dict(values)
        rows = "".join(
            f"<tr><td>{k}</td><td>&nbsp;=&nbsp;</td><td><b>{_fmt(v)}</b></td></tr>"
            for k, v in values.items()
        )
        self._values.set_html(f"<table>{rows}</table>")

    def values_text(self) -> str:
        """Return the values as plain ``name = value`` lines (tests, accessibility)."""
        return "\n".join(f"{k} = {_fmt(v)}" for k, v in self._shown.items())
