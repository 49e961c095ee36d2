"""Controls of the receptive-field panel: the network bar, layer table and editor."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.core.rf import ARCH_SPECS, Layer, Pair, Row
from explorer.core.rf.names import EDIT_RANGES, HELD_OUT_DIGITS
from explorer.panels.rf.state import CUSTOM, FILE

COLUMNS = (
    ("layer", "Layer name (the torch.nn module path)"),
    ("type", "conv, pool, or the merge of a multi-path block (concat / add)"),
    ("k", "kernel size k (for a block: its whole field, as one equivalent layer)"),
    ("s", "stride s"),
    ("p", "zero padding p on each side"),
    ("d", "dilation d: the kernel spans d(k − 1) + 1 pixels"),
    ("out", "output size n_out = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 (⌈·⌉: ceil_mode)"),
    ("r", "receptive field r: input pixels one unit sees (the card's r_l)"),
    ("j", "jump j: input pixels between neighbouring units (effective stride)"),
    ("P", "effective padding P: unit 0 sees input pixels −P … r − P − 1"),
)
TABLE_ROWS_SHOWN = 8  # rows the layer table shows at least (it scrolls for more)
WEIGHTS_TIP = (
    "Effective RF with a fresh random initialisation (noise inputs), or with "
    "weights trained on MNIST (the live CNN's, or a short training run)"
)


def fmt_pair(pair: Pair) -> str:
    """Return ``"3"`` for a square pair and ``"3×5"`` otherwise."""
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def common_prefix(names: Sequence[str]) -> str:
    """Return the dotted module prefix all ``names`` share (``"features."``), or ""."""
    if len(names) < 2:
        return ""
    parts = [n.split(".") for n in names]
    shared: list[str] = []
    for pieces in zip(*[p[:-1] for p in parts], strict=False):
        if len(set(pieces)) != 1:
            break
        shared.append(pieces[0])
    return "".join(f"{p}." for p in shared)


def short_name(rows: Sequence[Row], index: int, prefix: str = "") -> str:
    """Return row ``index``'s name as the table shows it (the tooltip has it all).

    A row inside a block drops the block's name ("layer4.0.downsample.0" under
    the merge row "layer4.0" is "downsample.0"); the others drop ``prefix``.
    """
    row = rows[index]
    if row.depth > 0:
        block = next((b for b in rows[index + 1 :] if b.depth < row.depth), None)
        if block is not None and row.name.startswith(block.name + "."):
            return row.name[len(block.name) + 1 :]
    return row.name[len(prefix) :] if row.name.startswith(prefix) else row.name


class LayerTable(QTableWidget):
    """One row per layer or merge: k, s, p, d, output size, RF, jump, eff. padding."""

    row_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([c for c, _ in COLUMNS])
        for col, (_, tip) in enumerate(COLUMNS):
            item = self.horizontalHeaderItem(col)
            if item is not None:
                item.setToolTip(tip)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        # every column as wide as its widest cell; the table is as wide as they are
        # (a stretched name column cut "conv1" to "co…" and scrolled sideways)
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(1)  # one-letter columns ("k") as narrow as "k"
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setToolTip("Click a layer to see its feature maps and its units' fields")
        self.itemSelectionChanged.connect(self._on_selection_changed)
        self._updating = False

    def set_rows(self, rows: Sequence[Row], select: int) -> None:
        """Fill the table with ``rows`` and select row ``select`` (no signal)."""
        self._updating = True
        try:
            if self.rowCount() != len(rows):
                self.setRowCount(len(rows))
            prefix = common_prefix([row.name for row in rows])
            for r, row in enumerate(rows):
                g = row.geometry
                cells = (
                    "  " * row.depth + short_name(rows, r, prefix),
                    row.kind + (" ⌈⌉" if row.rounds_up else ""),
                    fmt_pair(row.kernel),
                    fmt_pair(row.stride),
                    fmt_pair(row.padding),
                    fmt_pair(row.dilation),
                    fmt_pair(g.size),
                    fmt_pair(g.r),
                    fmt_pair(g.j),
                    fmt_pair(g.p),
                )
                for c, text in enumerate(cells):
                    item = self.item(r, c)
                    if item is None:
                        item = QTableWidgetItem()
                        self.setItem(r, c, item)
                    item.setText(text)
                    if c > 1:
                        item.setTextAlignment(
                            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                        )
                tip = row.name
                if row.rounds_up:
                    tip += ": ceil_mode, the output size rounds up (⌈·⌉)"
                mis = max(g.misalignment)
                if row.kind in ("concat", "add") and mis > 0:
                    tip += (
                        f": the paths' field centres differ by {mis:g} px (misaligned)"
                    )
                name_item = self.item(r, 0)
                if name_item is not None:
                    name_item.setToolTip(tip)
            self.selectRow(select)
        finally:
            self._updating = False
        self.fit_width()

    def fit_width(self) -> None:
        """Ask for the width every column needs (after new rows or a new font)."""
        self.resizeColumnsToContents()
        self.resizeRowsToContents()
        header = self.horizontalHeader()
        need = sum(
            max(self.sizeHintForColumn(c), header.sectionSizeHint(c))
            for c in range(self.columnCount())
        )
        bar = self.verticalScrollBar().sizeHint().width()
        self.setMinimumWidth(need + bar + 2 * self.frameWidth() + 4)
        # as tall as its rows (no empty grey below five rows), at least 8 rows
        rows = [self.rowHeight(r) for r in range(self.rowCount())]
        chrome = header.sizeHint().height() + 2 * self.frameWidth() + 2
        self.setMaximumHeight(chrome + sum(rows))
        self.setMinimumHeight(chrome + sum(rows[:TABLE_ROWS_SHOWN]))

    def changeEvent(self, event: QEvent) -> None:
        """Re-measure the columns when the font changes (presentation mode)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.fit_width()

    def selected_row(self) -> int:
        """Return the selected row index (0 when none)."""
        rows = self.selectionModel().selectedRows()
        return rows[0].row() if rows else 0

    def _on_selection_changed(self) -> None:
        if not self._updating:
            self.row_selected.emit(self.selected_row())


