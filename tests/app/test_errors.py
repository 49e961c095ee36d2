"""The error reporter: log file, listeners, and the excepthooks it installs."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from explorer.app.errors import ErrorRecord, ErrorReporter


def test_report_logs_traceback_and_notifies(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "explorer.log"
    reporter = ErrorReporter(log)
    heard: list[ErrorRecord] = []
    reporter.add_listener(heard.append)
    try:
        raise ValueError("bad thing")
    except ValueError as exc:
        reporter.report(exc, "GAN: training")
    assert heard[0].kind == "ValueError" and heard[0].message == "bad thing"
    text = log.read_text()
    assert "GAN: training" in text and "Traceback" in text and "bad thing" in text


def test_hooks_route_gui_and_thread_exceptions(tmp_path: Path) -> None:
    reporter = ErrorReporter(tmp_path / "log.txt")
    reporter.install_hooks()
    try:
        try:
            raise KeyError("in the gui thread")
        except KeyError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]

        def explode() -> None:
            raise OSError("in a thread")

        t = threading.Thread(target=explode, name="helper")
        t.start()
        t.join()
    finally:
        reporter.uninstall_hooks()
    kinds = [(r.kind, r.where) for r in reporter.records]
    assert ("KeyError", "Explorer") in kinds
    assert ("OSError", "background thread helper") in kinds
    assert (
        sys.excepthook is sys.__excepthook__
        or sys.excepthook is not reporter._excepthook
    )


def test_unwritable_log_does_not_raise(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    reporter = ErrorReporter(blocker / "sub" / "log.txt")
    record = reporter.report(RuntimeError("still recorded"))
    assert reporter.records == [record]
