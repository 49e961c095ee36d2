"""A card that shows a textbook formula next to its live numbers."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


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
        self._values = QLabel()
        self._values.setTextFormat(Qt.TextFormat.RichText)
        self._values.setWordWrap(True)
        self._source = QLabel(f"<i>{source}</i>" if source else "")
        self._source.setWordWrap(True)
        for w in (self._title, self._formula, self._values, self._source):
            w.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
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
        self._values.setText(f"<table>{rows}</table>")

    def values_text(self) -> str:
        """Return the values as plain ``name = value`` lines (tests, accessibility)."""
        return "\n".join(f"{k} = {_fmt(v)}" for k, v in self._shown.items())
