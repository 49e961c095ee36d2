"""The update rule of each algorithm, with sources, and the stack of formula cards."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import QStackedWidget

from explorer.core.gridworld.names import ALGO_TITLES, ALGOS, DP_ALGOS, REINFORCE_FORMS
from explorer.widgets.formula_card import FormulaCard

_SB = "Sutton &amp; Barto (2018), Reinforcement Learning: An Introduction, 2nd ed."
_P = "Σ<sub>s′,r</sub> p(s′,r|s,a)"

FORMULAS: Mapping[str, tuple[str, str]] = {
    "policy-evaluation": (
        f"v<sub>k+1</sub>(s) = Σ<sub>a</sub> π(a|s) {_P} [r + γ v<sub>k</sub>(s′)]",
        f"{_SB}, eq. 4.5",
    ),
    "policy-iteration": (
        f"evaluate: v(s) ← Σ<sub>a</sub> π(a|s) {_P} [r + γ v(s′)]<br>"
        f"improve: π′(s) = argmax<sub>a</sub> {_P} [r + γ v<sub>π</sub>(s′)]",
        f"{_SB}, §4.3 (eqs. 4.5, 4.9)",
    ),
    "value-iteration": (
        f"v<sub>k+1</sub>(s) = max<sub>a</sub> {_P} [r + γ v<sub>k</sub>(s′)]",
        f"{_SB}, eq. 4.10",
    ),
    "td0": (
        "V(S) ← V(S) + α [R + γ V(S′) − V(S)]",
        f"{_SB}, eq. 6.2",
    ),
    "sarsa": (
        "Q(S,A) ← Q(S,A) + α [R + γ Q(S′,A′) − Q(S,A)]",
        f"{_SB}, eq. 6.7 (on-policy)",
    ),
    "expected-sarsa": (
        "Q(S,A) ← Q(S,A) + α [R + γ Σ<sub>a</sub> π(a|S′) Q(S′,a) − Q(S,A)]",
        f"{_SB}, eq. 6.9",
    ),
    "q-learning": (
        "Q(S,A) ← Q(S,A) + α [R + γ max<sub>a</sub> Q(S′,a) − Q(S,A)]",
        f"{_SB}, eq. 6.8 (off-policy)",
    ),
    "dqn": (
        "L(θ) = (r + γ max<sub>a′</sub> Q(s′,a′; θ) − Q(s,a; θ))<sup>2</sup><br>"
        "<small>The code adds (Mnih et al. 2015): a target network θ<sup>−</sup>, "
        "copied from θ every C steps, in the target "
        "y = r + γ max<sub>a′</sub> Q(s′,a′; θ<sup>−</sup>); the Huber loss of "
        "y − Q(s,a; θ) instead of the square (linear beyond |error| = 1); "
        "minibatches from a replay buffer.</small>",
        "Mnih et al. (2015), Human-level control through deep RL, Nature, Algorithm 1",
    ),
    "reinforce": (
        "",  # reinforce_formula(form): both forms, the one in use marked
        "Williams (1992), Simple statistical gradient-following algorithms, "
        f"Machine Learning 8; {_SB}, §13.3–13.4",
    ),
    "actor-critic": (
        "δ = R + γ v̂(S′) − v̂(S)  (TD error = advantage)<br>"
        "w ← w + α<sub>w</sub> δ ∇v̂(S);  θ ← θ + α<sub>θ</sub> I δ ∇ ln π(A|S, θ)",
        f"{_SB}, §13.5 (one-step actor-critic)",
    ),
}

_LN_PI = "∇ ln π(A<sub>t</sub>|S<sub>t</sub>, θ)"
TOTAL_RETURN = f"θ ← θ + α G<sub>0</sub> Σ<sub>t</sub> {_LN_PI}"
BASELINE = (
    "δ = G<sub>t</sub> − v̂(S<sub>t</sub>);  w ← w + α<sub>w</sub> δ ∇v̂;  "
    f"θ ← θ + α<sub>θ</sub> γ<sup>t</sup> δ {_LN_PI}"
)


def reinforce_formula(form: str) -> str:
    """REINFORCE's card: the course's total-return form first, then the baseline form.

    The form that runs (one of REINFORCE_FORMS) is marked "in use".
    """
    mark = {
        f: "<b>in use</b>" if f == form else "the other form" for f in REINFORCE_FORMS
    }
    return (
        f"{TOTAL_RETURN}<br>({mark['total-return']}: total return, Williams 1992)<br>"
        f"<small>{BASELINE}<br>({mark['baseline']}: with baseline, S&amp;B §13.4: "
        "the reward-to-go G<sub>t</sub> minus a learnt baseline, less variance)"
        f"</small><br><small>{RETURN}</small>"
    )


RETURN = (
    "G<sub>t</sub> = Σ<sub>k</sub> γ<sup>k</sup> R<sub>t+k+1</sub>  (S&amp;B eq. 3.8)"
)


class FormulaStack(QStackedWidget):
    """One formula card per algorithm; shows the selected algorithm's."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, FormulaCard] = {}
        for name in ALGOS:
            formula, source = FORMULAS[name]
            extra = "" if name in DP_ALGOS else f"<br><small>{RETURN}</small>"
            if name == "reinforce":
                formula, extra = reinforce_formula(REINFORCE_FORMS[0]), ""
            card = FormulaCard(ALGO_TITLES[name], formula + extra, source)
            self.cards[name] = card
            self.addWidget(card)

    def show_reinforce_form(self, form: str) -> None:
        """Say on REINFORCE's card which of its two forms runs."""
        self.cards["reinforce"].set_formula(reinforce_formula(form))

    def show_algo(self, algo: str) -> None:
        """Show ``algo``'s card, its numbers cleared."""
        self.setCurrentWidget(self.cards[algo])
        self.cards[algo].set_values({})
