"""The GAN jobs: :func:`train` (CLI, benchmarks) and :func:`train_interactive` (panel).

The panel's job is steered through the one job control
(:class:`explorer.core.progress.JobControl`): its speed is the full iterations
per snapshot, its one-shot actions ("d", "g", "both": one D step, one G step
or one iteration) are each done as a chunk of their own, moved modes arrive
under the key ``"modes"`` and the lockstep limit of two compared runs under
``"run_until"``.  Pausing and single steps are the worker layer's: it holds the
job at its yields, so a Step D click on a paused run is ``act("d")`` and
``step(1)`` — exactly one D step, then the job is held again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import cast

import numpy as np
import torch

from explorer.core.gan.config import GanConfig
from explorer.core.gan.names import ACTIONS, EDIT_ACTION, MAX_POINTS, Action
from explorer.core.gan.trainer import GanProgress, GanTrainer
from explorer.core.progress import JobControl, LocalControl

IDLE_S = 0.03  # how often a job held at the lockstep limit yields (a cancel point)
MODES_KEY = "modes"
RUN_UNTIL_KEY = "run_until"


def train(
    cfg: GanConfig, *, seed: int = 0, device: str = "auto"
) -> Iterator[GanProgress]:
    """Yield snapshots of a GAN run: the untrained state, then every ``report_every``.

    The job ends after ``cfg.steps`` G steps (never, if ``cfg.steps`` is None).

    Raises
    ------
    DivergedError
        When a loss becomes NaN or infinite.
    """
    trainer = GanTrainer(cfg, seed=seed, device=device)
    yield trainer.snapshot()
    while cfg.steps is None or trainer.g_steps < cfg.steps:
        for _ in range(cfg.report_every):
            trainer.step()
            if cfg.steps is not None and trainer.g_steps >= cfg.steps:
                break
        yield trainer.snapshot("both")


def _apply_modes(trainer: GanTrainer, control: JobControl) -> bool:
    """Move the trainer's modes to the newest posted ones; return whether it did."""
    means = control.take(MODES_KEY)
    if means is None:
        return False
    arr = np.asarray(means, dtype=np.float64).reshape(-1, 2)
    if arr.shape[0] > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} points are supported, got {len(arr)}")
    trainer.set_modes(arr)
    return True


def train_interactive(
    cfg: GanConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    control: JobControl | None = None,
    idle_s: float = IDLE_S,
    threads: int | None = None,
) -> Iterator[GanProgress | None]:
    """Yield snapshots of a run steered by ``control`` (the panel's job).

    The first yield is the untrained state, or — when an action was queued
    before the job started — the state after that action.  Then each chunk is,
    in this order: the oldest queued action (one D step, one G step, one
    iteration, or ``"edit"``: a fresh snapshot of moved modes, no step), or
    ``control.speed`` full iterations but never past G step ``run_until``
    (compared runs advance in lockstep this way).  A job at that limit yields
    ``None`` every ``idle_s`` seconds (nothing to draw; it stays abortable).
    Moved modes are applied before every chunk.  Ends like :func:`train`.
    ``threads`` sets torch's (process-wide) CPU thread count: meant for a
    worker process of its own, where one thread trains these small networks
    fastest.

    Raises
    ------
    DivergedError
        When a loss becomes NaN or infinite.
    ValueError
        For more than :data:`MAX_POINTS` posted modes.
    """
    if threads is not None:
        torch.set_num_threads(threads)
    ctl: JobControl = control if control is not None else LocalControl()
    trainer = GanTrainer(cfg, seed=seed, device=device)
    _apply_modes(trainer, ctl)
    first = ctl.next_action()
    if first in ACTIONS:
        trainer.do(cast(Action, first))
        yield trainer.snapshot(first)
    else:
        yield trainer.snapshot("init")
    while cfg.steps is None or trainer.g_steps < cfg.steps:
        moved = _apply_modes(trainer, ctl)
        action = ctl.next_action()
        if action in ACTIONS:
            trainer.do(cast(Action, action))
            yield trainer.snapshot(action)
            continue
        if action == EDIT_ACTION:
            yield trainer.snapshot(EDIT_ACTION)
            continue
        repeats = _free_repeats(ctl, trainer)
        if repeats == 0:  # at the lockstep limit: report moved modes, else idle
            if moved:
                yield trainer.snapshot(EDIT_ACTION)
            else:
                time.sleep(idle_s)
                yield None
            continue
        for _ in range(repeats):
            trainer.step()
            if cfg.steps is not None and trainer.g_steps >= cfg.steps:
                break
        yield trainer.snapshot("both")


def _free_repeats(control: JobControl, trainer: GanTrainer) -> int:
    """Return the iterations of the next free chunk (0: at the lockstep limit)."""
    repeats = max(1, int(control.speed))
    until = control.peek(RUN_UNTIL_KEY)
    if until is not None:
        repeats = max(0, min(repeats, int(until) - trainer.g_steps))
    return repeats
