"""Smoke: every registered panel opens in the window, runs, exports a real image."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from explorer.app import registry
from explorer.app.errors import ErrorReporter
from explorer.app.main_window import MainWindow
from explorer.app.settings import Settings
from explorer.panels.base import AppContext
from explorer.widgets.export import is_blank

IDS = [s.id for s in registry.PANELS]


@pytest.mark.parametrize("panel_id", IDS)
def test_panel_opens_runs_and_exports(
    qtbot: Any, tmp_path: Path, panel_id: str
) -> None:
    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(
        AppContext(report_error=reporter.sink, device="cpu"), reporter, Settings()
    )
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    win.show_panel(panel_id)
    panel = win.current_panel()
    assert panel is not None and panel.panel_id == panel_id
    qtbot.waitUntil(panel.snapshot_ready, timeout=120_000)
    if panel.runnable:
        panel.step()
        qtbot.wait(500)
    png = win.export_current(tmp_path / f"{panel_id}.png", 1)[0]
    image = QImage(str(png))
    assert not is_blank(image)
    assert image.width() == panel.width()
    assert reporter.records == [], [r.message for r in reporter.records]
    win.close()


def test_registry_lists_only_real_panels() -> None:
    for spec in registry.PANELS:
        factory = spec.load()
        assert factory.panel_id == spec.id
        assert factory.title
        assert (Path(__file__).parents[2] / "assets" / "icons" / spec.icon).exists()
