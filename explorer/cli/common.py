"""Helpers shared by the ``explorer`` subcommands: errors, JSON output, arguments."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from explorer.core.files import atomic_open

Handler = Callable[[argparse.Namespace], int]


class CliError(Exception):
    """An error the user can fix; printed to stderr, exit code ``code`` (default 2)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    import numpy as np  # here, not at import: `explorer --help` stays light

    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        return _jsonable(obj.item())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, Path):
        return str(obj)
    return obj


def save_png(image: Any, path: str | Path) -> Path:
    """Write the PIL ``image`` to ``path`` as PNG, atomically; return the path.

    Raises
    ------
    CliError
        When the file cannot be written (the message names it).
    """
    try:
        with atomic_open(path) as fh:
            image.save(fh, format="PNG")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise CliError(f"cannot write {path}: {reason}") from None
    return Path(path)


def emit_json(obj: Any) -> None:
    """Print ``obj`` as exactly one JSON document on stdout (numpy, paths allowed)."""
    json.dump(_jsonable(obj), sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    """Add the ``--json`` flag every result-printing subcommand accepts."""
    parser.add_argument(
        "--json", action="store_true", help="print exactly one JSON document on stdout"
    )


def positive_int(text: str) -> int:
    """Parse a positive integer argument (argparse ``type=``), at most 10⁹."""
    return _POSITIVE(text)


# An integer flag never needs more digits than this (2**63 has 19): longer text is
# refused before Python converts it (5,000 digits would raise "Exceeds the limit").
_MAX_INT_DIGITS = 19


def _range_text(lo: float, hi: float) -> str:
    def fmt(v: float) -> str:
        return f"{v:,}" if isinstance(v, int) else f"{v:g}"

    return f"{fmt(lo)} … {fmt(hi)}"


def bounded_int(lo: int, hi: int) -> Callable[[str], int]:
    """Return an argparse ``type=`` accepting integers in [``lo``, ``hi``].

    The message of a refused value states the allowed range, e.g.
    ``must be an integer in 0 … 4,294,967,295, got 1000000000000``.
    """
    lo, hi = int(lo), int(hi)

    def parse(text: str) -> int:
        digits = text.strip().lstrip("+-").replace("_", "")
        if len(digits) > _MAX_INT_DIGITS:
            raise argparse.ArgumentTypeError(
                f"must be an integer in {_range_text(lo, hi)}, got a number with "
                f"{len(digits)} digits"
            )
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not an integer: {text!r} (use {_range_text(lo, hi)})"
            ) from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(
                f"must be an integer in {_range_text(lo, hi)}, got {value}"
            )
        return value

    parse.__name__ = "integer"  # argparse names the type in some messages
    return parse


def finite_float(
    lo: float = -1e6, hi: float = 1e6, *, open_low: bool = False
) -> Callable[[str], float]:
    """Return an argparse ``type=`` accepting finite numbers in [``lo``, ``hi``].

    With ``open_low`` the low end itself is refused (a learning rate of 0).
    """

    def parse(text: str) -> float:
        if len(text) > 40:
            raise argparse.ArgumentTypeError(
                f"not a number: {text[:20]!r}… (use {_range_text(lo, hi)})"
            )
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"not a number: {text!r} (use {_range_text(lo, hi)})"
            ) from None
        low_ok = value > lo if open_low else value >= lo
        if not (math.isfinite(value) and low_ok and value <= hi):
            bracket = "(" if open_low else "["
            raise argparse.ArgumentTypeError(
                f"must be in {bracket}{lo:g}, {hi:g}], got {text}"
            )
        return value

    parse.__name__ = "number"
    return parse


_POSITIVE = bounded_int(1, 10**9)

SEED = bounded_int(0, 2**32 - 1)
"""The ``--seed`` of every subcommand (numpy and torch accept 0 … 2³² − 1)."""
