"""Learning agents: S&B's cliff and windy results, TD(0), DQN and policy gradients."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.gridworld import (
    PACE_KEY,
    GridProgress,
    GridWorld,
    Pace,
    RLConfig,
    build_model,
    load_preset,
    train,
)
from explorer.core.progress import LocalControl


def run(world: GridWorld, algo: str, seed: int = 0, **kw: object) -> GridProgress:
    *_, last = train(RLConfig(world=world, algo=algo, **kw), seed=seed, device="cpu")  # type: ignore[arg-type]
    return last


def greedy_path(world: GridWorld, last: GridProgress) -> list[tuple[int, int]]:
    model = build_model(world)
    return model.greedy_path(last.greedy.reshape(-1)[model.flat])


@pytest.mark.parametrize("seed", [0, 1])
def test_cliff_sarsa_learns_the_safe_path_q_learning_the_optimal_one(seed: int) -> None:
    # S&B Example 6.6 / Figure 6.4: ε = 0.1, α = 0.5
    world = load_preset("cliff")
    params = {"episodes": 500, "alpha": 0.5, "epsilon": 0.1}
    sarsa = run(world, "sarsa", seed, **params)
    qlearn = run(world, "q-learning", seed, **params)
    q_path = greedy_path(world, qlearn)
    assert len(q_path) - 1 == 13  # up, 11 × right along the edge, down
    assert all(r == 2 for r, _ in q_path[1:-1])
    s_path = greedy_path(world, sarsa)
    assert s_path[-1] == (3, 11) and len(s_path) - 1 > 13
    assert sum(1 for r, c in s_path if r == 2 and 1 <= c <= 10) <= 2  # keeps away
    # ... and SARSA's online return is better, since ε-greedy Q-learning falls off
    assert sarsa.returns[-200:].mean() > qlearn.returns[-200:].mean()


def test_windy_q_learning_finds_the_15_step_path() -> None:
    world = load_preset("windy")
    last = run(world, "q-learning", episodes=300, alpha=0.5, epsilon=0.1)
    path = greedy_path(world, last)
    assert len(path) - 1 == 15 and path[-1] == (3, 7)


def test_expected_sarsa_reaches_the_goal_on_the_cliff() -> None:
    world = load_preset("cliff")
    last = run(world, "expected-sarsa", episodes=300, alpha=0.5, epsilon=0.1)
    assert greedy_path(world, last)[-1] == (3, 11)


def test_td0_prediction_approaches_figure_4_1() -> None:
    world = load_preset("sb-4x4")
    truth = np.array(
        [
            [0, -14, -20, -22],
            [-14, -18, -20, -20],
            [-20, -20, -18, -14],
            [-22, -20, -14, 0],
        ],
        dtype=float,
    )
    last = run(world, "td0", episodes=1500, alpha=0.02)
    rms = float(np.sqrt(np.mean((last.values - truth) ** 2)))
    assert rms < 0.25 * float(np.sqrt(np.mean(truth**2)))
    np.testing.assert_allclose(
        last.policy[1, 1], 0.25
    )  # it evaluates the random policy


def test_same_seed_same_run_and_returns_are_bookkept() -> None:
    world = load_preset("cliff")
    a = run(world, "q-learning", seed=3, episodes=30)
    b = run(world, "q-learning", seed=3, episodes=30)
    np.testing.assert_array_equal(a.returns, b.returns)
    np.testing.assert_array_equal(a.q, b.q)
    assert len(a.returns) == len(a.lengths) == a.episode == 30
    # undiscounted: a return is −1 per step plus −99 more per fall into the cliff
    falls = (a.lengths + a.returns) / -99
    np.testing.assert_allclose(falls, np.round(falls), atol=1e-9)


def test_episodes_are_capped_and_step_reports_follow_the_agent() -> None:
    world = load_preset("sb-5x5")  # no terminal: every episode hits the cap
    control = LocalControl()
    control.post(Pace(report="step"), PACE_KEY)
    reports = list(
        train(
            RLConfig(world=world, algo="sarsa", episodes=2, max_steps=7),
            seed=0,
            control=control,
        )
    )
    assert len(reports) == 14
    assert reports[-1].lengths.tolist() == [7.0, 7.0]
    assert len(reports[3].trail) == 5 and reports[3].trail[-1] == reports[3].agent
    assert reports[3].last_update["α"] == 0.5


@pytest.mark.parametrize("algo", ["q-learning", "reinforce", "dqn"])
def test_a_pace_posted_while_running_changes_the_reports_not_the_learning(
    algo: str,
) -> None:
    world = load_preset("sb-5x5")  # no terminal: every episode hits the cap
    cfg = RLConfig(world=world, algo=algo, episodes=3, max_steps=6)
    control = LocalControl()
    job = train(cfg, seed=2, device="cpu", pace=Pace(report="step"), control=control)
    first = [next(job) for _ in range(6)]  # the initial pace: every step
    assert [len(r.trail) for r in first] == [2, 3, 4, 5, 6, 7]
    control.post(Pace(report="episode"), PACE_KEY)
    rest = list(job)
    assert [r.episode for r in rest] == [2, 3]
    plain = run(world, algo, seed=2, episodes=3, max_steps=6)
    np.testing.assert_array_equal(rest[-1].returns, plain.returns)
    np.testing.assert_array_equal(rest[-1].values, plain.values)


def small_world() -> GridWorld:
    return GridWorld(
        rows=4,
        cols=5,
        start=(0, 0),
        walls=frozenset({(1, 1), (2, 3)}),
        terminals=frozenset({(3, 4)}),
        step_reward=-1.0,
        gamma=0.95,
    )


def test_dqn_reaches_the_goal_within_a_seeded_budget() -> None:
    world = small_world()
    last = run(
        world,
        "dqn",
        episodes=30,
        epsilon=1.0,
        epsilon_min=0.05,
        epsilon_decay_episodes=20,
        max_steps=100,
        learn_start=50,
    )
    path = greedy_path(world, last)
    assert path[-1] == (3, 4) and len(path) - 1 == 7  # the shortest path
    assert np.isfinite(last.losses["td_loss"])
    assert last.q is not None and np.isnan(last.q[1, 1]).all()


@pytest.mark.parametrize(("algo", "alpha"), [("reinforce", 0.1), ("actor-critic", 0.2)])
def test_policy_gradients_learn_a_short_path(algo: str, alpha: float) -> None:
    world = small_world()
    last = run(
        world, algo, episodes=300, alpha=alpha, alpha_critic=alpha, max_steps=100
    )
    assert greedy_path(world, last)[-1] == (3, 4)
    assert last.lengths[-50:].mean() < 0.5 * last.lengths[:50].mean()
    np.testing.assert_allclose(
        np.nansum(last.policy, axis=2)[~np.isnan(last.values)], 1.0
    )
