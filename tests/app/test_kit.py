"""The panel kit's widgets: RunBar, ControlsColumn, DrawScheduler, Binder."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QLabel,
    QSlider,
    QSpinBox,
)
from superqt import QLabeledDoubleSlider

from explorer.core.state import StateBase, StateError, limits
from explorer.widgets.binding import Binder
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.run_bar import RunBar
from explorer.widgets.theme import ThemeManager


def test_run_bar_words_follow_the_job_and_buttons_signal(qtbot: Any) -> None:
    bar = RunBar("train", speeds=(1, 5, 25), default_speed=5, speed_unit="it/frame")
    qtbot.addWidget(bar)
    assert bar.start.text() == "Start" and "Space" in bar.start.toolTip()
    bar.set_state(running=True, paused=False)
    assert bar.start.text() == "Pause"
    bar.set_state(running=True, paused=True)
    assert bar.start.text() == "Resume"
    assert bar.speed_value == 5 and bar.speed_label is not None
    assert bar.speed_label.text() == "5 it/frame"
    seen: list[str] = []
    bar.start_pause_clicked.connect(lambda: seen.append("start"))
    bar.step_clicked.connect(lambda: seen.append("step"))
    bar.reset_clicked.connect(lambda: seen.append("reset"))
    bar.speed_changed.connect(lambda v: seen.append(f"speed {v}"))
    assert bar.step is not None and bar.reset is not None and bar.speed is not None
    for button in (bar.start, bar.step, bar.reset):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    bar.speed.setValue(2)
    extra = bar.add_button("Step D", "One D update", lambda: seen.append("d"))
    qtbot.mouseClick(extra, Qt.MouseButton.LeftButton)
    assert seen == ["start", "step", "reset", "speed 25", "d"]
    bar.speed.blockSignals(True)  # as Binder.show does while restoring
    bar.speed.setValue(0)
    assert bar.speed_label.text() == "1 it/frame"


def test_draw_scheduler_draws_one_view_per_tick_in_fifo_order(qtbot: Any) -> None:
    drawn: list[str] = []
    scheduler = DrawScheduler(40)
    for key in ("a", "b", "a", "c"):
        scheduler.request(key, lambda k=key: drawn.append(k))
    qtbot.wait(10)
    assert drawn == ["a"]  # the first at once, the rest one per tick
    qtbot.waitUntil(lambda: drawn == ["a", "b", "c"], timeout=2000)
    scheduler.request("x", lambda: drawn.append("x"))
    scheduler.request("y", lambda: drawn.append("y"))
    scheduler.cancel("y")
    scheduler.flush()
    assert drawn[-1] == "x" and not scheduler.pending()


def test_draw_scheduler_clear_drops_pending_draws(qtbot: Any) -> None:
    drawn: list[int] = []
    scheduler = DrawScheduler(20)
    for i in range(5):
        scheduler.request(i, lambda i=i: drawn.append(i))
    scheduler.cancel(lambda k: k == 3)
    qtbot.wait(5)
    scheduler.clear()
    qtbot.wait(100)
    assert 3 not in drawn and len(drawn) <= 1


def test_controls_column_widens_at_a_larger_scale(qtbot: Any) -> None:
    theme = ThemeManager()
    column = ControlsColumn(theme, min_width=120)
    qtbot.addWidget(column)
    label = QLabel("a fairly long control label that needs room")
    column.add(label)
    column.show()
    qtbot.waitUntil(lambda: column.minimumWidth() >= label.sizeHint().width())
    small = column.minimumWidth()
    label.setStyleSheet("font-size: 24pt")
    theme.set_scale(2.0)
    qtbot.waitUntil(lambda: column.minimumWidth() > small, timeout=2000)
    assert column.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff


def test_wheel_over_an_unfocused_slider_scrolls_the_column(qtbot: Any) -> None:
    column = ControlsColumn(None, min_width=200)
    qtbot.addWidget(column)
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setRange(0, 100)
    slider.setValue(50)
    column.add(slider)
    for _ in range(40):
        column.add(QLabel("filler"))
    column.resize(260, 200)
    column.show()
    qtbot.waitExposed(column)
    qtbot.wait(20)
    event = QWheelEvent(
        QPointF(5, 5),
        QPointF(slider.mapToGlobal(QPoint(5, 5))),
        QPoint(0, 0),
        QPoint(0, -120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(slider, event)
    assert slider.value() == 50
    assert column.verticalScrollBar().value() > 0
    column.activateWindow()
    slider.clearFocus()
    slider.setFocus(Qt.FocusReason.MouseFocusReason)  # the user clicked it
    qtbot.waitUntil(slider.hasFocus, timeout=2000)
    QApplication.sendEvent(slider, event)
    assert slider.value() != 50


@dataclass(frozen=True)
class _State(StateBase):
    VERSION: ClassVar[int] = 1
    data: Literal["ring8", "grid25"] = "ring8"
    lr: float = field(default=0.01, metadata=limits(1e-6, 1.0))
    seed: int = field(default=0, metadata=limits(0, 1000))
    on: bool = True
    beta: float = 1.0
    points: tuple[tuple[float, float], ...] = ()


def _bound() -> tuple[Binder[_State], dict[str, Any]]:
    combo = QComboBox()
    combo.addItem("Ring", "ring8")
    combo.addItem("Grid", "grid25")
    lr = QDoubleSpinBox()
    lr.setDecimals(4)
    lr.setRange(1e-4, 1.0)
    seed = QSpinBox()
    seed.setRange(0, 1000)
    on = QCheckBox()
    beta = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    beta.setRange(0.0, 10.0)
    widgets = {"data": combo, "lr": lr, "seed": seed, "on": on, "beta": beta}
    binder = Binder(_State)
    for name, widget in widgets.items():
        binder.bind(name, widget)
    return binder, widgets


def test_binder_shows_a_state_and_reads_it_back(qtbot: Any) -> None:
    binder, w = _bound()
    edits: list[str] = []
    binder.changed.connect(edits.append)
    state = _State(data="grid25", lr=0.5, seed=7, on=False, beta=2.5, points=((1, 2),))
    binder.show(state)
    assert edits == []  # showing a state is not an edit
    assert w["data"].currentText() == "Grid" and w["seed"].value() == 7
    assert w["beta"].value() == pytest.approx(2.5) and not w["on"].isChecked()
    assert binder.state() == state  # the unbound points were kept
    w["seed"].setValue(9)
    assert edits == ["seed"] and binder.state().seed == 9


def test_binder_refuses_unknown_fields_and_invalid_widget_values(qtbot: Any) -> None:
    binder, w = _bound()
    with pytest.raises(KeyError):
        binder.bind("nope", QSpinBox())
    w["lr"].setRange(0.0, 5.0)
    w["lr"].setValue(3.0)
    with pytest.raises(StateError, match="lr"):
        binder.state()
