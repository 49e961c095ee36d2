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
    """Parse a positive integer argument (argparse ``type=``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value
