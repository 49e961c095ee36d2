"""The GAN panel's timeline history stays within its memory budget (soak: issue 22)."""

from __future__ import annotations

from typing import Any

import numpy as np

from explorer.core.gan import GanProgress
from explorer.panels.gan.runs import MAX_HISTORY, MAX_HISTORY_BYTES, GanRun


def _snapshot(step: int, heat: int) -> GanProgress:
    return GanProgress(
        step=step,
        losses={"d_loss": 1.0, "g_loss": 2.0},
        loss_name="non-saturating",
        action="both",
        d_steps=step,
        samples=np.zeros((512, 2), np.float32),
        arrows=np.zeros((512, 2), np.float32),
        heat=np.zeros((heat, heat), np.float32),
        heat_is_probability=True,
        extent=(-1.0, 1.0, -1.0, 1.0),
        means=np.zeros((8, 2)),
        std=0.02,
        modes_total=8,
        modes_captured=3,
        high_quality_fraction=0.5,
        captured=np.zeros(8, bool),
        reverse_kl=0.1,
    )


def _run() -> GanRun:
    run = GanRun(runner=None, view=None)  # type: ignore[arg-type]
    run.clear()
    return run


def _held(run: GanRun) -> int:
    return sum(
        a.nbytes
        for p in run.history
        for a in (p.samples, p.arrows, p.heat, p.means, p.captured)
    )


def test_a_long_run_keeps_its_snapshots_within_the_byte_budget() -> None:
    run = _run()
    peak = 0
    for step in range(1, 3001, 10):  # 300 batches of 10 snapshots with 128² heat
        run.record([_snapshot(s, 128) for s in range(step, step + 10)])
        held = _held(run)  # counted here independently of the run's own tally
        assert run.history_bytes == held
        peak = max(peak, held)
    assert peak <= MAX_HISTORY_BYTES
    steps = [p.step for p in run.history]
    assert steps == sorted(steps) and steps[-1] == 3000  # the newest is kept
    assert steps[0] == 1  # thinning keeps the start of the run on the timeline
    # the budget is used: at least half of it is held after thinning
    assert _held(run) >= MAX_HISTORY_BYTES // 4


def test_small_snapshots_are_still_capped_by_count() -> None:
    run = _run()
    for step in range(1, 2001):
        run.record([_snapshot(step, 8)])
        assert len(run.history) <= MAX_HISTORY


def test_clear_forgets_the_tally(qapp: Any) -> None:
    run = _run()
    run.record([_snapshot(1, 64)])
    assert run.history_bytes > 0
    run.clear()
    assert run.history_bytes == 0 and run.history == []
