"""Reading files the user opens: the one guarded layer every reader goes through.

A file from a user may be empty, truncated, enormous, nested 100,000 deep, full
of 5,000-digit numbers or NaN, or a pickle that would run code.  These readers
check the size *before* reading, refuse what would exhaust memory or the
stack, never unpickle, and raise one :class:`FileError` whose message names
the file and says what is wrong in words a student understands.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MiB
# Numbers longer than this are refused while parsing (Python would need seconds to
# convert a 1-million-digit integer, and no setting needs more than a few digits).
MAX_NUMBER_DIGITS = 30


class FileError(ValueError):
    """A file cannot be used; ``str(exc)`` says which file and why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")


def _size_text(n: int) -> str:
    return f"{n / MiB:.1f} MB" if n >= MiB else f"{n:,} bytes"


def check_size(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Return the size of ``path`` after checking it exists and is ≤ ``max_bytes``.

    Raises
    ------
    FileError
        For a missing, unreadable, empty or too large file.
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise FileError(p, f"cannot read the file ({exc.strerror or exc})") from None
    if not p.is_file():
        raise FileError(p, "is not a file")
    if size == 0:
        raise FileError(p, "is empty")
    if size > max_bytes:
        raise FileError(
            p,
            f"is too large ({_size_text(size)}; at most {_size_text(max_bytes)})",
        )
    return size


def read_bytes(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the content of ``path`` (size checked first)."""
    check_size(path, max_bytes)
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise FileError(path, f"cannot read the file ({exc.strerror or exc})") from None


def read_text(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Return ``path`` decoded as UTF-8 (a byte-order mark is allowed)."""
    data = read_bytes(path, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(path, "is not a text file (not UTF-8)") from None


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ValueError(f"a number with {len(text)} digits")
    return int(text)


def _parse_float(text: str) -> float:
    if len(text) > MAX_NUMBER_DIGITS + 10:
        raise ValueError(f"a number written with {len(text)} characters")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large to be a number here")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(text: str, *, source: str | Path = "the text") -> Any:
    """Return the JSON document in ``text`` with the guards of :func:`read_json`."""
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise FileError(source, "is nested too deeply to be a settings file") from None
    except json.JSONDecodeError as exc:
        raise FileError(
            source,
            f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
        ) from None
    except ValueError as exc:
        raise FileError(source, f"holds {exc}") from None


def read_json(path: str | Path, max_bytes: int = 5 * MiB) -> Any:
    """Return the JSON document in ``path``.

    Refuses (with :class:`FileError`) a file over ``max_bytes``, one that is not
    UTF-8, invalid JSON, nesting deep enough to exhaust the stack, integers with
    more than :data:`MAX_NUMBER_DIGITS` digits and NaN / Infinity / 1e999.
    """
    return parse_json(read_text(path, max_bytes), source=path)


def read_npz(
    path: str | Path,
    max_bytes: int = 200 * MiB,
    max_array_bytes: int = 500 * MiB,
) -> dict[str, np.ndarray]:
    """Return the arrays of the ``.npz`` file ``path`` (never unpickling anything).

    Each member's header is read first: an array whose declared size exceeds
    ``max_array_bytes`` (a tiny file can declare a huge array) or whose dtype
    needs pickle is refused before any data is read.
    """
    check_size(path, max_bytes)
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                with zf.open(info) as fh:
                    version = np.lib.format.read_magic(fh)
                    if version == (1, 0):
                        shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
                    else:
                        shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
                if dtype.hasobject:
                    raise FileError(
                        path,
                        f"is damaged: {info.filename} holds Python objects, which "
                        "are never loaded (they could run code)",
                    )
                declared = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                if declared > max_array_bytes:
                    raise FileError(
                        path,
                        f"{info.filename} declares {_size_text(declared)} of data "
                        f"(at most {_size_text(max_array_bytes)})",
                    )
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileError:
        raise
    except zipfile.BadZipFile:
        raise FileError(
            path, "is not an .npz archive (damaged or another format)"
        ) from None
    except (OSError, ValueError, EOFError, KeyError) as exc:
        raise FileError(path, f"is damaged ({exc})") from None
