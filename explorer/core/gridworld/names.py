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
    "reinforce": "REINFORCE",
    "actor-critic": "One-step actor-critic",
}

PRESETS: tuple[str, ...] = ("sb-4x4", "sb-5x5", "cliff", "windy", "frozen-lake", "maze")

# What the panel calls each preset: the book's names (Sutton & Barto 2018).
PRESET_TITLES: Mapping[str, str] = {
    "sb-4x4": "Example 4.1 gridworld",
    "sb-5x5": "Example 3.5 gridworld",
    "cliff": "Example 6.6 cliff walking",
    "windy": "Example 6.5 windy gridworld",
    "frozen-lake": "FrozenLake 4 × 4",
    "maze": "Maze 8 × 8 (for DQN)",
}

# The largest grid side a world may have (the file format, the CLI and the panel).
MAX_SIDE = 200

# REINFORCE's two forms: with a learnt baseline and reward-to-go (S&B eq. 13.11),
# or the total-return form, G₀ times the whole episode's ∇ ln π (Williams 1992).
REINFORCE_FORMS: tuple[str, ...] = ("baseline", "total-return")
REINFORCE_FORM_TITLES: Mapping[str, str] = {
    "baseline": "with baseline (G_t − b(S_t))",
    "total-return": "total return G₀ (Williams 1992)",
}

# DP stops when no value changes by more than θ in a sweep (the panel's choices).
THETAS: tuple[float, ...] = (1e-2, 1e-3, 1e-4, 1e-6)

POLICIES: tuple[str, ...] = ("random",)