class _Slider(QWidget):
    """A labelled integer slider."""

    def __init__(
        self, lo: int, hi: int, tip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(lo, hi)
        self.slider.setPageStep(1)
        self.slider.setToolTip(tip)
        self.label = QLabel(str(lo))
        self.label.setMinimumWidth(28)
        self.slider.valueChanged.connect(lambda v: self.label.setText(str(v)))
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.label)
        self._hi = hi

    def show_value(self, value: int) -> None:
        """Show ``value``, widening the range for it (a slider would clamp it)."""
        self.slider.setMaximum(max(self._hi, value))
        self.slider.setValue(value)


class LayerEditor(QGroupBox):
    """Sliders for kernel, stride, dilation and padding of the selected custom layer.

    ``changed`` carries the new values; "same padding" keeps ``p = d(k − 1)/2``.
    """

    changed = Signal(int, int, int, int)  # kernel, stride, padding, dilation

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Edit the selected layer (custom stacks)", parent)
        form = QFormLayout(self)
        r = EDIT_RANGES
        self.kernel = _Slider(*r["kernel"], "kernel size k")
        self.stride = _Slider(
            *r["stride"], "stride s: how far the kernel moves per unit"
        )
        self.dilation = _Slider(*r["dilation"], "dilation d: gaps between kernel taps")
        self.padding = _Slider(*r["padding"], "zero padding p on each side")
        self.same = QCheckBox("same padding, p = d(k − 1)/2")
        self.same.setToolTip("keep the map size (for odd kernels) while editing")
        self.same.setChecked(True)
        form.addRow("kernel k", self.kernel)
        form.addRow("stride s", self.stride)
        form.addRow("dilation d", self.dilation)
        form.addRow("padding p", self.padding)
        form.addRow("", self.same)
        self._loading = False
        for s in (self.kernel, self.stride, self.dilation, self.padding):
            s.slider.valueChanged.connect(self._on_value_changed)
        self.same.toggled.connect(self._on_value_changed)

    def load(self, layer: Layer | None) -> None:
        """Show ``layer``'s values (height axis); disable the editor for ``None``."""
        self.setEnabled(layer is not None)
        if layer is None:
            return
        self._loading = True
        try:
            self.kernel.show_value(layer.kernel[0])
            self.stride.show_value(layer.stride[0])
            self.dilation.show_value(layer.dilation[0])
            self.padding.show_value(layer.padding[0])
            same_p = layer.dilation[0] * (layer.kernel[0] - 1) // 2
            if layer.padding[0] != same_p:
                # the user's choice stays unless the layer contradicts it
                self.same.setChecked(False)
            self.padding.setEnabled(not self.same.isChecked())
        finally:
            self._loading = False

    def values(self) -> tuple[int, int, int, int]:
        """Return (kernel, stride, padding, dilation) as the sliders show them."""
        k = self.kernel.slider.value()
        d = self.dilation.slider.value()
        p = d * (k - 1) // 2 if self.same.isChecked() else self.padding.slider.value()
        return k, self.stride.slider.value(), p, d

    def _on_value_changed(self) -> None:
        self.padding.setEnabled(not self.same.isChecked())
        if self._loading:
            return
        k, s, p, d = self.values()
        if self.same.isChecked() and self.padding.slider.value() != p:
            self._loading = True
            self.padding.show_value(p)
            self._loading = False
        self.changed.emit(k, s, p, d)


