"""The ``explorer`` command: launches the GUI, or runs a headless subcommand.

Each topic adds its subcommand as a module ``explorer/cli/<topic>.py`` with a
``register(subparsers)`` function; modules are discovered here so topics do not
edit a shared list.  Handlers import torch and Qt lazily so ``--help``, ``list``
and ``--version`` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from explorer import __version__
from explorer.cli.common import CliError, Handler
from explorer.core.reading import FileError

_LAUNCH_FLAGS = {
    "--panel",
    "--presentation",
    "--theme",
    "--reset-settings",
    "--lesson",
}


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit code 2).

    argparse prints the whole usage first; with a dozen flags that buries the
    one line that matters.  The usage stays one ``--help`` away.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every discovered subcommand registered."""
    parser = _Parser(
        prog="explorer",
        description=(
            "Explorer: point-and-click explorations of deep-learning ideas. "
            "Without a subcommand it opens the desktop app."
        ),
    )
    parser.add_argument(
        "--version", action="version", version=f"explorer {__version__}"
    )
    parser.add_argument("--panel", metavar="ID", help="open the app on this panel")
    parser.add_argument(
        "--presentation", action="store_true", help="start in presentation mode"
    )
    parser.add_argument(
        "--theme", choices=("light", "dark", "high-contrast"), help="colour theme"
    )
    parser.add_argument(
        "--reset-settings", action="store_true", help="forget saved window settings"
    )
    parser.add_argument(
        "--lesson", type=Path, metavar="FILE", help="open the app playing this lesson"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    package = importlib.import_module("explorer.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name == "common":
            continue
        module = importlib.import_module(f"explorer.cli.{info.name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``explorer`` command line and return its exit code.

    A closed pipe (``explorer rf layers resnet50 | head``) ends the command
    quietly with the exit code of a process killed by SIGPIPE (141).
    """
    try:
        code = _main(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        _silence_stdout()
        return 141
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's final flush cannot fail again."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a replaced stdout (tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)  # SystemExit(2) for a refused argument
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        from explorer.app.launch import launch

        return launch(
            panel=args.panel,
            presentation=args.presentation,
            theme=args.theme,
            reset_settings=args.reset_settings,
            lesson=args.lesson,
        )
    try:
        return handler(args)
    except CliError as exc:
        print(f"explorer: error: {_one_line(exc)}", file=sys.stderr)
        return exc.code
    except FileError as exc:  # a reader's refusal that a handler did not reword
        print(f"explorer: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("explorer: interrupted", file=sys.stderr)
        return 130


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
