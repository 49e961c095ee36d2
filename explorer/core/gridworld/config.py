"""The configuration of one grid-world job, its limits, what it yields, its pace."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from explorer.core.gridworld.names import ALGOS, REINFORCE_FORMS
from explorer.core.gridworld.world import Cell, GridWorld
from explorer.core.progress import JobControl, Progress

MAX_EPISODES = 1_000_000
# The largest step size (α, α_critic, lr) a job accepts; the smallest is any > 0.
MAX_STEP_SIZE = 10.0
# Probabilities (ε, slip) lie in [0, 1].
PROBABILITY: tuple[float, float] = (0.0, 1.0)

_LEARNER_DEFAULTS: Mapping[str, Mapping[str, float | int]] = {
    "td0": {"episodes": 200, "alpha": 0.1},
    "sarsa": {"episodes": 500, "alpha": 0.5, "epsilon": 0.1},
    "expected-sarsa": {"episodes": 500, "alpha": 0.5, "epsilon": 0.1},
    "q-learning": {"episodes": 500, "alpha": 0.5, "epsilon": 0.1},
    "dqn": {
        "episodes": 150,
        "epsilon": 1.0,
        "epsilon_min": 0.05,
        "epsilon_decay_episodes": 100,
        "max_steps": 200,
    },
    "reinforce": {"episodes": 500, "alpha": 0.1, "alpha_critic": 0.1, "max_steps": 200},
    "actor-critic": {
        "episodes": 500,
        "alpha": 0.2,
        "alpha_critic": 0.2,
        "max_steps": 200,
    },
}


def algo_defaults(algo: str) -> dict[str, float | int]:
    """Return RLConfig keyword arguments that suit ``algo`` on the presets."""
    return dict(_LEARNER_DEFAULTS.get(algo, {}))


@dataclass(frozen=True, kw_only=True)
class RLConfig:
    """One job on ``world``: which algorithm and its parameters.

    Parameters
    ----------
    world
        The grid world (its ``gamma`` is the discount unless ``gamma`` is given).
    algo
        One of :data:`ALGOS`.
    gamma
        Overrides the world's discount γ.
    theta
        DP stops when the largest value change of a sweep is below θ.
    in_place
        Policy evaluation updates values in place (Gauss–Seidel) instead of
        from a copy of the previous sweep.
    policy
        The policy to evaluate ("random", or a (rows, cols, 4) array of π(a|s)).
    max_sweeps, report_every
        DP stops after ``max_sweeps`` and yields after every ``report_every``-th
        sweep and the last (a large value: only the answer, as the CLI does).
    episodes, max_steps
        Training episodes, and the cap on each episode's length.
    alpha, alpha_critic
        Step sizes (actor / Q; critic / baseline for policy gradients).
    reinforce
        REINFORCE's form (one of :data:`REINFORCE_FORMS`): ``"baseline"``, reward-to-go
        minus a learnt baseline (S&B eq. 13.11), or ``"total-return"``, the episode's
        return G₀ times Σ_t ∇ ln π(A_t|S_t) (Williams 1992; no baseline).
    epsilon, epsilon_min, epsilon_decay_episodes
        ε-greedy exploration; ε falls linearly to ``epsilon_min`` over the given
        number of episodes (0: constant ε).
    q_init
        Initial Q values (optimism explores).
    hidden, lr, batch_size, buffer_size, target_update, learn_start
        DQN: MLP width, Adam step size, minibatch, replay capacity, target-network
        copy period (steps) and steps before learning starts.
    """

    world: GridWorld
    algo: str = "value-iteration"
    gamma: float | None = None
    theta: float = 1e-4
    in_place: bool = False
    policy: str | NDArray[np.float64] = "random"
    max_sweeps: int = 10_000
    report_every: int = 1
    episodes: int = 500
    max_steps: int = 1000
    alpha: float = 0.5
    alpha_critic: float = 0.1
    reinforce: str = "baseline"
    epsilon: float = 0.1
    epsilon_min: float = 0.01
    epsilon_decay_episodes: int = 0
    q_init: float = 0.0
    hidden: int = 64
    lr: float = 1e-3
    batch_size: int = 32
    buffer_size: int = 5000
    target_update: int = 100
    learn_start: int = 100

    def __post_init__(self) -> None:
        if self.algo not in ALGOS:
            raise ValueError(
                f"unknown algorithm {self.algo!r} (known: {', '.join(ALGOS)})"
            )
        if self.reinforce not in REINFORCE_FORMS:
            raise ValueError(
                f"unknown REINFORCE form {self.reinforce!r} "
                f"(known: {', '.join(REINFORCE_FORMS)})"
            )
        if self.gamma is not None and not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"discount γ must be in [0, 1], got {self.gamma}")
        if not (self.theta > 0 and math.isfinite(self.theta)):
            raise ValueError(f"θ must be a positive number, got {self.theta}")
        if not 1 <= self.max_sweeps <= 1_000_000:
            raise ValueError(f"max_sweeps must be 1 … 1,000,000, got {self.max_sweeps}")
        if self.report_every < 1:
            raise ValueError(
                f"report_every must be at least 1, got {self.report_every}"
            )
        if not 1 <= self.episodes <= MAX_EPISODES:
            raise ValueError(
                f"episodes must be 1 … {MAX_EPISODES:,}, got {self.episodes}"
            )
        if not 1 <= self.max_steps <= 1_000_000:
            raise ValueError(f"max_steps must be 1 … 1,000,000, got {self.max_steps}")
        for name in ("alpha", "alpha_critic", "lr"):
            value = getattr(self, name)
            if not 0.0 < value <= MAX_STEP_SIZE:
                raise ValueError(
                    f"step size {name} must be in (0, {MAX_STEP_SIZE:g}], got {value}"
                )
        for name in ("epsilon", "epsilon_min"):
            value = getattr(self, name)
            if not PROBABILITY[0] <= value <= PROBABILITY[1]:
                raise ValueError(f"{name} must be in [0, 1], got {value}")
        if self.epsilon_decay_episodes < 0:
            raise ValueError("epsilon_decay_episodes must not be negative")
        if not math.isfinite(self.q_init):
            raise ValueError("q_init must be finite")
        if not 1 <= self.hidden <= 4096:
            raise ValueError(f"hidden width must be 1 … 4096, got {self.hidden}")
        if not 1 <= self.batch_size <= self.buffer_size <= 10_000_000:
            raise ValueError("need 1 ≤ batch_size ≤ buffer_size ≤ 10,000,000")
        if self.target_update < 1 or self.learn_start < 0:
            raise ValueError("target_update must be ≥ 1 and learn_start ≥ 0")
        if isinstance(self.policy, str):
            if self.policy != "random":
                raise ValueError(f"unknown policy {self.policy!r}: use 'random'")
        else:
            w = self.world
            if self.policy.shape != (w.rows, w.cols, 4):
                raise ValueError(
                    f"a policy array must have shape ({w.rows}, {w.cols}, 4), "
                    f"got {self.policy.shape}"
                )

    @property
    def discount(self) -> float:
        """The discount γ in use."""
        return self.world.gamma if self.gamma is None else self.gamma

    def epsilon_at(self, episode: int) -> float:
        """Return ε for ``episode`` (0-based) under the linear schedule."""
        if self.epsilon_decay_episodes <= 0:
            return self.epsilon
        frac = min(episode / self.epsilon_decay_episodes, 1.0)
        return self.epsilon + frac * (self.epsilon_min - self.epsilon)


PACE_KEY = "pace"


@dataclass(frozen=True)
class Pace:
    """How fast a job runs and how often it reports (a panel posts a new one).

    ``delay_s`` slows the agent down so it can be watched; ``report`` says how often
    the job yields: after every environment step or only at the end of an episode
    (DP jobs yield after every sweep whatever it says).  A job starts with the
    ``pace`` it is given and then follows the newest :class:`Pace` posted to its
    job control under :data:`PACE_KEY`.
    """

    delay_s: float = 0.0
    report: Literal["step", "episode"] = "episode"


FULL_SPEED = Pace()  # no delay, reports at the end of each episode (the CLI's)


def current_pace(control: JobControl | None, pace: Pace) -> Pace:
    """Return the newest :class:`Pace` posted to ``control``, else ``pace``."""
    if control is None:
        return pace
    posted = control.peek(PACE_KEY)
    return posted if isinstance(posted, Pace) else pace


def _empty() -> NDArray[np.float64]:
    return np.zeros(0)


@dataclass(frozen=True, kw_only=True)
class GridProgress(Progress):
    """One report of a grid-world job (arrays are (rows, cols, ...) with NaN on walls).

    Attributes
    ----------
    algo
        The algorithm's name.
    values
        v(s) — for control methods max_a q(s, a), for policy gradients the critic.
    policy
        π(a|s) of the policy followed or evaluated (actions up, right, down, left).
    q
        q(s, a), or ``None`` for methods without action values.
    greedy
        The greedy action per cell (−1 on walls and terminals).
    agent, trail
        Where the agent is and the cells of its current (or last) episode.
    episode, returns, lengths
        Finished episodes, and the return G₀ and length of each.
    deltas
        DP: the largest |Δv| of each sweep.
    last_update
        The numbers of the last update, named as in the formula card.
    converged, epsilon
        DP reached θ; the ε in use.
    """

    algo: str
    values: NDArray[np.float64]
    policy: NDArray[np.float64]
    q: NDArray[np.float64] | None = None
    greedy: NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )
    agent: Cell | None = None
    trail: tuple[Cell, ...] = ()
    episode: int = 0
    returns: NDArray[np.float64] = field(default_factory=_empty)
    lengths: NDArray[np.float64] = field(default_factory=_empty)
    deltas: NDArray[np.float64] = field(default_factory=_empty)
    last_update: Mapping[str, float | str] = field(default_factory=dict)
    converged: bool = False
    epsilon: float = 0.0
