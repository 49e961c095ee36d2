"""The receptive-field panel: RF arithmetic, unit → input box, effective RF, live CNN.

Pick a network (or open a stack file / an image), read its layer table, click a
unit of a feature map to see the input pixels it can see (theoretical RF box) and
the ones that actually move it (effective-RF heat map, Luo et al. 2016); edit a
custom stack with sliders; train a small CNN on MNIST and watch its kernels.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from explorer.core.data import MNIST_CREDIT
from explorer.core.receptive_field import (
    ARCH_NAMES,
    ARCHS,
    Layer,
    Row,
    Stack,
    StackError,
    analyze,
    set_layer,
    stack_from_dict,
    stack_from_json,
    stack_to_dict,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.rf.controls import LayerEditor, LayerTable, fmt_pair
from explorer.panels.rf.views import InputView, KernelView, MapView
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane

CUSTOM = "custom"
FILE = "file"
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".gif")
ERF_INPUTS = 8
LIVE_REFRESH_MS = 120  # feature maps follow the live CNN at most this often
LIVE_EVAL_EVERY = 20  # steps between test-accuracy points of the live CNN

RF_FORMULA = (
    "n<sub>out</sub> = ⌊(n<sub>in</sub> + 2p − d(k−1) − 1) / s⌋ + 1<br>"
    "r<sub>l</sub> = r<sub>l−1</sub> + d(k−1)·j<sub>l−1</sub>, &nbsp; "
    "j<sub>l</sub> = j<sub>l−1</sub>·s, &nbsp; "
    "P<sub>l</sub> = P<sub>l−1</sub> + p·j<sub>l−1</sub><br>"
    "unit i sees pixels [i·j − P, i·j − P + r − 1]"
)
RF_SOURCE = (
    "Araujo, Norris & Sim, “Computing Receptive Fields of CNNs”, Distill 2019, "
    "eqs. 5–9; output size: PyTorch Conv2d documentation"
)
ERF_FORMULA = (
    "ERF(x) = E<sub>inputs</sub> |∂y<sub>unit</sub> / ∂x|<br>"
    "n layers: σ<sub>ERF</sub> ∝ √n, while r ∝ n"
)
ERF_SOURCE = (
    "Luo, Li, Urtasun & Zemel, “Understanding the Effective Receptive Field "
    "in Deep CNNs”, NeurIPS 2016, sec. 2"
)


def _startup_job() -> Iterator[tuple[str, Any]]:
    """Yield the held-out digits, then the stack of every built-in architecture."""
    import torch

    # Small models run faster on one thread here, and the GUI thread stays fluid.
    torch.set_num_threads(1)
    # imported here, off the GUI thread, so that starting the live CNN is instant
    import explorer.core.cnn_live  # noqa: F401
    from explorer.core.receptive_field import arch_stack
    from explorer.core.rf_erf import mnist_split

    yield ("digits", mnist_split()[1].images)
    for key in ("mnist_cnn", *[k for k in ARCH_NAMES if k != "mnist_cnn"]):
        yield ("stack", (key, arch_stack(key)))


def _feature_job(*args: Any, **kwargs: Any) -> Iterator[Any]:
    from explorer.core.rf_erf import feature_job

    yield from feature_job(*args, **kwargs)


def _erf_job(*args: Any, **kwargs: Any) -> Iterator[Any]:
    from explorer.core.rf_erf import ErfConfig, erf_job

    yield from erf_job(args[0], ErfConfig(**kwargs.pop("cfg")), **kwargs)


class RfPanel(PanelBase):
    """Theoretical and effective receptive fields of built-in or own CNN stacks."""

    panel_id = "rf"
    title = "Receptive fields"
    summary = (
        "How far a CNN unit sees: output sizes, stride, padding, dilation, the "
        "receptive-field recurrences and the much smaller effective field."
    )
    runnable = True
    open_filters = (
        "Layer stacks (*.json);;"
        "Images (*.png *.jpg *.jpeg *.bmp *.pgm *.tif *.tiff *.gif)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setAcceptDrops(True)
        from explorer.core.data import asset_path

        self._custom = stack_from_json(asset_path("rf/custom.json"))
        self._file_stack: Stack | None = None
        self._arch_stacks: dict[str, Stack] = {}
        self._source = CUSTOM
        self._stack = self._custom
        self._rows: list[Row] = analyze(self._custom)
        self._row = len(self._rows) - 1
        self._unit = (0, 0)
        self._digits: NDArray[np.float32] | None = None
        self._digit = 0
        self._image: NDArray[np.float32] | None = None  # an opened image, else a digit
        self._image_name = ""
        self._features: Any = None
        self._live_state: dict[str, NDArray[np.float32]] | None = None
        self._curves: dict[str, list[float]] = {"step": [], "loss": [], "acc": []}
        self._erf_unit: tuple[str, tuple[int, int]] | None = None
        self._pending_source = "mnist_cnn"

        self._startup = self.make_runner("loading networks")
        self._feat_runner = self.make_runner("feature maps")
        self._erf_runner = self.make_runner("effective RF")
        self._cnn_runner = self.make_runner("live CNN")
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(30)  # wrapped-text layout is slow: once per burst
        self._fit_timer.timeout.connect(self._fit_cards)
        self._feat_stale = False
        self._feat_timer = QTimer(self)
        self._feat_timer.setSingleShot(True)
        self._feat_timer.timeout.connect(self._start_features)

        self._build()
        self._apply_stack(self._custom, CUSTOM)
        self._startup.start(
            _startup_job,
            on_progress=self._on_startup_items,
            on_error=self.on_job_error,
            batched=True,
        )

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        theme = self.context.theme
        bar = QHBoxLayout()
        self.network = QComboBox()
        self.network.setToolTip("The network whose receptive fields are shown")
        self.network.addItem("Custom stack (editable)", CUSTOM)
        for key in ARCH_NAMES:
            self.network.addItem(ARCHS[key].title + " — loading…", key)
        self.network.currentIndexChanged.connect(self._on_network_changed)
        self.open_button = QPushButton("Open stack / image…")
        self.open_button.setToolTip(
            "Open a layer-stack JSON file or an input image "
            "(you can also drop files on the panel)"
        )
        self.open_button.clicked.connect(self._on_open_clicked)
        self.digit = QSpinBox()
        self.digit.setRange(0, 999)
        self.digit.setPrefix("digit #")
        self.digit.setToolTip("Which held-out MNIST digit is the input")
        self.digit.valueChanged.connect(self._on_digit_changed)
        self.weights = QComboBox()
        self.weights.addItem("random weights", "random")
        self.weights.addItem("trained on MNIST", "trained")
        self.weights.setToolTip(
            "Effective RF with a fresh random initialisation (noise inputs), or with "
            "weights trained on MNIST (the live CNN's, or a short training run)"
        )
        self.erf_button = QPushButton("Effective RF")
        self.erf_button.setToolTip(
            "Average |∂unit/∂input| over inputs for the selected "
            "unit (clicking a unit does this too)"
        )
        self.erf_button.clicked.connect(self._start_erf)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        self.status = QLabel("")
        # long messages must not widen the window (presentation mode doubles fonts)
        self.status.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        self.network.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.network.setMinimumContentsLength(16)
        bar.addWidget(QLabel("Network:"))
        bar.addWidget(self.network, 2)
        bar.addWidget(self.open_button)
        bar.addWidget(self.digit)
        bar.addWidget(self.weights)
        bar.addWidget(self.erf_button)
        bar.addWidget(self.progress)
        bar.addWidget(self.status, 1)
        self.body.addLayout(bar)
        self.mark_secondary(self.digit, self.progress)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.table = LayerTable()
        self.table.row_selected.connect(self._on_row_selected)
        self.editor = LayerEditor()
        self.editor.changed.connect(self._on_editor_changed)
        self.rf_card = FormulaCard(
            "Output size and receptive field", RF_FORMULA, RF_SOURCE
        )
        lv.addWidget(self.table, 3)
        lv.addWidget(self.editor)
        lv.addWidget(self.rf_card)

        center = QWidget()
        cv = QVBoxLayout(center)
        cv.setContentsMargins(0, 0, 0, 0)
        self.input_view = InputView(theme)
        self.map_view = MapView(theme)
        self.map_view.unit_hovered.connect(self._on_unit_hovered)
        self.map_view.unit_clicked.connect(self._on_unit_clicked)
        opts = QHBoxLayout()
        self.channel = QSpinBox()
        self.channel.setRange(0, 16)
        self.channel.setSpecialValueText("mean of channels")
        self.channel.setPrefix("channel ")
        self.channel.setToolTip("Which channel of the layer's output to show")
        self.channel.valueChanged.connect(self._show_map)
        self.show_erf = QCheckBox("show effective RF")
        self.show_erf.setChecked(True)
        self.show_erf.toggled.connect(self.input_view.set_erf_visible)
        opts.addWidget(self.channel)
        opts.addWidget(self.show_erf)
        opts.addStretch(1)
        self.mark_secondary(self.channel)
        cv.addWidget(self.input_view, 1)
        cv.addLayout(opts)
        cv.addWidget(self.map_view, 1)
        self._main = center

        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(0, 0, 0, 0)
        self.erf_card = FormulaCard(
            "Effective receptive field", ERF_FORMULA, ERF_SOURCE
        )
        live = QGroupBox("Live CNN on MNIST (28×28 → 7×7, RF 24)")
        live.setToolTip(MNIST_CREDIT)
        lg = QVBoxLayout(live)
        buttons = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setCheckable(True)
        self.train_button.setToolTip(
            "Train / pause the small CNN on the bundled digits"
        )
        self.train_button.clicked.connect(self.start_pause)
        self.step_button = QPushButton("Step")
        self.step_button.setToolTip("Run one more report's worth of training steps")
        self.step_button.clicked.connect(self.step)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Stop and forget the trained weights")
        self.reset_button.clicked.connect(self.reset)
        for b in (self.train_button, self.step_button, self.reset_button):
            buttons.addWidget(b)
        self.curves = PlotPane(theme, title="Loss and test accuracy", x_label="step")
        self.curves.add_legend()
        self.loss_curve = self.curves.add_curve("loss", color_index=0)
        self.acc_curve = self.curves.add_curve("test accuracy", color_index=2)
        self.kernels = KernelView(theme)
        lg.addLayout(buttons)
        lg.addWidget(self.curves, 2)
        lg.addWidget(self.kernels, 1)
        # plots take the height the formula cards leave (presentation mode is tight)
        for pane, least in ((self.curves, 110), (self.kernels, 70)):
            pane.setMinimumHeight(least)
            pane.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored)
        self.growth = PlotPane(
            theme,
            title="Receptive field vs depth",
            x_label="row of the table",
            y_label="RF (px)",
        )
        self.growth_curve = self.growth.add_curve("RF", color_index=0)
        self.growth_dots = self.growth.add_scatter(color_index=0, size=6)
        self.growth_sel = self.growth.add_scatter(color_index=1, size=12)
        rv.addWidget(self.erf_card)
        rv.addWidget(live, 3)
        rv.addWidget(self.growth, 2)
        self.mark_secondary(self.growth)

        for w in (left, center, right):
            split.addWidget(w)
        split.setStretchFactor(0, 6)
        split.setStretchFactor(1, 5)
        split.setStretchFactor(2, 4)
        split.setSizes([560, 440, 400])
        for card in (self.rf_card, self.erf_card):
            card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.body.addWidget(split, 1)

    # -- stacks ---------------------------------------------------------------------
    @property
    def stack(self) -> Stack:
        """The stack shown now."""
        return self._stack

    @property
    def rows(self) -> list[Row]:
        """Its layer table."""
        return self._rows

    @property
    def arch(self) -> str | None:
        """The built-in architecture shown, or ``None`` for a custom / file stack."""
        return self._source if self._source in ARCHS else None

    def _editable(self) -> bool:
        return self._source in (CUSTOM, FILE)

    def _apply_stack(self, stack: Stack, source: str, row: int | None = None) -> bool:
        """Show ``stack``; return False (and keep the old one) when it is invalid."""
        try:
            rows = analyze(stack)
        except StackError as exc:
            self.show_error(str(exc))
            return False
        self.error_banner.clear()
        self._stack, self._rows, self._source = stack, rows, source
        if source == CUSTOM:
            self._custom = stack
        elif source == FILE:
            self._file_stack = stack
        self._row = min(row if row is not None else len(rows) - 1, len(rows) - 1)
        self.table.set_rows(rows, self._row)
        xs = np.arange(len(rows), dtype=float)
        ys = np.array([r.geometry.r[0] for r in rows], dtype=float)
        main = np.array([r.depth == 0 for r in rows])
        # the line follows the main path; dots also show the rows inside blocks
        self.growth_curve.setData(xs[main], ys[main])
        self.growth_dots.setData(x=xs, y=ys)
        self._select_row(self._row, keep_unit=row is not None)
        self._schedule_features(now=True)
        return True

    def _select_row(self, index: int, *, keep_unit: bool = False) -> None:
        self._row = index
        row = self._rows[index]
        g = row.geometry
        if keep_unit:
            self._unit = (
                min(self._unit[0], g.size[0] - 1),
                min(self._unit[1], g.size[1] - 1),
            )
        else:
            self._unit = g.center_unit(self._stack.input_size)
        layer = self._layer(row.name) if self._editable() else None
        self.editor.load(layer)
        self.editor.setVisible(layer is not None)
        self.growth_sel.setData(x=[index], y=[g.r[0]])
        self._show_map()
        self._update_unit()
        self.input_view.fit()

    def _layer(self, name: str) -> Layer | None:
        return next((la for la in self._stack.layers() if la.name == name), None)

    # -- unit, box, formula ---------------------------------------------------------
    def _update_unit(self) -> None:
        row = self._rows[self._row]
        g = row.geometry
        i, j = self._unit
        box = g.box(i, j)
        self.input_view.set_box(box)
        self.map_view.set_marker(i, j)
        stale = self._erf_unit != (row.name, self._unit)
        if stale:
            self.input_view.set_erf(None)
        n_in = fmt_pair(row.input_size)
        prev_r = fmt_pair(self._prev_rf(row))
        self.rf_card.set_values(
            {
                "layer": f"{row.name} ({row.kind})",
                "n<sub>in</sub>, k, s, p, d": (
                    f"{n_in}, {fmt_pair(row.kernel)}, "
                    f"{fmt_pair(row.stride)}, "
                    f"{fmt_pair(row.padding)}, "
                    f"{fmt_pair(row.dilation)}"
                ),
                "n<sub>out</sub>": fmt_pair(g.size),
                "r<sub>l−1</sub> → r<sub>l</sub>": f"{prev_r} → {fmt_pair(g.r)}",
                "j, P": f"{fmt_pair(g.j)}, {fmt_pair(g.p)}",
                f"unit ({i}, {j}) sees": (
                    f"rows {box.top}…{box.bottom}, columns {box.left}…{box.right}"
                ),
            }
        )
        self._fit_timer.start()

    @staticmethod
    def _prev_rf(row: Row) -> tuple[int, int]:
        """Return r of the map ``row`` reads, inverting r = r_prev + d(k−1)·j_prev."""
        g = row.geometry
        out = []
        for a in (0, 1):
            j_prev = g.j[a] // row.stride[a]
            out.append(g.r[a] - row.dilation[a] * (row.kernel[a] - 1) * j_prev)
        return out[0], out[1]

    # -- feature maps ---------------------------------------------------------------
    def _input_image(self) -> NDArray[np.float32] | None:
        if self._image is not None:
            return self._image
        if self._digits is None:
            return None
        digit: NDArray[np.float32] = self._digits[self._digit]
        return digit

    def _schedule_features(self, now: bool = False) -> None:
        """Recompute the maps: for a new stack or input (``now``) after a short
        debounce that coalesces slider drags, else at the next refresh tick."""
        if now:
            self._feat_stale = True
            self._feat_timer.start(40)
        elif not self._feat_timer.isActive():
            self._feat_timer.start(LIVE_REFRESH_MS)

    def _start_features(self) -> None:
        image = self._input_image()
        if image is None or (
            self.arch is not None and self.arch not in self._arch_stacks
        ):
            return
        if self._feat_runner.is_running and not self._feat_stale:
            # live-CNN refreshes wait for the running job instead of aborting it,
            # or a slow machine would never finish one
            self._feat_timer.start(LIVE_REFRESH_MS)
            return
        self._feat_stale = False
        state = self._live_state if self.arch == "mnist_cnn" else None
        self.status.setText("computing feature maps…")
        self._feat_runner.start(
            _feature_job,
            self._stack,
            image=image,
            arch=self.arch,
            state=state,
            device=self.context.device,
            on_progress=self._on_features,
            on_error=self.on_job_error,
        )

    def _on_features(self, fm: Any) -> None:
        if any(
            r.name not in fm.means or fm.means[r.name].shape != r.geometry.size
            for r in self._rows
        ):
            return  # maps of a stack that is no longer shown
        self._features = fm
        self.status.setText("")
        self.input_view.set_input(fm.image)
        self._show_map()

    def _show_map(self) -> None:
        fm = self._features
        row = self._rows[self._row]
        if fm is None or row.name not in fm.maps:
            return
        count = int(fm.channels[row.name])
        shown = fm.maps[row.name].shape[0]
        self.channel.setMaximum(shown)
        c = self.channel.value()
        data = fm.means[row.name] if c == 0 else fm.maps[row.name][c - 1]
        what = "mean of channels" if c == 0 else f"channel {c} of {count}"
        self.map_view.set_map(
            data, f"{row.name}: {what}, {data.shape[0]}×{data.shape[1]}"
        )
        self.map_view.set_marker(*self._unit)

    # -- effective RF ---------------------------------------------------------------
    def _start_erf(self) -> None:
        row = self._rows[self._row]
        mode = str(self.weights.currentData())
        state = (
            self._live_state
            if (self.arch == "mnist_cnn" and mode == "trained")
            else None
        )
        cfg = {
            "layer": row.name,
            "unit": self._unit,
            "weights": mode,
            "n_inputs": ERF_INPUTS,
            "batch_size": 2,
            "train_steps": 200,
        }
        self._erf_unit = None
        self.progress.setValue(0)
        self.status.setText("effective RF: starting…")
        self._erf_runner.start(
            _erf_job,
            self._stack,
            cfg=cfg,
            seed=0,
            device=self.context.device,
            arch=self.arch,
            state=state,
            on_progress=self._on_erf_progress,
            on_error=self._on_erf_error,
            on_finished=self._on_erf_finished,
        )

    def _on_erf_progress(self, p: Any) -> None:
        frac = p.fraction or 0.0
        self.progress.setValue(int(100 * frac))
        self.status.setText(p.message)
        if p.phase != "erf" or p.heatmap is None:
            return
        self._erf_unit = (p.layer, tuple(p.unit))
        if (p.layer, tuple(p.unit)) == (self._rows[self._row].name, self._unit):
            self.input_view.set_erf(p.heatmap)
        s = p.stats
        self.erf_card.set_values(
            {
                "unit": f"{p.layer} {tuple(p.unit)}",
                "weights": str(self.weights.currentText()),
                "theoretical RF": f"{p.box.height}×{p.box.width} px "
                f"({s.theoretical_area} px inside the image)",
                f"{s.mass:.0%} of |∂y/∂x| within": f"{s.area} px ≈ {s.side:.1f}² "
                f"({s.ratio:.0%} of the RF)",
                "σ (rows, columns)": f"{s.std[0]:.1f}, {s.std[1]:.1f} px",
            }
        )
        self._fit_timer.start()

    def _fit_cards(self) -> None:
        """Keep the formula cards tall enough for their wrapped text."""
        for card in (self.rf_card, self.erf_card):
            layout = card.layout()
            if layout is not None and layout.hasHeightForWidth() and card.width() > 0:
                card.setMinimumHeight(layout.totalHeightForWidth(card.width()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the formula cards to the new width."""
        super().resizeEvent(event)
        self._fit_timer.start()

    def apply_theme(self) -> None:
        """Refit the table columns and the cards to the new font size."""
        self.table.resizeColumnsToContents()
        self._fit_timer.start()

    def _on_erf_error(self, exc: BaseException) -> None:
        self.progress.setValue(0)
        self.status.setText("")
        self.on_job_error(exc)

    def _on_erf_finished(self) -> None:
        self.progress.setValue(100)
        self.status.setText("effective RF ready")

    # -- live CNN -------------------------------------------------------------------
    def start_pause(self) -> None:
        """Start training the live CNN, or pause / resume it."""
        if self._cnn_runner.is_running:
            self._cnn_runner.toggle_pause()
        else:
            self._start_cnn(paused=False)
        self._sync_train_button()

    def step(self) -> None:
        """Train the live CNN for one more report (starts it paused if needed)."""
        if not self._cnn_runner.is_running:
            self._start_cnn(paused=True)
        self._cnn_runner.step(1)
        self._sync_train_button()

    def reset(self) -> None:
        """Stop the live CNN and forget its weights and curves."""
        self._cnn_runner.abort()
        self._live_state = None
        self._curves = {"step": [], "loss": [], "acc": []}
        self.loss_curve.setData([], [])
        self.acc_curve.setData([], [])
        self.kernels.image.clear()
        self._sync_train_button()
        if self.arch == "mnist_cnn":
            self._schedule_features(now=True)

    def _start_cnn(self, paused: bool) -> None:
        self._curves = {"step": [], "loss": [], "acc": []}
        from explorer.core.cnn_live import CnnConfig, train

        self.status.setText("live CNN: starting the training process…")
        # A worker process: training in a thread held the GIL long enough to stall
        # the GUI (max 150 ms vs 34 ms late timer ticks, see benchmarks/bench_rf.py).
        self._cnn_runner.start(
            train,
            CnnConfig(eval_every=LIVE_EVAL_EVERY),
            seed=0,
            device=self.context.device,
            threads=1,
            backend="process",
            on_progress=self._on_cnn_progress,
            on_error=self._on_cnn_error,
            on_finished=self._sync_train_button,
            paused=paused,
        )

    def _sync_train_button(self) -> None:
        running = self._cnn_runner.is_running and not self._cnn_runner.is_paused
        self.train_button.setChecked(running)
        self.train_button.setText(
            "Pause"
            if running
            else ("Resume" if self._cnn_runner.is_running else "Train")
        )

    def _on_cnn_error(self, exc: BaseException) -> None:
        self.on_job_error(exc)
        self._sync_train_button()

    def _on_cnn_progress(self, p: Any) -> None:
        self._live_state = dict(p.state)
        if p.losses:
            self._curves["step"].append(float(p.step))
            self._curves["loss"].append(float(p.losses["loss"]))
            self._curves["acc"].append(float(p.test_accuracy))
            self.loss_curve.setData(self._curves["step"], self._curves["loss"])
            self.acc_curve.setData(self._curves["step"], self._curves["acc"])
        self.kernels.set_kernels(np.asarray(p.kernels))
        self.status.setText(f"live CNN: {p.message}")
        if self.arch == "mnist_cnn":
            self._schedule_features()
        self._sync_train_button()

    # -- events ---------------------------------------------------------------------
    def _on_startup_items(self, items: list[tuple[str, Any]]) -> None:
        for kind, payload in items:
            if kind == "digits":
                self._digits = payload
                self.digit.setMaximum(len(payload) - 1)
            else:
                key, stack = payload
                self._arch_stacks[key] = stack
                index = self.network.findData(key)
                self.network.setItemText(index, ARCHS[key].title)
                if key == self._pending_source:
                    self.network.setCurrentIndex(index)
        if self._pending_source == CUSTOM or self._source == CUSTOM:
            self._schedule_features(now=True)

    def _on_network_changed(self, index: int) -> None:
        key = str(self.network.itemData(index))
        self._pending_source = key
        if key == CUSTOM:
            self._apply_stack(self._custom, CUSTOM)
        elif key == FILE and self._file_stack is not None:
            self._apply_stack(self._file_stack, FILE)
        elif key in self._arch_stacks:
            self._apply_stack(self._arch_stacks[key], key)
        else:
            self.status.setText("loading PyTorch and the network…")

    def _on_row_selected(self, index: int) -> None:
        self._select_row(index)

    def _on_unit_hovered(self, i: int, j: int) -> None:
        if (i, j) != self._unit:
            self._unit = (i, j)
            self._update_unit()

    def _on_unit_clicked(self, i: int, j: int) -> None:
        self._unit = (i, j)
        self._update_unit()
        self._start_erf()

    def _on_editor_changed(self, k: int, s: int, p: int, d: int) -> None:
        if not self._editable():
            return
        row = self._rows[self._row]
        try:
            edited = set_layer(
                self._stack, row.name, kernel=k, stride=s, padding=p, dilation=d
            )
        except StackError as exc:
            self.show_error(str(exc))
            return
        self._apply_stack(edited, self._source, row=self._row)

    def _on_digit_changed(self, value: int) -> None:
        self._digit = value
        self._image = None
        self._image_name = ""
        self._schedule_features(now=True)

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open a layer stack or an image", "", self.open_filters
        )
        if path:
            try:
                self.open_file(Path(path))
            except ValueError as exc:
                self.show_error(str(exc))

    def open_file(self, path: Path) -> None:
        """Open a layer-stack JSON file or an input image.

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        suffix = path.suffix.lower()
        if suffix == ".json":
            stack = stack_from_json(path)
            analyze(stack)
            self._file_stack = stack
            index = self.network.findData(FILE)
            if index < 0:
                self.network.addItem("", FILE)
                index = self.network.count() - 1
            self.network.setItemText(index, f"File: {path.name}")
            self.network.setCurrentIndex(index)
            self._apply_stack(stack, FILE)
        elif suffix in IMAGE_SUFFIXES:
            from explorer.core.data import load_image_gray

            self._image = load_image_gray(path)
            self._image_name = path.name
            self._schedule_features(now=True)
        else:
            raise ValueError(
                f"{path.name}: open a layer stack (.json) or an image (.png, .jpg, …)"
            )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept dragged files."""
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Open the first dropped file."""
        urls = event.mimeData().urls()
        if not urls:
            return
        try:
            self.open_file(Path(urls[0].toLocalFile()))
        except ValueError as exc:
            self.show_error(str(exc))
        event.acceptProposedAction()

    # -- protocol -------------------------------------------------------------------
    def main_view(self) -> QWidget:
        """Return the input view with the feature map (the teaching picture)."""
        return self._main

    def state(self) -> dict[str, Any]:
        """Return the network, layer, unit, input and the custom stack."""
        return {
            "version": 1,
            "network": self._source,
            "custom": stack_to_dict(self._custom),
            "file_stack": stack_to_dict(self._file_stack) if self._file_stack else None,
            "row": self._row,
            "unit": list(self._unit),
            "digit": self._digit,
            "channel": self.channel.value(),
            "weights": str(self.weights.currentData()),
            "show_erf": self.show_erf.isChecked(),
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict produced by :meth:`state` (unknown keys are ignored)."""
        try:
            if state.get("custom"):
                self._custom = stack_from_dict(state["custom"], name=CUSTOM)
            if state.get("file_stack"):
                self._file_stack = stack_from_dict(state["file_stack"], name="file")
                if self.network.findData(FILE) < 0:
                    self.network.addItem("File: restored stack", FILE)
        except StackError as exc:
            self.show_error(f"the saved stack is invalid: {exc}")
        self.digit.setValue(int(state.get("digit", 0)))
        self.weights.setCurrentIndex(
            max(0, self.weights.findData(state.get("weights")))
        )
        self.show_erf.setChecked(bool(state.get("show_erf", True)))
        network = str(state.get("network", CUSTOM))
        index = self.network.findData(network)
        if index >= 0:
            self.network.setCurrentIndex(index)
            self._on_network_changed(index)
        row = int(state.get("row", self._row))
        if 0 <= row < len(self._rows):
            self.table.selectRow(row)
            self._select_row(row)
            unit = state.get("unit")
            if isinstance(unit, list) and len(unit) == 2:
                g = self._rows[row].geometry
                self._unit = (
                    min(int(unit[0]), g.size[0] - 1),
                    min(int(unit[1]), g.size[1] - 1),
                )
                self._update_unit()
        self.channel.setValue(int(state.get("channel", 0)))

    def snapshot_ready(self) -> bool:
        """Return True once the feature maps of the shown stack are drawn."""
        return (
            self._features is not None
            and not self._startup.is_running
            and not self._feat_runner.is_running
            and not self._feat_timer.isActive()
        )

    def shutdown(self) -> None:
        """Stop the timers and every job."""
        self._feat_timer.stop()
        self._fit_timer.stop()
        super().shutdown()
