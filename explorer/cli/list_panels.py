"""``explorer list``: the registered panels, one id per line (or JSON)."""

from __future__ import annotations

import argparse

from explorer.cli.common import add_json_flag, emit_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``list`` subcommand."""
    p = sub.add_parser("list", help="list the panels (one id per line)")
    add_json_flag(p)
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from explorer.app.registry import PANELS

    if args.json:
        emit_json([{"id": spec.id, "title": spec.title} for spec in PANELS])
    else:
        for spec in PANELS:
            print(spec.id)
    return 0
