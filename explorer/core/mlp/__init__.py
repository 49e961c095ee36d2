"""Perceptrons and MLPs: the perceptron rule, a 2-D playground, universal approximation.

Light at import (no torch): the training modules are imported where used.
"""

from __future__ import annotations

from explorer.core.mlp.config import LIMITS, ApproxConfig, MlpConfig, PerceptronConfig
from explorer.core.mlp.data import (
    Points,
    extent,
    make_points,
    points_csv,
    read_points_csv,
    read_target_csv,
    sampled_target,
    target_values,
)
from explorer.core.mlp.perceptron import (
    Margin,
    PerceptronState,
    PerceptronStep,
    augment,
    best_margin,
    errors,
    sweep_order,
    update,
)

__all__ = [
    "LIMITS",
    "ApproxConfig",
    "Margin",
    "MlpConfig",
    "PerceptronConfig",
    "PerceptronState",
    "PerceptronStep",
    "Points",
    "augment",
    "best_margin",
    "errors",
    "extent",
    "make_points",
    "points_csv",
    "read_points_csv",
    "read_target_csv",
    "sampled_target",
    "sweep_order",
    "target_values",
    "update",
]
