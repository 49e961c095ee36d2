"""Sphere tracing and march + secant one step per click, with that step's numbers.

:class:`RootStepper` holds which method is stepped and the step shown (``None``:
every step).  The panel passes each new probe's traces through :meth:`apply`,
which cuts them after the step shown and returns that step's
:class:`~explorer.core.rays.roots.StepInfo` for the plots to highlight.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from explorer.core.rays.roots import StepInfo, TraceResult, first_steps, step_info
from explorer.widgets.run_bar import make_button

METHOD_LABELS = {"sphere": "sphere tracing", "secant": "march + secant"}


def describe_step(info: StepInfo | None, method: str, has_sdf: bool = True) -> str:
    """Return the stepper's readout line for ``info``."""
    if not has_sdf:
        return "This field has no SDF: nothing to trace."
    if info is None:
        return f"All steps of {METHOD_LABELS[method]} shown: press Step ▶."
    size = "— (last step)" if info.size is None else f"{info.size:.4g}"
    return (
        f"step {info.index + 1}/{info.total} ({info.kind}): "
        f"t = {info.t:.4f}, f(t) = {info.value:.4g}, step Δt = {size}"
    )


class RootStepper(QGroupBox):
    """Method choice, |◀ / ◀ / Step ▶ / All buttons and the step's numbers."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Root finding, step by step", parent)
        layout = QVBoxLayout(self)
        self.method = QComboBox()
        for key, label in METHOD_LABELS.items():
            self.method.addItem(label, key)
        self.method.setToolTip(
            "Sphere tracing moves by f(t) each step (Hart 1996); DVR marches "
            "evenly, then refines the first sign change by secant steps"
        )
        layout.addWidget(self.method)
        row = QHBoxLayout()
        # "⏮" has no glyph in the fonts a lecture machine may have (it drew a box)
        self.first = make_button("|◀", "Back to the first step", self.restart)
        self.back = make_button("◀", "One step back", self.step_back)
        self.next = make_button("Step ▶", "Show one more step", self.step_forward)
        self.all = make_button("All", "Show every step", self.show_all)
        for b in (self.first, self.back, self.next, self.all):
            row.addWidget(b)
        layout.addLayout(row)
        self.readout = QLabel()
        self.readout.setWordWrap(True)
        layout.addWidget(self.readout)
        self._index: int | None = None
        self._total = 0
        self._info: StepInfo | None = None
        self._has_sdf = True
        self.method.currentIndexChanged.connect(self._on_method_changed)
        self._show()

    @property
    def index(self) -> int | None:
        """The step shown (0-based), or ``None`` when every step is shown."""
        return self._index

    @property
    def info(self) -> StepInfo | None:
        """The numbers of the step shown (``None``: all steps or no SDF)."""
        return self._info

    def method_key(self) -> str:
        """Return ``"sphere"`` or ``"secant"``."""
        return str(self.method.currentData())

    def restart(self) -> None:
        """Show the first step only."""
        self._set_index(0)

    def step_forward(self) -> None:
        """Show one more step (from 'all': the first)."""
        self._set_index(0 if self._index is None else self._index + 1)

    def step_back(self) -> None:
        """Show one step fewer."""
        if self._index is not None:
            self._set_index(self._index - 1)

    def show_all(self) -> None:
        """Show every step of both methods."""
        self._index = None
        self.changed.emit()

    def _on_method_changed(self) -> None:
        if self._index is not None:
            self._index = 0
        self.changed.emit()

    def _set_index(self, index: int) -> None:
        upper = max(self._total - 1, 0)
        self._index = min(max(index, 0), upper)
        self.changed.emit()

    def apply(
        self, sphere: TraceResult | None, secant: TraceResult | None
    ) -> tuple[TraceResult | None, TraceResult | None, StepInfo | None]:
        """Return the traces cut after the step shown, and that step's numbers."""
        self._has_sdf = sphere is not None or secant is not None
        chosen = sphere if self.method_key() == "sphere" else secant
        self._info = None
        if chosen is None or not chosen.steps:
            self._total = 0
        else:
            self._total = len(chosen.steps)
            if self._index is not None:
                self._index = min(self._index, self._total - 1)
                self._info = step_info(chosen, self._index)
                chosen = first_steps(chosen, self._index)
        self._show()
        if self._info is None:
            return sphere, secant, None
        if self.method_key() == "sphere":
            return chosen, None, self._info
        return None, chosen, self._info

    def _show(self) -> None:
        self.readout.setText(
            describe_step(self._info, self.method_key(), self._has_sdf)
        )
        stepping = self._index is not None
        self.back.setEnabled(stepping and (self._index or 0) > 0)
        self.next.setEnabled(
            self._has_sdf and (not stepping or (self._index or 0) < self._total - 1)
        )
        self.all.setEnabled(stepping)
