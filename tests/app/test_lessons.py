"""Playing and authoring lessons in the window (issue 15), on the counter panel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox

from explorer.app.errors import ErrorReporter
from explorer.app.main_window import MainWindow
from explorer.app.settings import Settings
from explorer.core.lesson import Lesson, Step, read_lesson, save_lesson
from explorer.panels.base import AppContext
from tests.app.counter_panel import SPEC, CounterPanel


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    reporter = ErrorReporter(tmp_path / "log.txt")
    context = AppContext(report_error=reporter.sink, training_backend="thread")
    win = MainWindow(context, reporter, Settings(), panels=(SPEC,))
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    yield win
    for panel in win.panels.values():
        panel.shutdown()
    win.close()


def _lesson() -> Lesson:
    return Lesson(
        "Counting",
        "Chapter 0",
        (
            Step("counter", {"steps": 300}, "First <i>n</i> = 7 values.", run_steps=7),
            Step("counter", {"steps": 50}, "Now 3.", run_steps=3, highlight="steps"),
            Step("counter", {"steps": 80}, "Just the settings."),
        ),
    )


def _counter(win: MainWindow) -> CounterPanel:
    panel = win.panel("counter")
    assert isinstance(panel, CounterPanel)
    return panel


def _differing(a: Any, b: Any) -> float:
    """The fraction of pixels whose grey level differs by more than 60 of 255."""
    from PySide6.QtGui import QImage

    grey = []
    for im in (a, b):
        g = im.convertToFormat(QImage.Format.Format_Grayscale8)  # kept alive here
        rows = np.array(g.constBits(), np.uint8).reshape(g.height(), g.bytesPerLine())
        grey.append(rows[:, : g.width()].astype(int))
    assert a.size() == b.size()
    return float((np.abs(grey[0] - grey[1]) > 60).mean())


def _settled(qtbot: Any, panel: CounterPanel, n: int) -> None:
    qtbot.waitUntil(
        lambda: panel.xs[-1:] == [float(n)] and panel.is_settled(), timeout=5000
    )


def test_clicker_keys_step_through_and_back_gives_the_same_picture(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    path = save_lesson(tmp_path / "count.lesson.json", _lesson())
    assert window.lesson_menu.open_path(path)
    panel = _counter(window)
    bar = window.lesson_bar
    assert bar.isVisible() and bar.position.text() == "step 1 of 3"
    assert "First" in bar.caption.text()
    _settled(qtbot, panel, 7)
    first = list(panel.ys)
    assert panel.steps_box.value() == 300
    assert not bar.previous.isEnabled()

    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # what presenter clickers send
    assert bar.position.text() == "step 2 of 3"
    _settled(qtbot, panel, 3)
    assert panel.steps_box.value() == 50
    outline = window.lesson_player._outline
    assert outline.isVisible()
    assert outline.geometry().contains(panel.steps_box.geometry())

    qtbot.keyClick(window, Qt.Key.Key_Right)
    assert bar.position.text() == "step 3 of 3" and not bar.next.isEnabled()
    assert panel.steps_box.value() == 80
    assert not panel.runner.is_running  # no action: nothing runs
    assert not outline.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.keyClick(window, Qt.Key.Key_Left)
    assert bar.position.text() == "step 1 of 3"
    _settled(qtbot, panel, 7)
    np.testing.assert_array_equal(panel.ys, first)  # the same picture again

    window.lesson_menu.close_action.trigger()
    assert not bar.isVisible()
    # with no lesson, the arrow keys are the widgets' again
    assert not window.lesson_menu.next_action.isEnabled()


def test_a_step_whose_state_is_bad_says_so_and_the_lesson_goes_on(
    window: MainWindow, qtbot: Any
) -> None:
    lesson = Lesson(
        "Bad", "C", (Step("counter", {"steps": "many"}, "x"), Step("counter", {}, "y"))
    )
    window.lesson_player.open(lesson)
    assert "steps" in window.lesson_bar.problem.text()
    assert window.lesson_bar.problem.isVisible()
    window.lesson_player.next()
    assert not window.lesson_bar.problem.isVisible()


def test_bad_lesson_files_are_refused_with_a_message(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    broken = tmp_path / "broken.lesson.json"
    broken.write_text("{", encoding="utf-8")
    assert not window.lesson_menu.open_path(broken)
    other = save_lesson(
        tmp_path / "other.lesson.json", Lesson("T", "C", (Step("gan", {}, "x"),))
    )
    assert not window.lesson_menu.open_path(other)  # no GAN panel in this window
    assert "broken.lesson.json" in shown[0] and "no panel called gan" in shown[1]
    assert not window.lesson_bar.isVisible()


def test_author_a_two_step_lesson_save_it_and_play_it_back(
    window: MainWindow, qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter(["My lesson", "Chapter 1"])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (next(answers), True))
    captions = iter(["Seven values.", "Two hundred, running."])
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", lambda *a, **k: (next(captions), True)
    )
    choices = iter(["Run N steps", "Start the job"])
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (next(choices), True))
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (7, True))
    menu = window.lesson_menu
    window.show_panel("counter")
    panel = _counter(window)
    menu.new_action.trigger()
    panel.steps_box.setValue(120)
    menu.add_action.trigger()
    panel.steps_box.setValue(200)
    menu.add_action.trigger()
    lesson = window.lesson_player.lesson
    assert lesson is not None and [s.caption for s in lesson.steps] == [
        "Seven values.",
        "Two hundred, running.",
    ]
    menu.up_action.trigger()  # reorder and back
    assert window.lesson_player.lesson.steps[0].caption == "Two hundred, running."
    menu.down_action.trigger()
    written = menu.save_to(tmp_path / "mine")
    assert written == tmp_path / "mine.lesson.json"
    saved = read_lesson(written)
    assert saved.title == "My lesson" and saved.chapter == "Chapter 1"
    assert [s.state["steps"] for s in saved.steps] == [120, 200]
    assert (saved.steps[0].run_steps, saved.steps[1].start) == (7, True)

    # play it back: the same picture as a hand-made run of 7 steps at 120
    menu.player.close()
    assert menu.open_path(written)
    _settled(qtbot, panel, 7)
    played = list(panel.ys)
    qtbot.wait(100)
    played_image = panel.plot.grab().toImage()
    panel.reset()
    panel.steps_box.setValue(120)
    for _ in range(7):
        panel.step()
    _settled(qtbot, panel, 7)
    np.testing.assert_array_equal(panel.ys, played)
    qtbot.wait(100)
    again = panel.plot.grab().toImage()
    assert _differing(again, played_image) < 0.05  # the same picture, up to AA
    menu.player.next()
    qtbot.waitUntil(lambda: panel.runner.is_running and not panel.runner.is_paused)
    menu.delete_action.trigger()
    assert len(window.lesson_player.lesson.steps) == 1


def test_the_start_page_is_the_course_map_and_plays_a_chapters_lesson(
    qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QLabel, QPushButton

    from explorer.app import registry
    from explorer.panels.registry import COURSE

    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(AppContext(report_error=reporter.sink), reporter, Settings())
    qtbot.addWidget(win)
    page = win.start_page
    titles = [
        label.text()
        for label in page.findChildren(QLabel)
        if label.text().startswith("<b>") and ". " in label.text()
    ]
    expected = [f"<b>{i}. {c.title}</b>" for i, c in enumerate(COURSE, start=1)]
    assert titles == expected
    opened: list[str] = []
    monkeypatch.setattr(
        win.lesson_menu, "open_path", lambda path: opened.append(path.name)
    )
    play = page.findChild(QPushButton, "lesson-gan")
    assert play is not None
    play.click()
    assert opened == ["gan.lesson.json"]
    assert len(registry.PANELS) == sum(
        1 for c in COURSE for p in c.panels if p in {s.id for s in registry.PANELS}
    )


def test_a_long_caption_scrolls_and_leaves_the_panel_its_room(
    window: MainWindow, qtbot: Any
) -> None:
    caption = "A long caption that a lecturer wrote. " * 40
    window.lesson_player.open(Lesson("Long", "C", (Step("counter", {}, caption),)))
    qtbot.wait(100)
    bar = window.lesson_bar
    assert bar.isVisible() and bar.height() <= window.height() // 4 + 1
    bar_scroll = bar.caption_scroll.verticalScrollBar()
    assert bar_scroll.maximum() > 0  # the rest of the caption is a scroll away
