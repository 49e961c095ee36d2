"""The tabular model p(s′, r | s, a) of a grid world as arrays, and sampling from it.

States are the non-wall cells in row-major order.  For each state and action the
model holds ``K`` outcomes (padded with probability 0): next state, reward,
probability.  Terminal states have no outcomes of their own; their value is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.gridworld.world import ACTIONS, Cell, GridWorld

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
N_ACTIONS = 4


def row_max(q: FloatArray) -> FloatArray:
    """Return max over the 4 actions of a (S, 4) array (numpy's axis-1 max is slow)."""
    out: FloatArray = np.maximum(
        np.maximum(q[:, 0], q[:, 1]), np.maximum(q[:, 2], q[:, 3])
    )
    return out


@dataclass(frozen=True, eq=False)
class TabularModel:
    """Arrays describing a world's dynamics (see the module docstring)."""

    world: GridWorld
    cells: tuple[Cell, ...]
    index: IntArray  # (rows, cols) state index, -1 on walls
    flat: IntArray  # (S,) flat (row-major) grid position of each state
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
        """Return q(s, a) = Σ p(s′, r | s, a) [r + γ v(s′)] (S&B eq. 4.6)."""
        v = np.where(self.terminal, 0.0, values)
        if self.prob.shape[2] == 1:  # deterministic world: skip the expectation
            q: FloatArray = (
                self.reward[..., 0] + self.gamma * v[self.next_state[..., 0]]
            )
            return q
        terms = self.prob * (self.reward + self.gamma * v[self.next_state])
        expected: FloatArray = terms.sum(axis=2)
        return expected

    def sample(
        self, state: int, action: int, rng: np.random.Generator
    ) -> tuple[int, float]:
        """Return a sampled (next state, reward) for ``action`` in ``state``."""
        cum = self.cum_prob[state, action]
        k = (
            0
            if cum[0] >= 1.0
            else int(np.searchsorted(cum, rng.random(), side="right"))
        )
        k = min(k, cum.shape[0] - 1)
        return int(self.next_state[state, action, k]), float(
            self.reward[state, action, k]
        )

    def to_grid(
        self, per_state: NDArray[np.generic], fill: float = np.nan
    ) -> FloatArray:
        """Return a (rows, cols, ...) array of ``per_state``, ``fill`` on walls."""
        w = self.world
        rest = per_state.shape[1:]
        out = np.full((w.rows * w.cols, *rest), fill, dtype=np.float64)
        out[self.flat] = per_state
        return out.reshape(w.rows, w.cols, *rest)

    def greedy_path(
        self, actions: IntArray, max_steps: int | None = None
    ) -> list[Cell]:
        """Return the cells visited from the start following ``actions`` (per state).

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
    """Return the tabular model of ``world``.

    Deterministic worlds (no slip, no stochastic wind) are built with array
    operations; the others cell by cell from :meth:`GridWorld.outcomes`, the
    reference the fast path is tested against.
    """
    return _build(world, reference=False)


def build_model_reference(world: GridWorld) -> TabularModel:
    """Return the tabular model built cell by cell from :meth:`GridWorld.outcomes`."""
    return _build(world, reference=True)


def _build(world: GridWorld, *, reference: bool) -> TabularModel:
    cells = tuple(world.cells())
    index = np.full((world.rows, world.cols), -1, dtype=np.int64)
    for i, cell in enumerate(cells):
        index[cell] = i
    n = len(cells)
    terminal = np.array([cell in world.terminals for cell in cells], dtype=bool)
    stochastic = world.slip > 0.0 or (world.stochastic_wind and any(world.wind))
    if reference or stochastic:
        next_state, reward, prob = _outcome_arrays(world, cells, index)
    else:
        next_state, reward = _deterministic_arrays(world, cells, index)
        prob = np.ones((n, N_ACTIONS, 1))
    # terminal states have no dynamics of their own: a certain, free self-loop
    next_state[terminal] = np.arange(n)[terminal, None, None]
    reward[terminal] = 0.0
    prob[terminal] = 0.0
    prob[terminal, :, 0] = 1.0
    cum = np.cumsum(prob, axis=2)
    cum[..., -1] = np.maximum(cum[..., -1], 1.0)  # guard against round-off
    return TabularModel(
        world=world,
        cells=cells,
        index=index,
        flat=np.array([r * world.cols + c for r, c in cells], dtype=np.int64),
        next_state=next_state,
        reward=reward,
        prob=prob,
        cum_prob=cum,
        terminal=terminal,
        start=int(index[world.start]),
    )


def _outcome_arrays(
    world: GridWorld, cells: tuple[Cell, ...], index: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Return (next state, reward, prob) arrays from :meth:`GridWorld.outcomes`."""
    n = len(cells)
    table = [
        [
            world.outcomes(cell, a) if cell not in world.terminals else []
            for a in range(4)
        ]
        for cell in cells
    ]
    k = max((len(o) for row in table for o in row), default=1) or 1
    next_state = np.repeat(np.arange(n, dtype=np.int64), N_ACTIONS * k).reshape(
        n, N_ACTIONS, k
    )
    reward = np.zeros((n, N_ACTIONS, k))
    prob = np.zeros((n, N_ACTIONS, k))
    for s, row in enumerate(table):
        for a, outs in enumerate(row):
            for j, o in enumerate(outs):
                next_state[s, a, j] = index[o.cell]
                reward[s, a, j] = o.reward
                prob[s, a, j] = o.prob
    return next_state, reward, prob


def _deterministic_arrays(
    world: GridWorld, cells: tuple[Cell, ...], index: IntArray
) -> tuple[IntArray, FloatArray]:
    """Return (next state, reward) arrays (S, 4, 1) of a deterministic world.

    The same rules as :meth:`GridWorld.outcomes`, applied to all cells at once.
    """
    rows, cols = world.rows, world.cols
    r0 = np.array([r for r, _ in cells], dtype=np.int64)
    c0 = np.array([c for _, c in cells], dtype=np.int64)
    wall = index < 0
    cell_reward = np.full((rows, cols), world.step_reward)
    for cell, value in world.rewards.items():
        cell_reward[cell] = value
    reset = np.zeros((rows, cols), dtype=bool)
    for cell in world.resets:
        reset[cell] = True
    bump = world.step_reward if world.bump_reward is None else world.bump_reward
    strength = np.asarray(world.wind, dtype=np.int64)[c0]
    n = len(cells)
    next_state = np.zeros((n, N_ACTIONS, 1), dtype=np.int64)
    reward = np.zeros((n, N_ACTIONS, 1))
    for a, (dr, dc) in enumerate(ACTIONS):
        r1, c1 = r0 + dr, c0 + dc
        if world.out_of_bounds == "wrap":
            r1, c1 = r1 % rows, c1 % cols
        inside = (r1 >= 0) & (r1 < rows) & (c1 >= 0) & (c1 < cols)
        rc, cc = np.clip(r1, 0, rows - 1), np.clip(c1, 0, cols - 1)
        bumped = ~inside | wall[rc, cc]
        r1, c1 = np.where(bumped, r0, rc), np.where(bumped, c0, cc)
        left = np.abs(strength)
        step = np.where(strength > 0, -1, 1)  # positive wind blows up
        for _ in range(int(left.max(initial=0))):
            r2 = r1 + step
            ok = (left > 0) & (r2 >= 0) & (r2 < rows)
            ok &= ~wall[np.clip(r2, 0, rows - 1), c1]
            r1 = np.where(ok, r2, r1)
            left = np.where(ok, left - 1, 0)
        r_move = np.where(bumped, bump, cell_reward[r1, c1])
        is_reset = reset[r1, c1]
        target = np.where(is_reset, index[world.start], index[r1, c1])
        r_move = np.where(is_reset, cell_reward[r1, c1], r_move)
        next_state[:, a, 0] = target
        reward[:, a, 0] = r_move
    for t in world.teleports:
        s = index[t.source]
        next_state[s, :, 0] = index[t.target]
        reward[s, :, 0] = t.reward
    return next_state, reward
