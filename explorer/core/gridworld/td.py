"""Tabular temporal-difference learning: TD(0), SARSA, expected SARSA, Q-learning.

One generator, :func:`train_tabular`, runs episodes from the start cell and applies
the update of ``cfg.algo`` after every step (Sutton & Barto 2018, chapter 6).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from explorer.core.gridworld.config import (
    FULL_SPEED,
    GridProgress,
    Pace,
    RLConfig,
    current_pace,
)
from explorer.core.gridworld.dp import greedy_actions
from explorer.core.gridworld.model import FloatArray, TabularModel, row_max
from explorer.core.gridworld.report import episode_message
from explorer.core.gridworld.world import Cell
from explorer.core.progress import JobControl

TRAIL_CAP = 2000
_REPORT_EVERY_STEPS = 5000  # yield inside long episodes so a run stays abortable


def epsilon_greedy_probs(q: FloatArray, epsilon: float) -> FloatArray:
    """Return ε-greedy π(a|s) for every row of ``q`` (ties share the greedy mass)."""
    best = q.max(axis=-1, keepdims=True)
    ties = (q >= best).astype(np.float64)
    ties /= ties.sum(axis=-1, keepdims=True)
    probs: FloatArray = (1.0 - epsilon) * ties + epsilon / q.shape[-1]
    return probs


class EpisodeLog:
    """Returns and lengths of finished episodes, shared with yields without copying."""

    def __init__(self) -> None:
        self._returns: list[float] = []
        self._lengths: list[float] = []
        self._arrays = (np.zeros(0), np.zeros(0))

    def add(self, ret: float, length: int) -> None:
        """Record a finished episode."""
        self._returns.append(ret)
        self._lengths.append(float(length))
        self._arrays = (np.array(self._returns), np.array(self._lengths))

    @property
    def count(self) -> int:
        """The number of finished episodes."""
        return len(self._returns)

    @property
    def arrays(self) -> tuple[FloatArray, FloatArray]:
        """Return (returns, lengths) as arrays that are never modified later."""
        return self._arrays


def want_report(pace: Pace, episode_end: bool, steps: int) -> bool:
    """Return whether a job should yield now (see :class:`Pace`)."""
    if episode_end:
        return True
    if pace.report == "step":
        return True
    return steps % _REPORT_EVERY_STEPS == 0


def wait(pace: Pace) -> None:
    """Sleep for the pace's delay (the agent moves slowly enough to watch)."""
    if pace.delay_s > 0:
        time.sleep(min(pace.delay_s, 2.0))


def _cell_name(cell: Cell) -> str:
    return f"({cell[0]}, {cell[1]})"


def train_tabular(
    model: TabularModel,
    cfg: RLConfig,
    *,
    seed: int,
    pace: Pace = FULL_SPEED,
    control: JobControl | None = None,
) -> Iterator[GridProgress]:
    """Yield TD(0) / SARSA / expected SARSA / Q-learning progress (S&B §6.1–6.6).

    TD(0) evaluates the equiprobable random policy; the control methods follow an
    ε-greedy policy with respect to their Q table.  The job runs at ``pace`` until
    a new one is posted to ``control`` (see :func:`current_pace`).
    """
    rng = np.random.default_rng(seed)
    n_s = model.n_states
    gamma = model.gamma
    q = np.full((n_s, 4), cfg.q_init)
    q[model.terminal] = 0.0
    v = np.zeros(n_s)
    log = EpisodeLog()
    algo = cfg.algo
    last: tuple[int, int, float, int, float, float, float] | None = None
    total_steps = 0

    def last_update() -> dict[str, float | str]:
        """Name the numbers of the last update as the formula card shows them."""
        if last is None:
            return {}
        s, a, r, s2, target, old, new = last
        return {
            "s": _cell_name(model.cells[s]),
            "a": "↑→↓←"[a],
            "r": r,
            "s′": _cell_name(model.cells[s2]),
            "target": target,
            "δ": target - old,
            "old": old,
            "new": new,
            "α": cfg.alpha,
            "γ": gamma,
        }

    def act(s: int, eps: float) -> int:
        if algo == "td0" or rng.random() < eps:
            return int(rng.integers(4))
        row = q[s]
        best = np.flatnonzero(row == row.max())
        return int(best[0] if len(best) == 1 else rng.choice(best))

    def report(
        eps: float, s: int, trail: list[Cell], step_in_ep: int, ended: bool
    ) -> GridProgress:
        if algo == "td0":
            pi = np.full((n_s, 4), 0.25)
            qv = model.expected_q(v)
            values, q_grid = v, None
        else:
            pi = epsilon_greedy_probs(q, eps)
            qv = q
            values = row_max(q)
            q_grid = model.to_grid(np.where(model.terminal[:, None], np.nan, q))
        returns, lengths = log.arrays
        msg = episode_message(log.count, cfg.episodes, step_in_ep, ended=ended)
        return GridProgress(
            step=log.count,
            total=cfg.episodes,
            losses={"last_return": float(returns[-1]) if len(returns) else 0.0},
            message=msg,
            algo=algo,
            values=model.to_grid(np.where(model.terminal, 0.0, values)),
            policy=model.to_grid(pi),
            q=q_grid,
            greedy=model.to_grid(greedy_actions(model, qv), fill=-1).astype(np.int64),
            agent=model.cells[s],
            trail=tuple(trail[-TRAIL_CAP:]),
            episode=log.count,
            returns=returns,
            lengths=lengths,
            last_update=last_update(),
            epsilon=eps,
        )

    for episode in range(cfg.episodes):
        eps = cfg.epsilon_at(episode)
        s = model.start
        a = act(s, eps)
        trail = [model.cells[s]]
        ret, disc = 0.0, 1.0
        for t in range(1, cfg.max_steps + 1):
            pace = current_pace(control, pace)
            wait(pace)
            s2, r = model.sample(s, a, rng)
            ret += disc * r
            disc *= gamma
            done = bool(model.terminal[s2])
            a2 = act(s2, eps) if not done else 0
            if algo == "td0":
                target = r + (0.0 if done else gamma * v[s2])
                old = v[s]
                v[s] += cfg.alpha * (target - old)
                new = v[s]
            else:
                if done:
                    boot = 0.0
                elif algo == "sarsa":
                    boot = q[s2, a2]
                elif algo == "q-learning":
                    boot = q[s2].max()
                else:  # expected SARSA: Σ_a π(a|s′) q(s′, a)
                    boot = float(epsilon_greedy_probs(q[s2], eps) @ q[s2])
                target = r + gamma * boot
                old = q[s, a]
                q[s, a] += cfg.alpha * (target - old)
                new = q[s, a]
            last = (s, a, r, s2, float(target), float(old), float(new))
            s, a = s2, a2
            trail.append(model.cells[s])
            total_steps += 1
            if done or t == cfg.max_steps:
                log.add(ret, t)
            end = done or t == cfg.max_steps
            if want_report(pace, end, total_steps):
                yield report(eps, s, trail, t, end)
            if done:
                break
