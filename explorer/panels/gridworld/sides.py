"""The A/B run holder of the Gridworld panel and the paces its jobs run at."""

from __future__ import annotations

from explorer.core.gridworld import GridProgress, Pace, RLConfig
from explorer.panels.gridworld.grid_view import GridView
from explorer.workers import JobRunner

# Jobs held at a yield after a Step / Step episode click report at these paces.
STEP_PACE = Pace(report="step")
EPISODE_PACE = Pace(report="episode")


def speed_to_delay(speed: int) -> float:
    """Return the pause between agent steps (s) for a speed slider value in [0, 100]."""
    if speed >= 100:
        return 0.0
    return 0.6 * (1.0 - speed / 100.0) ** 2


def run_pace(speed: int) -> Pace:
    """Return the pace of a running job at ``speed``: slow ones report every step."""
    delay = speed_to_delay(speed)
    return Pace(delay_s=delay, report="step" if delay > 0 else "episode")


class Side:
    """One grid with its job: grid A always, grid B when comparing."""

    def __init__(
        self, name: str, view: GridView, runner: JobRunner, color: int, algo: str
    ) -> None:
        self.name = name
        self.view = view
        self.runner = runner
        self.color = color
        self.algo = algo
        self.last: GridProgress | None = None
        self.cfg: RLConfig | None = None  # the job's settings (its status line)
