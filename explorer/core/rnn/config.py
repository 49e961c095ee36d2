"""The configurations of the RNN topic, with the limits of every setting.

:data:`LIMITS` is the one source of the ranges: :class:`JacobianConfig` and
:class:`TrainConfig` check against it, the CLI's argument types and the
panel's state (``explorer.panels.rnn.state``) take their limits from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from explorer.core.rnn.names import (
    ACTIVATIONS,
    CELLS,
    MATRICES,
    OPTIMIZERS,
    TASKS,
    ActivationName,
    CellName,
    MatrixName,
    OptimizerName,
    TaskName,
)

# (low, high) of each number; the floats in OPEN_LOW exclude their low end
LIMITS: dict[str, tuple[float, float]] = {
    "hidden": (1, 256),
    "steps": (1, 1000),  # T of the Jacobian
    "scale": (0.0, 5.0),
    "input_scale": (0.0, 10.0),
    "forget": (0.0, 1.0),
    "input_gate": (0.0, 1.0),
    "length": (2, 500),  # T of the training task
    "train_steps": (1, 100_000),
    "batch": (1, 1024),
    "symbols": (2, 16),
    "lr": (0.0, 1.0),
    "clip": (0.0, 1e6),
    "init_scale": (0.0, 5.0),
    "forget_bias": (-10.0, 10.0),
    "report_every": (1, 10_000),
}
OPEN_LOW: frozenset[str] = frozenset({"lr", "clip"})


def out_of_range(name: str, value: float | None, label: str = "") -> str | None:
    """Return why ``value`` is outside ``LIMITS[name]``, or ``None`` when inside."""
    if value is None:
        return None
    lo, hi = LIMITS[name]
    label = label or name.replace("_", " ")
    if isinstance(value, float) and not math.isfinite(value):
        return f"{label} must be a finite number, got {value}"
    if name in OPEN_LOW:
        if lo < value <= hi:
            return None
        return f"{label} must be in ({lo:g}, {hi:g}], got {value:g}"
    if lo <= value <= hi:
        return None
    if isinstance(lo, int):
        return f"{label} must be {lo}…{int(hi):,}, got {value}"
    return f"{label} must be in [{lo:g}, {hi:g}], got {value:g}"


def _check(
    obj: object, names: dict[str, str], choices: dict[str, tuple[str, ...]]
) -> None:
    for name, options in choices.items():
        value = getattr(obj, name)
        if value not in options:
            raise ValueError(
                f"unknown {name} {value!r}: use one of {', '.join(options)}"
            )
    for f in fields(obj):  # type: ignore[arg-type]
        key = names.get(f.name, f.name)
        if key in LIMITS:
            problem = out_of_range(key, getattr(obj, f.name), f.name.replace("_", " "))
            if problem is not None:
                raise ValueError(problem)


@dataclass(frozen=True, kw_only=True)
class JacobianConfig:
    """A random recurrent net whose gradient through time we measure.

    ``scale`` is λ of ``λQ``, or the spectral radius ρ of the Gaussian and the
    non-normal matrices.  ``forget`` / ``input_gate`` (LSTM only) hold those
    gates at a fixed value instead of computing them (``None``: computed).
    """

    cell: CellName = "rnn"
    hidden: int = 64
    steps: int = 100
    matrix: MatrixName = "orthogonal"
    scale: float = 0.9
    activation: ActivationName = "tanh"
    input_scale: float = 1.0
    forget: float | None = None
    input_gate: float | None = None

    def __post_init__(self) -> None:
        _check(
            self,
            {},
            {"cell": CELLS, "matrix": MATRICES, "activation": ACTIVATIONS},
        )


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """One training run of a cell on a memory task.

    The defaults teach (measured over seeds 0–4, see ``explorer.core.rnn.train``):
    on first-symbol with T = 50 the LSTM learns within the budget while the
    vanilla RNN stays near chance.
    """

    cell: CellName = "lstm"
    task: TaskName = "first-symbol"
    length: int = 50
    hidden: int = 32
    steps: int = 1000
    batch: int = 64
    symbols: int = 4
    lr: float = 5e-3
    # Adam by default; plain SGD is where an exploding gradient wrecks a step
    # (Adam divides each step by its running gradient size)
    optimizer: OptimizerName = "adam"
    clip: float | None = None
    init_scale: float = 0.6  # W_hh starts as init_scale × a random orthogonal Q
    forget_bias: float = 3.0  # the LSTM's forget-gate bias at the start
    report_every: int = 10

    def __post_init__(self) -> None:
        _check(
            self,
            {"steps": "train_steps"},
            {"cell": CELLS, "task": TASKS, "optimizer": OPTIMIZERS},
        )
