"""The receptive-field panel: RF arithmetic, unit → input box, effective RF, live CNN.

Pick a network (or open a stack file / an image), read its layer table, click a
unit of a feature map to see the input pixels it can see (theoretical RF box) and
the ones that actually move it (effective-RF heat map, Luo et al. 2016); edit a
custom stack with sliders; train a small CNN on MNIST and watch its kernels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QSizePolicy,
    QWidget,
)
from superqt.utils import qdebounced

from explorer.core.rf import (
    ARCHS,
    LIVE_ARCH,
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
from explorer.core.rf.names import why_not_trained
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.rf.arrange import Columns, fit_cards, shown_width
from explorer.panels.rf.center import UnitViews
from explorer.panels.rf.controls import LayerEditor, LayerTable, NetworkBar
from explorer.panels.rf.erf_run import ErfRun
from explorer.panels.rf.feature_run import FeatureRun
from explorer.panels.rf.formulas import (
    RF_FORMULA,
    RF_SOURCE,
    rf_formula,
    rf_values,
)
from explorer.panels.rf.jobs import startup_job
from explorer.panels.rf.live import LiveCnnBox
from explorer.panels.rf.side import SideColumn
from explorer.panels.rf.state import CUSTOM, FILE, RfState
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.formula_card import FormulaCard

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".gif")
FIT_MS = 30  # wrapped-text layout is slow: the cards refit once per burst


class RfPanel(PanelBase):
    """Theoretical and effective receptive fields of built-in or own CNN stacks."""

    panel_id = "rf"
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
        self._image: NDArray[np.float32] | None = None  # an opened image, else a digit
        self._pending_source = LIVE_ARCH
        self._rf_formula = RF_FORMULA
        self._note = ""  # a status line to show once the feature maps are drawn
        # the row and unit a restore asked for, until its network has loaded
        self._pending_view: tuple[int, tuple[int, int]] | None = None

        self._startup = self.make_runner("loading networks")
        self.feature_run = FeatureRun(
            self.make_runner("feature maps"),
            request=self._feature_request,
            on_started=lambda: self.status.setText("computing feature maps…"),
            on_features=self._on_features,
            on_error=self.on_job_error,
            parent=self,
        )
        self._fit_soon = qdebounced(self._fit_cards, timeout=FIT_MS, parent=self)
        self._arrange_soon = qdebounced(self._arrange, timeout=FIT_MS, parent=self)

        self._build()
        self.binder = Binder(RfState, self)
        self.binder.bind("network", self.network)
        self.binder.bind("digit", self.bar.digit)
        self.binder.bind("weights", self.weights)
        self.binder.bind("channel", self.channel)
        self.binder.bind("show_erf", self.show_erf)
        self._apply_stack(self._custom, CUSTOM)
        self._startup.start(
            startup_job,
            on_progress=self._on_startup_items,
            on_error=self.on_job_error,
            batched=True,
        )

    # -- layout ---------------------------------------------------------------------
    def _build(self) -> None:
        theme = self.context.theme
        self.bar = NetworkBar()
        self.network = self.bar.network
        self.weights = self.bar.weights
        self.progress = self.bar.progress
        self.status = self.bar.status
        self.network.currentIndexChanged.connect(self._on_network_picked)
        self.bar.open_button.clicked.connect(self._on_open_clicked)
        self.bar.digit.valueChanged.connect(self._on_digit_changed)
        self.bar.erf_button.clicked.connect(self._start_erf)
        self.body.addWidget(self.bar)
        self.mark_secondary(self.progress)

        self.table = LayerTable()
        self.table.row_selected.connect(self._select_row)
        self.editor = LayerEditor()
        self.editor.changed.connect(self._on_editor_changed)
        self.rf_card = FormulaCard(
            "Output size and receptive field", RF_FORMULA, RF_SOURCE
        )
        left = ControlsColumn(theme, min_width=300)
        left.add(self.table, 3)
        left.add(self.editor)
        left.add(self.rf_card)

        self.center = UnitViews(theme, self.bar.erf_controls)
        self.input_view = self.center.input_view
        self.map_view = self.center.map_view
        self.channel = self.center.channel
        self.show_erf = self.center.show_erf
        self.map_view.unit_hovered.connect(self._on_unit_hovered)
        self.map_view.unit_clicked.connect(self._on_unit_clicked)
        self.channel.valueChanged.connect(self._show_map)
        self.mark_secondary(self.channel)

        self.live = LiveCnnBox(
            theme,
            self.make_runner("live CNN"),
            device=self.context.device,
            on_error=self.on_job_error,
        )
        self.live.weights_changed.connect(self._on_live_weights)
        self.run_bar = self.live.run_bar
        self.side = SideColumn(theme, self.live)
        self.erf_card = self.side.erf_card
        self.erf = ErfRun(
            self.make_runner("effective RF"),
            self.bar,
            self.erf_card,
            self.input_view,
            selected=self._selected_unit,
            on_error=self.on_job_error,
            parent=self,
        )
        self.erf.card_changed.connect(self._fit_soon)

        for card in (self.rf_card, self.erf_card):
            card.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.columns = Columns(
            left,
            self.center,
            self.side,
            self.side.moving(),
            plots=self.side.plots(),
        )
        self.body.addWidget(self.columns, 1)

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
        if stack is not self._stack or source != self._source:
            self.erf.clear()  # its numbers belong to the stack shown before
        fm = self.center.features
        if fm is not None and tuple(fm.image.shape) != stack.input_size:
            self.input_view.clear_input()  # the old input at the old size
        self._stack, self._rows, self._source = stack, rows, source
        reason = why_not_trained(stack.input_size)
        if self.bar.offer_trained(reason):
            self._note = f"random weights: {reason}"
            self.status.setText(self._note)
        if source == CUSTOM:
            self._custom = stack
        elif source == FILE:
            self._file_stack = stack
        self._row = min(row if row is not None else len(rows) - 1, len(rows) - 1)
        self.table.set_rows(rows, self._row)
        self._arrange_soon()  # its width decides two columns or three
        self.side.show_rows(rows)
        self._select_row(self._row, keep_unit=row is not None)
        self.feature_run.schedule(now=True)
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
        self.side.select_row(index, row)
        self._show_map()
        self._update_unit()
        self.input_view.fit()

    def _layer(self, name: str) -> Layer | None:
        return next((la for la in self._stack.layers() if la.name == name), None)

    def _show_source(self, key: str) -> None:
        """Show the stack of ``key`` (and a restored row / unit) once it is loaded."""
        stack = {CUSTOM: self._custom, FILE: self._file_stack}.get(
            key, self._arch_stacks.get(key)
        )
        if stack is None:
            if key != FILE:
                self.status.setText("loading PyTorch and the network…")
            return
        view, self._pending_view = self._pending_view, None
        if not self._apply_stack(stack, key) or view is None:
            return
        row, unit = view
        if row < len(self._rows):
            self.table.selectRow(row)
            self._select_row(row)
            g = self._rows[row].geometry
            self._unit = (min(unit[0], g.size[0] - 1), min(unit[1], g.size[1] - 1))
            self._update_unit()

    # -- unit, box, formula ---------------------------------------------------------
    def _update_unit(self) -> None:
        row = self._rows[self._row]
        box = row.geometry.box(*self._unit)
        self.input_view.set_box(box)
        self.map_view.set_marker(*self._unit)
        if self.erf.unit != (row.name, self._unit):
            self.input_view.set_erf(None)
        formula = rf_formula(row)
        if formula != self._rf_formula:  # a label's setText re-lays out the column
            self._rf_formula = formula
            self.rf_card.set_formula(formula)
        self.rf_card.set_values(rf_values(row, self._unit))
        self._fit_soon()

    # -- feature maps ---------------------------------------------------------------
    def _input_image(self) -> NDArray[np.float32] | None:
        if self._image is not None:
            return self._image
        if self._digits is None:
            return None
        digit: NDArray[np.float32] = self._digits[self.bar.digit.value()]
        return digit

    def _feature_request(self) -> dict[str, Any] | None:
        image = self._input_image()
        if image is None or (
            self.arch is not None and self.arch not in self._arch_stacks
        ):
            return None
        return {
            "stack": self._stack,
            "image": image,
            "arch": self.arch,
            "state": self.live.weights if self.arch == LIVE_ARCH else None,
            "device": self.context.device,
        }

    def _on_features(self, fm: Any) -> None:
        if any(
            r.name not in fm.means or fm.means[r.name].shape != r.geometry.size
            for r in self._rows
        ):
            return  # maps of a stack that is no longer shown
        self.center.features = fm
        self.status.setText(self._note)  # what the feature job's message covered
        self._note = ""
        self.input_view.set_input(fm.image)
        self._show_map()

    def _show_map(self) -> None:
        self.center.show_map(self._rows[self._row], self._unit)

    # -- effective RF ---------------------------------------------------------------
    def _start_erf(self) -> None:
        settings = self.binder.state()
        trained = settings.weights == "trained"
        self.erf.start(
            self._stack,
            self._rows[self._row],
            self._unit,
            settings,
            arch=self.arch,
            state=self.live.weights if (self.arch == LIVE_ARCH and trained) else None,
            device=self.context.device,
        )

    def _selected_unit(self) -> tuple[str, tuple[int, int]]:
        return self._rows[self._row].name, self._unit

    def _fit_cards(self) -> None:
        fit_cards(self.rf_card, self.erf_card)

    def _arrange(self) -> None:
        self.columns.arrange(shown_width(self))

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the columns and the formula cards to the new width."""
        super().resizeEvent(event)
        self._arrange_soon()
        self._fit_soon()

    def apply_theme(self) -> None:
        """Refit the table columns, the columns and the cards to the new font size."""
        self.table.fit_width()
        self._arrange_soon()
        self._fit_soon()

    # -- live CNN -------------------------------------------------------------------
    def start_pause(self) -> None:
        """Start training the live CNN, or pause / resume it."""
        self.live.start_pause()

    def step(self) -> None:
        """Train the live CNN for one more report (starts it paused if needed)."""
        self.live.step()

    def reset(self) -> None:
        """Stop the live CNN and forget its weights, curves and the drawn ERF."""
        self.live.reset()
        self.erf.clear()

    def _on_live_weights(self) -> None:
        if self.arch == LIVE_ARCH:
            self.feature_run.schedule(now=self.live.weights is None)

    # -- events ---------------------------------------------------------------------
    def _on_startup_items(self, items: list[tuple[str, Any]]) -> None:
        for kind, payload in items:
            if kind == "digits":
                self._digits = payload
                self.bar.digit.setMaximum(len(payload) - 1)
            else:
                key, stack = payload
                self._arch_stacks[key] = stack
                index = self.network.findData(key)
                self.network.setItemText(index, ARCHS[key].title)
                if key == self._pending_source:
                    if self.network.currentIndex() == index:
                        self._show_source(key)
                    else:
                        self.network.setCurrentIndex(index)
        if self._pending_source == CUSTOM or self._source == CUSTOM:
            self.feature_run.schedule(now=True)

    def _on_network_picked(self, index: int) -> None:
        self._pending_view = None  # the user's choice wins over a restored view
        self._on_network_changed(index)

    def _on_network_changed(self, index: int) -> None:
        key = str(self.network.itemData(index))
        self._pending_source = key
        self._show_source(key)

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

    def _on_digit_changed(self, _value: int) -> None:
        self._image = None
        self.feature_run.schedule(now=True)

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
            self.network.setCurrentIndex(self.bar.set_file_item(f"File: {path.name}"))
            self._apply_stack(stack, FILE)
        elif suffix in IMAGE_SUFFIXES:
            from explorer.core.data import load_image_gray

            self._image = load_image_gray(path)
            self.feature_run.schedule(now=True)
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
        return self.center

    def state(self) -> dict[str, Any]:
        """Return the network, layer, unit, input, ERF options and the stacks."""
        row, unit = self._pending_view or (self._row, self._unit)
        self.binder.set_extra(
            row=row,
            unit=unit,
            custom=stack_to_dict(self._custom),
            file_stack=stack_to_dict(self._file_stack) if self._file_stack else None,
            seed=self.live.seed,
        )
        return self.binder.state().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply a dict produced by :meth:`state`.

        Raises
        ------
        ValueError
            For an unknown version or a bad field (the message names it); the
            panel then keeps what it shows.
        """
        s = RfState.from_dict(state)
        if s.custom is not None:
            self._custom = stack_from_dict(s.custom, name=CUSTOM)
        if s.file_stack is not None:
            self._file_stack = stack_from_dict(s.file_stack, name=FILE)
            if self.network.findData(FILE) < 0:
                self.bar.set_file_item("File: restored stack")
        self.binder.show(s)
        self.live.seed = s.seed
        self.input_view.set_erf_visible(s.show_erf)
        self._image = None
        self._pending_view = (s.row, s.unit)
        self._on_network_changed(self.network.currentIndex())
        self.channel.setValue(s.channel)
        self.feature_run.schedule(now=True)

    def snapshot_ready(self) -> bool:
        """Return True once the feature maps of the shown stack are drawn."""
        return (
            self.center.features is not None
            and not self._startup.is_running
            and not self.feature_run.runner.is_running
            and not self.feature_run.pending
        )

    def shutdown(self) -> None:
        """Stop the pending redraws and every job."""
        self.feature_run.cancel()
        self._fit_soon.cancel()
        self._arrange_soon.cancel()
        super().shutdown()
