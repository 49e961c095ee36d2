"""Every registered panel: restore(state()) shows what it restored; bad states fail.

Each panel binds its widgets to its state dataclass through one ``Binder``
(``panel.binder``); these tests move every bound widget to another valid value,
restore that state into a fresh panel and compare widget by widget.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDoubleSpinBox,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from explorer.app.registry import PANELS
from explorer.panels.base import PanelBase


def _value(widget: QWidget) -> Any:
    if isinstance(widget, QComboBox):
        return widget.currentIndex()
    if isinstance(widget, QAbstractButton):
        return widget.isChecked()
    if isinstance(widget, QLineEdit):
        return widget.text()
    return widget.value()  # type: ignore[attr-defined]


def _nudge(widget: QWidget) -> None:
    """Move ``widget`` to another valid value, as a user would."""
    if isinstance(widget, QComboBox):
        if widget.count() > 1:
            widget.setCurrentIndex((widget.currentIndex() + 1) % widget.count())
    elif isinstance(widget, QAbstractButton):
        widget.setChecked(not widget.isChecked())
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        step = widget.singleStep()
        up = widget.value() + step <= widget.maximum()
        widget.setValue(widget.value() + (step if up else -step))
    elif isinstance(widget, QLineEdit):
        return
    else:
        lo, hi = widget.minimum(), widget.maximum()  # type: ignore[attr-defined]
        value = widget.value()  # type: ignore[attr-defined]
        widget.setValue(hi if value != hi else lo)  # type: ignore[attr-defined]


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return ("array", obj.shape, obj.tolist())
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    return obj


def _make(spec: Any, app_context: Any, qtbot: Any) -> PanelBase:
    panel = spec.load()(app_context)
    qtbot.addWidget(panel)
    panel.resize(1400, 900)
    return panel


@pytest.mark.parametrize("spec", PANELS, ids=[s.id for s in PANELS])
def test_restore_shows_every_restored_value(
    qtbot: Any, app_context: Any, spec: Any
) -> None:
    first = _make(spec, app_context, qtbot)
    second = _make(spec, app_context, qtbot)
    try:
        bound = first.binder.bound  # type: ignore[attr-defined]
        assert bound, f"the {spec.id} panel binds no widget to its state"
        for widget in bound.values():
            if widget.isEnabled():
                _nudge(widget)
        qtbot.wait(50)
        changed = first.state()
        assert _plain(changed) != _plain(second.state()), "nothing changed"
        second.restore(changed)
        assert _plain(second.state()) == _plain(changed)
        shown = second.binder.bound  # type: ignore[attr-defined]
        for name, widget in bound.items():
            assert _value(shown[name]) == _value(widget), name
    finally:
        first.shutdown()
        second.shutdown()


@pytest.mark.parametrize("spec", PANELS, ids=[s.id for s in PANELS])
def test_a_bad_state_is_refused_and_the_panel_keeps_its_own(
    qtbot: Any, app_context: Any, spec: Any
) -> None:
    panel = _make(spec, app_context, qtbot)
    try:
        before = _plain(panel.state())
        with pytest.raises(ValueError, match="version"):
            panel.restore({**panel.state(), "version": 999})
        name = next(iter(panel.binder.bound))  # type: ignore[attr-defined]
        with pytest.raises(ValueError, match=name):
            panel.restore({**panel.state(), name: {"not": "a value"}})
        assert _plain(panel.state()) == before
    finally:
        panel.shutdown()
