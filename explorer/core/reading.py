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
import warnings
import zipfile
import zlib
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

MiB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MiB
# Numbers longer than this are refused while parsing (Python would need seconds to
# convert a 1-million-digit integer, and no setting needs more than a few digits).
MAX_NUMBER_DIGITS = 30
# Deeper documents are refused after parsing (no Explorer file nests beyond ~10,
# and walking 100,000 levels would exhaust the stack of the code that reads them).
MAX_JSON_DEPTH = 64
# Images larger than this many pixels are refused before decoding (a 20,000 ×
# 20,000 PNG of a few kB would need 1.6 GB once decoded).
MAX_IMAGE_PIXELS = 40_000_000


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
    except FileNotFoundError:
        raise FileError(p, "no such file") from None
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


def _depth(doc: Any) -> int:
    """Return how deeply ``doc`` nests lists and objects (iteratively: no recursion)."""
    deepest = 0
    todo: list[tuple[Any, int]] = [(doc, 1)]
    while todo:
        node, level = todo.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            break
        todo.extend((child, level + 1) for child in children)
    return deepest


def parse_json(text: str, *, source: str | Path = "the text") -> Any:
    """Return the JSON document in ``text`` with the guards of :func:`read_json`."""
    doc = _parse_json(text, source)
    if _depth(doc) > MAX_JSON_DEPTH:
        raise FileError(
            source,
            f"is nested too deeply (more than {MAX_JSON_DEPTH} levels of lists "
            "and objects)",
        )
    return doc


def _parse_json(text: str, source: str | Path) -> Any:
    try:
        return json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise FileError(
            source,
            f"is nested too deeply (more than {MAX_JSON_DEPTH} levels of lists "
            "and objects)",
        ) from None
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
    *,
    keys: Collection[str] | None = None,
) -> dict[str, np.ndarray]:
    """Return the arrays of the ``.npz`` file ``path`` (never unpickling anything).

    Each member's header is read first: an array whose declared size exceeds
    ``max_array_bytes`` (a tiny file can declare a huge array) or whose dtype
    needs pickle is refused before any data is read.  With ``keys`` only those
    arrays are checked and returned (the others, even pickled ones, are never
    read); a missing one is simply absent from the result.
    """
    check_size(path, max_bytes)
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.endswith(".npy"):
                    continue
                if keys is not None and info.filename[: -len(".npy")] not in keys:
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
                        "Explorer never unpickles (they could run code)",
                    )
                declared = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
                if declared > max_array_bytes:
                    raise FileError(
                        path,
                        f"{info.filename} declares {_size_text(declared)} of data "
                        f"(at most {_size_text(max_array_bytes)})",
                    )
        with np.load(path, allow_pickle=False) as z:
            wanted = z.files if keys is None else [k for k in z.files if k in keys]
            return {k: z[k] for k in wanted}
    except FileError:
        raise
    except zipfile.BadZipFile:
        raise FileError(
            path, "is not an .npz archive (damaged or another format)"
        ) from None
    except (
        OSError,
        ValueError,
        EOFError,
        KeyError,
        zlib.error,
        NotImplementedError,  # a zip compression method Python lacks
        RuntimeError,  # an encrypted zip member
    ) as exc:
        raise FileError(path, f"is damaged ({exc})") from None


def finite_array(
    path: str | Path,
    what: str,
    values: Any,
    *,
    limit: float | None = None,
) -> np.ndarray:
    """Return ``values`` as a float64 array after checking it is finite (and bounded).

    Raises
    ------
    FileError
        Naming ``what`` when a value is NaN, infinite, or larger than ``limit``
        in magnitude (e.g. a vertex at 1e308, which no later step can use).
    """
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        raise FileError(path, f"{what} must be numbers") from None
    if not np.all(np.isfinite(arr)):
        raise FileError(path, f"{what} holds NaN or infinite values")
    if limit is not None and arr.size and float(np.abs(arr).max()) > limit:
        raise FileError(
            path,
            f"{what} holds {float(np.abs(arr).max()):.3g}; values must lie within "
            f"±{limit:g}",
        )
    return arr


def read_image(
    path: str | Path,
    mode: str = "L",
    *,
    max_bytes: int = 50 * MiB,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> Any:
    """Return the image file ``path`` decoded and converted to ``mode`` (a PIL image).

    The size of the file and the pixel count of its header are checked before
    any pixel is decoded, so a "decompression bomb" is refused at once.

    Raises
    ------
    FileError
        When the file is too large, not an image, damaged, or has too many pixels.
    """
    from PIL import Image, UnidentifiedImageError

    check_size(path, max_bytes)
    try:
        with warnings.catch_warnings():  # the pixel count is checked just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
        with im:
            width, height = im.size
            if width < 1 or height < 1:
                raise FileError(path, f"is an image of {width} × {height} pixels")
            if width * height > max_pixels:
                raise FileError(
                    path,
                    f"is too large an image ({width:,} × {height:,} pixels; at most "
                    f"{max_pixels:,} pixels)",
                )
            return im.convert(mode)
    except FileError:
        raise
    except UnidentifiedImageError:
        raise FileError(path, "is not an image Explorer can read") from None
    except Image.DecompressionBombError:
        raise FileError(
            path,
            f"is too large an image (over {max_pixels:,} pixels: a decompression bomb)",
        ) from None
    except (OSError, ValueError, SyntaxError, EOFError, zlib.error) as exc:
        raise FileError(path, f"is a damaged image ({exc})") from None


def read_torch(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Any:
    """Return what ``torch.load(path, weights_only=True)`` reads (size checked first).

    ``weights_only`` refuses every object but tensors and plain containers, so
    the file cannot run code; a file that tries is named as such.

    Raises
    ------
    FileError
        For a missing, oversized, damaged or foreign file, or one that holds
        more than weights.
    """
    import pickle
    import re

    import torch

    p = Path(path)
    check_size(p, max_bytes)
    try:
        with warnings.catch_warnings():  # a pickle of another protocol: refused
            warnings.filterwarnings("ignore", "Detected pickle protocol")
            return torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL ([\w.]+)", str(exc))
        if found is None:
            raise FileError(
                p, "not a PyTorch weights file (damaged, or another format)"
            ) from exc
        raise FileError(
            p,
            f"refused — it holds a {found.group(1)} object, not just weights, and "
            "opening it could run code",
        ) from exc
    except Exception as exc:  # a damaged file can fail anywhere in torch's reader
        raise FileError(
            p,
            "not a PyTorch weights file (damaged, or another format: "
            f"{type(exc).__name__})",
        ) from exc
