"""Issue 14 in the core: episode counts, DP outcome wording, REINFORCE's two forms."""

from __future__ import annotations

import re

import numpy as np
import pytest

from explorer.core.gridworld import (
    FULL_SPEED,
    GridWorld,
    Pace,
    RLConfig,
    build_model,
    load_preset,
    train,
)
from explorer.core.gridworld.names import MAX_SIDE, PRESET_TITLES, PRESETS
from explorer.core.gridworld.report import dp_outcome, episode_message


@pytest.mark.parametrize("algo", ["q-learning", "reinforce", "dqn"])
@pytest.mark.parametrize("report", ["step", "episode"])
def test_the_episode_count_never_passes_the_total(algo: str, report: str) -> None:
    cfg = RLConfig(
        world=load_preset("sb-4x4"), algo=algo, episodes=3, max_steps=30, learn_start=1
    )
    pace = Pace(report=report)  # type: ignore[arg-type]
    messages = [p.message for p in train(cfg, seed=0, device="cpu", pace=pace)]
    counts = [re.match(r"episode (\d+)/(\d+)", m) for m in messages]
    assert all(c is not None for c in counts), messages
    assert all(int(c.group(1)) <= int(c.group(2)) == 3 for c in counts if c), messages
    assert messages[-1].startswith("episode 3/3 done in ")


def test_episode_message_reads_the_running_and_the_finished_episode() -> None:
    assert episode_message(0, 500, 7, ended=False) == "episode 1/500, step 7"
    assert (
        episode_message(500, 500, 13, ended=True) == "episode 500/500 done in 13 steps"
    )


def test_value_iteration_with_gamma_one_says_it_did_not_converge_and_why() -> None:
    # Example 3.5 has no terminal: with γ = 1 the teleport's +10 grows without bound.
    world = load_preset("sb-5x5")
    cfg = RLConfig(world=world, algo="value-iteration", gamma=1.0, max_sweeps=200)
    *_, last = train(cfg)
    assert not last.converged and last.step == 200
    text = dp_outcome(last, gamma=1.0, theta=cfg.theta)
    assert text.startswith("did NOT converge after 200 sweeps")
    assert "γ = 1" in text and "use γ < 1" in text
    # the same world with its own γ = 0.9 converges, and says so
    *_, ok = train(RLConfig(world=world, algo="value-iteration"))
    assert dp_outcome(ok, gamma=0.9, theta=1e-4) == f"converged after {ok.step} sweeps"


def test_dp_messages_do_not_repeat_the_algorithm() -> None:
    for algo in ("value-iteration", "policy-evaluation"):
        first = next(iter(train(RLConfig(world=load_preset("sb-4x4"), algo=algo))))
        assert first.message.startswith("sweep 1, max |Δv| = "), first.message


def test_presets_have_the_book_s_names_and_one_size_limit() -> None:
    assert set(PRESET_TITLES) == set(PRESETS)
    assert PRESET_TITLES["sb-4x4"] == "Example 4.1 gridworld"
    assert PRESET_TITLES["cliff"] == "Example 6.6 cliff walking"
    GridWorld(rows=MAX_SIDE, cols=2, start=(0, 0))
    with pytest.raises(ValueError, match=f"1 to {MAX_SIDE} cells"):
        GridWorld(rows=MAX_SIDE + 1, cols=2, start=(0, 0))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    out: np.ndarray = e / e.sum(axis=-1, keepdims=True)
    return out


def test_reinforce_total_return_form_matches_williams_update() -> None:
    # One episode from θ = 0 (the uniform policy): θ ← θ + α G₀ Σ_t (1(A_t) − π(·|S_t)).
    world = load_preset("sb-4x4")
    alpha, seed = 0.05, 3
    cfg = RLConfig(
        world=world, algo="reinforce", reinforce="total-return", episodes=1, alpha=alpha
    )
    *_, last = train(cfg, seed=seed, pace=FULL_SPEED)
    # replay the episode with the same random stream (the policy is uniform in it)
    model = build_model(world)
    rng = np.random.default_rng(seed)
    s, rewards, visits = model.start, [], []
    for _ in range(cfg.max_steps):
        a = int(rng.choice(4, p=np.full(4, 0.25)))
        s2, r = model.sample(s, a, rng)
        visits.append((s, a))
        rewards.append(r)
        s = s2
        if model.terminal[s]:
            break
    g0 = sum(rewards)  # γ = 1 on Example 4.1
    assert g0 == -len(rewards) == -last.lengths[0]
    theta = np.zeros((model.n_states, 4))
    for s, a in visits:
        theta[s] += alpha * g0 * (np.eye(4)[a] - 0.25)
    want = model.to_grid(_softmax(theta))
    live = ~np.isnan(last.values)
    np.testing.assert_allclose(last.policy[live], want[live], atol=1e-12)
    assert last.last_update["G₀"] == g0


def test_reinforce_forms_differ_and_an_unknown_form_is_refused() -> None:
    world = load_preset("sb-4x4")
    runs = {}
    for form in ("baseline", "total-return"):
        cfg = RLConfig(world=world, algo="reinforce", reinforce=form, episodes=2)
        *_, runs[form] = train(cfg, seed=0)
    assert not np.allclose(
        np.nan_to_num(runs["baseline"].policy),
        np.nan_to_num(runs["total-return"].policy),
    )
    with pytest.raises(ValueError, match="unknown REINFORCE form"):
        RLConfig(world=world, algo="reinforce", reinforce="vanilla")
