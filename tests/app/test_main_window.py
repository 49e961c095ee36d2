"""The main window: navigation, Run menu, presentation, export, sessions, settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox

from explorer.app.errors import ErrorReporter
from explorer.app.main_window import START_ID, MainWindow
from explorer.app.settings import Settings
from explorer.panels.base import AppContext
from tests.app.counter_panel import SPEC, CounterPanel


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Any:
    reporter = ErrorReporter(tmp_path / "log.txt")
    context = AppContext(report_error=reporter.sink)
    win = MainWindow(context, reporter, Settings(), panels=(SPEC,))
    qtbot.addWidget(win)
    win.restore_window(None)
    win.show()
    yield win
    win.close()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        lambda parent, title, text: shown.append(f"{title}: {text}"),
    )
    return shown


def test_starts_on_the_start_page_with_every_panel_listed(window: MainWindow) -> None:
    assert window.current_id() == START_ID
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["Start", "Counter"]
    assert not window.start_action.isEnabled()  # nothing to run on the start page


def test_ctrl_number_opens_a_panel_and_space_starts_it(
    qtbot: Any, window: MainWindow
) -> None:
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_id() == "counter"
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: len(panel.ys) > 5, timeout=10_000)
    qtbot.keyClick(window.nav, Qt.Key.Key_R)
    assert panel.resets == 1 and not panel.runner.is_running


def test_step_key_advances_one_step(qtbot: Any, window: MainWindow) -> None:
    window.show_panel("counter")
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_S)
    qtbot.waitUntil(lambda: len(panel.xs) >= 1, timeout=5000)
    qtbot.wait(200)
    assert panel.runner.is_paused and len(panel.xs) <= 2
    panel.reset()


def test_presentation_mode_scales_and_hides_secondary_controls(
    qtbot: Any, window: MainWindow
) -> None:
    window.show_panel("counter")
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    width_before = panel.curve.opts["pen"].widthF()
    assert panel.extra.isVisible() and panel.seed_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.presentation
    assert window.context.theme.palette.name == "high-contrast"
    assert window.context.theme.scale == 2.0
    assert panel.curve.opts["pen"].widthF() == pytest.approx(2 * width_before)
    assert not panel.extra.isVisible()
    assert not panel.seed_box.isVisible() and not panel.seed_label.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert not window.presentation
    assert window.context.theme.palette.name == "light"
    assert panel.extra.isVisible() and panel.seed_label.isVisible()


def test_bigger_and_smaller_text_are_clamped(window: MainWindow) -> None:
    for _ in range(20):
        window.bigger()
    assert window.context.theme.scale == 3.0
    for _ in range(20):
        window.smaller()
    assert window.context.theme.scale == 1.0


def test_theme_font_scale_and_last_panel_persist(qtbot: Any, tmp_path: Path) -> None:
    reporter = ErrorReporter()
    win = MainWindow(AppContext(), reporter, Settings(), panels=(SPEC,))
    qtbot.addWidget(win)
    win.restore_window(None)
    win.set_theme("dark")
    win.bigger()
    win.show_panel("counter")
    win.close()
    again = MainWindow(AppContext(), reporter, Settings(), panels=(SPEC,))
    qtbot.addWidget(again)
    again.restore_window(None)
    assert again.context.theme.palette.name == "dark"
    assert again.context.theme.scale == 1.25
    assert again.current_id() == "counter"
    again.close()


def test_export_png_at_two_times_and_svg(window: MainWindow, tmp_path: Path) -> None:
    window.show_panel("counter")
    png = window.export_current(tmp_path / "shot.png", 2)[0]
    image = QImage(str(png))
    panel = window.current_panel()
    assert panel is not None
    assert image.width() == 2 * panel.width() and image.height() == 2 * panel.height()
    svg = window.export_current(tmp_path / "plot.svg", svg=True)
    text = svg[0].read_text()
    assert text.startswith("<?xml") and "<svg" in text and "polyline" in text


def test_export_all_writes_one_png_per_panel(
    window: MainWindow, tmp_path: Path
) -> None:
    written = window.export_all(tmp_path / "all")
    assert [p.name for p in written] == ["counter.png"]
    assert QImage(str(written[0])).width() > 100


def test_session_round_trip_and_bad_file_changes_nothing(
    window: MainWindow, tmp_path: Path, warnings: list[str]
) -> None:
    window.show_panel("counter")
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    panel.ys = [1.0, 2.0]
    panel.resets = 3
    path = window.save_session_to(tmp_path / "lesson")
    assert path is not None and path.exists()
    assert window.load_session_from(path)
    assert panel.restored["resets"] == 3
    np.testing.assert_array_equal(panel.restored["ys"], [1.0, 2.0])
    panel.restored = {}
    bad = tmp_path / "future.explorer.json"
    bad.write_text(
        '{"format": "explorer-session", "version": 7, "panels": {"counter": {}}}'
    )
    assert not window.load_session_from(bad)
    assert panel.restored == {}
    assert "newer Explorer" in warnings[-1]


def test_opening_a_bad_file_shows_a_message(
    window: MainWindow, tmp_path: Path, warnings: list[str]
) -> None:
    window.show_panel("counter")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert not window.open_in_panel(empty)
    assert "the file is empty" in warnings[-1]
    good = tmp_path / "notes.txt"
    good.write_text("hello")
    assert window.open_in_panel(good)


def test_worker_errors_reach_the_panel_banner_and_the_log(
    qtbot: Any, window: MainWindow
) -> None:
    from tests.app import jobs

    window.show_panel("counter")
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    with qtbot.waitSignal(panel.runner.errored, timeout=10_000):
        panel.runner.start(
            jobs.fail_after, 2, on_progress=lambda p: None, on_error=panel.on_job_error
        )
    assert "boom after 2 steps" in panel.error_banner.text
    assert window.reporter.records[-1].message == "boom after 2 steps"
    assert window.status.error_button.isVisibleTo(window)
    log = window.reporter.log_path
    assert log is not None and "boom after 2 steps" in log.read_text()


def test_gui_thread_exception_is_reported_and_app_keeps_running(
    qtbot: Any, window: MainWindow
) -> None:
    import sys

    window.reporter.install_hooks()
    try:
        try:
            raise ZeroDivisionError("slot failed")
        except ZeroDivisionError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
        qtbot.waitUntil(lambda: "slot failed" in window.banner.text, timeout=2000)
    finally:
        window.reporter.uninstall_hooks()
    assert window.isVisible()


def test_closing_with_a_running_job_leaves_no_thread(
    qtbot: Any, window: MainWindow
) -> None:
    from PySide6.QtCore import QThreadPool

    window.show_panel("counter")
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    panel.start_pause()
    qtbot.waitUntil(lambda: panel.runner.is_running, timeout=2000)
    window.close()
    assert QThreadPool.globalInstance().waitForDone(2000)
    assert not panel.runner.is_running


def test_the_status_bar_shows_the_active_panels_job_not_anothers(
    qtbot: Any, window: MainWindow
) -> None:
    from explorer.workers import JobRunner
    from tests.app import jobs

    other = JobRunner("GAN mode collapse: run A", tracker=window.status._jobs)
    other.start(jobs.forever, on_progress=lambda _: None)
    try:
        window.show_panel("counter")
        label = window.status.job_label
        qtbot.waitUntil(lambda: "other panels" in label.text(), timeout=5000)
        assert "GAN" not in label.text() and not window.status.progress.isVisible()
        panel = window.current_panel()
        assert isinstance(panel, CounterPanel)
        panel.start_pause()
        qtbot.waitUntil(lambda: label.text().startswith("Counter:"), timeout=5000)
        assert "(1 elsewhere)" in label.text()
        window.show_panel(START_ID)
        assert label.text() == "2 job(s) running"
        panel.reset()
    finally:
        other.abort(wait=True)


@pytest.mark.parametrize("editor_kind", ["spin", "double", "line"])
def test_single_keys_type_into_a_focused_box_and_ctrl_e_still_exports(
    window: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, editor_kind: str
) -> None:
    """S / R / Space go to a focused text or number box; Ctrl+E opens the export."""
    from PySide6.QtWidgets import QDoubleSpinBox, QLineEdit, QSpinBox

    window.show_panel(SPEC.id)
    panel = window.current_panel()
    fired: list[str] = []
    monkeypatch.setattr(panel, "step", lambda: fired.append("step"))
    monkeypatch.setattr(panel, "reset", lambda: fired.append("reset"))
    monkeypatch.setattr(panel, "start_pause", lambda: fired.append("start"))
    exported: list[bool] = []
    monkeypatch.setattr(window, "export_dialog", lambda: exported.append(True))
    # the action holds the bound method made at start-up: re-point it
    for action in window.actions():
        if action.shortcut().toString() == "Ctrl+E":
            action.triggered.disconnect()
            action.triggered.connect(window.export_dialog)
    editor = {"spin": QSpinBox, "double": QDoubleSpinBox, "line": QLineEdit}[
        editor_kind
    ]()
    panel.body.addWidget(editor)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus, timeout=2000)
    for key in (Qt.Key.Key_S, Qt.Key.Key_R, Qt.Key.Key_Space):
        qtbot.keyClick(editor, key)
    assert fired == []
    qtbot.keyClick(editor, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert exported == [True]
    # and without a box focused the same keys drive the panel
    window.setFocus()
    editor.clearFocus()
    qtbot.keyClick(window, Qt.Key.Key_S)
    assert fired == ["step"]


def test_error_banners_overlay_and_a_new_run_clears_them(
    window: MainWindow, qtbot: Any
) -> None:
    """A banner floats over the panel: showing it moves nothing (issue 14)."""
    window.resize(1000, 700)
    window.show_panel(SPEC.id)
    panel = window.current_panel()
    assert isinstance(panel, CounterPanel)
    qtbot.wait(50)
    before = [(w, w.geometry()) for w in (panel.steps_box, window.stack)]
    panel.show_error("The job failed: " + "a long explanation " * 30)
    window.show_panel("no-such-panel")  # the window's own banner
    window.show_panel(SPEC.id)
    qtbot.wait(50)
    assert [(w, w.geometry()) for w, _ in before] == before
    banner = panel.error_banner
    assert banner.isVisible() and "The job failed" in banner.text
    assert banner.geometry().top() >= 0 and banner.width() <= panel.width()
    assert "no-such-panel" in window.banner.text
    # the banner is drawn on top of the panel's content
    siblings = [w for w in panel.children() if hasattr(w, "isVisible")]
    assert siblings.index(banner) == len(siblings) - 1
    panel.start_pause()  # a fresh start: the old error no longer applies
    qtbot.waitUntil(lambda: banner.text == "", timeout=2000)
    panel.reset()


def test_view_menu_shows_panel_titles_with_their_ampersands(
    qtbot: Any, tmp_path: Path
) -> None:
    """'Rays: SDF & NeRF' is not shown as 'Rays: SDF _NeRF' (a mnemonic)."""
    from explorer.app import registry

    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(AppContext(report_error=reporter.sink), reporter, Settings())
    qtbot.addWidget(win)
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    shown = {
        a.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
        for a in view.actions()
    }
    for spec in registry.PANELS:
        assert spec.title in shown, (spec.title, shown)


def test_alt_number_shows_a_tab_of_the_active_panel(qtbot: Any, tmp_path: Path) -> None:
    """Alt+N picks tab N of a panel with tabs, says so in the tab's tooltip, and
    does nothing past the last tab or on a panel without tabs."""
    from explorer.app import registry

    reporter = ErrorReporter(tmp_path / "log.txt")
    specs = (registry.find("mlp"), SPEC)
    win = MainWindow(
        AppContext(report_error=reporter.sink), reporter, Settings(), specs
    )
    qtbot.addWidget(win)
    win.show()
    win.show_panel("mlp")
    with qtbot.waitActive(win):  # window shortcuts need the active window
        win.activateWindow()
    tabs = win.panel_tabs()
    assert tabs is not None and tabs.currentIndex() == 0
    qtbot.keyClick(win, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert tabs.currentIndex() == 2
    qtbot.keyClick(win, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert tabs.currentIndex() == 1
    qtbot.keyClick(win, Qt.Key.Key_9, Qt.KeyboardModifier.AltModifier)  # no 9th tab
    assert tabs.currentIndex() == 1
    assert tabs.tabToolTip(1).endswith("(Alt+2)")
    win.show_panel("counter")
    assert win.panel_tabs() is None
    qtbot.keyClick(win, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert win.current_id() == "counter" and not reporter.records
    win.close()
    win.shutdown()
