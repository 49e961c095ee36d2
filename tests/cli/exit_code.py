"""Run the ``explorer`` command in-process and return its exit code."""

from __future__ import annotations

from explorer.cli import main


def exit_code(argv: list[str]) -> int | str | None:
    """Return ``main(argv)``, or the code of the ``SystemExit`` argparse raised.

    argparse refuses a bad flag (an out-of-range number) itself, by raising
    ``SystemExit(2)`` after printing its one-line message.
    """
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code
