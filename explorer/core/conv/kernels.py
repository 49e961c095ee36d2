"""Kernels, inputs and matrices typed as text: presets, test patterns, parsing.

A kernel or a small input can be written as rows of numbers (``"1,2;3,4"``: rows
split by ``;``, entries by ``,``), or named (``"sobel-x"``, ``"box:5"``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LIMITS, MAX_ABS_VALUE
from explorer.core.conv.names import KERNEL_NAMES, PATTERN_NAMES

Array = NDArray[np.float64]

# the longest text a matrix may be typed in (a 64 × 64 matrix of "-0.125," fits)
MAX_TEXT = 40_000


def kernel_preset(name: str, size: int = 3) -> Array:
    """Return the preset kernel ``name`` (box, Gaussian and identity take ``size``).

    Raises
    ------
    ValueError
        For an unknown name or a size outside the kernel limits.
    """
    lo, hi = LIMITS["kernel"]
    if not lo <= size <= hi:
        raise ValueError(f"kernel size must be {lo}…{hi}, got {size}")
    if name == "identity":
        k = np.zeros((size, size))
        k[(size - 1) // 2, (size - 1) // 2] = 1.0
        return k
    if name == "box":
        return np.full((size, size), 1.0 / size**2)
    if name == "gaussian":
        sigma = max(size / 4.0, 0.5)
        r = np.arange(size) - (size - 1) / 2.0
        g = np.exp(-(r**2) / (2 * sigma**2))
        k = np.outer(g, g)
        return np.asarray(k / k.sum(), dtype=np.float64)
    if name == "sobel-x":
        return np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    if name == "sobel-y":
        return np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])
    if name == "diff":
        return np.array([[-1.0, 1.0]])
    if name == "laplacian":
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    raise ValueError(f"unknown kernel {name!r} (use one of {', '.join(KERNEL_NAMES)})")


def parse_matrix(text: str, what: str = "matrix") -> Array:
    """Return the matrix written as ``"a,b;c,d"`` (rows by ``;``, entries by ``,``).

    Raises
    ------
    ValueError
        For empty or ragged rows, a non-number, NaN/∞, a value beyond
        ±:data:`MAX_ABS_VALUE` or more than 64 × 64 entries.
    """
    if len(text) > MAX_TEXT:
        raise ValueError(f"the {what} text is too long ({len(text):,} characters)")
    rows = [r for r in text.strip().strip(";").split(";")]
    if not text.strip() or not rows:
        raise ValueError(f"the {what} is empty")
    side = LIMITS["input"][1]
    if len(rows) > side:
        raise ValueError(f"the {what} has {len(rows)} rows (at most {side})")
    values: list[list[float]] = []
    for i, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row.split(",")]
        if len(cells) > side:
            raise ValueError(
                f"row {i} of the {what} has {len(cells)} entries (≤ {side})"
            )
        out = []
        for cell in cells:
            try:
                v = float(cell)
            except ValueError:
                raise ValueError(
                    f"row {i} of the {what}: {cell!r} is not a number"
                ) from None
            if not math.isfinite(v):
                raise ValueError(f"row {i} of the {what} holds {cell} (not finite)")
            if abs(v) > MAX_ABS_VALUE:
                raise ValueError(
                    f"row {i} of the {what} holds {cell}; entries must lie within "
                    f"±{MAX_ABS_VALUE:g}"
                )
            out.append(v)
        values.append(out)
    widths = {len(r) for r in values}
    if len(widths) != 1:
        raise ValueError(
            f"the {what} is ragged: its rows have "
            + ", ".join(str(len(r)) for r in values)
            + " entries"
        )
    return np.array(values, dtype=np.float64)


def parse_kernel(text: str) -> Array:
    """Return the kernel named (``"sobel-x"``, ``"box:5"``) or written (``"1,0;0,-1"``).

    Raises
    ------
    ValueError
        For an unknown name, a bad size, or a matrix :func:`parse_matrix` refuses,
        or one larger than the kernel limit.
    """
    name, _, size_text = text.strip().partition(":")
    if name in KERNEL_NAMES:
        size = 3
        if size_text:
            if not size_text.isdigit() or len(size_text) > 3:
                raise ValueError(
                    f"kernel size must be a whole number, got {size_text!r}"
                )
            size = int(size_text)
        return kernel_preset(name, size)
    if not any(ch.isdigit() for ch in text):
        raise ValueError(
            f"unknown kernel {text!r}: use one of {', '.join(KERNEL_NAMES)} "
            "(box, gaussian, identity take :SIZE) or rows like '1,0;0,-1'"
        )
    k = parse_matrix(text, "kernel")
    hi = LIMITS["kernel"][1]
    if max(k.shape) > hi:
        raise ValueError(
            f"the kernel is {k.shape[0]} × {k.shape[1]}; at most {hi} × {hi}"
        )
    return k


def pattern(name: str, size: int = 28) -> Array:
    """Return the test pattern ``name``: a ``size`` × ``size`` image in [0, 1].

    Raises
    ------
    ValueError
        For an unknown name or a size outside the input limits.
    """
    return np.asarray(_pattern(name, size), dtype=np.float64)


def _pattern(name: str, size: int) -> Any:
    lo, hi = LIMITS["input"]
    if not lo <= size <= hi:
        raise ValueError(f"pattern size must be {lo}…{hi}, got {size}")
    r, c = np.mgrid[0:size, 0:size]
    if name == "square":
        q = size // 4
        return ((r >= q) & (r < size - q) & (c >= q) & (c < size - q)).astype(float)
    if name == "checker":
        cell = max(1, size // 7)
        return (((r // cell) + (c // cell)) % 2).astype(float)
    if name == "stripes":
        return ((c // max(1, size // 14)) % 2).astype(float)
    if name == "cross":
        w = max(1, size // 8)
        mid = size // 2
        return ((abs(r - mid) < w) | (abs(c - mid) < w)).astype(float)
    if name == "ramp":
        return (r + c) / max(1, 2 * (size - 1))
    raise ValueError(
        f"unknown pattern {name!r} (use one of {', '.join(PATTERN_NAMES)})"
    )


def downsample_to(image: Array, side: int | None = None) -> Array:
    """Return ``image`` (2-D) with its longer side at most ``side`` (area averaging).

    ``side`` defaults to the input limit (64).
    """
    side = side or LIMITS["input"][1]
    h, w = image.shape
    f = math.ceil(max(h, w) / side)
    if f <= 1:
        return image.astype(np.float64)
    hh, ww = math.ceil(h / f) * f, math.ceil(w / f) * f
    padded = np.pad(image.astype(np.float64), ((0, hh - h), (0, ww - w)), mode="edge")
    return np.asarray(padded.reshape(hh // f, f, ww // f, f).mean(axis=(1, 3)))
