"""The template panel: a counting job plotted live, built only from the panel kit.

Copy this shape for a new panel (see docs/adding-a-panel.md): a state dataclass
with limits, a RunBar, a ControlsColumn, widgets bound to the state in one
place, a DrawScheduler for the expensive view, and one JobRunner whose job
reads the one job control (speed here).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QPushButton, QSpinBox, QWidget

from explorer.app.registry import PanelSpec
from explorer.core.progress import JobControl, Progress
from explorer.core.state import StateBase, limits
from explorer.panels.base import AppContext, PanelBase
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.run_bar import RunBar


@dataclass(frozen=True)
class CounterState(StateBase):
    """The counter panel's settings (also the job's config)."""

    VERSION: ClassVar[int] = 1
    steps: int = field(default=200, metadata=limits(1, 100_000))
    resets: int = field(default=0, metadata=limits(0, None))


@dataclass(frozen=True, kw_only=True)
class Count(Progress):
    value: float


def count(
    n: int, delay: float = 0.005, *, control: JobControl | None = None
) -> Iterator[Count]:
    """Yield sin(i / 5) for i < n; ``control.speed`` values per yield."""
    i = 0
    while i < n:
        for _ in range(control.speed if control is not None else 1):
            if i >= n:
                break
            time.sleep(delay)
            i += 1
        yield Count(
            step=i,
            total=n,
            value=float(np.sin(i / 5.0)),
            losses={"value": float(np.sin(i / 5.0))},
        )


class CounterPanel(PanelBase):
    panel_id = "counter"
    title = "Counter"
    summary = "Counts and plots a sine wave."
    runnable = True
    open_filters = "Text (*.txt)"

    def __init__(self, context: AppContext) -> None:
        super().__init__(context)
        self.plot = PlotPane(
            context.theme, title="sin", x_label="step", y_label="value"
        )
        self.curve = self.plot.add_curve("value")
        self.run_bar = RunBar("count and plot", speeds=(1, 2, 5), speed_unit="/yield")
        self.steps_box = QSpinBox()
        self.steps_box.setRange(1, 100_000)
        self.steps_box.setToolTip("How many values the job counts")
        self.extra = QPushButton("A secondary control")
        self.seed_row = QWidget()
        form = QFormLayout(self.seed_row)
        self.seed_box = QSpinBox()
        form.addRow("Seed", self.seed_box)
        self.seed_label = form.labelForField(self.seed_box)
        self.mark_secondary(self.extra, self.seed_box)  # its label goes with it
        self.column = ControlsColumn(context.theme, min_width=200)
        self.column.add(self.run_bar)
        self.column.add_group("Job").addWidget(self.steps_box)
        self.column.add(self.extra)
        self.column.add(self.seed_row)
        self.column.add_stretch()
        row = QHBoxLayout()
        row.addWidget(self.plot, 1)
        row.addWidget(self.column)
        self.body.addLayout(row)

        self.binder = Binder(CounterState, self)
        self.binder.bind("steps", self.steps_box)
        self.draws = DrawScheduler(30, self)
        self.runner = self.make_runner("count")
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self.runner.set_speed)
        self.runner.paused_changed.connect(self._show_run_state)
        self.runner.started.connect(self._show_run_state)
        self.runner.finished.connect(self._show_run_state)
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.opened: list[str] = []
        self.restored: dict[str, Any] = {}
        self.binder.show(CounterState())
        self.reset()
        self.resets = 0

    @property
    def resets(self) -> int:
        return int(self.binder.extra("resets"))

    @resets.setter
    def resets(self, value: int) -> None:
        self.binder.set_extra(resets=value)

    def _start(self, *, paused: bool) -> None:
        self.runner.start(
            count,
            self.binder.state().steps,
            on_progress=self._on_count_progressed,
            on_error=self.on_job_error,
            batched=True,
            paused=paused,
            controlled=True,
        )

    def start_pause(self) -> None:
        if self.runner.is_running:
            self.runner.toggle_pause()
        else:
            self._start(paused=False)

    def step(self) -> None:
        if not self.runner.is_running:
            self._start(paused=True)
        else:
            self.runner.step()

    def reset(self) -> None:
        self.runner.abort()
        self.draws.clear()
        self.xs, self.ys = [], []
        self.curve.setData(np.arange(50), np.sin(np.arange(50) / 5.0))
        self.resets += 1
        self.run_bar.set_status("idle")
        self._show_run_state()

    def _show_run_state(self, *_: object) -> None:
        self.run_bar.set_state(
            running=self.runner.is_running, paused=self.runner.is_paused
        )

    def _on_count_progressed(self, items: list[Count]) -> None:
        for item in items:
            self.xs.append(item.step)
            self.ys.append(item.value)
        self.run_bar.set_status(f"step {items[-1].step} of {items[-1].total}")
        self.draws.request("curve", self._draw_curve)

    def _draw_curve(self) -> None:
        self.curve.setData(self.xs, self.ys)

    def open_file(self, path: Any) -> None:
        text = path.read_text()
        if not text.strip():
            raise ValueError("the file is empty")
        self.opened.append(text)

    def state(self) -> dict[str, Any]:
        return {**self.binder.state().to_dict(), "ys": np.asarray(self.ys)}

    def restore(self, state: dict[str, Any]) -> None:
        self.restored = state
        self.binder.show(CounterState.from_dict(state))


SPEC = PanelSpec(
    id="counter",
    title="Counter",
    factory="tests.app.counter_panel:CounterPanel",
    icon="none.svg",
    summary="Counts and plots a sine wave.",
)
