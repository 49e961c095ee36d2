"""The tabular model p(s′, r | s, a) of a grid world as arrays, and sampling from it.

States are the non-wall cells in row-major order.  For each state and action the
model holds ``K`` outcomes (padded with probability 0): next state, reward,
probability.  Terminal states have no outcomes of their own; their value is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.gridworld.world import Cell, GridWorld

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
N_ACTIONS = 4


@dataclass(frozen=True, eq=False)
class TabularModel:
    """Arrays describing a world's dynamics (see the module docstring)."""

    world: GridWorld
    cells: tuple[Cell, ...]
    index: IntArray  # (rows, cols) state index, -1 on walls
    next_state: IntArray  # (S, A, K)
    reward: FloatArray  # (S, A, K)
    prob: FloatArray  # (S, A, K)
    cum_prob: FloatArray  # (S, A, K) cumulative, for sampling
    terminal: NDArray[np.bool_]  # (S,)
    start: int

    @property
    def n_states(self) -> int:
        """The number of states (non-wall cells)."""
        return len(self.cells)

    @property
    def gamma(self) -> float:
        """The world's discount γ."""
        return self.world.gamma

    def expected_q(self, values: FloatArray) -> FloatArray:
        """Return q(s, a) = Σ p(s′, r | s, a) [r + γ v(s′)] for all s, a (S&B eq. 4.6)."""
        v = np.where(self.terminal, 0.0, values)
        return (self.prob * (self.reward + self.gamma * v[self.next_state])).sum(axis=2)

    def sample(self, state: int, action: int, rng: np.random.Generator) -> tuple[int, float]:
        """Return a sampled (next state, reward) for ``action`` in ``state``."""
        cum = self.cum_prob[state, action]
        k = 0 if cum[0] >= 1.0 else int(np.searchsorted(cum, rng.random(), side="right"))
        k = min(k, cum.shape[0] - 1)
        return int(self.next_state[state, action, k]), float(self.reward[state, action, k])

    def to_grid(self, per_state: NDArray[np.generic], fill: float = np.nan) -> FloatArray:
        """Return a (rows, cols, ...) array of ``per_state`` values, ``fill`` on walls."""
        w = self.world
        shape = (w.rows, w.cols, *per_state.shape[1:])
        out = np.full(shape, fill, dtype=np.float64)
        mask = self.index >= 0
        out[mask] = per_state[self.index[mask]]
        return out

    def greedy_path(self, actions: IntArray, max_steps: int | None = None) -> list[Cell]:
        """Return the cells visited following ``actions`` (one per state) from the start.

        Stochastic moves follow their intended outcome.  The roll-out stops at a
        terminal, at the first repeated state (a greedy policy that loops would go on
        forever) or after ``max_steps`` (default: the number of states).
        """
        limit = self.n_states if max_steps is None else max_steps
        s = self.start
        path = [self.cells[s]]
        seen = {s}
        for _ in range(limit):
            if self.terminal[s]:
                break
            s = int(self.next_state[s, int(actions[s]), 0])
            path.append(self.cells[s])
            if s in seen:
                break
            seen.add(s)
        return path


def build_model(world: GridWorld) -> TabularModel:
    """Return the tabular model of ``world``."""
    cells = tuple(world.cells())
    index = np.full((world.rows, world.cols), -1, dtype=np.int64)
    for i, cell in enumerate(cells):
        index[cell] = i
    n = len(cells)
    table = [
        [world.outcomes(cell, a) if cell not in world.terminals else [] for a in range(4)]
        for cell in cells
    ]
    k = max((len(o) for row in table for o in row), default=1) or 1
    next_state = np.zeros((n, N_ACTIONS, k), dtype=np.int64)
    reward = np.zeros((n, N_ACTIONS, k))
    prob = np.zeros((n, N_ACTIONS, k))
    terminal = np.zeros(n, dtype=bool)
    for s, row in enumerate(table):
        if cells[s] in world.terminals:
            terminal[s] = True
            next_state[s, :, :] = s
            prob[s, :, 0] = 1.0
            continue
        for a, outs in enumerate(row):
            next_state[s, a, :] = s
            for j, o in enumerate(outs):
                next_state[s, a, j] = index[o.cell]
                reward[s, a, j] = o.reward
                prob[s, a, j] = o.prob
    cum = np.cumsum(prob, axis=2)
    cum[..., -1] = np.maximum(cum[..., -1], 1.0)  # guard against round-off
    return TabularModel(
        world=world,
        cells=cells,
        index=index,
        next_state=next_state,
        reward=reward,
        prob=prob,
        cum_prob=cum,
        terminal=terminal,
        start=int(index[world.start]),
    )
