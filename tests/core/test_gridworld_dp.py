"""Dynamic programming against Sutton & Barto's figures and the Bellman equations."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.core.gridworld import (
    GridProgress,
    GridWorld,
    RLConfig,
    build_model,
    load_preset,
    train,
)


def solve(world: GridWorld, algo: str, **kw: object) -> GridProgress:
    *_, last = train(RLConfig(world=world, algo=algo, theta=1e-6, **kw))  # type: ignore[arg-type]
    return last


# Figure 4.1 (k = ∞): v_π of the equiprobable random policy on the 4×4 gridworld.
FIG_4_1 = [
    [0, -14, -20, -22],
    [-14, -18, -20, -20],
    [-20, -20, -18, -14],
    [-22, -20, -14, 0],
]
# Figure 3.2 (right): v_π of the random policy on the A/B gridworld, one decimal.
FIG_3_2 = [
    [3.3, 8.8, 4.4, 5.3, 1.5],
    [1.5, 3.0, 2.3, 1.9, 0.5],
    [0.1, 0.7, 0.7, 0.4, -0.4],
    [-1.0, -0.4, -0.4, -0.6, -1.2],
    [-1.9, -1.3, -1.2, -1.4, -2.0],
]
# Figure 3.5 (middle): v* of the same world.
FIG_3_5 = [
    [22.0, 24.4, 22.0, 19.4, 17.5],
    [19.8, 22.0, 19.8, 17.8, 16.0],
    [17.8, 19.8, 17.8, 16.0, 14.4],
    [16.0, 17.8, 16.0, 14.4, 13.0],
    [14.4, 16.0, 14.4, 13.0, 11.7],
]


@pytest.mark.parametrize("in_place", [False, True])
def test_policy_evaluation_reproduces_figure_4_1(in_place: bool) -> None:
    last = solve(load_preset("sb-4x4"), "policy-evaluation", in_place=in_place)
    assert last.converged
    np.testing.assert_array_equal(np.round(last.values), FIG_4_1)


def test_in_place_evaluation_needs_fewer_sweeps() -> None:
    world = load_preset("sb-4x4")
    sync = solve(world, "policy-evaluation")
    gauss_seidel = solve(world, "policy-evaluation", in_place=True)
    assert gauss_seidel.step < sync.step


def test_example_3_5_random_policy_and_optimal_values() -> None:
    world = load_preset("sb-5x5")
    v_pi = solve(world, "policy-evaluation").values
    np.testing.assert_allclose(np.round(v_pi, 1), FIG_3_2, atol=1e-9)
    v_star = solve(world, "value-iteration").values
    np.testing.assert_allclose(np.round(v_star, 1), FIG_3_5, atol=1e-9)


@pytest.mark.parametrize("name", ["sb-4x4", "sb-5x5", "frozen-lake", "windy"])
def test_bellman_equations_hold_at_the_fixed_points(name: str) -> None:
    world = load_preset(name)
    pe = solve(world, "policy-evaluation", gamma=min(world.gamma, 0.95))
    vi = solve(world, "value-iteration")
    for r, c in world.cells():
        if (r, c) in world.terminals:
            continue
        gamma_pe = min(world.gamma, 0.95)
        q_random = [
            sum(
                o.prob * (o.reward + gamma_pe * (0.0 if o.done else pe.values[o.cell]))
                for o in world.outcomes((r, c), a)
            )
            for a in range(4)
        ]
        q_opt = [
            sum(
                o.prob
                * (o.reward + world.gamma * (0.0 if o.done else vi.values[o.cell]))
                for o in world.outcomes((r, c), a)
            )
            for a in range(4)
        ]
        # S&B eq. 4.4 (expectation, random policy) and eq. 4.1 (optimality)
        assert pe.values[r, c] == pytest.approx(np.mean(q_random), abs=1e-4)
        assert vi.values[r, c] == pytest.approx(max(q_opt), abs=1e-4)


@pytest.mark.parametrize(
    ("name", "gamma"),
    [
        ("sb-4x4", 1.0),
        ("sb-5x5", 0.9),
        ("windy", 0.9),
        ("frozen-lake", 0.99),
        ("maze", 0.95),
    ],
)
def test_value_iteration_and_policy_iteration_agree(name: str, gamma: float) -> None:
    # windy at γ = 0.9: the random first policy of policy iteration takes thousands of
    # sweeps to evaluate undiscounted
    world = load_preset(name)
    vi = solve(world, "value-iteration", gamma=gamma)
    pi = solve(world, "policy-iteration", gamma=gamma)
    assert pi.converged and vi.converged
    np.testing.assert_allclose(pi.values, vi.values, atol=1e-3, equal_nan=True)
    open_cells = ~np.isnan(vi.values)
    # every action policy iteration picks is optimal under value iteration's values
    chosen = pi.policy[open_cells] > 0
    assert np.all(vi.policy[open_cells][chosen] > 0)


def test_windy_gridworld_optimal_path_takes_15_steps() -> None:
    world = load_preset("windy")
    vi = solve(world, "value-iteration")
    assert vi.values[world.start] == pytest.approx(-15.0)
    model = build_model(world)
    path = model.greedy_path(vi.greedy.reshape(-1)[model.flat])
    assert len(path) - 1 == 15 and path[-1] == (3, 7)


def test_greedy_rollout_of_a_looping_policy_is_capped() -> None:
    model = build_model(load_preset("sb-5x5"))
    always_up = np.zeros(model.n_states, dtype=np.int64)
    path = model.greedy_path(always_up)
    assert path == [(2, 2), (1, 2), (0, 2), (0, 2)]  # stops at the first repeat


def test_report_every_yields_the_same_answer_once() -> None:
    world = load_preset("sb-5x5")
    reports = list(
        train(RLConfig(world=world, algo="value-iteration", report_every=10**6))
    )
    assert len(reports) == 1
    every = list(train(RLConfig(world=world, algo="value-iteration")))
    assert len(every) == reports[0].step == len(every[-1].deltas)
    np.testing.assert_array_equal(reports[0].values, every[-1].values)
    assert every[-1].deltas[-1] < 1e-4 <= every[-2].deltas[-1]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"algo": "magic"}, "unknown algorithm"),
        ({"theta": 0.0}, "θ"),
        ({"alpha": -1.0}, "alpha"),
        ({"epsilon": 2.0}, "epsilon"),
        ({"episodes": 0}, "episodes"),
        ({"policy": np.ones((2, 2, 4))}, "shape"),
    ],
)
def test_config_validation(kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RLConfig(world=load_preset("sb-4x4"), **kw)  # type: ignore[arg-type]


def test_given_policy_is_evaluated() -> None:
    world = load_preset("sb-4x4")
    left = np.zeros((4, 4, 4))
    left[..., 3] = 1.0  # always left: from column c it takes c steps to reach column 0
    last = solve(world, "policy-evaluation", policy=left, max_sweeps=50)
    assert last.values[0, 3] == pytest.approx(-3.0)
    # row 3 never reaches a terminal going left: its values fall by 1 every sweep
    assert last.values[3, 2] == pytest.approx(-50.0)
    assert not last.converged and last.step == 50
