"""``explorer lesson check FILE``: is a lesson file usable? (issue 15)."""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.cli.common import CliError, Handler, add_json_flag, emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``lesson`` subcommand."""
    p = sub.add_parser(
        "lesson",
        help="check lesson files (*.lesson.json)",
        description="Lessons step through panels with captions, for lectures.",
    )
    lesson_sub = p.add_subparsers(dest="lesson_command", metavar="ACTION")
    check = lesson_sub.add_parser(
        "check",
        help="check a lesson: its format, every step's panel and state",
        description="Exit 0 when every step can be played, 2 otherwise (each problem "
        "names the step and the field).",
    )
    check.add_argument("file", type=Path, help="a .lesson.json file")
    add_json_flag(check)
    check.set_defaults(handler=_check)
    render = lesson_sub.add_parser(
        "render",
        help="render every step to DIR/01.png … and optionally a PDF handout",
        description="Play each step as the app does (state, then its action) and "
        "save the panel's picture; with --pdf also one page per step with the title, "
        "step number and caption.",
    )
    render.add_argument("file", type=Path, help="a .lesson.json file")
    render.add_argument("--out", type=Path, required=True, help="folder for the PNGs")
    render.add_argument(
        "--scale", type=int, default=1, choices=(1, 2, 3), help="resolution multiplier"
    )
    render.add_argument("--pdf", type=Path, help="also write this PDF handout")
    render.add_argument(
        "--seconds",
        type=float,
        default=3.0,
        help="how long a step that starts its job runs before the picture (default 3)",
    )
    add_json_flag(render)
    render.set_defaults(handler=_render)
    p.set_defaults(handler=_usage(p))


def _usage(p: argparse.ArgumentParser) -> Handler:
    def handler(_args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    return handler


def _render(args: argparse.Namespace) -> int:
    import math
    import os

    from explorer.core.lesson import LessonError, read_lesson, validate_states
    from explorer.panels.registry import PANELS

    if not (math.isfinite(args.seconds) and 0 <= args.seconds <= 600):
        raise CliError(f"--seconds must be from 0 to 600, got {args.seconds}")
    try:
        lesson = read_lesson(args.file)
    except LessonError as exc:
        raise CliError(str(exc)) from None
    errors = validate_states(lesson, {spec.id: spec.check_state for spec in PANELS})
    if errors:
        raise CliError(f"{args.file.name}: " + "; ".join(errors))
    if args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {args.out} is a file, not a folder")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    from PySide6.QtWidgets import QApplication

    from explorer.app.lesson_render import RenderError, render_lesson
    from explorer.widgets.export import ExportError
    from explorer.workers import GuiThreadCollector

    app = QApplication.instance() or QApplication(["explorer"])
    collector = GuiThreadCollector(parent=app)
    collector.start()
    try:
        written = render_lesson(
            lesson,
            args.out,
            scale=float(args.scale),
            pdf=args.pdf,
            run_seconds=args.seconds,
        )
    except (RenderError, ExportError, OSError) as exc:
        raise CliError(f"{args.file.name}: {exc}") from None
    finally:
        collector.stop()
    if args.json:
        emit_json({"files": [str(p) for p in written], "steps": len(lesson.steps)})
    else:
        for p in written:
            print(p)
    return 0


def _check(args: argparse.Namespace) -> int:
    from explorer.core.lesson import LessonError, read_lesson, validate_states
    from explorer.panels.registry import PANELS

    try:
        lesson = read_lesson(args.file)
    except LessonError as exc:
        if args.json:
            emit_json({"steps": 0, "panels": [], "errors": [str(exc)]})
            return 2
        raise CliError(str(exc)) from None
    checks = {spec.id: spec.check_state for spec in PANELS}
    errors = validate_states(lesson, checks)
    if args.json:
        emit_json(
            {
                "title": lesson.title,
                "chapter": lesson.chapter,
                "steps": len(lesson.steps),
                "panels": lesson.panels,
                "errors": errors,
            }
        )
    elif errors:
        raise CliError(f"{args.file.name}: " + "; ".join(errors))
    else:
        print(
            f"{args.file.name}: {lesson.title!r}, {len(lesson.steps)} step(s) over "
            f"{', '.join(lesson.panels)}: OK"
        )
    return 2 if errors else 0
