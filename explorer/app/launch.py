"""Start the desktop app: QApplication, error hooks, main window, clean quit."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from explorer.app.settings import data_dir

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QObject, QSocketNotifier

    from explorer.workers import GuiThreadCollector


# How long quitting waits for running jobs, in all, before the process ends anyway
# (counted from the moment the window starts closing or SIGTERM arrives).
QUIT_WAIT_S = 0.5


def configure_runtime(app: QObject) -> GuiThreadCollector:
    """Tune the interpreter for a responsive GUI beside training; return the collector.

    Used by :func:`launch` and by the stall benchmark, so both measure the same app.
    """
    from explorer.workers import GuiThreadCollector

    # Small models in the GUI process run faster on one torch thread than on two
    # contending with the GUI on a 2-core machine (measured ~10× for an epoch).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # A thread-backed job hands the GIL back to the GUI thread after 1 ms, not 5.
    sys.setswitchinterval(0.001)
    collector = GuiThreadCollector(parent=app)
    collector.start()  # before any thread starts (the device probe imports torch)
    return collector


def launch(
    panel: str | None = None,
    presentation: bool = False,
    theme: str | None = None,
    reset_settings: bool = False,
    lesson: Path | None = None,
) -> int:
    """Open the main window, run the event loop, then end the process.

    Returns only for a bad ``panel`` (exit code 2); otherwise the process ends
    with the event loop's exit code at most :data:`QUIT_WAIT_S` after quitting
    began, whatever still runs.
    """
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from explorer.app import registry
    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import START_ID, MainWindow
    from explorer.app.settings import Settings
    from explorer.core.data import asset_path
    from explorer.panels.base import AppContext
    from explorer.workers import begin_quit, kill_worker_processes, wait_for_all

    if panel is not None and panel != START_ID:
        try:
            registry.find(panel)
        except KeyError as exc:
            print(f"explorer: error: {exc.args[0]}", file=sys.stderr)
            return 2
    if lesson is not None:
        from explorer.core.lesson import LessonError, read_lesson

        try:
            read_lesson(lesson)
        except LessonError as exc:
            print(f"explorer: error: {exc}", file=sys.stderr)
            return 2
    QCoreApplication.setOrganizationName("Explorer")
    QCoreApplication.setApplicationName("Explorer")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    # matches packaging/linux/explorer.desktop (taskbars, Wayland)
    app.setDesktopFileName("explorer")
    app.setWindowIcon(QIcon(str(asset_path("icons/explorer.svg"))))
    collector = configure_runtime(app)
    folder = data_dir()
    reporter = ErrorReporter(folder / "logs" / "explorer.log")
    reporter.install_hooks()
    settings = Settings()
    if reset_settings:
        settings.clear()
    context = AppContext(report_error=reporter.sink, data_dir=folder)
    window = MainWindow(context, reporter, settings)
    window.restore_window(panel)
    if theme is not None:
        window.set_theme(theme)
    window.show()
    if presentation:
        window.set_presentation(True)
    if lesson is not None:
        window.lesson_menu.open_path(lesson)
    # Objects alive now live for the whole run: keep the collector from scanning them
    # (full collections were the long GUI stalls measured in ENVIRONMENT.md).
    gc.collect()
    gc.freeze()
    watcher = quit_budget_on_close(app)
    window.installEventFilter(watcher)
    app.aboutToQuit.connect(window.shutdown)
    notifier = quit_on_sigterm(app)
    code = app.exec()
    notifier.setEnabled(False)
    begin_quit(QUIT_WAIT_S)  # (no-op when the window's closing began it)
    wait_for_all(timeout_s=QUIT_WAIT_S)
    kill_worker_processes()
    del collector
    # The process ends here, without Python's and Qt's teardown: that waits for
    # whatever still runs (Qt's thread pool joins its threads: the body model's
    # first build kept a closed app alive for 92 s) and unloads torch and VTK
    # (~1.5 s).  Worker processes still running are killed (their jobs were
    # aborted; the watchdog would end them later).  Nothing is lost: settings
    # were written when the window closed, the error log as errors came.
    reporter.uninstall_hooks()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(int(code))


def quit_budget_on_close(app: QObject) -> QObject:
    """Return an event filter that starts the quit budget when a window closes."""
    from PySide6.QtCore import QEvent, QObject

    from explorer.workers import begin_quit

    class QuitBudget(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Close:
                # before the window's own closeEvent: the panels' shutdowns that
                # follow then share one budget, and every job was already told
                begin_quit(QUIT_WAIT_S)
            return False

    return QuitBudget(app)


def quit_on_sigterm(app: QCoreApplication) -> QSocketNotifier:
    """Make SIGTERM (and SIGINT) quit ``app`` as File ▸ Quit does; return the notifier.

    Python runs signal handlers only between bytecodes, never while Qt's event loop
    waits in C++: the handler's wake-up byte on a socket pair wakes the loop instead.
    """
    from PySide6.QtCore import QSocketNotifier

    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)  # the wake-up byte does the work
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)

    def on_signal() -> None:
        from explorer.workers import begin_quit

        with contextlib.suppress(OSError):
            reader.recv(64)
        begin_quit(QUIT_WAIT_S)
        closer = getattr(app, "closeAllWindows", None)
        if closer is not None:  # like File ▸ Quit: the window saves its settings
            closer()
        app.quit()

    notifier.activated.connect(on_signal)
    notifier._sockets = (reader, writer)  # type: ignore[attr-defined]  # kept alive
    return notifier
