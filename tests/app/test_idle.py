"""An idle panel paints nothing: no layout or repaint loop at a projector's size.

An aspect-locked plot whose axis narrowed and widened as its tick labels changed
repainted the rays panel 30 times a second with no job running (90 % of the GUI
thread at 1920 × 1080 ×2).  Every registered panel is shown in presentation mode,
left to settle, and then watched for a second.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

from explorer.app import registry
from explorer.app.errors import ErrorReporter
from explorer.app.main_window import MainWindow
from explorer.app.settings import Settings
from explorer.panels.base import AppContext
from tests.app.fit import show_at

IDS = [s.id for s in registry.PANELS]
MAX_PAINTS_PER_S = 6  # a blinking cursor or a late draw, not a loop (30+/s)


class _PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted: Counter[str] = Counter()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            self.painted[f"{type(obj).__name__} {obj.objectName()!r}"] += 1
        return False


@pytest.fixture(autouse=True)
def _app_font_and_stylesheet(qapp: Any) -> Iterator[None]:
    font, sheet = qapp.font(), qapp.styleSheet()
    yield
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


@pytest.mark.parametrize("panel_id", IDS)
def test_an_idle_panel_in_presentation_mode_does_not_keep_repainting(
    qtbot: Any, qapp: Any, tmp_path: Path, panel_id: str
) -> None:
    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(
        AppContext(report_error=reporter.sink, device="cpu", training_backend="thread"),
        reporter,
        Settings(),
    )
    qtbot.addWidget(win)
    show_at(win, panel_id, 1920, 1080, presentation=True)
    panel = win.panel(panel_id)
    qtbot.waitUntil(panel.snapshot_ready, timeout=120_000)
    # a service job (the body's posing worker) never settles; training jobs do
    for _ in range(100):
        if panel.is_settled():
            break
        qtbot.wait(100)
    qtbot.wait(1500)  # first draws, fonts, the layout after the scale change
    counter = _PaintCounter()
    qapp.installEventFilter(counter)
    try:
        qtbot.wait(1000)
    finally:
        qapp.removeEventFilter(counter)
    panel.shutdown()
    win.close()
    looping = {w: n for w, n in counter.painted.items() if n > MAX_PAINTS_PER_S}
    assert not looping, f"repainted in 1 s while idle: {looping}"
