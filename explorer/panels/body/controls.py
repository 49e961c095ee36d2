"""The body panel's controls: bone tree, joint angle sliders, shape sliders."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QGridLayout,
    QLabel,
    QSlider,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)

from explorer.core.body.names import ANGLE_RANGE

_SHAPE_STEPS = 100


class BoneTree(QTreeWidget):
    """The kinematic tree; emits ``bone_selected(index)`` when the user picks a bone."""

    bone_selected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setToolTip(
            "The skeleton: each bone's children hang below it. Click to select."
        )
        self._items: list[QTreeWidgetItem] = []
        self.currentItemChanged.connect(self._on_current_changed)

    def set_bones(self, names: Sequence[str], parents: Sequence[int]) -> None:
        """Show the bones ``names`` with parent indices ``parents`` (root: −1)."""
        self.blockSignals(True)
        self.clear()
        self._items = []
        for i, (name, parent) in enumerate(zip(names, parents, strict=True)):
            item = QTreeWidgetItem([name])
            item.setData(0, Qt.ItemDataRole.UserRole, i)
            if parent < 0:
                self.addTopLevelItem(item)
            else:
                self._items[parent].addChild(item)
            self._items.append(item)
        self.expandToDepth(5)
        self.blockSignals(False)

    def select(self, bone: int) -> None:
        """Select ``bone`` without emitting ``bone_selected``."""
        if 0 <= bone < len(self._items):
            self.blockSignals(True)
            self.setCurrentItem(self._items[bone])
            self.scrollToItem(self._items[bone])
            self.blockSignals(False)

    def _on_current_changed(self, item: QTreeWidgetItem | None, _: object) -> None:
        if item is not None:
            self.bone_selected.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))


class AngleSlider(QWidget):
    """A labelled slider with a spin box for one angle in degrees (ANGLE_RANGE)."""

    value_changed = Signal(float)

    def __init__(self, label: str, tooltip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(label)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        lo, hi = ANGLE_RANGE
        self.slider.setRange(round(lo), round(hi))
        self.spin = QDoubleSpinBox()
        self.spin.setRange(lo, hi)
        self.spin.setDecimals(1)
        self.spin.setSuffix("°")
        self.spin.setKeyboardTracking(False)
        for w in (self.label, self.slider, self.spin):
            w.setToolTip(tooltip)
        grid.addWidget(self.label, 0, 0)
        grid.addWidget(self.slider, 0, 1)
        grid.addWidget(self.spin, 0, 2)
        grid.setColumnStretch(1, 1)
        self.slider.valueChanged.connect(self._on_slider_value_changed)
        self.spin.valueChanged.connect(self._on_spin_value_changed)

    def value(self) -> float:
        """Return the angle in degrees."""
        return float(self.spin.value())

    def set_value(self, degrees: float) -> None:
        """Show ``degrees`` without emitting ``value_changed``."""
        for w in (self.slider, self.spin):
            w.blockSignals(True)
        self.slider.setValue(round(degrees))
        self.spin.setValue(degrees)
        for w in (self.slider, self.spin):
            w.blockSignals(False)

    def _on_slider_value_changed(self, value: int) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(float(value))
        self.spin.blockSignals(False)
        self.value_changed.emit(float(value))

    def _on_spin_value_changed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(value))
        self.slider.blockSignals(False)
        self.value_changed.emit(float(value))


class ShapeSliders(QWidget):
    """One slider per shape value (anny phenotype or SMPL β); emits ``changed``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._sliders: dict[str, tuple[QSlider, QLabel, float, float]] = {}

    def set_space(
        self,
        names: Sequence[str],
        ranges: Sequence[tuple[float, float]],
        values: dict[str, float],
        tips: dict[str, str],
    ) -> None:
        """Rebuild the sliders for ``names`` in ``ranges`` showing ``values``."""
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self._sliders = {}
        for row, (name, (lo, hi)) in enumerate(zip(names, ranges, strict=True)):
            label = QLabel(name)
            slider = QSlider(Qt.Orientation.Horizontal)
            slider.setRange(0, _SHAPE_STEPS)
            readout = QLabel()
            readout.setMinimumWidth(readout.fontMetrics().horizontalAdvance("-0.00 "))
            tip = tips.get(name, f"{name} in [{lo:g}, {hi:g}]")
            for w in (label, slider, readout):
                w.setToolTip(tip)
            self._grid.addWidget(label, row, 0)
            self._grid.addWidget(slider, row, 1)
            self._grid.addWidget(readout, row, 2)
            self._sliders[name] = (slider, readout, lo, hi)
            slider.valueChanged.connect(self._on_slider_value_changed)
        self._grid.setColumnStretch(1, 1)
        self.set_values(values)

    def set_values(self, values: dict[str, float]) -> None:
        """Show ``values`` without emitting ``changed``."""
        for name, (slider, readout, lo, hi) in self._sliders.items():
            v = values.get(name, lo)
            slider.blockSignals(True)
            slider.setValue(round((v - lo) / (hi - lo) * _SHAPE_STEPS))
            slider.blockSignals(False)
            readout.setText(f"{v:.2f}")

    def values(self) -> dict[str, float]:
        """Return the shape values the sliders show."""
        return {
            name: lo + (hi - lo) * slider.value() / _SHAPE_STEPS
            for name, (slider, _, lo, hi) in self._sliders.items()
        }

    def slider(self, name: str) -> QSlider:
        """Return the slider of shape value ``name`` (tests drive it)."""
        return self._sliders[name][0]

    def _on_slider_value_changed(self, _: int) -> None:
        for name, value in self.values().items():
            self._sliders[name][1].setText(f"{value:.2f}")
        self.changed.emit()
