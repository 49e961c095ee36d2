"""Widgets bound to a panel's state dataclass, in one place.

A panel lists once which widget shows which field of its state::

    self.binder = Binder(GanState)
    self.binder.bind("data", self.setup.data)        # QComboBox: itemData
    self.binder.bind("lr", self.hyper.lr)            # QDoubleSpinBox
    self.binder.bind("seed", self.setup.seed)        # QSpinBox
    self.binder.changed.connect(self._on_settings_changed)

``binder.state()`` reads the widgets into a new (validated) state, and
``binder.show(state)`` puts a state into the widgets without emitting their
signals — so ``restore()`` is ``binder.show(GanState.from_dict(d))`` and no
panel hand-writes ``blockSignals`` pairs.  Fields that no widget shows (a
drawn point set, a selected joint) keep the value the panel gives them with
:meth:`Binder.set_extra`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from explorer.core.state import StateBase

S = TypeVar("S", bound=StateBase)


@dataclasses.dataclass
class _Binding:
    widget: QWidget
    get: Callable[[], Any]
    put: Callable[[Any], None]
    signal: Any


def _combo_binding(box: QComboBox) -> _Binding:
    def get() -> Any:
        data = box.currentData()
        return box.currentText() if data is None else data

    def put(value: Any) -> None:
        index = box.findData(value)
        if index < 0:
            index = box.findText(str(value))
        if index < 0:
            raise ValueError(f"{value!r} is not offered")
        box.setCurrentIndex(index)

    return _Binding(box, get, put, box.currentIndexChanged)


def _binding_for(widget: QWidget, scale: float) -> _Binding:
    """Return how to read, write and watch ``widget``'s value."""
    if isinstance(widget, QComboBox):
        return _combo_binding(widget)
    if isinstance(widget, QDoubleSpinBox):
        return _Binding(widget, widget.value, widget.setValue, widget.valueChanged)
    if isinstance(widget, QSpinBox):
        return _Binding(
            widget, widget.value, lambda v: widget.setValue(int(v)), widget.valueChanged
        )
    if isinstance(widget, QAbstractButton) and widget.isCheckable():
        return _Binding(
            widget,
            widget.isChecked,
            lambda v: widget.setChecked(bool(v)),
            widget.toggled,
        )
    if isinstance(widget, QAbstractSlider) and not type(widget).__module__.startswith(
        "superqt"
    ):
        return _Binding(
            widget,
            lambda: widget.value() / scale,
            lambda v: widget.setValue(round(float(v) * scale)),
            widget.valueChanged,
        )
    if isinstance(widget, QLineEdit):
        return _Binding(widget, widget.text, widget.setText, widget.editingFinished)
    # superqt's labelled / float sliders are QWidgets with value() / setValue().
    value = getattr(widget, "value", None)
    set_value = getattr(widget, "setValue", None)
    signal = getattr(widget, "valueChanged", None)
    if callable(value) and callable(set_value) and signal is not None:

        def put(v: Any) -> None:
            try:
                set_value(float(v) * scale)
            except TypeError:  # an integer slider
                set_value(round(float(v) * scale))

        return _Binding(widget, lambda: value() / scale, put, signal)
    raise TypeError(f"cannot bind a {type(widget).__name__}")


class Binder(QObject, Generic[S]):
    """Binds the fields of a state dataclass ``S`` to widgets (see module docs).

    ``changed(name)`` is emitted when the user edits a bound widget.
    """

    changed = Signal(str)

    def __init__(self, state_type: type[S], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state_type = state_type
        self._bindings: dict[str, _Binding] = {}
        self._extra: dict[str, Any] = {}
        self._showing = False
        self._names = {f.name for f in dataclasses.fields(state_type)}

    @property
    def bound(self) -> dict[str, QWidget]:
        """Return the bound widgets by field name."""
        return {name: b.widget for name, b in self._bindings.items()}

    def bind(self, name: str, widget: QWidget, *, scale: float = 1.0) -> None:
        """Show field ``name`` in ``widget`` (a slider's value is field × ``scale``)."""
        if name not in self._names:
            raise KeyError(f"{self.state_type.__name__} has no field {name!r}")
        binding = _binding_for(widget, scale)
        self._bindings[name] = binding
        binding.signal.connect(lambda *_: self._on_widget_edited(name))

    def set_extra(self, **values: Any) -> None:
        """Set fields no widget shows (they go into :meth:`state` as given)."""
        for name in values:
            if name not in self._names:
                raise KeyError(f"{self.state_type.__name__} has no field {name!r}")
        self._extra.update(values)

    def extra(self, name: str) -> Any:
        """Return an unbound field's value (its default until set)."""
        if name in self._extra:
            return self._extra[name]
        return getattr(self.state_type(), name)

    def state(self) -> S:
        """Return the state the widgets show (validated: raises StateError)."""
        values = {name: b.get() for name, b in self._bindings.items()}
        return self.state_type(**{**self._extra, **values})

    def show(self, state: S) -> None:
        """Put ``state`` into the widgets without emitting ``changed``."""
        self._showing = True
        try:
            for name, binding in self._bindings.items():
                binding.widget.blockSignals(True)
                try:
                    binding.put(getattr(state, name))
                finally:
                    binding.widget.blockSignals(False)
        finally:
            self._showing = False
        self._extra = {
            f.name: getattr(state, f.name)
            for f in dataclasses.fields(state)
            if f.name not in self._bindings
        }

    def _on_widget_edited(self, name: str) -> None:
        if not self._showing:
            self.changed.emit(name)
