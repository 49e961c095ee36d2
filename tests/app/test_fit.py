"""Presentation mode fits a projector: every panel at 1920 × 1080 and 1280 × 720, ×2.

No visible label, button, check box, combo box, table cell or plot title is narrower
than its text, nothing lies past the window's edge, and nothing scrolls sideways
(issue 14).  ``tests/app/fit.py`` does the looking; run it by hand for screenshots.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from explorer.app import registry
from explorer.app.errors import ErrorReporter
from explorer.app.main_window import MainWindow
from explorer.app.settings import Settings
from explorer.panels.base import AppContext
from tests.app.fit import fit_problems, idle_repaints, show_at

IDS = [s.id for s in registry.PANELS]
SIZES = ((1920, 1080), (1280, 720))


@pytest.fixture(autouse=True)
def _app_font_and_stylesheet(qapp: Any) -> Iterator[None]:
    """Each test starts from the default font and stylesheet.

    A window scales the application's font and stylesheet (presentation mode is
    ×2); one left in presentation mode by an earlier test made the next window's
    ×2 a ×4.
    """
    font, sheet = qapp.font(), qapp.styleSheet()
    yield
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


@pytest.mark.parametrize("panel_id", IDS)
def test_panel_fits_a_projector_in_presentation_mode(
    qtbot: Any, qapp: Any, tmp_path: Path, panel_id: str
) -> None:
    """…and, left alone there, it paints nothing (no layout or repaint loop)."""
    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(
        AppContext(report_error=reporter.sink, device="cpu", training_backend="thread"),
        reporter,
        Settings(),
    )
    qtbot.addWidget(win)
    problems: list[str] = []
    for width, height in SIZES:
        show_at(win, panel_id, width, height, presentation=True)
        panel = win.panel(panel_id)
        qtbot.waitUntil(panel.snapshot_ready, timeout=120_000)
        if panel.runnable:
            panel.step()
        qtbot.wait(600)
        problems += fit_problems(win, f"{width}×{height} › ")
        if width == 1920:
            problems += idle_repaints(qtbot, qapp, panel, f"{width}×{height} › ")
    win.panel(panel_id).shutdown()
    win.close()
    assert not problems, "\n".join(problems)


# -- the checker itself can see what it is for -------------------------------------
def _window(qtbot: Any, *widgets: QWidget, width: int = 300) -> QWidget:
    root = QWidget()
    qtbot.addWidget(root)
    column = QVBoxLayout(root)
    for w in widgets:
        column.addWidget(w)
    root.setFixedSize(width, 300)
    root.show()
    qtbot.waitExposed(root)
    return root


def test_checker_sees_a_cut_button_and_label(qtbot: Any) -> None:
    button = QPushButton("A button with a long caption that cannot fit")
    button.setMaximumWidth(60)
    label = QLabel("A label with a long caption that cannot fit either")
    label.setMaximumWidth(60)
    fine = QPushButton("OK")
    root = _window(qtbot, button, label, fine)
    found = fit_problems(root)
    assert any("QPushButton 'A button" in p for p in found), found
    assert any("QLabel 'A label" in p for p in found), found
    assert not any("'OK'" in p for p in found), found


def test_checker_sees_a_narrow_table_column_and_sideways_scrolling(qtbot: Any) -> None:
    table = QTableWidget(2, 2)
    table.setHorizontalHeaderLabels(["layer", "receptive field"])
    table.setItem(0, 0, QTableWidgetItem("conv1_very_long_layer_name"))
    table.setColumnWidth(0, 30)
    scroll = QScrollArea()
    inner = QWidget()
    row = QHBoxLayout(inner)
    row.addWidget(QLabel("x" * 200))
    scroll.setWidget(inner)
    root = _window(qtbot, table, scroll)
    found = fit_problems(root)
    assert any("cell (0, 0) 'conv1_very_long_layer_name'" in p for p in found), found
    assert any("QScrollArea" in p and "scrolls sideways" in p for p in found), found


def test_checker_passes_a_window_that_fits(qtbot: Any) -> None:
    table = QTableWidget(1, 1)
    table.setHorizontalHeaderLabels(["n"])
    table.setItem(0, 0, QTableWidgetItem("1"))
    root = _window(qtbot, QLabel("short"), QPushButton("Go"), table, width=400)
    assert fit_problems(root) == []
