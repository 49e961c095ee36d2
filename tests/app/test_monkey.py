"""Monkey test: thousands of seeded random clicks, keys, wheels and drags, every panel.

The whole main window is the target (menus, navigation, every panel's controls
and views), offscreen.  Panels are switched through the View menu's shortcuts
too.  Modal dialogs, menus and file dialogs answer "cancel" at once, so nothing
blocks.  The test fails on any unhandled exception (``sys.excepthook``,
``threading.excepthook``, both routed to the app's reporter) and on any error
record that is a bug rather than a message a student is meant to read.
"""

from __future__ import annotations

import logging
import random
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QInputDialog,
    QMessageBox,
    QWidget,
)

from explorer.app import registry
from explorer.app.errors import ErrorReporter
from explorer.app.main_window import MainWindow
from explorer.app.settings import Settings
from explorer.panels.base import AppContext

SEED = 20261202
EVENTS = 2000
# Errors that are messages (bad values typed, a file that cannot be read, a run
# that diverged); anything else reported is a bug.
MESSAGES = {"ValueError", "DivergedError", "OSError", "FileNotFoundError"}

Key = Qt.Key
Mod = Qt.KeyboardModifier
KEYS: list[tuple[Qt.Key, Qt.KeyboardModifier]] = [
    (Key.Key_Space, Mod.NoModifier),
    (Key.Key_S, Mod.NoModifier),
    (Key.Key_R, Mod.NoModifier),
    (Key.Key_E, Mod.ControlModifier),
    (Key.Key_F5, Mod.NoModifier),
    (Key.Key_F1, Mod.NoModifier),
    (Key.Key_Equal, Mod.ControlModifier),
    (Key.Key_Minus, Mod.ControlModifier),
    (Key.Key_Tab, Mod.NoModifier),
    (Key.Key_Escape, Mod.NoModifier),
    (Key.Key_Return, Mod.NoModifier),
    (Key.Key_Left, Mod.NoModifier),
    (Key.Key_Right, Mod.NoModifier),
    (Key.Key_Up, Mod.NoModifier),
    (Key.Key_Down, Mod.NoModifier),
    (Key.Key_PageUp, Mod.NoModifier),
    (Key.Key_Home, Mod.NoModifier),
    (Key.Key_1, Mod.NoModifier),
    (Key.Key_0, Mod.NoModifier),
    (Key.Key_A, Mod.NoModifier),
    (Key.Key_Delete, Mod.NoModifier),
    (Key.Key_Backspace, Mod.NoModifier),
]


@pytest.fixture
def no_modal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every dialog and popup menu answers "cancel" without showing itself."""
    for name in ("getOpenFileName", "getSaveFileName", "getOpenFileNames"):
        monkeypatch.setattr(QFileDialog, name, lambda *a, **k: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
    for name in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(
            QMessageBox, name, lambda *a, **k: QMessageBox.StandardButton.Cancel
        )
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("", False))
    monkeypatch.setattr(QInputDialog, "getDouble", lambda *a, **k: (0.0, False))
    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (0, False))


def _close_modals() -> None:
    """Close the popup menu or modal dialog that is open (in its own event loop).

    PySide6 does not let a test replace ``QMenu.exec`` or ``QDialog.exec``; a
    timer that runs inside their nested event loops closes them instead.
    """
    popup = QApplication.activePopupWidget()
    if popup is not None:
        popup.close()
    modal = QApplication.activeModalWidget()
    if isinstance(modal, QDialog):
        modal.reject()
    elif modal is not None:
        modal.close()


class _Logged(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _target(window: MainWindow, rng: random.Random) -> tuple[QWidget, QPoint]:
    """Return the widget under a random point of the window and the local point."""
    point = QPoint(rng.randrange(window.width()), rng.randrange(window.height()))
    widget = window.childAt(point) or window
    return widget, widget.mapFrom(window, point)


def _wheel(widget: QWidget, pos: QPoint, rng: random.Random) -> None:
    delta = rng.choice([-240, -120, 120, 240])
    event = QWheelEvent(
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _drag(window: MainWindow, rng: random.Random) -> None:
    widget, start = _target(window, rng)
    end = start + QPoint(rng.randint(-150, 150), rng.randint(-150, 150))
    QTest.mousePress(
        widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start
    )
    for i in range(1, 5):
        QTest.mouseMove(widget, start + (end - start) * (i / 4))
    QTest.mouseRelease(
        widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end
    )


def _one_event(window: MainWindow, rng: random.Random) -> None:
    kind = rng.choices(
        ["click", "right", "double", "key", "wheel", "drag"], [40, 5, 5, 25, 12, 13]
    )[0]
    if kind == "key":
        key, mod = rng.choice(KEYS)
        QTest.keyClick(QApplication.focusWidget() or window, key, mod)
        return
    if kind == "drag":
        _drag(window, rng)
        return
    widget, pos = _target(window, rng)
    if kind == "wheel":
        _wheel(widget, pos, rng)
    elif kind == "double":
        QTest.mouseDClick(
            widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos
        )
    else:
        button = (
            Qt.MouseButton.RightButton if kind == "right" else Qt.MouseButton.LeftButton
        )
        QTest.mouseClick(widget, button, Qt.KeyboardModifier.NoModifier, pos)


def test_random_input_over_every_panel_raises_nothing(
    qtbot: Any, tmp_path: Path, no_modal: None
) -> None:
    rng = random.Random(SEED)
    reporter = ErrorReporter(tmp_path / "log.txt")
    logged = _Logged()
    logging.getLogger().addHandler(logged)
    reporter.install_hooks()
    context = AppContext(
        report_error=reporter.sink,
        device="cpu",
        data_dir=tmp_path,
        training_backend="thread",  # no child start-up: more events per second
    )
    window = MainWindow(context, reporter, Settings())
    qtbot.addWidget(window)
    closer = QTimer()
    closer.setInterval(20)
    closer.timeout.connect(_close_modals)
    closer.start()
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    ids = [s.id for s in registry.PANELS]
    order = [*range(len(ids) + 1)] * 3  # Ctrl+0 (start page), Ctrl+1 … each 3 times
    rng.shuffle(order)
    every = EVENTS // len(order)
    visited: set[str] = set()
    try:
        for n in range(EVENTS):
            if n % every == 0 and n // every < len(order):
                # through the View menu's shortcuts, in a seeded order
                # (panels after the ninth: Ctrl+9, then Ctrl+Tab to the next ones)
                index = order[n // every]
                key = Qt.Key(int(Qt.Key.Key_0) + min(index, 9))
                QTest.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
                for _ in range(index - 9):
                    QTest.keyClick(
                        window, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier
                    )
                visited.add(window.current_id())
            if not window.isVisible():  # a click on File ▸ Quit, say: reopen
                window.show()
            _one_event(window, rng)
            if n % 10 == 0:
                qtbot.wait(2)  # let workers deliver and views redraw
        qtbot.wait(200)
    finally:
        closer.stop()
        reporter.uninstall_hooks()
        logging.getLogger().removeHandler(logged)
        window.close()
        window.shutdown()
    bugs = [r for r in reporter.records if r.kind not in MESSAGES]
    assert not bugs, "\n\n".join(f"{r.where}: {r.traceback}" for r in bugs[:3])
    assert not logged.records, [r.getMessage() for r in logged.records[:5]]
    assert visited >= set(ids), f"panels never shown: {set(ids) - visited}"
