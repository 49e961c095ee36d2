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
    p.set_defaults(handler=_usage(p))


def _usage(p: argparse.ArgumentParser) -> Handler:
    def handler(_args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    return handler


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
