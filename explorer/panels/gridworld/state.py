"""The Gridworld panel's settings: one frozen, versioned dataclass.

The world itself (edited cell by cell, undoable) is not a field: the panel's
``state()`` stores it next to these settings in the documented world format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from explorer.core.gridworld import MAX_EPISODES, MAX_STEP_SIZE, PROBABILITY, THETAS
from explorer.core.gridworld.names import REINFORCE_FORMS, Algo
from explorer.core.state import StateBase, StateError, limits

# The panel offers a sub-range of what a job accepts (RLConfig checks the rest):
# step sizes up to 2 (α > 2 only diverges), at most 100,000 episodes.
ALPHA_LIMITS = (0.001, min(2.0, MAX_STEP_SIZE))
EPISODE_LIMITS = (1, min(100_000, MAX_EPISODES))
SEED_LIMITS = (0, 1_000_000)
SPEED_LIMITS = (0, 100)  # 100: full speed, the grids update once per episode
# The step-reward box's range (a world accepts any finite reward).
REWARD_LIMITS = (-100.0, 100.0)
__all__ = [
    "ALPHA_LIMITS",
    "EPISODE_LIMITS",
    "PROBABILITY",
    "REWARD_LIMITS",
    "SEED_LIMITS",
    "SPEED_LIMITS",
    "GridState",
]


@dataclass(frozen=True)
class GridState(StateBase):
    """What the Gridworld panel's controls show (grid A's algorithm, B's, the run).

    ``alpha`` is the Adam learning rate when grid A runs DQN; ``theta`` is one of
    :data:`explorer.core.gridworld.THETAS`.
    """

    VERSION: ClassVar[int] = 1
    algo: Algo = "value-iteration"
    reinforce: str = REINFORCE_FORMS[0]
    algo_b: Algo = "q-learning"
    compare: bool = False
    alpha: float = field(default=0.5, metadata=limits(*ALPHA_LIMITS))
    epsilon: float = field(default=0.1, metadata=limits(*PROBABILITY))
    episodes: int = field(default=500, metadata=limits(*EPISODE_LIMITS))
    theta: float = 1e-4
    in_place: bool = False
    seed: int = field(default=0, metadata=limits(*SEED_LIMITS))
    speed: int = field(default=70, metadata=limits(*SPEED_LIMITS))
    show_q: bool = False
    numbers: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.reinforce not in REINFORCE_FORMS:
            known = ", ".join(REINFORCE_FORMS)
            raise StateError(
                f"reinforce: expected one of {known}, got {self.reinforce!r}"
            )
        if self.theta not in THETAS:
            offered = ", ".join(f"{t:g}" for t in THETAS)
            raise StateError(f"theta: expected one of {offered}, got {self.theta:g}")
