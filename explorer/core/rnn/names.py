"""The RNN choices the CLI and the panel offer (no torch, no numpy)."""

from __future__ import annotations

from typing import Literal, get_args

CellName = Literal["rnn", "lstm", "naive"]
MatrixName = Literal["orthogonal", "gaussian", "nonnormal"]
ActivationName = Literal["tanh", "linear"]
TaskName = Literal["first-symbol", "adding"]
OptimizerName = Literal["adam", "sgd"]

CELLS: tuple[str, ...] = get_args(CellName)
MATRICES: tuple[str, ...] = get_args(MatrixName)
ACTIVATIONS: tuple[str, ...] = get_args(ActivationName)
TASKS: tuple[str, ...] = get_args(TaskName)
OPTIMIZERS: tuple[str, ...] = get_args(OptimizerName)
OPTIMIZER_TITLES: dict[str, str] = {"adam": "Adam", "sgd": "SGD"}

CELL_TITLES: dict[str, str] = {
    "rnn": "Vanilla RNN",
    "lstm": "LSTM",
    "naive": "Naive memory cell",
}
CELL_SHORT: dict[str, str] = {"rnn": "RNN", "lstm": "LSTM", "naive": "naive"}
CELL_TIPS: dict[str, str] = {
    "rnn": "h^t = tanh(W_hh h^(t-1) + W_xh x^t + b): the gradient is multiplied by "
    "W_hh and tanh' at every step back in time.",
    "lstm": "c_t = f*c_(t-1) + i*g, h_t = o*tanh(c_t): the memory cell's path is "
    "scaled only by the forget gate (Hochreiter & Schmidhuber 1997).",
    "naive": "c^t = W_c c^(t-1) + W_g g^t, h^t = tanh(c^t): a memory without gates "
    "still multiplies by W_c each step, so it vanishes or explodes.",
}
MATRIX_TITLES: dict[str, str] = {
    "orthogonal": "λ · orthogonal Q",
    "gaussian": "Gaussian at radius ρ",
    "nonnormal": "Non-normal (σ_max>1)",  # (ρ < 1: in the tip; fits 1280 × 720 ×2)
}
MATRIX_TIPS: dict[str, str] = {
    "orthogonal": "W_hh = λQ: every eigenvalue has modulus λ and every singular "
    "value is λ, so a linear RNN's gradient scales exactly as λ^(T-k).",
    "gaussian": "A random Gaussian matrix scaled so that its largest eigenvalue "
    "modulus (spectral radius) is ρ; its largest singular value is about 2ρ.",
    "nonnormal": "2×2 blocks [[ρ, s], [0, ρ]] in a random basis: all eigenvalues "
    "are ρ < 1, yet the largest singular value exceeds 1, so the gradient first "
    "grows (a transient) and only then decays.",
}
TASK_TITLES: dict[str, str] = {
    "first-symbol": "First symbol",
    "adding": "Adding problem",
}
TASK_TIPS: dict[str, str] = {
    "first-symbol": "The first of T random symbols must be named after the last "
    "one; the others are distractors. Chance is 1 / (number of symbols).",
    "adding": "Two of T random numbers are marked; the sum of the marked pair is "
    "the target (Hochreiter & Schmidhuber 1997). Predicting 1 always gives an "
    "MSE of 1/6.",
}
# the shear s of the non-normal blocks [[ρ, s], [0, ρ]]
NONNORMAL_SHEAR = 2.0
# an adding-problem prediction counts as right within this of the target
ADDING_TOLERANCE = 0.04
GATE_NAMES: tuple[str, ...] = ("f", "i", "o", "g")
GATE_TITLES: dict[str, str] = {"f": "f", "i": "i", "o": "o", "g": "g"}
