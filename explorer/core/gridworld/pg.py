"""Policy gradients with a softmax policy over action preferences θ(s, a).

REINFORCE with baseline (Sutton & Barto 2018, §13.4) or in its total-return form
(Williams 1992: G₀ Σ_t ∇ ln π(A_t|S_t)), and one-step actor-critic (§13.5), with
one-hot state features, so ∇ ln π(a|s) = 1(a) − π(·|s) in row s and the critic /
baseline is a table v̂(s).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from explorer.core.gridworld.config import (
    FULL_SPEED,
    GridProgress,
    Pace,
    RLConfig,
    current_pace,
)
from explorer.core.gridworld.model import FloatArray, TabularModel
from explorer.core.gridworld.report import episode_message
from explorer.core.gridworld.td import TRAIL_CAP, EpisodeLog, wait, want_report
from explorer.core.gridworld.world import Cell
from explorer.core.progress import JobControl


def softmax(prefs: FloatArray) -> FloatArray:
    """Return softmax over the last axis (S&B eq. 13.2)."""
    z = prefs - prefs.max(axis=-1, keepdims=True)
    e = np.exp(z)
    out: FloatArray = e / e.sum(axis=-1, keepdims=True)
    return out


def train_pg(
    model: TabularModel,
    cfg: RLConfig,
    *,
    seed: int,
    pace: Pace = FULL_SPEED,
    control: JobControl | None = None,
) -> Iterator[GridProgress]:
    """Yield REINFORCE-with-baseline or one-step actor-critic progress.

    ``cfg.alpha`` is the actor's step size α_θ and ``cfg.alpha_critic`` the
    baseline's / critic's α_w.  REINFORCE updates after each episode, the
    actor-critic after each step with the TD error δ as the advantage.
    """
    rng = np.random.default_rng(seed)
    n_s = model.n_states
    gamma = model.gamma
    theta = np.zeros((n_s, 4))
    w = np.zeros(n_s)
    log = EpisodeLog()
    last: dict[str, float | str] = {}
    total_steps = 0
    critic = cfg.algo == "actor-critic"

    def report(s: int, trail: list[Cell], t: int, ended: bool) -> GridProgress:
        pi = softmax(theta)
        greedy = np.argmax(pi, axis=1).astype(np.int64)
        greedy[model.terminal] = -1
        returns, lengths = log.arrays
        return GridProgress(
            step=log.count,
            total=cfg.episodes,
            losses={"last_return": float(returns[-1]) if len(returns) else 0.0},
            message=episode_message(log.count, cfg.episodes, t, ended=ended),
            algo=cfg.algo,
            values=model.to_grid(np.where(model.terminal, 0.0, w)),
            policy=model.to_grid(pi),
            greedy=model.to_grid(greedy, fill=-1).astype(np.int64),
            agent=model.cells[s],
            trail=tuple(trail[-TRAIL_CAP:]),
            episode=log.count,
            returns=returns,
            lengths=lengths,
            last_update=dict(last),
        )

    def update_actor(s: int, a: int, scale: float) -> None:
        grad = -softmax(theta[s])
        grad[a] += 1.0
        theta[s] += cfg.alpha * scale * grad

    for _episode in range(cfg.episodes):
        s = model.start
        trail = [model.cells[s]]
        states: list[int] = []
        actions: list[int] = []
        rewards: list[float] = []
        discount_t = 1.0  # the I = γ^t factor of S&B §13.5
        ret, disc = 0.0, 1.0
        for t in range(1, cfg.max_steps + 1):
            pace = current_pace(control, pace)
            wait(pace)
            a = int(rng.choice(4, p=softmax(theta[s])))
            s2, r = model.sample(s, a, rng)
            done = bool(model.terminal[s2])
            ret += disc * r
            disc *= gamma
            if critic:
                delta = r + (0.0 if done else gamma * w[s2]) - w[s]
                w[s] += cfg.alpha_critic * delta
                update_actor(s, a, discount_t * delta)
                discount_t *= gamma
                last = {
                    "s": str(model.cells[s]),
                    "a": "↑→↓←"[a],
                    "r": r,
                    "δ": float(delta),
                    "v̂(s)": float(w[s]),
                    "π(a|s)": float(softmax(theta[s])[a]),
                    "α_θ": cfg.alpha,
                    "α_w": cfg.alpha_critic,
                    "γ": gamma,
                }
            else:
                states.append(s)
                actions.append(a)
                rewards.append(r)
            s = s2
            trail.append(model.cells[s])
            total_steps += 1
            end = done or t == cfg.max_steps
            if end and not critic:
                if cfg.reinforce == "total-return":
                    _total_return_episode(
                        theta, states, actions, rewards, gamma, cfg, last
                    )
                else:
                    _reinforce_episode(
                        theta, w, states, actions, rewards, gamma, cfg, last
                    )
            if end:
                log.add(ret, t)
            if want_report(pace, end, total_steps):
                yield report(s, trail, t, end)
            if done:
                break


def _reinforce_episode(
    theta: FloatArray,
    w: FloatArray,
    states: list[int],
    actions: list[int],
    rewards: list[float],
    gamma: float,
    cfg: RLConfig,
    last: dict[str, float | str],
) -> None:
    """Apply REINFORCE-with-baseline updates for one finished episode (S&B §13.4)."""
    g = 0.0
    returns = np.zeros(len(rewards))
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        returns[t] = g
    discount_t = 1.0
    for t, (s, a) in enumerate(zip(states, actions, strict=True)):
        baseline = float(w[s])
        delta = returns[t] - baseline
        w[s] += cfg.alpha_critic * delta
        grad = -softmax(theta[s])
        grad[a] += 1.0
        theta[s] += cfg.alpha * discount_t * delta * grad
        discount_t *= gamma
        if t == 0:
            last.clear()
            last.update(
                {
                    "G₀": float(returns[0]),
                    "b(s₀)": baseline,
                    "δ = G − b": float(delta),
                    "π(a₀|s₀)": float(softmax(theta[s])[a]),
                    "α_θ": cfg.alpha,
                    "α_w": cfg.alpha_critic,
                    "γ": gamma,
                }
            )


def _total_return_episode(
    theta: FloatArray,
    states: list[int],
    actions: list[int],
    rewards: list[float],
    gamma: float,
    cfg: RLConfig,
    last: dict[str, float | str],
) -> None:
    """Apply REINFORCE's total-return update for one finished episode.

    θ ← θ + α G₀ Σ_t ∇ ln π(A_t|S_t, θ), every gradient taken at the θ that
    played the episode (Williams 1992, the episodic REINFORCE estimator).
    """
    g0 = 0.0
    for r in reversed(rewards):
        g0 = r + gamma * g0
    pi = softmax(theta)  # the policy that played the episode
    step = np.zeros_like(theta)
    for s, a in zip(states, actions, strict=True):
        step[s] -= pi[s]
        step[s, a] += 1.0
    theta += cfg.alpha * g0 * step
    if states:
        s0, a0 = states[0], actions[0]
        last.clear()
        last.update(
            {
                "G₀": float(g0),
                "T": float(len(rewards)),
                "π(a₀|s₀)": float(softmax(theta[s0])[a0]),
                "α_θ": cfg.alpha,
                "γ": gamma,
            }
        )
