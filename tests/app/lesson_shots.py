"""Play a lesson in the main window and save the whole window at each step.

``python -m tests.app.lesson_shots LESSON.json --out DIR [--size 1920x1080]
[--presentation] [--seconds 8]`` writes DIR/NN.png for step NN as a student
sees it (the lesson bar, the highlighted control, the column), after the step's
action: a step that runs N steps waits for them (up to ``--seconds``), one that
starts its job runs ``--seconds``, then pauses.  Run it under Xvfb with
``QT_QPA_PLATFORM=xcb`` (3-D views); it prints the fit checker's problems of
each step too.  A tool for looking at panels, not a test.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from tests.app.fit import _pump, fit_problems, show_at


def _settle(panel: object, seconds: float) -> None:
    end = time.monotonic() + seconds
    ready = getattr(panel, "snapshot_ready", lambda: True)
    settled = getattr(panel, "is_settled", lambda: True)
    while time.monotonic() < end:
        _pump(0.2)
        if settled() and ready():
            break
    _pump(0.5)  # the last draws


def main(argv: list[str] | None = None) -> int:
    """Save one PNG per lesson step; return the number of fit problems found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lesson", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args(argv)

    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import Settings
    from explorer.core.lesson import read_lesson
    from explorer.panels.base import AppContext

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    lesson = read_lesson(args.lesson)
    reporter = ErrorReporter()
    win = MainWindow(AppContext(report_error=reporter.sink), reporter, Settings())
    width, height = (int(v) for v in args.size.lower().split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    found = 0
    for index, step in enumerate(lesson.steps):
        show_at(win, step.panel, width, height, presentation=args.presentation)
        win.lesson_player.open(lesson, args.lesson, index)
        panel = win.panel(step.panel)
        if step.start and not step.run_steps:
            _pump(args.seconds)
            panel.start_pause()  # pause: the picture holds still
        _settle(panel, args.seconds)
        problems = fit_problems(win, f"{index + 1:02d} › ")
        found += len(problems)
        out = args.out / f"{index + 1:02d}.png"
        win.grab().save(str(out))
        print(f"step {index + 1} ({step.panel}): {len(problems)} problem(s) → {out}")
        for p in problems:
            print("   ", p)
    for panel in win.panels.values():
        panel.shutdown()
    win.close()
    return min(found, 1)


if __name__ == "__main__":
    sys.exit(main())
