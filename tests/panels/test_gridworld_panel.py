"""The Gridworld panel: click edits and undo, stepping updates the grid, comparing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from explorer.core.gridworld import ALGOS, load_preset, world_to_dict
from explorer.panels.base import AppContext
from explorer.panels.gridworld.curves import moving_average
from explorer.panels.gridworld.panel import GridworldPanel


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[GridworldPanel]:
    p = GridworldPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()
    p.close()


def click_cell(
    qtbot: QtBot,
    panel: GridworldPanel,
    row: int,
    col: int,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
) -> None:
    view = panel._a.view
    qtbot.mouseClick(view.viewport(), button, pos=view.cell_pos(row, col))  # type: ignore[no-untyped-call]


def choose_preset(panel: GridworldPanel, name: str) -> None:
    """Pick preset ``name`` in the combo box as a user does (by its book title)."""
    box = panel.world_box.preset
    index = box.findData(name)
    assert index >= 0, name
    box.setCurrentIndex(index)
    box.activated.emit(index)


def press(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # type: ignore[no-untyped-call]


def test_left_click_toggles_a_wall_and_undo_redo(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    assert panel.world.name == "sb-5x5" and not panel.world.walls
    click_cell(qtbot, panel, 3, 4)
    assert panel.world.walls == frozenset({(3, 4)})
    click_cell(qtbot, panel, 1, 0)
    assert panel.world.walls == frozenset({(3, 4), (1, 0)})
    press(qtbot, panel.world_box.undo_button)
    assert panel.world.walls == frozenset({(3, 4)})
    press(qtbot, panel.world_box.undo_button)
    assert panel.world == load_preset("sb-5x5")
    assert not panel.world_box.undo_button.isEnabled()
    press(qtbot, panel.world_box.redo_button)
    assert panel.world.walls == frozenset({(3, 4)})


def test_clicking_the_start_explains_why_not(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    click_cell(qtbot, panel, 2, 2)
    assert "start" in panel.error_banner.text
    assert not panel.world.walls


def test_step_sweep_updates_the_heat_map(qtbot: QtBot, panel: GridworldPanel) -> None:
    assert panel.algo_box.algo.currentData() == "value-iteration"
    press(qtbot, panel.episode_button)  # "Step sweep"
    qtbot.waitUntil(lambda: panel._a.view.last is not None, timeout=30000)
    first = panel._a.view.last
    assert first is not None and first.step == 1
    # after one sweep of value iteration from v = 0: v(A) = 10, v(B) = 5 (S&B Ex. 3.5)
    assert first.values[0, 1] == pytest.approx(10.0)
    assert first.values[0, 3] == pytest.approx(5.0)
    image = panel._a.view._heat.image
    assert image is not None and float(np.max(image)) == pytest.approx(10.0)
    # the colour scale is ±(a round number ≥ max |v|): ±10 here
    assert panel._a.view.colorbar.levels() == pytest.approx((-10.0, 10.0))
    # the same range again keeps the bar's axis as drawn (no tick layout per report)
    view = panel._a.view
    view.viewport().repaint()
    drawn = view.colorbar.axis.picture
    view.display(first)
    assert drawn is not None and view.colorbar.axis.picture is drawn
    press(qtbot, panel.episode_button)
    qtbot.waitUntil(
        lambda: panel._a.view.last is not None and panel._a.view.last.step == 2,
        timeout=20000,
    )
    assert panel._card_of["value-iteration"].values_text()


def test_q_learning_steps_move_the_agent_and_episodes_fill_the_curves(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    choose_preset(panel, "cliff")
    assert panel.world.name == "cliff" and panel.algo_box.compare.isChecked()
    panel.algo_box.compare.setChecked(False)
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("q-learning"))
    assert panel.run_bar.step is not None
    press(qtbot, panel.run_bar.step)
    qtbot.waitUntil(lambda: panel._a.last is not None, timeout=30000)
    last = panel._a.last
    assert last is not None and len(last.trail) == 2 and last.trail[0] == (3, 0)
    assert "δ" in panel._card_of["q-learning"].values_text()
    press(qtbot, panel.episode_button)
    qtbot.waitUntil(
        lambda: panel._a.last is not None and panel._a.last.episode >= 1, timeout=20000
    )
    x, _y = panel._curves["rawA"].getData()
    assert x is not None and len(x) >= 1


def test_compare_sarsa_and_q_learning_run_to_the_end(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    choose_preset(panel, "cliff")
    panel.algo_box.episodes.setValue(40)
    panel.run_bar.set_speed_value(100)
    press(qtbot, panel.run_bar.start)
    qtbot.waitUntil(
        lambda: all(
            s.last is not None and s.last.episode == 40 for s in (panel._a, panel._b)
        ),
        timeout=20000,
    )
    qtbot.waitUntil(lambda: not panel._running(), timeout=30000)
    assert panel._a.algo == "sarsa" and panel._b.algo == "q-learning"
    assert panel._b.view.isVisible()
    for name in "AB":
        _x, y = panel._curves[f"avg{name}"].getData()
        assert y is not None and len(y) == 40
    assert panel.run_bar.start.text() == "Start"


def test_right_click_menu_edits(
    qtbot: QtBot, panel: GridworldPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    menu = panel.cell_menu(4, 4)
    actions = {a.text(): a for a in menu.actions()}
    actions["Make terminal"].trigger()
    assert (4, 4) in panel.world.terminals
    monkeypatch.setattr(
        "PySide6.QtWidgets.QInputDialog.getDouble", lambda *a, **k: (7.5, True)
    )
    menu = panel.cell_menu(4, 4)
    next(a for a in menu.actions() if a.text().startswith("Reward")).trigger()
    assert panel.world.rewards[(4, 4)] == 7.5
    monkeypatch.setattr(
        "PySide6.QtWidgets.QInputDialog.getInt", lambda *a, **k: (2, True)
    )
    next(
        a for a in panel.cell_menu(0, 1).actions() if a.text().startswith("Wind")
    ).trigger()
    assert panel.world.wind[1] == 2
    menu = panel.cell_menu(1, 1)
    {a.text(): a for a in menu.actions()}["Set start here"].trigger()
    assert panel.world.start == (1, 1)


def test_open_file_state_and_restore(
    qtbot: QtBot, panel: GridworldPanel, tmp_path: Path, app_context: AppContext
) -> None:
    world = load_preset("maze")
    path = tmp_path / "maze.json"
    path.write_text(json.dumps(world_to_dict(world)))
    panel.open_file(path)
    assert panel.world == world
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(ValueError, match=r"bad\.json"):
        panel.open_file(bad)
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("sarsa"))
    panel.algo_box.alpha.setValue(0.25)
    state = panel.state()
    json.dumps(state)
    other = GridworldPanel(app_context)
    qtbot.addWidget(other)
    other.restore(state)
    assert other.world == world
    assert (
        other.algo_box.algo.currentData() == "sarsa"
        and other.algo_box.alpha.value() == 0.25
    )
    other.shutdown()


def test_nice_ceiling_steps() -> None:
    from explorer.panels.gridworld.grid_view import nice_ceiling

    got = [nice_ceiling(x) for x in (21.9, 0.3, 1.0, 1.01, 7.0, 2.5, 0.0042, 100.5)]
    assert got == pytest.approx([25.0, 0.5, 1.0, 2.0, 10.0, 2.5, 0.005, 200.0])
    assert nice_ceiling(0.0) == nice_ceiling(float("nan")) == 1.0


def test_moving_average() -> None:
    np.testing.assert_allclose(moving_average(np.array([2.0, 4.0, 6.0]), 2), [2, 3, 5])


def test_controls_column_widens_with_the_presentation_scale(
    qtbot: QtBot, panel: GridworldPanel, app_context: AppContext
) -> None:
    # At ×2 fonts the controls need about twice the width; the column follows
    # instead of cutting them off (presentation mode on a projector).
    from PySide6.QtWidgets import QApplication

    from explorer.widgets.theme import stylesheet

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    old = app.styleSheet()
    try:
        widths = {}
        for scale in (1.0, 2.0):
            app.setStyleSheet(stylesheet(app_context.theme.palette, scale))
            app_context.theme.set_scale(scale)
            need = panel.column.content.minimumSizeHint().width()
            floor = int(360 * min(scale, 1.5))  # the column's width at this scale
            qtbot.waitUntil(
                lambda need=need, floor=floor: (
                    panel.column.minimumWidth() >= max(need, floor)
                ),
                timeout=2000,
            )
            widths[scale] = panel.column.minimumWidth()
        assert widths[2.0] > widths[1.0]
    finally:
        app.setStyleSheet(old)
        app_context.theme.set_scale(1.0)


def test_state_round_trip_shows_every_setting(
    qtbot: QtBot, panel: GridworldPanel, app_context: AppContext
) -> None:
    choose_preset(panel, "cliff")  # SARSA vs Q-learning
    panel.algo_box.alpha.setValue(0.3)
    panel.algo_box.episodes.setValue(42)
    panel.algo_box.seed.setValue(7)
    panel.run_bar.set_speed_value(40)
    panel.view_options.show_q.setChecked(True)
    panel.view_options.numbers.setChecked(False)
    state = panel.state()
    json.dumps(state)
    other = GridworldPanel(app_context)
    qtbot.addWidget(other)
    other.restore(state)
    box = other.algo_box
    assert other.world == load_preset("cliff")
    assert (box.algo.currentData(), box.algo_b.currentData()) == ("sarsa", "q-learning")
    assert box.compare.isChecked() and not other._b.view.isHidden()
    assert (box.alpha.value(), box.episodes.value(), box.seed.value()) == (0.3, 42, 7)
    assert other.run_bar.speed_value == 40
    assert other.run_bar.speed_label is not None
    assert other.run_bar.speed_label.text() == "40 %"
    assert other._a.view.show_q and not other._a.view.show_numbers
    assert other.state() == state
    other.shutdown()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"alpha": "fast"}, "alpha"),
        ({"epsilon": float("nan")}, "epsilon"),
        ({"theta": 0.5}, "theta"),
        ({"algo": "magic"}, "algo"),
        ({"episodes": 0}, "episodes"),
        ({"world": {"grid": 3}}, "world"),
        ({"version": 99}, "version"),
    ],
)
def test_restore_of_a_bad_state_names_the_field_and_changes_nothing(
    panel: GridworldPanel, bad: dict[str, object], field: str
) -> None:
    panel.algo_box.alpha.setValue(0.25)
    before = panel.state()
    with pytest.raises(ValueError, match=rf"^{field}\b"):
        panel.restore({**before, **bad})
    assert panel.state() == before


def test_the_speed_slider_sets_the_pace_of_running_jobs(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    from explorer.core.gridworld import PACE_KEY, Pace

    posted: list[Pace] = []
    runner = panel._a.runner
    original = runner.post

    def spy(value: object, key: str = "request") -> None:
        if key == PACE_KEY and isinstance(value, Pace):
            posted.append(value)
        original(value, key)

    runner.post = spy  # type: ignore[method-assign]
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("q-learning"))
    panel.run_bar.set_speed_value(0)
    press(qtbot, panel.run_bar.start)  # slow: the grids follow every step
    assert panel.run_bar.start.text() == "Pause"
    panel.run_bar.set_speed_value(100)
    assert posted[-1] == Pace(delay_s=0.0, report="episode")
    panel.run_bar.set_speed_value(50)
    assert posted[-1] == Pace(delay_s=0.6 * 0.5**2, report="step")
    press(qtbot, panel.run_bar.start)
    assert panel.run_bar.start.text() == "Resume"
    assert panel.run_bar.reset is not None
    press(qtbot, panel.run_bar.reset)
    assert panel.run_bar.start.text() == "Start" and not panel._running()
