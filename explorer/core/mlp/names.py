"""The MLP panel's choices, shared by the CLI and the panel (no torch, no numpy)."""

from __future__ import annotations

from typing import Literal, get_args

DataName = Literal["separable", "xor", "circles", "spiral", "blobs", "points"]
Activation = Literal["tanh", "relu", "sigmoid", "linear"]
LossName = Literal["ce", "mse"]
TargetName = Literal["nielsen", "step", "abs", "sin", "drawn"]

DATA_NAMES: tuple[str, ...] = get_args(DataName)
BUILTIN_DATA: tuple[str, ...] = DATA_NAMES[:-1]  # all but "points"
# the perceptron's presets (the course's three): the rest need a hidden layer
PERCEPTRON_DATA: tuple[str, ...] = ("separable", "xor", "circles")
ACTIVATIONS: tuple[str, ...] = get_args(Activation)
LOSS_NAMES: tuple[str, ...] = get_args(LossName)
TARGET_NAMES: tuple[str, ...] = get_args(TargetName)
BUILTIN_TARGETS: tuple[str, ...] = TARGET_NAMES[:-1]  # all but "drawn"

# input features of the playground (TensorFlow Playground's, in its order)
FEATURES: tuple[str, ...] = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin(x1)", "sin(x2)")
FEATURE_TITLES: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1^2": "x₁²",
    "x2^2": "x₂²",
    "x1x2": "x₁x₂",
    "sin(x1)": "sin x₁",
    "sin(x2)": "sin x₂",
}

DATA_TITLES: dict[str, str] = {
    "separable": "Separable (margin)",
    "xor": "XOR",
    "circles": "Two circles",
    "spiral": "Two spirals",
    "blobs": "Gaussian blobs",
    "points": "Your points",
}
ACTIVATION_TITLES: dict[str, str] = {
    "tanh": "tanh",
    "relu": "ReLU",
    "sigmoid": "sigmoid σ",
    "linear": "linear (identity)",
}
LOSS_TITLES: dict[str, str] = {
    "ce": "Cross-entropy",
    "mse": "Squared error",
}
TARGET_TITLES: dict[str, str] = {
    "nielsen": "Nielsen's f(x)",
    "step": "Step at x = 0.5",
    "abs": "|x − 0.5|",
    "sin": "sin(2πx)",
    "drawn": "Drawn with the mouse",
}

MAX_ROWS = 100_000  # rows of a CSV the panel and the CLI accept
GRID = 60  # the decision map's resolution (GRID × GRID)
NEURON_GRID = 24  # each hidden neuron's map
MAX_NEURON_MAPS = 64  # neuron maps sent per report (the first layers' first units)
EXTENT = 1.0  # the 2-D data live in [−EXTENT, EXTENT]²
