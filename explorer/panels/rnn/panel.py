"""The RNNs & LSTMs panel: vanishing and exploding gradients, and the memory cell.

Two tabs share one side column.  *Gradient through time* plots ‖∂h^T/∂h^k‖
of a random net whose W has a chosen spectrum (λQ, Gaussian at radius ρ, or
non-normal), with the bound η^(T−k), W's eigenvalues on the complex plane and
its singular values; every change posts the net to a thread job
(:func:`explorer.core.rnn.jacobian_requests`) that computes only the newest.
*Training* races two runs on a memory task — a baseline cell (vanilla RNN or
the naive memory cell) against the LSTM, or the baseline without and with
gradient clipping: two training jobs (worker processes in the app) stream
loss, accuracy, gradient norm per step (before clipping), ‖∂L/∂m^k‖ over k
and the LSTM's gates on one sequence.
"""

from __future__ import annotations

from functools import partial
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QTabWidget, QWidget
from superqt.utils import qthrottled

from explorer.core.rnn import (
    JACOBIAN_KEY,
    JacobianResult,
    TrainConfig,
    TrainProgress,
    jacobian_requests,
    train,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.rnn.controls import NetBox, TrainBox, bind
from explorer.panels.rnn.formulas import (
    GRADIENT,
    GRADIENT_SOURCE,
    MEMORY,
    MEMORY_SOURCE,
)
from explorer.panels.rnn.state import DEFAULT_SPEED, SPEEDS, RaceRun, RnnState
from explorer.panels.rnn.views import (
    CurvesView,
    GateView,
    GradientVsKView,
    JacobianView,
    SingularView,
    SpectrumView,
    clip_marks,
    power_of_ten,
    running_mean,
)
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import RunBar

FloatArray = NDArray[np.float64]
DRAW_INTERVAL_MS = 40  # one view per tick: 25 draws a second
CURVE_INTERVAL_MS = 200
JACOBIAN_FIELDS = frozenset(
    {"cell", "matrix", "scale", "steps", "hidden", "activation", "input_scale"}
    | {"hold_gates"}
)
NO_VALUE = "—"
_TRAIN_DEFAULTS = TrainConfig()


class _Run:
    """One training job and what it has reported."""

    def __init__(self, runner: Any) -> None:
        self.runner = runner
        self.clear()

    def clear(self) -> None:
        self.steps: list[FloatArray] = []
        self.loss: list[FloatArray] = []
        self.accuracy: list[FloatArray] = []
        self.grad_norm: list[FloatArray] = []
        self.last: TrainProgress | None = None
        self.failed = False

    def record(self, items: list[TrainProgress]) -> None:
        for p in items:
            self.steps.append(p.steps)
            self.loss.append(p.loss)
            self.accuracy.append(p.accuracy)
            self.grad_norm.append(p.grad_norm)
            self.last = p

    def series(self, name: str) -> FloatArray:
        parts: list[FloatArray] = getattr(self, name)
        return np.concatenate(parts) if parts else np.zeros(0)


class RnnPanel(PanelBase):
    """Gradients through time you can see, and RNN vs LSTM trained live."""

    panel_id: ClassVar[str] = "rnn"
    runnable: ClassVar[bool] = True

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self.run_bar = RunBar(
            "train both runs",
            step_tip="One report (the speed's steps) for both runs, then hold (S)",
            reset_tip="Fresh networks from the seed; clears the training curves (R)",
            speeds=SPEEDS,
            speed_unit="steps/report",
            default_speed=DEFAULT_SPEED,
        )
        self.net_box = NetBox()
        self.train_box = TrainBox()
        self.grad_card = FormulaCard("Gradient through time", GRADIENT, GRADIENT_SOURCE)
        self.memory_card = FormulaCard("The LSTM's memory cell", MEMORY, MEMORY_SOURCE)

        self.jacobian = JacobianView(theme)
        self.spectrum = SpectrumView(theme)
        self.singular = SingularView(theme)
        cells = ("rnn", "lstm")
        self.accuracy = CurvesView(
            theme, "Accuracy", "accuracy / loss", cells, legend=True, smooth=True
        )
        self.accuracy.setToolTip(  # replaces the y-label tooltip
            "Solid: accuracy, dashed: loss (25-step running means); grey: chance"
        )
        self.grad_steps = CurvesView(theme, "‖g‖", "‖g‖", cells, log_y=True)
        self.grad_steps.setToolTip(
            "Solid: the gradient norm before clipping; dashed: after clipping at c "
            "(grey line)"
        )
        self.grad_k = GradientVsKView(theme, cells)
        self.grad_k.setToolTip(
            "‖∂L/∂h^k‖ for the RNN, ‖∂L/∂c^k‖ for the memory cells, on a fixed "
            "batch of 64 sequences: how much the loss still feels step k"
        )
        self.gates = GateView(theme)
        self.gates.setToolTip(
            "The LSTM's gates f, i, o and the candidate g on one sequence: units "
            "(rows) × time (columns); colour from −1 (dark) to 1 (yellow)"
        )

        grad_tab = QWidget()
        grid = QGridLayout(grad_tab)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.jacobian, 0, 0, 2, 1)
        grid.addWidget(self.spectrum, 0, 1)
        grid.addWidget(self.singular, 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        train_tab = QWidget()
        grid2 = QGridLayout(train_tab)
        grid2.setContentsMargins(0, 0, 0, 0)
        for i, w in enumerate(
            (self.accuracy, self.grad_steps, self.grad_k, self.gates)
        ):
            grid2.addWidget(w, i // 2, i % 2)
        self.tabs = QTabWidget()
        self.tabs.addTab(grad_tab, "Gradients")
        self.tabs.addTab(train_tab, "Training")
        self.tabs.setTabToolTip(0, "The gradient through time of a random net")
        self.tabs.setTabToolTip(
            1, "Two runs trained live: baseline vs LSTM, or without vs with clipping"
        )

        self.column = ControlsColumn(theme, min_width=260, max_width=400)
        for box in (
            self.net_box,
            self.grad_card,
            self.run_bar,
            self.train_box,
            self.memory_card,
        ):
            self.column.add(box)
        self.column.add_stretch()
        row = QHBoxLayout()
        row.addWidget(self.tabs, 1)
        row.addWidget(self.column)
        self.body.addLayout(row)
        self.mark_secondary(*self.net_box.secondary, *self.train_box.secondary)

        self.binder = bind(self.net_box, self.train_box, self)
        self.draws = DrawScheduler(DRAW_INTERVAL_MS, self)
        self._request_curves = qthrottled(
            self._queue_curves, timeout=CURVE_INTERVAL_MS, parent=self
        )
        self.jac_runner = self.make_runner("gradient through time")
        self._runs = [
            _Run(self.make_runner(cell, training=True)) for cell in ("rnn", "lstm")
        ]
        self._serial = 0
        self.shown_serial = 0
        self.result: JacobianResult | None = None
        self._shown_state: RnnState | None = None
        self._pending_state: RnnState | None = None
        self._race: tuple[RaceRun, RaceRun] = RnnState().race()

        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self._on_speed_changed)
        self.binder.changed.connect(self._on_setting_changed)
        self.train_box.exploding.clicked.connect(self.show_exploding_setting)
        self.jac_runner.finished.connect(self._on_jacobian_finished)
        for run in self._runs:
            run.runner.paused_changed.connect(self._refresh_buttons)
            run.runner.finished.connect(self._refresh_buttons)
        self.binder.show(RnnState())
        self._sync_scale_slider()
        self.reset()
        self.request_jacobian()

    # -- settings -------------------------------------------------------------------
    def settings(self) -> RnnState:
        """Return the settings the widgets show (a StateError names a bad field)."""
        return self.binder.state().replace(speed=SPEEDS.index(self.run_bar.speed_value))

    @property
    def race(self) -> tuple[RaceRun, RaceRun]:
        """Return the two runs the training views show (set at each reset)."""
        return self._race

    def show_exploding_setting(self) -> None:
        """Compare without and with clipping where the vanilla RNN's gradient explodes.

        Measured over seeds 0–4 (T = 50), on one and two torch threads: unclipped,
        SGD at 0.1 from W_hh = 2·Q blows up in 26–34 steps (‖g‖ ~10^19, the loss
        overflows); clipped at c = 1 every seed trains to a loss of 0.20–0.24 in
        400 steps.  (From 1.6·Q the blow-up was chaotic: seed 1 overflowed on
        one machine and stayed at ‖g‖ 6·10^7 on another.)
        """
        new = self.settings().replace(
            compare="clip",
            baseline="rnn",
            task="adding",
            length=50,
            train_hidden=32,
            init_scale=2.0,
            optimizer="sgd",
            lr=0.1,
            clip=1.0,
        )
        self.binder.show(new)
        self.reset()

    def _sync_scale_slider(self) -> None:
        self.net_box._on_scale_typed(self.net_box.scale_box.value())

    def _on_setting_changed(self, name: str) -> None:
        if name in JACOBIAN_FIELDS:
            self.request_jacobian()
        else:
            self.reset()

    # -- gradient through time ------------------------------------------------------
    def request_jacobian(self) -> None:
        """Post the net the controls describe; the job computes the newest only."""
        try:
            state = self.settings()
            cfg = state.jacobian()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self._serial += 1
        if not self.jac_runner.is_running:
            self.jac_runner.start(
                jacobian_requests,
                on_progress=self._on_jacobian_progressed,
                on_error=self._on_jacobian_error,
                controlled=True,
            )
        self.jac_runner.post((self._serial, cfg, state.seed), JACOBIAN_KEY)
        self._pending_state = state

    def _on_jacobian_finished(self) -> None:
        if self.shown_serial < self._serial:  # the job ended idle just as we posted
            self._serial -= 1
            self.request_jacobian()

    def _on_jacobian_error(self, exc: BaseException) -> None:
        self.shown_serial = self._serial
        self.result = None
        for view in (self.jacobian, self.spectrum, self.singular):
            view.clear_result()
        self.grad_card.set_values({"problem": str(exc)})
        self.show_error(str(exc))

    def _on_jacobian_progressed(self, item: tuple[int, JacobianResult]) -> None:
        serial, result = item
        if serial < self.shown_serial:
            return
        self.shown_serial = serial
        self.result = result
        self._shown_state = self._pending_state
        self.draws.request("jacobian", self._draw_jacobian)

    def _draw_jacobian(self) -> None:
        r, s = self.result, self._shown_state
        if r is None or s is None:
            return
        self.error_banner.clear()
        for view in (self.jacobian, self.spectrum, self.singular):
            view.show_result(r)
        q = r.quantity
        symbol = "λ" if s.matrix == "orthogonal" else "ρ"
        values: dict[str, object] = {
            "W": f"{s.matrix}, {symbol} = {s.scale:g}",
            "ρ(W)": r.spectral_radius,
            "σ<sub>max</sub>(W)": r.max_singular_value,
            f"‖∂{q}<sup>T</sup>/∂{q}<sup>0</sup>‖, T = {s.steps}": power_of_ten(
                float(r.log10_norms[0])
            ),
        }
        if np.isfinite(r.eta):
            values["η"] = r.eta
            with np.errstate(divide="ignore"):
                values["η<sup>T</sup>"] = power_of_ten(s.steps * np.log10(r.eta))
        self.grad_card.set_values(values)

    # -- training -------------------------------------------------------------------
    def start_pause(self) -> None:
        """Start both training jobs, or pause / resume them."""
        active = self._active_runs()
        if not any(r.runner.is_running for r in active):
            self._start(paused=False)
        elif all(r.runner.is_paused for r in active):
            for r in active:
                r.runner.resume()
        else:
            for r in active:
                r.runner.pause()
        self._refresh_buttons()

    def step(self) -> None:
        """Advance both cells by one report (the speed's steps) and hold."""
        active = self._active_runs()
        if not any(r.runner.is_running for r in active):
            if not self._start(paused=True):
                return
            active = self._active_runs()
        for r in active:
            r.runner.pause()
            r.runner.step(1)
        self._refresh_buttons()

    def reset(self) -> None:
        """Stop training and clear every training curve, card and status."""
        self.draws.cancel(lambda key: key != "jacobian")
        for run in self._runs:
            run.runner.abort()
            run.clear()
        self._race = self.binder.state().race()
        for view in (self.accuracy, self.grad_steps):
            view.clear_curves()
            view.set_names(tuple(r.short for r in self._race))
        self.grad_k.clear_curves()
        self.gates.clear_gates()
        a, b = (r.title for r in self._race)
        self.memory_card.set_values(
            {"step": 0, f"{a} accuracy": NO_VALUE, f"{b} accuracy": NO_VALUE}
        )
        self.train_box.clip_on.setEnabled(self._race[0].clip == self._race[1].clip)
        self.run_bar.set_status("idle: press Start to train both runs")
        self._refresh_buttons()

    def _active_runs(self) -> list[_Run]:
        live = [r for r in self._runs if not r.failed]
        return live or self._runs

    def _start(self, *, paused: bool) -> bool:
        try:
            state = self.settings()
            configs = [state.training(run) for run in state.race()]
        except ValueError as exc:
            self.show_error(str(exc))
            return False
        self.reset()
        self.tabs.setCurrentIndex(1)
        for i, (run, cfg) in enumerate(zip(self._runs, configs, strict=True)):
            run.runner.set_speed(self.run_bar.speed_value)
            run.runner.start(
                train,
                cfg,
                seed=state.seed,
                on_progress=partial(self._on_run_progressed, i),
                on_error=partial(self._on_run_error, i),
                batched=True,
                paused=paused,
                controlled=True,
            )
        self.run_bar.set_status("starting both runs…")
        self._refresh_buttons()
        return True

    def _on_speed_changed(self, steps: int) -> None:
        for run in self._runs:
            run.runner.set_speed(steps)

    def _on_run_error(self, index: int, exc: BaseException) -> None:
        self._runs[index].failed = True
        self.show_error(f"{self._race[index].title} stopped: {exc}")
        self.draws.request("grad_k", self._draw_grad_k)
        if self._race[0].cell == self._race[1].cell:  # without vs with clipping
            self._refresh_buttons()  # the blow-up is the lesson: clipped goes on
            return
        # the other cell holds where it is (the two stay comparable, as the GAN's
        # and latent's runs do): Start then resumes it, Reset starts both afresh
        for run in self._active_runs():
            if run.runner.is_running and not run.runner.is_paused:
                run.runner.pause()
        self._refresh_buttons()

    def _on_run_progressed(self, index: int, items: list[TrainProgress]) -> None:
        run = self._runs[index]
        run.record([p for p in items if p is not None])
        if run.last is None:
            return
        self._request_curves()
        if run.last.gates:
            self.draws.request("gates", self._draw_gates)
        self._refresh_buttons()

    def _queue_curves(self) -> None:
        # one view per tick: Qt paints every view changed since the last frame in
        # one go, so three curve views drawn together made one long frame
        self.draws.request("accuracy", self._draw_accuracy)
        self.draws.request("grad_steps", self._draw_grad_steps)
        self.draws.request("grad_k", self._draw_grad_k)

    def _x_max(self) -> float:
        return max(
            [1.0] + [float(r.last.step) for r in self._runs if r.last is not None]
        )

    def _draw_accuracy(self) -> None:
        state = self.binder.state()
        summary: dict[str, object] = {}
        for i, run in enumerate(self._runs):
            if run.last is None:
                continue
            acc = running_mean(run.series("accuracy"))
            loss = running_mean(run.series("loss"))
            self.accuracy.set_curve(i, run.series("steps"), acc, loss)
            name = self._race[i].title
            summary[f"{name} accuracy"] = float(acc[-1]) if len(acc) else NO_VALUE
            summary[f"{name} ‖∂L/∂m^0‖"] = float(run.last.grad_vs_k[0])
        symbols = _TRAIN_DEFAULTS.symbols
        chance = 1.0 / symbols if state.task == "first-symbol" else None
        self.accuracy.set_level(chance)
        self.accuracy.fit_range(self._x_max(), state.budget)
        step = min((r.last.step for r in self._runs if r.last is not None), default=0)
        self.memory_card.set_values({"step": step, **summary})
        self.run_bar.set_status(
            f"step {step} of {state.budget}"
            + (f" · chance {100 * chance:.0f} %" if chance else "")
        )

    def _draw_grad_steps(self) -> None:
        state = self.binder.state()
        for i, run in enumerate(self._runs):
            if run.last is None:
                continue
            g = run.series("grad_norm")
            c = self._race[i].clip
            marks = clip_marks(g, c) if c is not None else None
            self.grad_steps.set_curve(
                i, run.series("steps"), np.clip(g, 1e-300, 1e300), marks
            )
        clips = [r.clip for r in self._race if r.clip is not None]
        self.grad_steps.set_level(clips[0] if clips else None)
        self.grad_steps.fit_range(self._x_max(), state.budget)

    def _draw_grad_k(self) -> None:
        for i, run in enumerate(self._runs):
            if run.failed:  # its last probe is of a blown-up net: 10^-300 … 10^300
                self.grad_k.clear_curve(i)
            elif run.last is not None:
                self.grad_k.set_curve(i, run.last.grad_vs_k)
        self.grad_k.fit_range()

    def _draw_gates(self) -> None:
        last = self._runs[1].last
        self.gates.show_gates(last.gates if last is not None else {})

    def _refresh_buttons(self, *_: object) -> None:
        active = self._active_runs()
        running = any(r.runner.is_running for r in active)
        paused = running and all(r.runner.is_paused for r in active)
        self.run_bar.set_state(running=running, paused=paused)

    # -- protocol -------------------------------------------------------------------
    def main_view(self) -> QWidget:
        """Return the tabbed views (the one on show is exported)."""
        return self.tabs

    def snapshot_ready(self) -> bool:
        """Return True once the gradient plot is drawn."""
        return self.result is not None and not self.draws.pending()

    def state(self) -> dict[str, Any]:
        """Return the panel's settings (a versioned dict)."""
        return self.settings().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output; the training curves are cleared.

        Raises
        ------
        StateError
            A ValueError naming the field, for a dict that is not an RNN state.
        """
        new = RnnState.from_dict(state)
        self.tabs.setCurrentIndex(0)  # the settings' first view; training shows its own
        self.binder.show(new)
        self._sync_scale_slider()
        self.run_bar.set_speed_value(SPEEDS[new.speed])
        self.reset()
        self.request_jacobian()
