"""A small real panel for shell tests: a counting job plotted live."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtWidgets import QLabel, QPushButton

from explorer.app.registry import PanelSpec
from explorer.core.progress import Progress
from explorer.panels.base import AppContext, PanelBase
from explorer.widgets.plot_pane import PlotPane


@dataclass(frozen=True, kw_only=True)
class Count(Progress):
    value: float


def count(n: int, delay: float = 0.005) -> Iterator[Count]:
    for i in range(n):
        time.sleep(delay)
        yield Count(
            step=i + 1,
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
        self.extra = QPushButton("A secondary control")
        self.mark_secondary(self.extra)
        self.label = QLabel("idle")
        self.body.addWidget(self.label)
        self.body.addWidget(self.plot, 1)
        self.body.addWidget(self.extra)
        self.runner = self.make_runner("count")
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.resets = 0
        self.opened: list[str] = []
        self.restored: dict[str, Any] = {}
        self.curve.setData(np.arange(50), np.sin(np.arange(50) / 5.0))

    def start_pause(self) -> None:
        if self.runner.is_running:
            self.runner.toggle_pause()
        else:
            self.runner.start(
                count,
                200,
                on_progress=self._on_count_progressed,
                on_error=self.on_job_error,
                batched=True,
            )

    def step(self) -> None:
        if not self.runner.is_running:
            self.runner.start(
                count,
                200,
                on_progress=self._on_count_progressed,
                batched=True,
                paused=True,
            )
        self.runner.step()

    def reset(self) -> None:
        self.runner.abort()
        self.xs, self.ys = [], []
        self.resets += 1

    def _on_count_progressed(self, items: list[Count]) -> None:
        for item in items:
            self.xs.append(item.step)
            self.ys.append(item.value)
        self.curve.setData(self.xs, self.ys)
        self.label.setText(f"step {items[-1].step}")

    def open_file(self, path: Any) -> None:
        text = path.read_text()
        if not text.strip():
            raise ValueError("the file is empty")
        self.opened.append(text)

    def state(self) -> dict[str, Any]:
        return {"resets": self.resets, "ys": np.asarray(self.ys)}

    def restore(self, state: dict[str, Any]) -> None:
        self.restored = state


SPEC = PanelSpec(
    id="counter",
    title="Counter",
    factory="tests.app.counter_panel:CounterPanel",
    icon="none.svg",
    summary="Counts and plots a sine wave.",
)
