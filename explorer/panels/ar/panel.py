"""The Autoregressive models panel: the chain rule, masks, dilations and attention.

Five tabs follow the course's argument: the chain rule p(x) = Π p(x_i | x_<i)
trained live (FVSBN, NADE, a tiny PixelCNN) and sampled pixel by pixel; which
inputs a masked stack really sees (the input gradient of the real PixelCNN and
Gated PixelCNN stacks) and the blind spot between; WaveNet's dilation tree and
field; the self-attention weights with and without the causal mask; and what a
layer of each kind costs, measured on this machine.

Training runs through a training runner (a worker process in the app), the
blind-spot maps and the cost curves through thread runners: nothing heavier
than drawing happens on the GUI thread.  A new click or setting restarts the
map's job, so the newest request wins.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import QHBoxLayout, QTabWidget, QWidget

from explorer.core.ar import attention as att
from explorer.core.ar import wavenet
from explorer.core.ar.config import COST_LENGTHS, TrainConfig
from explorer.core.ar.jobs import TrainProgress, Weights, sample, train
from explorer.core.ar.masks import SpotPair, compare_stacks, expected_counts, reach
from explorer.core.ar.models import PIXELS
from explorer.panels.ar.controls import (
    AttentionBox,
    CostBox,
    MaskBox,
    TrainBox,
    WaveBox,
    bind_all,
)
from explorer.panels.ar.formulas import FORMULAS, NONE, chain_values, cost_values
from explorer.panels.ar.pages import (
    AttentionPage,
    ChainPage,
    CostPage,
    MaskPage,
    WavePage,
    samples_rgb,
    spot_rgb,
)
from explorer.panels.ar.state import SPEEDS, TAB_TITLES, TABS, ArState
from explorer.panels.base import AppContext, PanelBase
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import stepped_span
from explorer.widgets.run_bar import RunBar

TRAIN_FIELDS = frozenset({"model", "epochs", "train_digits", "train_seed"})
MAP_FIELDS = frozenset({"layers", "kernel"})
WAVE_FIELDS = frozenset({"wave_preset", "wave_layers", "wave_kernel", "sample_rate"})
ATT_FIELDS = frozenset({"att_input", "word", "length", "dim", "causal", "att_seed"})
COST_FIELDS = frozenset({"cost_dim", "cost_max"})
COST_BUDGET_S = 0.1  # repeats of one layer at one T stop after this much time


class ArPanel(PanelBase):
    """Autoregressive models: what each one sees of the past, and what it costs."""

    panel_id: ClassVar[str] = "ar"
    runnable: ClassVar[bool] = True

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self.run_bar = RunBar(
            "train the chosen model on binarised MNIST",
            step_tip="Train one more report's worth of batches, then pause (S)",
            reset_tip="New weights from the seed; clears the curve and samples (R)",
            speeds=SPEEDS,
            speed_unit="batches",
        )
        self.sample_button = self.run_bar.add_button(
            "Sample",
            "Draw new digits pixel by pixel from the trained model",
            self._sample,
        )
        self.train_box, self.mask_box, self.wave_box = TrainBox(), MaskBox(), WaveBox()
        self.att_box, self.cost_box = AttentionBox(), CostBox()
        self.chain, self.masks = ChainPage(theme), MaskPage(theme)
        self.wave, self.attn, self.cost = (
            WavePage(theme),
            AttentionPage(theme),
            CostPage(theme),
        )
        self.cards = {tab: FormulaCard(*FORMULAS[tab]) for tab in TABS}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        pages = (self.chain, self.masks, self.wave, self.attn, self.cost)
        for tab, page in zip(TABS, pages, strict=True):
            self.tabs.addTab(page, TAB_TITLES[tab])

        self.column = ControlsColumn(theme, min_width=270, max_width=400)
        self.column.add(self.run_bar)
        self.groups: dict[str, QWidget] = {}
        for tab, box, title in (
            ("chain", self.train_box, "Model"),
            ("masks", self.mask_box, "Masked stack"),
            ("wavenet", self.wave_box, "Causal stack"),
            ("attention", self.att_box, "Sequence"),
            ("cost", self.cost_box, "Measurement"),
        ):
            layout = self.column.add_group(title)
            layout.addWidget(box)
            group = layout.parentWidget()
            assert group is not None
            self.groups[tab] = group
        for card in self.cards.values():
            self.column.add(card)
        self.column.add_stretch()
        row = QHBoxLayout()
        row.addWidget(self.tabs, 1)
        row.addWidget(self.column)
        self.body.addLayout(row)
        self.mark_secondary(
            self.train_box.seed,
            self.att_box.seed,
            self.masks.legend,
            self.attn.table,
            self.cost.note,
        )

        self.binder = Binder(ArState, self)
        bind_all(
            self.binder,
            self.train_box,
            self.mask_box,
            self.wave_box,
            self.att_box,
            self.cost_box,
        )
        self.draws = DrawScheduler(40, self)
        self.train_runner = self.make_runner("train", training=True)
        self.map_runner = self.make_runner("blind spot")
        self.cost_runner = self.make_runner("cost")
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self.train_runner.set_speed)
        for signal in (
            self.train_runner.started,
            self.train_runner.finished,
            self.train_runner.paused_changed,
            self.train_runner.errored,  # a failed run leaves the bar idle too
        ):
            signal.connect(self._show_run_state)
        self.train_runner.finished.connect(self._on_train_finished)
        self.binder.changed.connect(self._on_setting_changed)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.masks.pixelcnn.pixel_clicked.connect(self._on_pixel_clicked)
        self.masks.gated.pixel_clicked.connect(self._on_pixel_clicked)
        self.cost_box.measure.clicked.connect(self.measure_costs)

        self._pair: SpotPair | None = None
        self._weights: Weights | None = None
        self._weights_cfg: TrainConfig | None = None
        self._last: TrainProgress | None = None
        self._curve: tuple[list[float], list[float]] = ([], [])
        self._samples: NDArray[np.float32] | None = None
        self._drawn = 0
        self._costs: att.CostProgress | None = None
        self.binder.show(ArState())
        self._apply_state()

    # -- state -------------------------------------------------------------------
    def _state(self) -> ArState:
        return self.binder.state()

    def state(self) -> dict[str, Any]:
        return self._state().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        self.binder.show(ArState.from_dict(state))
        self._apply_state()

    def _apply_state(self) -> None:
        s = self._state()
        self.tabs.blockSignals(True)
        self.tabs.setCurrentIndex(s.tab)
        self.tabs.blockSignals(False)
        self._show_tab(s.tab)
        self.reset()
        self._recompute_map()
        self._draw_wave()
        self._draw_attention()
        self._clear_costs()

    def _on_tab_changed(self, index: int) -> None:
        self.binder.set_extra(tab=index)
        self._show_tab(index)

    def _show_tab(self, index: int) -> None:
        name = TABS[index]
        for tab in TABS:
            self.groups[tab].setVisible(tab == name)
            self.cards[tab].setVisible(tab == name)
        self.column.refit()

    def _on_setting_changed(self, name: str) -> None:
        if name == "kernel" and self.mask_box.kernel.value() % 2 == 0:
            k = self.mask_box.kernel.value()
            self.mask_box.kernel.setValue(
                k + 1 if k < self.mask_box.kernel.maximum() else k - 1
            )
            return  # the odd value's own change does the rest
        if name in TRAIN_FIELDS:
            self.reset()
        elif name in MAP_FIELDS:
            self._recompute_map()
        elif name in WAVE_FIELDS:
            self._draw_wave()
        elif name in ATT_FIELDS:
            self._draw_attention()
        elif name in COST_FIELDS:
            self.cost_runner.abort()
            self._clear_costs()

    # -- training ----------------------------------------------------------------
    def _config(self) -> TrainConfig:
        s = self._state()
        return TrainConfig(model=s.model, epochs=s.epochs, train_digits=s.train_digits)

    def _start(self, *, paused: bool) -> None:
        self.reset()
        self.train_runner.start(
            train,
            self._config(),
            seed=self._state().train_seed,
            on_progress=self._on_train_progressed,
            on_error=self.on_job_error,
            batched=True,
            paused=paused,
            controlled=True,
        )

    def start_pause(self) -> None:
        if self.train_runner.is_running:
            self.train_runner.toggle_pause()
        else:
            self._start(paused=False)

    def step(self) -> None:
        if self.train_runner.is_running:
            self.train_runner.step()
        else:
            self._start(paused=True)

    def run_steps(self, n: int) -> None:
        """Train ``n`` more reports (a lesson step); on the Cost tab, measure.

        A run that ends sooner (its samples drawn) simply ends: no new run starts.
        """
        if TABS[self.tabs.currentIndex()] == "cost":
            self.measure_costs()
            return
        if n <= 0:
            return
        if self.train_runner.is_running:
            self.train_runner.step(n)
            return
        self._start(paused=True)  # computes the first report, then holds
        if n > 1:
            self.train_runner.step(n - 1)

    def reset(self) -> None:
        self.train_runner.abort()
        self.draws.cancel("samples")
        self._last = None
        self._weights, self._weights_cfg = None, None
        self._curve = ([], [])
        self._drawn_key: tuple[int, float] = (-1, math.nan)
        self._samples, self._drawn = None, 0
        self.chain.bits.clear_curves()
        self.chain.bits.auto_range()  # the next run's first draw sets its range
        self.chain.samples.show_rgb(samples_rgb(None, self._config().samples))
        self.chain.bits.setXRange(0, self._state().epochs, padding=0.02)
        self.run_bar.set_status("idle: Start trains the chosen model")
        self._show_chain_card()
        self._show_run_state()

    def _show_run_state(self, *_: object) -> None:
        r = self.train_runner
        self.run_bar.set_state(running=r.is_running, paused=r.is_paused)
        self.sample_button.setEnabled(self._weights is not None and not r.is_running)

    def _on_train_progressed(self, items: list[TrainProgress]) -> None:
        xs, ys = self._curve
        for p in items:
            if p.phase == "train" and p.total:
                per_epoch = p.total / max(1, self._config().epochs)
                xs.append(p.step / per_epoch)
                ys.append(p.recent)
            if p.weights is not None:
                self._weights, self._weights_cfg = p.weights, self._config()
            if p.samples is not None:
                self._samples, self._drawn = p.samples, p.drawn
                self.draws.request("samples", self._draw_samples)
            else:
                self._last = p  # the training reports (a sampling one adds pixels)
        last = items[-1]
        self.run_bar.set_status(last.message)
        self.draws.request("bits", self._draw_bits)
        self._show_chain_card()

    def _on_train_finished(self) -> None:
        self._show_run_state()
        if self._last is not None:
            self.run_bar.set_status(
                f"done: {self._drawn} of {PIXELS} pixels drawn"
                if self._drawn
                else self._last.message
            )

    def _draw_bits(self) -> None:
        xs, ys = self._curve
        self.chain.bits.set_curve("training (last 10 batches)", xs, ys)
        last = self._last
        history = last.history if last is not None else ()
        baseline = last.baseline if last is not None else math.nan
        # the epoch means and the baseline change rarely: redraw them only then
        key = (len(history), baseline)
        if key != self._drawn_key and math.isfinite(baseline):
            self._drawn_key = key
            epochs = self._config().epochs
            self.chain.bits.set_curve(
                "epoch mean", [e for e, _ in history], [b for _, b in history]
            )
            self.chain.bits.set_curve(
                "independent pixels", [0, epochs], [baseline, baseline]
            )
        # a range of round steps, applied at once (auto range re-ranged after each
        # draw: every update painted twice, the axes redrawn each time)
        shown = [
            *(b for _, b in history),
            *([baseline] if math.isfinite(baseline) else []),
        ]
        if ys:
            shown += [min(ys), max(ys)]
        if shown:
            x = (0.0, float(self._config().epochs))
            self.chain.bits.set_live_range(x, stepped_span(min(shown), max(shown)))

    def _draw_samples(self) -> None:
        self.chain.samples.show_rgb(samples_rgb(self._samples))

    def _sample(self) -> None:
        if self._weights is None or self._weights_cfg is None:
            self.show_error("train a model first: Start, then Sample")
            return
        self.train_runner.start(
            sample,
            self._weights_cfg,
            self._weights,
            seed=int(np.random.default_rng().integers(1_000_000)),
            on_progress=self._on_train_progressed,
            on_error=self.on_job_error,
            batched=True,
            backend="thread",
            controlled=True,
        )

    def _show_chain_card(self) -> None:
        self.cards["chain"].set_values(
            chain_values(self._state().model, self._last, self._drawn)
        )

    # -- masks -------------------------------------------------------------------
    def _on_pixel_clicked(self, row: int, col: int) -> None:
        self.binder.set_extra(row=row, col=col)
        self._recompute_map()

    def _recompute_map(self) -> None:
        s = self._state()
        self._show_mask_card()
        self.map_runner.start(
            compare_stacks,
            s.layers,
            s.kernel,
            s.row,
            s.col,
            on_progress=self._on_map_progressed,
            on_error=self.on_job_error,
        )

    def _on_map_progressed(self, pair: SpotPair) -> None:
        self._pair = pair
        self.draws.request("map", self._draw_map)
        self._show_mask_card()

    def _current_pair(self) -> SpotPair | None:
        s, p = self._state(), self._pair
        if p is None or (p.layers, p.kernel, p.pixelcnn.row, p.pixelcnn.col) != (
            s.layers,
            s.kernel,
            s.row,
            s.col,
        ):
            return None
        return p

    def _draw_map(self) -> None:
        p = self._current_pair()
        if p is None:
            return
        palette = self.context.theme.palette
        self.masks.pixelcnn.show_rgb(spot_rgb(p.pixelcnn, palette))
        self.masks.gated.show_rgb(spot_rgb(p.gated, palette))

    def _show_mask_card(self) -> None:
        s, p = self._state(), self._current_pair()
        values: dict[str, object] = {
            "L, k": f"{s.layers}, {s.kernel}",
            "output pixel (row, col)": f"({s.row}, {s.col})",
        }
        if p is None:
            values["PixelCNN field / blind"] = "computing…"
        else:
            values["PixelCNN field / blind"] = (
                f"{p.pixelcnn.field_size} / {p.pixelcnn.blind_size} pixels"
            )
            values["Gated field / blind"] = (
                f"{p.gated.field_size} / {p.gated.blind_size} pixels"
            )
            n = reach("pixelcnn", s.layers, s.kernel)
            inside = n <= s.row and n <= s.col < 28 - n
            if s.kernel == 3 and inside:
                f, b = expected_counts(s.layers)
                values["closed form (k = 3)"] = f"{f} / {b}"
        self.cards["masks"].set_values(values)

    # -- WaveNet -----------------------------------------------------------------
    def _draw_wave(self) -> None:
        s = self._state()
        ds = wavenet.preset_dilations(s.wave_preset, s.wave_layers)
        k = s.wave_kernel
        self.wave.tree.show_tree(wavenet.tree(ds, k), ds, k)
        depth = np.arange(1, s.wave_layers + 1)
        growth = self.wave.growth
        growth.set_curve(
            "d = 1, 2, 4, …",
            depth,
            [wavenet.receptive_field([2**i for i in range(n)], k) for n in depth],
        )
        growth.set_curve(
            "all d = 1", depth, [wavenet.receptive_field([1] * n, k) for n in depth]
        )
        growth.set_curve(
            "this stack", depth, [wavenet.receptive_field(ds[:n], k) for n in depth]
        )
        r = wavenet.receptive_field(ds, k)
        growth.set_log_y_ticks(
            max(r, wavenet.receptive_field([2**i for i in range(s.wave_layers)], k))
        )
        ms = wavenet.milliseconds(r, s.sample_rate)
        flat = wavenet.receptive_field([1] * len(ds), k)
        self.cards["wavenet"].set_values(
            {
                "dilations": ", ".join(map(str, ds)),
                "receptive field r": f"{r:,} samples",
                f"at {s.sample_rate:,} Hz": f"{ms:.4g} ms",
                "same depth, all d = 1": f"{flat:,}",
            }
        )

    # -- attention ---------------------------------------------------------------
    def _draw_attention(self) -> None:
        s = self._state()
        # a word sets T itself; random X has no word
        self.att_box.length.setEnabled(s.att_input == "random")
        self.att_box.word.setEnabled(s.att_input == "word")
        letters = ""
        try:
            if s.att_input == "word":
                x = att.word_inputs(s.word, s.dim)
                letters = s.word.strip().lower()
            else:
                x = att.random_inputs(s.length, s.dim, s.att_seed)
            a = att.attention(x, causal=s.causal, seed=s.att_seed)
        except ValueError as exc:
            self.show_error(str(exc))
            self.attn.heat.image.clear()
            self.cards["attention"].set_values({"α": NONE})
            return
        self.error_banner.clear()
        self.attn.heat.show_alpha(a.alpha, letters, masked=s.causal)
        t = a.alpha.shape[0]
        future = float(a.alpha[np.triu_indices(t, 1)].sum())
        self.cards["attention"].set_values(
            {
                "T × D": f"{t} × {s.dim}",
                "causal mask": "on" if s.causal else "off",
                "max |Σ_j α_ij − 1|": f"{np.abs(a.alpha.sum(axis=1) - 1).max():.1e}",
                "weight on the future Σ_{j>i} α_ij": f"{future:.4g}",
                "α of the last query, largest": f"{a.alpha[-1].max():.3f}",
            }
        )

    # -- cost --------------------------------------------------------------------
    def measure_costs(self) -> None:
        """Start measuring the three layers' cost for T = 16 … the chosen longest."""
        s = self._state()
        lengths = [n for n in COST_LENGTHS if n <= s.cost_max]
        self._clear_costs()
        self.cards["cost"].set_values(
            {"measuring": f"T = {lengths[0]} … {lengths[-1]:,}"}
        )
        self.cost_runner.start(
            att.measure_costs,
            lengths,
            s.cost_dim,
            budget_s=COST_BUDGET_S,
            on_progress=self._on_cost_progressed,
            on_error=self.on_job_error,
            controlled=True,
        )

    def _clear_costs(self) -> None:
        self._costs = None
        self.cost.curves.clear_curves()
        self.cost.note.setText("Press <b>Measure</b> to time one layer of each kind.")
        self.cards["cost"].set_values({"measured": NONE})

    def _on_cost_progressed(self, p: att.CostProgress) -> None:
        self._costs = p
        for kind, name in zip(att.KINDS, self.cost.curves.curves, strict=True):
            self.cost.curves.set_curve(name, p.lengths, p.seconds[kind])
        values, note = cost_values(p, self._state().cost_dim)
        self.cards["cost"].set_values(values)
        self.cost.note.setText(note)

    # -- protocol ----------------------------------------------------------------
    def apply_theme(self) -> None:
        self.draws.request("map", self._draw_map)

    def main_view(self) -> QWidget:
        return self.tabs.currentWidget() or self.tabs

    def snapshot_ready(self) -> bool:
        return self._current_pair() is not None
