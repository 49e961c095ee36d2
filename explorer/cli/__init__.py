"""The ``explorer`` command: launches the GUI, or runs a headless subcommand.

Each topic adds its subcommand as a module ``explorer/cli/<topic>.py`` with a
``register(subparsers)`` function; modules are discovered here so topics do not
edit a shared list.  Handlers import torch and Qt lazily so ``--help``, ``list``
and ``--version`` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path

from explorer import __version__
from explorer.cli.common import CliError, Handler

_LAUNCH_FLAGS = {
    "--panel",
    "--presentation",
    "--theme",
    "--reset-settings",
    "--lesson",
}


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with every discovered subcommand registered."""
    parser = argparse.ArgumentParser(
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
    """Run the ``explorer`` command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
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
        print(f"explorer: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("explorer: interrupted", file=sys.stderr)
        return 130
