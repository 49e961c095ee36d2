"""The MLP panel's formula cards: the course's formulas, then what the code does."""

from __future__ import annotations


def _code(text: str) -> str:
    return f"<p style='font-family: sans-serif'><b>In the code:</b> {text}</p>"


PERCEPTRON = (
    "Perceptron rule and Novikoff's bound",
    "while ∃x: sign(w<sup>T</sup>x) ≠ y: &nbsp;w ← w + η(y − ŷ)x"
    "<br>mistakes ≤ (R/γ)², &nbsp;R = max‖x‖, &nbsp;γ = max<sub>‖u‖=1</sub> "
    "min<sub>i</sub> y<sub>i</sub>u<sup>T</sup>x<sub>i</sub>"
    + _code(
        "x is the augmented x̃ = (1, x₁, x₂), so w₀ is the bias and R = max‖(1, x₁, "
        "x₂)‖ ≥ 1; γ is the margin of the best separator in that space (bias in the "
        "norm), computed exactly as a hard-margin SVM (scipy LP + SLSQP).  A point on "
        "the line counts as a mistake (y·wᵀx̃ ≤ 0), so ŷ = −y and the step is 2ηy·x̃.  "
        "Points are visited in a fixed cyclic order; the ring marks the point used."
    ),
    "Rosenblatt 1958; Novikoff 1962",
)

PLAYGROUND = (
    "MLP, activations and the loss",
    "x<sup>(l)</sup> = σ(w<sup>(l)T</sup>x<sup>(l−1)</sup> + b<sup>(l)</sup>)"
    "<br>σ(z) = 1/(1 + e<sup>−z</sup>), &nbsp;σ′ = σ(1 − σ); &nbsp;"
    "tanh′ = 1 − tanh²"
    "<br>softmax<sub>k</sub>(z) = e<sup>z<sub>k</sub></sup>/Σ<sub>j</sub>"
    "e<sup>z<sub>j</sub></sup>: positive, in [0, 1], sums to 1"
    "<br>CE = −(1/n)Σ log p(y<sub>i</sub> | x<sub>i</sub>) "
    "(the Bernoulli negative log-likelihood: minimising it is MLE)"
    + _code(
        "one output logit z, p = σ(z) = softmax(z, 0)₁; the numbers below are for "
        "the first training point.  Depth 0 is logistic regression.  Gradient "
        "descent on the batch (full, mini-batch or SGD); L2 adds λΣ‖W‖² (not the "
        "biases); 30 % of the points are held out for the test loss."
    ),
    "Rosenblatt 1958; Rumelhart, Hinton & Williams 1986",
)

APPROX = (
    "Universal approximation by bumps",
    "g(x) = Σ<sub>i</sub> v<sub>i</sub> σ(w<sub>i</sub>x + b<sub>i</sub>), "
    "&nbsp;step at s = −b/w"
    "<br>bump = h·σ(w(x − s₁)) − h·σ(w(x − s₂))"
    "<br>∀ε > 0 ∃N: max<sub>x</sub>|g(x) − f(x)| &lt; ε (f continuous)"
    + _code(
        "hand-made bumps use w = 400; the trained nets add an output bias c and fit "
        "400 samples of f on [0, 1] by Adam (mean squared error), starting from "
        "steps spread over [0, 1]."
    ),
    "Cybenko 1989; Nielsen, Neural Networks and Deep Learning, ch. 4",
)
