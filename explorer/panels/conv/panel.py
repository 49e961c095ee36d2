"""The convolution & upsampling panel: what one layer computes, forwards and back.

Pick an input (an MNIST digit, a test pattern or your image) and a kernel
(presets or typed cell by cell), switch correlation / convolution, move
stride, padding and dilation; hover an output cell for its window and sum.
The other pages show the same layer as a band matrix, its backward pass three
ways, max-pooling and four upsamplers, and the U-Net: its sizes and an FCN vs
U-Net segmentation trained live.  The layer's maths is cheap (a few ms for a
64 × 64 input, ``benchmarks/bench_conv.py``) and runs on the GUI thread; the
training runs in a worker (the context's training backend).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QWidget,
)

from explorer.core.conv import (
    LayerConfig,
    SegmentConfig,
    SegmentProgress,
    digit,
    image_file,
    kernel_preset,
    pattern,
    train,
    unet_sizes,
)
from explorer.core.conv.analysis import Analysis, analyse
from explorer.core.conv.names import PATTERN_NAMES, PATTERN_TITLES
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.conv.formulas import FORMULA, SOURCE, values
from explorer.panels.conv.pages import (
    BackwardPage,
    KernelBox,
    LayerPage,
    MatrixPage,
    UpsamplePage,
)
from explorer.panels.conv.state import MATRIX_2D_MAX, TAB_TITLES, TABS, ConvState
from explorer.panels.conv.unet_page import SegmentPage, UnetPage
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.run_bar import RunBar

SIZED = ("box", "gaussian", "identity")  # presets that take the size k


def _spin(lo: int, hi: int, tip: str, prefix: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setToolTip(tip)
    if prefix:
        box.setPrefix(prefix)
    return box


def _resized(kernel: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Return ``kernel`` cropped or zero-padded about its centre to k × k."""
    out = np.zeros((k, k))
    kh, kw = kernel.shape
    for r in range(k):
        for c in range(k):
            rr, cc = r - (k - kh) // 2, c - (k - kw) // 2
            if 0 <= rr < kh and 0 <= cc < kw:
                out[r, c] = kernel[rr, cc]
    return out


class _Page(Protocol):
    def draw(self, a: Analysis) -> None: ...

    def clear(self, message: str) -> None: ...


