"""The app's error reporter (Qt-free): collects, logs and announces errors.

The shell installs :meth:`ErrorReporter.install_hooks` so unhandled exceptions on the
GUI thread (``sys.excepthook``) and on plain threads (``threading.excepthook``) are
reported instead of killing the app; worker errors arrive through ``report``.
"""

from __future__ import annotations

import datetime as _dt
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from explorer.workers import error_line


@dataclass(frozen=True)
class ErrorRecord:
    """One reported error."""

    where: str
    kind: str
    message: str
    traceback: str
    time: str
    line: str = ""  # what a banner or the status bar shows (workers.error_line)


Listener = Callable[[ErrorRecord], None]


class ErrorReporter:
    """Collects errors, logs their tracebacks to ``log_path``, notifies listeners."""

    def __init__(self, log_path: Path | None = None, max_records: int = 200) -> None:
        self.log_path = log_path
        self.records: list[ErrorRecord] = []
        self._listeners: list[Listener] = []
        self._max = max_records
        self._lock = threading.Lock()
        self._previous_hooks: tuple[object, object] | None = None

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(record)`` for every report from now on."""
        self._listeners.append(listener)

    def sink(self, exc: BaseException, where: str) -> None:
        """Report ``exc`` (the ``AppContext.report_error`` signature)."""
        self.report(exc, where)

    def report(self, exc: BaseException, where: str = "") -> ErrorRecord:
        """Record ``exc`` (raised in ``where``), log it and notify listeners."""
        tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        child = getattr(exc, "child_traceback", "")
        if child:
            tb += f"\nIn the worker process:\n{child}"
        record = ErrorRecord(
            where=where or "Explorer",
            kind=type(exc).__name__,
            message=str(exc),
            traceback=tb,
            time=_dt.datetime.now().isoformat(timespec="seconds"),
            line=error_line(exc),
        )
        with self._lock:
            self.records.append(record)
            del self.records[: -self._max]
            self._write(record)
        for listener in list(self._listeners):
            listener(record)
        return record

    def _write(self, record: ErrorRecord) -> None:
        if self.log_path is None:
            return
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            with self.log_path.open("a", encoding="utf-8") as fh:
                fh.write(f"--- {record.time} in {record.where}\n{record.traceback}\n")
        except OSError as exc:  # the log is best effort; the in-app report still shows
            sys.stderr.write(
                f"explorer: cannot write the error log {self.log_path}: {exc}\n"
            )

    # -- hooks -----------------------------------------------------------------------
    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        self.report(exc.with_traceback(tb), "Explorer")

    def _threading_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a thread"
        self.report(args.exc_value, f"background thread {name}")

    def install_hooks(self) -> None:
        """Route unhandled exceptions of the GUI thread and other threads here."""
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self._excepthook
        threading.excepthook = self._threading_hook

    def uninstall_hooks(self) -> None:
        """Restore the hooks that were there before :meth:`install_hooks`."""
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks  # type: ignore[assignment]
            self._previous_hooks = None
