"""Grid-world reinforcement learning: worlds, presets, DP, TD, DQN and policy gradients.

The one entry point for jobs is :func:`train`, a generator of :class:`GridProgress`
(after every DP sweep, or after every episode / step of a learner).

>>> from explorer.core.gridworld import RLConfig, load_preset, train
>>> cfg = RLConfig(world=load_preset("sb-4x4"), algo="policy-evaluation")
>>> last = list(train(cfg, seed=0))[-1]
>>> round(float(last.values[0, 1]))
-14
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from explorer.core.gridworld.config import (
    FULL_SPEED,
    MAX_EPISODES,
    MAX_STEP_SIZE,
    PACE_KEY,
    PROBABILITY,
    GridProgress,
    Pace,
    RLConfig,
    algo_defaults,
    current_pace,
)
from explorer.core.gridworld.fileformat import (
    load_preset,
    load_preset_or_file,
    load_world,
    save_world,
    world_from_dict,
    world_to_dict,
)
from explorer.core.gridworld.model import TabularModel, build_model
from explorer.core.gridworld.names import (
    ALGO_TITLES,
    ALGOS,
    DEEP_ALGOS,
    DP_ALGOS,
    LEARN_ALGOS,
    PG_ALGOS,
    PRESETS,
    TABULAR_ALGOS,
    THETAS,
)
from explorer.core.gridworld.world import (
    ACTION_ARROWS,
    ACTION_NAMES,
    ACTIONS,
    Cell,
    GridWorld,
    Outcome,
    Teleport,
)
from explorer.core.progress import JobControl

__all__ = [
    "ACTIONS",
    "ACTION_ARROWS",
    "ACTION_NAMES",
    "ALGOS",
    "ALGO_TITLES",
    "DEEP_ALGOS",
    "DP_ALGOS",
    "FULL_SPEED",
    "LEARN_ALGOS",
    "MAX_EPISODES",
    "MAX_STEP_SIZE",
    "PACE_KEY",
    "PG_ALGOS",
    "PRESETS",
    "PROBABILITY",
    "TABULAR_ALGOS",
    "THETAS",
    "Cell",
    "GridProgress",
    "GridWorld",
    "Outcome",
    "Pace",
    "RLConfig",
    "TabularModel",
    "Teleport",
    "algo_defaults",
    "build_model",
    "current_pace",
    "load_preset",
    "load_preset_or_file",
    "load_world",
    "save_world",
    "train",
    "world_from_dict",
    "world_to_dict",
]


def train(
    cfg: RLConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    pace: Pace = FULL_SPEED,
    control: JobControl | None = None,
) -> Iterator[GridProgress]:
    """Yield the progress of ``cfg.algo`` on ``cfg.world`` (DP: per sweep).

    ``seed`` fixes every random choice (the same seed gives the same run on the CPU);
    ``device`` matters for DQN only.  ``pace`` slows the agent down and chooses
    per-step or per-episode reports; a panel changes it while the job runs by
    posting a new :class:`Pace` to ``control`` under :data:`PACE_KEY`.
    """
    world = cfg.world if cfg.gamma is None else replace(cfg.world, gamma=cfg.gamma)
    model = build_model(world)
    if cfg.algo in DP_ALGOS:
        from explorer.core.gridworld.dp import solve
        from explorer.core.gridworld.td import wait

        for report in solve(model, cfg):
            yield report
            wait(current_pace(control, pace))  # slow sweeps down to watch them
    elif cfg.algo in TABULAR_ALGOS:
        from explorer.core.gridworld.td import train_tabular

        yield from train_tabular(model, cfg, seed=seed, pace=pace, control=control)
    elif cfg.algo in PG_ALGOS:
        from explorer.core.gridworld.pg import train_pg

        yield from train_pg(model, cfg, seed=seed, pace=pace, control=control)
    else:
        from explorer.core.gridworld.dqn import train_dqn

        yield from train_dqn(
            model, cfg, seed=seed, device=device, pace=pace, control=control
        )