class ConvPanel(PanelBase):
    """Correlation vs convolution, the band matrix, backward pass, upsampling, U-Net."""

    panel_id = "conv"
    runnable = True
    open_filters = "Images (*.png *.jpg *.jpeg *.bmp *.pgm *.tif *.tiff *.gif)"

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self.layer = LayerPage(theme)
        self.matrix = MatrixPage(theme)
        self.backward = BackwardPage(theme)
        self.upsample = UpsamplePage(theme)
        self.unet = UnetPage()
        self.segment = SegmentPage(theme)
        self.kernel_box = KernelBox()
        self.tabs = QTabWidget()
        # the pages drawn from the layer's analysis (the U-Net page is not)
        self.pages: tuple[_Page, ...] = (
            self.layer,
            self.matrix,
            self.backward,
            self.upsample,
        )
        for key, page in zip(TABS, (*self.pages, self.unet, self.segment), strict=True):
            self.tabs.addTab(page, TAB_TITLES[key])
        self.run_bar = RunBar(
            "train the FCN and the U-Net",
            speeds=(10, 20, 50),
            speed_unit="steps",
            step_tip="Train 10 steps (the speed's count), then pause (S)",
        )
        self.source = QComboBox()
        for key, text in (
            ("digit", "MNIST digit"),
            ("pattern", "test pattern"),
            ("image", "your image"),
        ):
            self.source.addItem(text, key)
        self.source.setToolTip(
            "The input: a digit, a pattern, or an image (File ▸ Open…)"
        )
        self.digit = _spin(0, 4999, "Which of the 5,000 bundled MNIST digits", "# ")
        self.pattern = QComboBox()
        for name in PATTERN_NAMES:
            self.pattern.addItem(PATTERN_TITLES[name], name)
        self.pattern.setToolTip("Built-in 28 × 28 test patterns")
        self.open_button = QPushButton("Open image…")
        self.open_button.setToolTip("Your image, in grey, down-sampled to ≤ 64 × 64")
        self.stride = _spin(1, 8, "Stride s: the window moves s pixels", "s = ")
        self.padding = _spin(0, 8, "Zero padding p on every side", "p = ")
        self.dilation = _spin(1, 4, "Dilation d: kernel taps d pixels apart", "d = ")
        self.filters = _spin(
            1, 6, "Output channels: your kernel, then presets", "filters "
        )
        self.seg_steps = _spin(10, 3000, "Training steps of each network", "steps ")
        self.seed = _spin(0, 1_000_000, "Seed of the networks and the noise", "seed ")
        self.card = FormulaCard("One convolution layer", FORMULA, SOURCE)
        self.column = ControlsColumn(theme, min_width=220)
        self.column.add(self.run_bar)
        g = self.column.add_group("Input")
        g.addWidget(self.source)
        row = QHBoxLayout()
        row.addWidget(self.digit)
        row.addWidget(self.pattern)
        g.addLayout(row)
        g.addWidget(self.open_button)
        g = self.column.add_group("Layer")
        row = QHBoxLayout()
        for w in (self.stride, self.padding, self.dilation):
            row.addWidget(w)
        g.addLayout(row)
        g.addWidget(self.filters)
        kernel_group = self.column.add_group("Kernel")
        kernel_group.addWidget(self.kernel_box)
        self.column.add(self.card)
        g = self.column.add_group("Segmentation")
        row = QHBoxLayout()
        row.addWidget(self.seg_steps)
        row.addWidget(self.seed)
        g.addLayout(row)
        self.mark_secondary(self.filters, self.seed, self.open_button)
        self.column.add_stretch()
        body = QHBoxLayout()
        body.addWidget(self.tabs, 1)
        body.addWidget(self.column)
        self.body.addLayout(body)

        self.binder = Binder(ConvState, self)
        for name, widget in (
            ("source", self.source),
            ("digit", self.digit),
            ("pattern", self.pattern),
            ("preset", self.kernel_box.preset),
            ("kernel_size", self.kernel_box.side),
            ("mode", self.kernel_box.mode),
            ("stride", self.stride),
            ("padding", self.padding),
            ("dilation", self.dilation),
            ("filters", self.filters),
            ("matrix_1d", self.matrix.dim),
            ("matrix_size", self.matrix.side),
            ("up_kernel", self.upsample.kernel),
            ("up_stride", self.upsample.stride),
            ("unet_input", self.unet.side),
            ("unet_depth", self.unet.levels),
            ("unet_padding", self.unet.padding),
            ("seg_steps", self.seg_steps),
            ("seed", self.seed),
        ):
            self.binder.bind(name, widget)
        self.draws = DrawScheduler(30, self)
        self.runner = self.make_runner("FCN vs U-Net", training=True)
        self._user_image: NDArray[np.float64] | None = None
        self._analysis: Analysis | None = None
        self._image: NDArray[np.float64] = digit(0)
        self.history: list[SegmentProgress] = []
        self.binder.changed.connect(self._on_setting_changed)
        self.kernel_box.editor.edited.connect(self._on_kernel_edited)
        self.kernel_box.editor.refused.connect(self.show_error)
        self.layer.output_view.cell_hovered.connect(self._on_cell_picked)
        self.layer.output_view.cell_clicked.connect(self._on_cell_picked)
        self.layer.slider.valueChanged.connect(self._on_slider_moved)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self.runner.set_speed)
        for signal in (
            self.runner.paused_changed,
            self.runner.started,
            self.runner.finished,
            self.runner.errored,  # a failed run leaves the bar idle too
        ):
            signal.connect(self._show_run_state)
        self._apply(ConvState())
        self.reset()

    # -- settings -------------------------------------------------------------------
    def settings(self) -> ConvState:
        """Return the settings the controls show."""
        return self.binder.state()

    def _apply(self, state: ConvState) -> None:
        """Show ``state`` in every control and redraw everything from it."""
        self._limit_matrix_size(state.matrix_1d)
        self.binder.show(state)
        self.binder.set_extra(kernel=state.kernel, cell=state.cell, tab=state.tab)
        self.tabs.blockSignals(True)
        self.tabs.setCurrentIndex(TABS.index(state.tab))
        self.tabs.blockSignals(False)
        self.kernel_box.editor.show_kernel(np.array(state.kernel, dtype=np.float64))
        self._load_input()
        self._recompute()
        self._walk()

    def _on_setting_changed(self, name: str) -> None:
        state = self.settings()
        if name == "preset" or (name == "kernel_size" and state.preset in SIZED):
            if state.preset != "custom":
                self._set_kernel(kernel_preset(state.preset, state.kernel_size))
        elif name == "kernel_size":
            self._set_kernel(_resized(np.array(state.kernel), state.kernel_size))
        if name in ("source", "digit", "pattern"):
            self._load_input()
        if name == "matrix_1d":
            self._limit_matrix_size(state.matrix_1d)
        if name.startswith("unet"):
            self._walk()
        elif not name.startswith("seg") and name != "seed":
            self._recompute()

    def _limit_matrix_size(self, one_d: bool) -> None:
        """Offer up to 16 values in 1-D, up to 6 × 6 in 2-D (a legible matrix)."""
        box = self.matrix.side
        box.blockSignals(True)
        box.setMaximum(16 if one_d else MATRIX_2D_MAX)
        box.blockSignals(False)

    def _set_kernel(self, kernel: NDArray[np.float64]) -> None:
        self.binder.set_extra(kernel=tuple(tuple(float(v) for v in r) for r in kernel))
        self.kernel_box.editor.show_kernel(kernel)
        if (
            kernel.shape[0] == kernel.shape[1]
            and kernel.shape[0] != self.kernel_box.side.value()
        ):
            self.kernel_box.side.blockSignals(True)
            self.kernel_box.side.setValue(kernel.shape[0])
            self.kernel_box.side.blockSignals(False)

    def _on_kernel_edited(self, _r: int, _c: int, _v: float) -> None:
        kernel = self.kernel_box.editor.values()
        self.binder.set_extra(kernel=tuple(tuple(float(v) for v in r) for r in kernel))
        self.kernel_box.preset.blockSignals(True)
        self.kernel_box.preset.setCurrentIndex(
            self.kernel_box.preset.findData("custom")
        )
        self.kernel_box.preset.blockSignals(False)
        self._recompute()

    def _load_input(self) -> None:
        state = self.settings()
        if state.source == "image" and self._user_image is None:
            self.show_error("no image opened yet: use File ▸ Open… or 'Open image…'")
            self.binder.show(state.replace(source="digit"))
            state = self.settings()
        if state.source == "digit":
            self._image = digit(state.digit)
        elif state.source == "pattern":
            self._image = pattern(state.pattern, 28)
        elif self._user_image is not None:
            self._image = self._user_image
        self.digit.setVisible(state.source == "digit")
        self.pattern.setVisible(state.source == "pattern")

    # -- the layer ------------------------------------------------------------------
    def _layer_config(self, state: ConvState) -> LayerConfig:
        return LayerConfig(
            mode=state.mode,
            stride=state.stride,
            padding=state.padding,
            dilation=state.dilation,
        )

    def _recompute(self) -> None:
        """Analyse the layer again and redraw its pages (the visible one first)."""
        state = self.settings()
        kernel = np.array(state.kernel, dtype=np.float64)
        size = (
            state.matrix_size
            if state.matrix_1d
            else min(state.matrix_size, MATRIX_2D_MAX)
        )
        try:
            self._analysis = analyse(
                self._image,
                kernel,
                self._layer_config(state),
                cell=state.cell,
                filters=state.filters,
                matrix_size=size,
                matrix_1d=state.matrix_1d,
                up_kernel=state.up_kernel,
                up_stride=state.up_stride,
            )
        except ValueError as exc:
            self._analysis = None
            self.show_error(str(exc))
            self.draws.cancel(lambda key: key != "run")
            for page in self.pages:
                page.clear(f"no output: {exc}")
            self.card.set_values({"output": "none (see the message above)"})
            self.kernel_box.show_symmetry(None)
            self.layer.input_view.set_data(self._image, "Input I", levels=(0.0, 1.0))
            return
        self.error_banner.clear()
        a = self._analysis
        self.binder.set_extra(cell=a.cell)
        self.card.set_values(values(a))
        self.kernel_box.show_symmetry(a)
        current = self.tabs.currentIndex()
        order = [current] + [i for i in range(4) if i != current]
        for i in order:
            if i < 4:
                self.draws.request(TABS[i], self._drawer(i))
        if current < 4:  # the page in view now, the others one per tick
            self.draws.cancel(TABS[current])
            self._drawer(current)()

    def _drawer(self, index: int) -> Any:
        page = self.pages[index]

        def draw() -> None:
            if self._analysis is not None:
                page.draw(self._analysis)

        return draw

    def _on_cell_picked(self, r: int, c: int) -> None:
        a = self._analysis
        if a is None or (r, c) == a.cell:
            return
        self._analysis = a.with_cell((r, c))
        self.binder.set_extra(cell=(r, c))
        self.layer.draw(self._analysis)
        self.card.set_values(values(self._analysis))

    def _on_slider_moved(self, value: int) -> None:
        a = self._analysis
        if a is not None:
            self._on_cell_picked(*divmod(value, a.output.shape[1]))

    def _on_tab_changed(self, index: int) -> None:
        self.binder.set_extra(tab=TABS[index])
        if index < 4 and self.draws.pending(TABS[index]):
            self.draws.cancel(TABS[index])
            self._drawer(index)()

    def _walk(self) -> None:
        state = self.settings()
        try:
            stages = unet_sizes(state.unet_input, state.unet_depth, state.unet_padding)
        except ValueError as exc:
            self.unet.clear_walk(str(exc))
            return
        self.unet.show_walk(stages)

    # -- the segmentation run -------------------------------------------------------
    def _start(self, *, paused: bool) -> None:
        state = self.settings()
        self.history = []
        self.segment.clear_run()
        cfg = SegmentConfig(steps=state.seg_steps)
        threads = 1 if self.context.training_backend == "process" else None
        self.runner.set_speed(self.run_bar.speed_value)
        self.runner.start(
            train,
            cfg,
            seed=state.seed,
            device=self.context.device,
            threads=threads,
            on_progress=self._on_run_progressed,
            on_error=self.on_job_error,
            batched=True,
            paused=paused,
            controlled=True,
        )
        self.tabs.setCurrentIndex(TABS.index("segment"))

    def start_pause(self) -> None:
        """Start the FCN-vs-U-Net training, or pause / resume it."""
        if self.runner.is_running:
            self.runner.toggle_pause()
        else:
            self._start(paused=False)

    def step(self) -> None:
        """Train ten more steps (one report), then hold."""
        if not self.runner.is_running:
            self._start(paused=True)
        else:
            self.runner.step()

    def reset(self) -> None:
        """Stop the training and forget its curves and masks."""
        self.runner.abort()
        self.draws.cancel("run")
        self.history = []
        self.segment.clear_run()
        self.run_bar.set_status("idle")
        self._show_run_state()

    def _show_run_state(self, *_: object) -> None:
        self.run_bar.set_state(
            running=self.runner.is_running, paused=self.runner.is_paused
        )

    def _on_run_progressed(self, items: list[SegmentProgress]) -> None:
        self.history.extend(items)
        self.run_bar.set_status(items[-1].message)
        self.draws.request("run", self._draw_run)

    def _draw_run(self) -> None:
        if self.history:
            self.segment.show_run(self.history)

    # -- files, sessions ------------------------------------------------------------
    def _on_open_clicked(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(
            self, "Open an image", "", self.open_filters
        )
        if path:
            try:
                self.open_file(Path(path))
            except ValueError as exc:
                self.show_error(str(exc))

    def open_file(self, path: Path) -> None:
        """Use the image ``path`` (grey, down-sampled to ≤ 64 × 64) as the input."""
        self._user_image = image_file(path)
        self.binder.show(self.settings().replace(source="image"))
        self._load_input()
        self._recompute()

    def main_view(self) -> QWidget:
        """Return the page area (the tabs)."""
        return self.tabs

    def state(self) -> dict[str, Any]:
        """Return the settings (and an opened image's pixels)."""
        out: dict[str, Any] = self.settings().to_dict()
        if self._user_image is not None:
            out["image"] = self._user_image.copy()
        return out

    def restore(self, state: dict[str, Any]) -> None:
        """Apply settings saved by :meth:`state`."""
        restored = ConvState.from_dict(state)
        image = state.get("image")
        if image is not None:
            arr = np.asarray(image, dtype=np.float64)
            if arr.ndim != 2 or not 1 <= min(arr.shape) <= max(arr.shape) <= 64:
                raise ValueError("image: expected a 2-D array of at most 64 × 64")
            if not np.all(np.isfinite(arr)):
                raise ValueError("image: holds NaN or infinite values")
            self._user_image = arr
        elif restored.source == "image":
            restored = restored.replace(source="digit")
        self.reset()
        self._apply(restored)

    def shutdown(self) -> None:
        """Stop the training job."""
        self.draws.clear()
        super().shutdown()
