"""The inputs a layer is shown: an MNIST digit, a test pattern, an image, a matrix.

``read_input("digit:7")`` is the bundled digit 7 (28 × 28), ``"pattern:checker"``
(or ``"pattern:checker:16"``) a test pattern, ``"1,2;3,4"`` a literal matrix,
anything else an image file, converted to grey in [0, 1] and down-sampled so
that its longer side is at most 64 pixels.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LIMITS
from explorer.core.conv.kernels import downsample_to, parse_matrix, pattern
from explorer.core.conv.names import PATTERN_NAMES

Array = NDArray[np.float64]


def digit(index: int) -> Array:
    """Return bundled MNIST digit ``index`` (0…4999) as 28 × 28 float64 in [0, 1].

    Raises
    ------
    ValueError
        For an index outside the 5,000 bundled digits.
    """
    from explorer.core.data import load_mnist

    lo, hi = LIMITS["digit"]
    if not lo <= index <= hi:
        raise ValueError(f"digit must be {lo}…{hi}, got {index}")
    return np.asarray(load_mnist(index + 1).images[index], dtype=np.float64)


def image_file(path: str | Path) -> Array:
    """Return the image file ``path`` as grey in [0, 1], longer side ≤ 64 pixels.

    Raises
    ------
    ValueError
        (a ``DataFormatError``) when the file is missing, too large or not an image.
    """
    from explorer.core.data import DataFormatError, load_image_gray

    p = Path(path)
    if not p.is_file():
        raise DataFormatError(f"{p}: no such file")
    return downsample_to(load_image_gray(p).astype(np.float64))


def read_input(text: str) -> Array:
    """Return the input named by ``text`` (see the module docstring).

    Raises
    ------
    ValueError
        With a one-line reason for an unknown pattern, a bad digit number, a
        ragged or non-finite matrix, or an unreadable image.
    """
    text = text.strip()
    kind, _, rest = text.partition(":")
    if kind == "digit":
        if not rest.isdigit() or len(rest) > 6:
            raise ValueError(f"digit:N needs a whole number N, got {rest!r}")
        return digit(int(rest))
    if kind == "pattern":
        name, _, size = rest.partition(":")
        if name not in PATTERN_NAMES:
            raise ValueError(
                f"unknown pattern {name!r} (use one of {', '.join(PATTERN_NAMES)})"
            )
        if size and (not size.isdigit() or len(size) > 4):
            raise ValueError(f"pattern size must be a whole number, got {size!r}")
        return pattern(name, int(size) if size else 28)
    if any(ch in text for ch in ",;") or _is_number(text):
        return parse_matrix(text, "input")
    return image_file(text)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