class NetworkBar(QWidget):
    """The row above the views: network, open, input digit, ERF weights and status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        self.network = QComboBox()
        self.network.setToolTip("The network whose receptive fields are shown")
        self.network.addItem("Custom stack (editable)", CUSTOM)
        for spec in ARCH_SPECS:
            self.network.addItem(spec.title + " — loading…", spec.key)
        self.network.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.network.setMinimumContentsLength(16)
        self.open_button = QPushButton("Open stack / image…")
        self.open_button.setToolTip(
            "Open a layer-stack JSON file or an input image "
            "(you can also drop files on the panel)"
        )
        self.digit = QSpinBox()
        self.digit.setRange(0, HELD_OUT_DIGITS - 1)
        self.digit.setPrefix("digit #")
        self.digit.setToolTip("Which held-out MNIST digit is the input")
        self.weights = QComboBox()
        self.weights.addItem("random weights", "random")
        self.weights.addItem("trained on MNIST", "trained")
        self.weights.setToolTip(WEIGHTS_TIP)
        self.erf_button = QPushButton("Effective RF")
        self.erf_button.setToolTip(
            "Average |∂unit/∂input| over inputs for the selected "
            "unit (clicking a unit does this too)"
        )
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setMaximumWidth(220)
        # on its own line above the input view: long messages wrap there instead
        # of widening the window (presentation mode doubles fonts)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setSizePolicy(
            QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        )
        bar.addWidget(QLabel("Network:"))
        bar.addWidget(self.network, 2)
        bar.addWidget(self.open_button)
        bar.addWidget(self.digit)
        bar.addWidget(self.progress)
        # the ERF's weights, its button and the status sit above the input view
        self.erf_controls = QWidget()
        column = QVBoxLayout(self.erf_controls)
        column.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.weights)
        row.addWidget(self.erf_button)
        row.addStretch(1)
        column.addLayout(row)
        column.addWidget(self.status)

    def set_file_item(self, text: str) -> int:
        """Show ``text`` as the opened stack file's item; return the item's index."""
        index = self.network.findData(FILE)
        if index < 0:
            self.network.addItem("", FILE)
            index = self.network.count() - 1
        self.network.setItemText(index, text)
        return index

    def offer_trained(self, reason: str | None) -> bool:
        """Offer "trained on MNIST" only when it works (``reason``: why it does not).

        Return True when the choice had to fall back to random weights.
        """
        index = self.weights.findData("trained")
        model = self.weights.model()
        item = model.item(index) if isinstance(model, QStandardItemModel) else None
        if item is not None:
            item.setEnabled(reason is None)
            item.setToolTip(reason or "train the network briefly on MNIST first")
        self.weights.setToolTip(
            WEIGHTS_TIP if reason is None else f"{WEIGHTS_TIP}. Not here: {reason}"
        )
        if reason is not None and self.weights.currentIndex() == index:
            self.weights.setCurrentIndex(self.weights.findData("random"))
            return True
        return False
