"""The effective-RF job of the receptive-field panel and where its results go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from explorer.core.rf import Row, Stack
from explorer.panels.rf.controls import NetworkBar
from explorer.panels.rf.formulas import erf_values
from explorer.panels.rf.jobs import erf_job
from explorer.panels.rf.state import RfState
from explorer.panels.rf.views import InputView
from explorer.widgets.formula_card import FormulaCard
from explorer.workers import JobRunner

ERF_BATCH = 2  # inputs per backward pass: one progress report each

Unit = tuple[str, tuple[int, int]]


class ErfRun(QObject):
    """Start the ERF of a unit; show its progress, heat map and statistics.

    ``card_changed`` is emitted when the ERF card's values change (to refit it).
    """

    card_changed = Signal()

    def __init__(
        self,
        runner: JobRunner,
        bar: NetworkBar,
        card: FormulaCard,
        input_view: InputView,
        *,
        selected: Callable[[], Unit],
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._bar = bar
        self._card = card
        self._input_view = input_view
        self._selected = selected
        self._on_error = on_error
        self.unit: Unit | None = None  # the unit whose ERF is drawn

    def start(
        self,
        stack: Stack,
        row: Row,
        unit: tuple[int, int],
        settings: RfState,
        *,
        arch: str | None,
        state: Any,
        device: str,
    ) -> None:
        """Compute the ERF of ``unit`` of ``row`` (``state``: trained weights)."""
        cfg = {
            "layer": row.name,
            "unit": unit,
            "weights": settings.weights,
            "n_inputs": settings.erf_inputs,
            "batch_size": ERF_BATCH,
            "train_steps": settings.erf_train_steps,
        }
        self.unit = None
        self._bar.progress.setValue(0)
        self._bar.status.setText("effective RF: starting…")
        self._runner.start(
            erf_job,
            stack,
            cfg=cfg,
            seed=settings.seed,
            device=device,
            arch=arch,
            state=state,
            on_progress=self._on_progress,
            on_error=self._on_job_error,
            on_finished=self._on_finished,
        )

    def clear(self) -> None:
        """Stop a running ERF and forget the drawn one (another stack, a reset)."""
        was_running = self._runner.is_running
        self._runner.abort()
        self.unit = None
        self._input_view.set_erf(None)
        self._card.set_values({})
        self._bar.progress.setValue(0)
        if was_running or self._bar.status.text().startswith("effective RF"):
            self._bar.status.setText("")
        self.card_changed.emit()

    def _on_progress(self, p: Any) -> None:
        self._bar.progress.setValue(int(100 * (p.fraction or 0.0)))
        self._bar.status.setText(p.message)
        if p.phase != "erf" or p.heatmap is None:
            return
        self.unit = (p.layer, tuple(p.unit))
        if self.unit == self._selected():
            self._input_view.set_erf(p.heatmap)
        self._card.set_values(erf_values(p, str(self._bar.weights.currentText())))
        self.card_changed.emit()

    def _on_job_error(self, exc: BaseException) -> None:
        self._bar.progress.setValue(0)
        self._bar.status.setText("")
        self._on_error(exc)

    def _on_finished(self) -> None:
        self._bar.progress.setValue(100)
        self._bar.status.setText("effective RF ready")
