"""Dynamic programming on the tabular model: policy evaluation, policy/value iteration.

Each solver is a generator that yields a :class:`GridProgress` after every sweep
over the states (Sutton & Barto 2018, chapter 4).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from explorer.core.gridworld.config import GridProgress, RLConfig
from explorer.core.gridworld.model import FloatArray, IntArray, TabularModel, row_max

_TIE = 1e-9


def greedy_probs(model: TabularModel, q: FloatArray) -> FloatArray:
    """Return π(a|s) shared equally by the maximising actions of ``q``."""
    best = row_max(q)[:, None]
    ties = (q >= best - _TIE * np.maximum(1.0, np.abs(best))).astype(np.float64)
    probs = ties / (ties[:, 0] + ties[:, 1] + ties[:, 2] + ties[:, 3])[:, None]
    probs[model.terminal] = 0.25
    return probs.astype(np.float64)


def greedy_actions(model: TabularModel, q: FloatArray) -> IntArray:
    """Return the first maximising action per state (−1 for terminals)."""
    act: IntArray = np.argmax(q, axis=1).astype(np.int64)
    act[model.terminal] = -1
    return act


def _policy_array(model: TabularModel, cfg: RLConfig) -> FloatArray:
    if isinstance(cfg.policy, str):
        return np.full((model.n_states, 4), 0.25)
    per_state = np.asarray(cfg.policy, dtype=np.float64)[model.index >= 0]
    order = model.index[model.index >= 0]
    pi = np.empty((model.n_states, 4))
    pi[order] = per_state
    sums = pi.sum(axis=1, keepdims=True)
    if np.any(pi < 0) or np.any(np.abs(sums - 1.0) > 1e-6):
        raise ValueError("each cell's policy must be probabilities summing to 1")
    return pi


def _report(
    model: TabularModel,
    cfg: RLConfig,
    sweep: int,
    v: FloatArray,
    pi: FloatArray,
    deltas: list[float],
    *,
    converged: bool,
    phase: str,
    last: dict[str, float | str],
    q: FloatArray | None = None,
) -> GridProgress:
    """Return the progress after a sweep (``q`` = q(s, a) under ``v`` if known)."""
    if q is None:
        q = model.expected_q(v)
    delta = deltas[-1] if deltas else 0.0
    q_shown = q.copy()
    q_shown[model.terminal] = np.nan
    return GridProgress(
        step=sweep,
        total=None,
        losses={"max_delta": delta},
        message=f"{phase + ': ' if phase else ''}sweep {sweep}, max |Δv| = {delta:.3g}",
        algo=cfg.algo,
        values=model.to_grid(v),
        policy=model.to_grid(pi),
        q=model.to_grid(q_shown),
        greedy=model.to_grid(greedy_actions(model, q), fill=-1).astype(np.int64),
        agent=model.world.start,
        deltas=np.asarray(deltas, dtype=np.float64),
        last_update=last,
        converged=converged,
    )


def _backup_record(
    model: TabularModel, s: int, old: float, new: float, expected: bool
) -> dict[str, float | str]:
    r, c = model.cells[s]
    return {
        "s": f"({r}, {c})",
        "v_old(s)": old,
        "v_new(s)": new,
        "γ": model.gamma,
        "backup": "Σ_a π(a|s) q(s,a)" if expected else "max_a q(s,a)",
    }


def _sweep_expectation(
    model: TabularModel, v: FloatArray, pi: FloatArray, in_place: bool
) -> FloatArray:
    """Return v after one policy-evaluation sweep (S&B eq. 4.5)."""
    if not in_place:
        pq = pi * model.expected_q(v)
        new = pq[:, 0] + pq[:, 1] + pq[:, 2] + pq[:, 3]
        new[model.terminal] = 0.0
        return new
    v = v.copy()
    gamma = model.gamma
    for s in range(model.n_states):
        if model.terminal[s]:
            continue
        nxt = model.next_state[s]
        vn = np.where(model.terminal[nxt], 0.0, v[nxt])
        q = (model.prob[s] * (model.reward[s] + gamma * vn)).sum(axis=1)
        v[s] = float(pi[s] @ q)
    return v


def policy_evaluation(model: TabularModel, cfg: RLConfig) -> Iterator[GridProgress]:
    """Yield iterative policy evaluation of ``cfg.policy`` sweep by sweep (S&B §4.1)."""
    pi = _policy_array(model, cfg)
    v = np.zeros(model.n_states)
    deltas: list[float] = []
    for sweep in range(1, cfg.max_sweeps + 1):
        new = _sweep_expectation(model, v, pi, cfg.in_place)
        change = np.abs(new - v)
        s = int(np.argmax(change))
        deltas.append(float(change[s]))
        last = _backup_record(model, s, float(v[s]), float(new[s]), True)
        v = new
        done = deltas[-1] < cfg.theta
        if done or sweep % cfg.report_every == 0 or sweep == cfg.max_sweeps:
            yield _report(
                model,
                cfg,
                sweep,
                v,
                pi,
                deltas,
                converged=done,
                phase="",  # the algorithm's title says "evaluation"
                last=last,
            )
        if done:
            return


def value_iteration(model: TabularModel, cfg: RLConfig) -> Iterator[GridProgress]:
    """Yield value iteration sweep by sweep: v ← max_a q(s, a) (S&B §4.4, eq. 4.10)."""
    v = np.zeros(model.n_states)
    q = model.expected_q(v)
    deltas: list[float] = []
    for sweep in range(1, cfg.max_sweeps + 1):
        new = row_max(q)
        new[model.terminal] = 0.0
        change = np.abs(new - v)
        s = int(np.argmax(change))
        deltas.append(float(change[s]))
        last = _backup_record(model, s, float(v[s]), float(new[s]), False)
        v = new
        done = deltas[-1] < cfg.theta
        q = model.expected_q(v)  # shown now, and backed up by the next sweep
        if done or sweep % cfg.report_every == 0 or sweep == cfg.max_sweeps:
            yield _report(
                model,
                cfg,
                sweep,
                v,
                greedy_probs(model, q),
                deltas,
                converged=done,
                phase="",  # the algorithm's title says "value iteration"
                last=last,
                q=q,
            )
        if done:
            return


def policy_iteration(model: TabularModel, cfg: RLConfig) -> Iterator[GridProgress]:
    """Yield policy iteration: evaluate (sweep by sweep), then improve (S&B §4.3).

    The first policy is the equiprobable random one (an arbitrary deterministic
    policy may never reach a terminal, and with γ = 1 its values diverge); later
    policies are greedy and deterministic, and improvement keeps the old action when
    it is still among the maximisers, so ties cannot make it cycle (S&B Exercise 4.4).
    """
    actions: IntArray | None = None
    v = np.zeros(model.n_states)
    deltas: list[float] = []
    sweep = 0
    for improvement in range(1, cfg.max_sweeps + 1):
        pi = (
            np.full((model.n_states, 4), 0.25)
            if actions is None
            else np.eye(4)[actions]
        )
        while sweep < cfg.max_sweeps:
            sweep += 1
            new = _sweep_expectation(model, v, pi, cfg.in_place)
            change = np.abs(new - v)
            s = int(np.argmax(change))
            deltas.append(float(change[s]))
            last = _backup_record(model, s, float(v[s]), float(new[s]), True)
            v = new
            if deltas[-1] < cfg.theta:
                break
            if sweep % cfg.report_every == 0:
                yield _report(
                    model,
                    cfg,
                    sweep,
                    v,
                    pi,
                    deltas,
                    converged=False,
                    phase=f"evaluation of policy {improvement}",
                    last=last,
                )
        q = model.expected_q(v)
        best = row_max(q)
        if actions is None:
            new_actions = np.argmax(q, axis=1).astype(np.int64)
            stable = False
        else:
            keep = q[np.arange(model.n_states), actions] >= best - _TIE * np.maximum(
                1.0, np.abs(best)
            )
            new_actions = np.where(keep, actions, np.argmax(q, axis=1))
            live = ~model.terminal
            stable = bool(np.all(new_actions[live] == actions[live]))
        changed = (
            model.n_states if actions is None else int(np.sum(new_actions != actions))
        )
        actions = new_actions
        if not stable and sweep < cfg.max_sweeps and cfg.report_every == 1:
            yield _report(
                model,
                cfg,
                sweep,
                v,
                np.eye(4)[actions],
                deltas,
                converged=False,
                phase=f"improved to policy {improvement + 1}",
                last={
                    "improvement": float(improvement),
                    "actions changed": float(changed),
                },
                q=q,
            )
        if stable or sweep >= cfg.max_sweeps:
            pi = greedy_probs(model, q)
            yield _report(
                model,
                cfg,
                sweep,
                v,
                pi,
                deltas,
                converged=stable,
                phase=f"policy {improvement} is stable"
                if stable
                else "stopped at max_sweeps",
                last={"improvements": float(improvement)},
            )
            return


def solve(model: TabularModel, cfg: RLConfig) -> Iterator[GridProgress]:
    """Yield the DP solver ``cfg.algo`` sweep by sweep."""
    if cfg.algo == "policy-evaluation":
        return policy_evaluation(model, cfg)
    if cfg.algo == "policy-iteration":
        return policy_iteration(model, cfg)
    if cfg.algo == "value-iteration":
        return value_iteration(model, cfg)
    raise ValueError(f"{cfg.algo!r} is not a dynamic-programming algorithm")
