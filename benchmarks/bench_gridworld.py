"""Gridworld benchmarks: value iteration on 100×100, tabular Q-learning and DQN speed.

Run ``python benchmarks/bench_gridworld.py`` for a table.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from explorer.core.gridworld import (
    GridWorld,
    RLConfig,
    algo_defaults,
    build_model,
    load_preset,
    train,
)
from explorer.core.gridworld.dp import solve


def big_world() -> GridWorld:
    """Return a 100×100 world: nine wall rows with gaps, the goal in a corner."""
    walls = frozenset(
        (r, c) for r in range(10, 100, 10) for c in range(100) if (c + r) % 37 > 3
    )
    return GridWorld(
        rows=100,
        cols=100,
        start=(0, 0),
        walls=walls,
        terminals=frozenset({(99, 99)}),
        step_reward=-1.0,
        gamma=0.9,
        name="bench-100",
    )


def _best_of(fn: Callable[[], Any], repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _steps_per_second(cfg: RLConfig, **kw: Any) -> float:
    t0 = time.perf_counter()
    last = deque(train(cfg, seed=0, **kw), maxlen=1)[0]
    elapsed = time.perf_counter() - t0
    return float(last.lengths.sum()) / elapsed


def run() -> list[tuple[str, str, str]]:
    """Return (name, measured value with unit, goal) rows."""
    world = big_world()
    model = build_model(world)
    answer = RLConfig(world=world, algo="value-iteration", report_every=10**9)
    every = RLConfig(world=world, algo="value-iteration")
    vi_s = _best_of(lambda: deque(solve(model, answer), maxlen=1))
    vi_all_s = _best_of(lambda: deque(solve(model, every), maxlen=1), repeats=1)
    total_s = _best_of(lambda: deque(train(answer), maxlen=1), repeats=1)
    cliff = load_preset("cliff")
    q_sps = _steps_per_second(
        RLConfig(world=cliff, algo="q-learning", episodes=500, alpha=0.5, epsilon=0.1)
    )
    dqn_cfg = replace(_dqn_config(), episodes=30)
    dqn_sps = _steps_per_second(dqn_cfg, device="cpu")
    return [
        (
            "value iteration 100×100, γ=0.9, θ=1e-4 (answer only)",
            f"{vi_s * 1e3:.0f} ms",
            "≤ 100 ms",
        ),
        (
            "value iteration 100×100, a report after every sweep",
            f"{vi_all_s * 1e3:.0f} ms",
            "report",
        ),
        (
            "model build + value iteration 100×100 (CLI `rl solve`)",
            f"{total_s * 1e3:.0f} ms",
            "report",
        ),
        (
            "tabular Q-learning on cliff (env steps + updates)",
            f"{q_sps:,.0f} steps/s",
            "report",
        ),
        (
            "DQN on maze, CPU (env steps + minibatch updates)",
            f"{dqn_sps:,.0f} steps/s",
            "report",
        ),
    ]


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's heaviest default job (DQN on the maze) and its kwargs."""
    return train, {"cfg": _dqn_config(), "seed": 0, "device": "auto"}


def _dqn_config() -> RLConfig:
    """Return the panel's default DQN job on the maze."""
    maze = load_preset("maze")
    return RLConfig(world=maze, algo="dqn", **algo_defaults("dqn"))  # type: ignore[arg-type]


if __name__ == "__main__":
    for name, value, goal in run():
        print(f"{name:58s} {value:>16s}   goal {goal}")
