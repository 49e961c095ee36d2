"""The grid-world choices the CLI and the panel offer (no torch, no numpy).

One list of each: the algorithms (by family) and their titles, the shipped
presets, the DP stopping thresholds and the policies that can be evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, get_args

Algo = Literal[
    "policy-evaluation",
    "policy-iteration",
    "value-iteration",
    "td0",
    "sarsa",
    "expected-sarsa",
    "q-learning",
    "dqn",
    "reinforce",
    "actor-critic",
]

DP_ALGOS: tuple[str, ...] = ("policy-evaluation", "policy-iteration", "value-iteration")
TABULAR_ALGOS: tuple[str, ...] = ("td0", "sarsa", "expected-sarsa", "q-learning")
PG_ALGOS: tuple[str, ...] = ("reinforce", "actor-critic")
DEEP_ALGOS: tuple[str, ...] = ("dqn",)
LEARN_ALGOS: tuple[str, ...] = TABULAR_ALGOS + DEEP_ALGOS + PG_ALGOS
ALGOS: tuple[str, ...] = get_args(Algo)

ALGO_TITLES: Mapping[str, str] = {
    "policy-evaluation": "Policy evaluation",
    "policy-iteration": "Policy iteration",
    "value-iteration": "Value iteration",
    "td0": "TD(0) prediction",
    "sarsa": "SARSA",
    "expected-sarsa": "Expected SARSA",
    "q-learning": "Q-learning",
    "dqn": "Deep Q-network (DQN)",
    "reinforce": "REINFORCE with baseline",
    "actor-critic": "One-step actor-critic",
}

PRESETS: tuple[str, ...] = ("sb-4x4", "sb-5x5", "cliff", "windy", "frozen-lake", "maze")

# DP stops when no value changes by more than θ in a sweep (the panel's choices).
THETAS: tuple[float, ...] = (1e-2, 1e-3, 1e-4, 1e-6)

POLICIES: tuple[str, ...] = ("random",)
