"""``explorer rl``: solve a grid world by dynamic programming, or train an agent on it.

``explorer rl solve PRESET|WORLD.json --algo value-iteration --json`` prints the
values (rows top to bottom, null on walls), the greedy policy and the sweep count;
``explorer rl train PRESET|WORLD.json --algo q-learning --json`` prints the return
and length of every episode, the learnt values and the greedy path from the start.
"""

from __future__ import annotations

import argparse
import math
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from explorer.cli.common import (
    SEED,
    CliError,
    add_json_flag,
    bounded_int,
    emit_json,
    finite_float,
)
from explorer.core.gridworld.config import MAX_EPISODES, MAX_STEP_SIZE, PROBABILITY
from explorer.core.gridworld.names import (
    DP_ALGOS,
    LEARN_ALGOS,
    POLICIES,
    PRESETS,
    REINFORCE_FORMS,
)

if TYPE_CHECKING:
    from explorer.core.gridworld import GridProgress, GridWorld

_LETTERS = "URDL"
_WORLD_HELP = f"a preset ({', '.join(PRESETS)}) or a world JSON file"


_PROBABILITY = finite_float(*PROBABILITY)
_STEP_SIZE = finite_float(0.0, MAX_STEP_SIZE, open_low=True)
_THETA = finite_float(0.0, 1e3, open_low=True)
_MAX_STEPS = bounded_int(1, 1_000_000)  # GridWorld's own cap on an episode


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``rl`` subcommand with its ``solve`` and ``train`` actions."""
    rl = sub.add_parser(
        "rl",
        help="grid-world reinforcement learning: DP solvers and learning agents",
        description="Solve or train on a grid world: a preset name "
        f"({', '.join(PRESETS)}) or a world JSON file.",
    )
    actions = rl.add_subparsers(dest="rl_command", metavar="ACTION", required=True)

    solve = actions.add_parser("solve", help="dynamic programming on the known model")
    solve.add_argument("world", metavar="PRESET|WORLD.json", help=_WORLD_HELP)
    solve.add_argument("--algo", choices=DP_ALGOS, default="value-iteration")
    solve.add_argument(
        "--policy", choices=POLICIES, default=POLICIES[0], help="policy to evaluate"
    )
    solve.add_argument(
        "--gamma", type=_PROBABILITY, help="discount (default: the world's)"
    )
    solve.add_argument(
        "--theta", type=_THETA, default=1e-4, help="stop when max |Δv| < θ"
    )
    solve.add_argument("--max-sweeps", type=_MAX_STEPS, default=10_000)
    solve.add_argument(
        "--in-place",
        action="store_true",
        help="in-place (Gauss–Seidel) evaluation sweeps",
    )
    add_json_flag(solve)
    solve.set_defaults(handler=_run_solve)

    train = actions.add_parser("train", help="learn from sampled episodes")
    train.add_argument("world", metavar="PRESET|WORLD.json", help=_WORLD_HELP)
    train.add_argument("--algo", choices=LEARN_ALGOS, default="q-learning")
    train.add_argument(
        "--episodes", type=bounded_int(1, MAX_EPISODES), help="number of episodes"
    )
    train.add_argument(
        "--max-steps", type=_MAX_STEPS, help="cap on an episode's length"
    )
    train.add_argument("--alpha", type=_STEP_SIZE, help="step size α (actor for PG)")
    train.add_argument(
        "--reinforce",
        choices=REINFORCE_FORMS,
        default=REINFORCE_FORMS[0],
        help="REINFORCE's form: with a learnt baseline (S&B §13.4) or the "
        "total-return form G₀ Σ ∇ln π (Williams 1992)",
    )
    train.add_argument(
        "--alpha-critic", type=_STEP_SIZE, help="critic/baseline step size"
    )
    train.add_argument("--epsilon", type=_PROBABILITY, help="ε of ε-greedy (constant)")
    train.add_argument(
        "--gamma", type=_PROBABILITY, help="discount (default: the world's)"
    )
    train.add_argument("--seed", type=SEED, default=0, help="same seed, same run (CPU)")
    train.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="for dqn (auto: the CPU, faster for its small MLP)",
    )
    add_json_flag(train)
    train.set_defaults(handler=_run_train)


def _load(spec: str) -> GridWorld:
    from explorer.core.data import DataFormatError
    from explorer.core.gridworld import load_preset_or_file

    try:
        return load_preset_or_file(spec)
    except KeyError as exc:
        raise CliError(str(exc.args[0])) from None
    except (DataFormatError, OSError) as exc:
        raise CliError(str(exc)) from None


def _values(prog: GridProgress) -> list[list[float | None]]:
    return [
        [None if math.isnan(v) else round(float(v), 6) for v in row]
        for row in prog.values.tolist()
    ]


def _policy(prog: GridProgress, world: GridWorld) -> list[list[str | None]]:
    rows: list[list[str | None]] = []
    for r in range(world.rows):
        row: list[str | None] = []
        for c in range(world.cols):
            if (r, c) in world.walls:
                row.append(None)
            elif (r, c) in world.terminals:
                row.append("")
            else:
                probs = prog.policy[r, c]
                best = probs.max()
                row.append(
                    "".join(_LETTERS[a] for a in range(4) if probs[a] >= best - 1e-9)
                )
        rows.append(row)
    return rows


def _grid_text(cells: list[list[Any]], width: int) -> str:
    return "\n".join(
        " ".join(("#" if v is None else str(v)).rjust(width) for v in row)
        for row in cells
    )


def _final(progress: Iterator[GridProgress]) -> GridProgress:
    """Return the last report of a job (every job yields at least once)."""
    last = deque(progress, maxlen=1)
    if not last:
        raise CliError("the job produced no result")
    return last[0]


def _run_solve(args: argparse.Namespace) -> int:
    from explorer.core.gridworld import RLConfig, train, world_to_dict
    from explorer.core.gridworld.report import dp_outcome

    world = _load(args.world)
    try:
        cfg = RLConfig(
            world=world,
            algo=args.algo,
            gamma=args.gamma,
            theta=args.theta,
            in_place=args.in_place,
            policy=args.policy,
            max_sweeps=args.max_sweeps,
            report_every=10**9,
        )
        last = _final(train(cfg))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    values = _values(last)
    policy = _policy(last, world)
    if args.json:
        emit_json(
            {
                "world": world_to_dict(world),
                "algo": args.algo,
                "gamma": cfg.discount,
                "values": values,
                "policy": policy,
                "sweeps": last.step,
                "converged": last.converged,
            }
        )
        return 0
    arrows = {"U": "↑", "R": "→", "D": "↓", "L": "←"}
    shown = [
        [
            None if p is None else ("T" if p == "" else "".join(arrows[ch] for ch in p))
            for p in row
        ]
        for row in policy
    ]
    outcome = dp_outcome(last, gamma=cfg.discount, theta=cfg.theta)
    print(f"{args.algo} on {world.name}: {outcome}")
    print(f"discount γ = {cfg.discount}, θ = {cfg.theta}")
    print("values (rows top to bottom):")
    print(
        _grid_text(
            [[None if v is None else f"{v:.2f}" for v in row] for row in values], 8
        )
    )
    if args.algo == "policy-evaluation":
        print(f"evaluated policy ({args.policy}: each action with probability 1/4):")
    else:
        print("greedy policy:")
    print(_grid_text(shown, 4))
    return 0


def _run_train(args: argparse.Namespace) -> int:
    from explorer.core.gridworld import RLConfig, algo_defaults, build_model, train

    world = _load(args.world)
    params: dict[str, Any] = dict(algo_defaults(args.algo))
    params["reinforce"] = args.reinforce
    for key in ("episodes", "max_steps", "alpha", "alpha_critic", "epsilon"):
        value = getattr(args, key)
        if value is not None:
            params[key] = value
    if args.epsilon is not None:
        params["epsilon_decay_episodes"] = 0
    try:
        cfg = RLConfig(world=world, algo=args.algo, gamma=args.gamma, **params)
        last = _final(train(cfg, seed=args.seed, device=args.device))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    model = build_model(world)
    path = [
        list(cell) for cell in model.greedy_path(last.greedy.reshape(-1)[model.flat])
    ]
    reached = tuple(path[-1]) in world.terminals
    returns = [float(x) for x in last.returns]
    if args.json:
        emit_json(
            {
                "world": world.name,
                "algo": args.algo,
                "seed": args.seed,
                **({"reinforce": cfg.reinforce} if args.algo == "reinforce" else {}),
                "episodes": cfg.episodes,
                "returns": returns,
                "lengths": [int(x) for x in last.lengths],
                "values": _values(last),
                "greedy_path": path,
                "greedy_reaches_terminal": reached,
            }
        )
        return 0
    tail = returns[-min(len(returns), 100) :]
    form = f" ({cfg.reinforce})" if args.algo == "reinforce" else ""
    print(
        f"{args.algo}{form} on {world.name}: {len(returns)} episodes, seed {args.seed}"
    )
    print(f"mean return of the last {len(tail)} episodes: {sum(tail) / len(tail):.2f}")
    where = "reaches a terminal" if reached else "does not reach a terminal"
    print(
        f"greedy path ({len(path) - 1} steps, {where}): "
        + " ".join(f"({r},{c})" for r, c in path)
    )
    return 0
