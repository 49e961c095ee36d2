"""The latent panel's right column: the decoded click, the hovered digit, the card."""

from __future__ import annotations

from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from explorer.core.latent.names import RECON_FORMULAS, RECON_TITLES
from explorer.panels.latent.views import DigitImage
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.theme import ThemeManager

PREVIEW_HINT = "Click a latent space to decode a point"
HOVER_HINT = "Hover over a point to see its digit"


def objective_html(recon: str) -> str:
    """Return the card's text: the course's ELBO first, then what the code trains."""
    bce = recon == "bce"
    return (
        "ELBO(x) = E<sub>q(z|x)</sub>[log p(x|z)] − KL(q(z|x) ‖ N(0, I))<br>"
        "KL = −½ Σ<sub>j</sub> (1 + log σ<sub>j</sub>² − μ<sub>j</sub>² − "
        "σ<sub>j</sub>²)<br>z = μ + σ ⊙ ε,&nbsp; ε ~ N(0, I)<br>"
        "<b>The code minimises</b> recon + β·KL: VAE β = 1"
        + (" (= −ELBO)" if bce else "")
        + "; β-VAE: the <i>β-VAE objective</i>, the ELBO only if β = 1; "
        "AE: β = 0, z = μ.<br>"
        f"<b>recon</b> = {RECON_TITLES[recon]} {RECON_FORMULAS[recon]}"
        + (" = −log p(x|z)" if bce else " (the course's seed)")
        + ", x̂ = decoded mean."
    )


class DecodeColumn(QWidget):
    """The decoded preview, the hovered digit and the formula card, top to bottom.

    Its width grows with the presentation scale (:meth:`apply_scale`).
    """

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._theme = theme
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        self.preview = DigitImage(theme, PREVIEW_HINT)
        self.preview.setToolTip("The decoder's mean image p(x|z) of the clicked z")
        self.hover = DigitImage(theme, HOVER_HINT)
        for image in (self.preview, self.hover):
            # Images take what is left once the formula card has its height.
            image.setSizePolicy(
                QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored
            )
        self.formula = FormulaCard(
            "VAE: the ELBO (course)",
            objective_html("bce"),
            "Kingma & Welling 2014, eq. 3, §2.4, appendices B and C.1; "
            "Higgins et al. 2017 (β-VAE), eq. 4.",
        )
        # A scrolling column holds the card: a box layout mis-places word-wrapped
        # (height-for-width) widgets next to stretching ones, and on a small
        # screen a scroll bar beats a clipped formula.
        self.formula_box = ControlsColumn(theme, min_width=200)
        self.formula_box.add(self.formula)
        col.addWidget(self.preview, 3)
        col.addWidget(self.hover, 2)
        col.addWidget(self.formula_box, 0)
        self.apply_scale()

    def apply_scale(self) -> None:
        """Widen the column with the presentation scale."""
        # ×2: 400 px, which leaves the scatters and strips room at 1280 × 720.
        self.setFixedWidth(round(340 + 60 * (self._theme.scale - 1.0)))

    def fit_formula(self, panel_height: int) -> None:
        """Give the formula card its height, leaving the preview ~200–250 px.

        The card's column scrolls when the panel is too short for all of it
        (1280 × 720 at ×2).
        """
        # Word-wrapped rich text does not grow its card by itself: ask the layout
        # how tall the card must be at its current width.
        card = self.formula
        margins = self.formula_box.column.contentsMargins()
        width = max(
            self.formula_box.viewport().width() - margins.left() - margins.right(),
            200,
        )
        height = card.heightForWidth(width) if card.hasHeightForWidth() else -1
        if height <= 0:
            height = card.sizeHint().height()
        self.formula_box.setFixedHeight(min(height, max(panel_height - 370, 120)))
