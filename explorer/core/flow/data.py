"""The 2-D data sets a flow learns: built-in ones, CSV points, a grey image.

Every sampler takes a numpy ``Generator`` and returns an (n, 2) float64 array
that lies (almost all) inside the default box [−4, 4]².
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from explorer.core.flow.names import BUILTIN_DATA, MAX_POINTS, POINT_STD
from explorer.core.reading import FileError, finite_array, read_text

FloatArray = NDArray[np.float64]
MAX_CSV_BYTES = 2 * 1024 * 1024
MAX_COORDINATE = 1e3


def moons(n: int, rng: np.random.Generator, noise: float = 0.1) -> FloatArray:
    """Return two interleaved half circles (sklearn's ``make_moons``), ×2, centred."""
    n_up = n // 2
    t_up = rng.uniform(0.0, math.pi, n_up)
    t_lo = rng.uniform(0.0, math.pi, n - n_up)
    up = np.stack([np.cos(t_up), np.sin(t_up)], axis=1)
    lo = np.stack([1.0 - np.cos(t_lo), 0.5 - np.sin(t_lo)], axis=1)
    x = np.concatenate([up, lo]) + noise * rng.standard_normal((n, 2))
    out: FloatArray = (x - np.array([0.5, 0.25])) * 2.0
    return out


def ring(n: int, rng: np.random.Generator, radius: float = 2.5) -> FloatArray:
    """Return a ring of 8 Gaussians (σ = 0.2) of radius ``radius``."""
    k = rng.integers(0, 8, n)
    angle = 2 * math.pi * k / 8
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + 0.2 * rng.standard_normal((n, 2))


def checkerboard(n: int, rng: np.random.Generator) -> FloatArray:
    """Return uniform points on the dark squares of a 4×4 board on [−2, 2]² (FFJORD)."""
    x1 = rng.uniform(-2.0, 2.0, n)
    x2 = rng.uniform(0.0, 1.0, n) - 2.0 * rng.integers(0, 2, n)
    x2 = x2 + np.floor(x1) % 2
    return np.stack([x1, x2], axis=1)


def spiral(n: int, rng: np.random.Generator) -> FloatArray:
    """Return two interleaved spiral arms (FFJORD's "2spirals")."""
    half = n // 2
    t = np.sqrt(rng.uniform(0.0, 1.0, half)) * 540 * (2 * math.pi) / 360
    arm = np.stack([-np.cos(t) * t, np.sin(t) * t], axis=1)
    x = np.concatenate([arm, -arm])
    if len(x) < n:
        x = np.concatenate([x, arm[:1]])
    return x / 3.0 + 0.15 * rng.standard_normal((n, 2))


def around_points(
    points: ArrayLike, n: int, rng: np.random.Generator, std: float = POINT_STD
) -> FloatArray:
    """Return ``n`` samples of a mixture of bumps (σ = ``std``) at ``points``."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    idx = rng.integers(0, len(pts), n)
    return pts[idx] + std * rng.standard_normal((n, 2))


def sample(
    name: str, n: int, rng: np.random.Generator, points: ArrayLike = ()
) -> FloatArray:
    """Return ``n`` samples of the data set ``name`` (``points``: the drawn points).

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "moons":
        return moons(n, rng)
    if name == "ring":
        return ring(n, rng)
    if name == "checkerboard":
        return checkerboard(n, rng)
    if name == "spiral":
        return spiral(n, rng)
    if name == "points":
        return around_points(points, n, rng)
    raise ValueError(f"unknown dataset {name!r}: use one of {', '.join(BUILTIN_DATA)}")


def image_points(
    gray: ArrayLike,
    n: int,
    rng: np.random.Generator,
    box: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0),
) -> FloatArray:
    """Return ``n`` points drawn from a grey image used as a density (dark = dense).

    ``gray`` is an (H, W) array in [0, 1] (row 0 at the top); each point is a
    pixel chosen with probability ∝ 1 − grey, jittered uniformly inside it.

    Raises
    ------
    ValueError
        For an image with no dark pixel (a blank page has no density).
    """
    g = np.asarray(gray, dtype=np.float64)
    if g.ndim != 2 or g.size == 0:
        raise ValueError(f"expected a grey image, got an array of shape {g.shape}")
    weight = np.clip(1.0 - g, 0.0, 1.0).ravel()
    total = float(weight.sum())
    if not math.isfinite(total) or total <= 1e-9:
        raise ValueError("the image is blank: a density needs some dark pixels")
    idx = rng.choice(weight.size, size=n, p=weight / total)
    rows, cols = np.divmod(idx, g.shape[1])
    u = (cols + rng.uniform(0.0, 1.0, n)) / g.shape[1]
    v = 1.0 - (rows + rng.uniform(0.0, 1.0, n)) / g.shape[0]
    x0, x1, y0, y1 = box
    return np.stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)], axis=1)


def read_points_csv(path: str | Path) -> FloatArray:
    """Return the (N, 2) points of a CSV file with one ``x,y`` pair per line.

    A header line and blank lines are skipped.

    Raises
    ------
    ValueError
        When the file is missing, too large, has a line that is not two finite
        numbers, or holds fewer than two or more than :data:`MAX_POINTS` points.
    """
    p = Path(path)
    try:
        text = read_text(p, max_bytes=MAX_CSV_BYTES)
    except FileError as exc:
        raise ValueError(f"cannot read points file {exc}") from None
    rows: list[tuple[float, float]] = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        try:
            x, y = (float(c) for c in cells)
        except ValueError:
            if i == 1 and not rows:
                continue  # a header such as "x,y"
            raise ValueError(
                f"{p.name}, line {i}: expected two numbers 'x,y', got {','.join(row)!r}"
            ) from None
        rows.append((x, y))
        if len(rows) > MAX_POINTS:
            raise ValueError(f"{p.name} holds more than {MAX_POINTS} points")
    if len(rows) < 2:
        raise ValueError(
            f"{p.name} holds {len(rows)} point{'s' if len(rows) != 1 else ''}: a flow "
            "needs at least two to learn a density from"
        )
    try:
        return finite_array(p, "the coordinates", rows, limit=MAX_COORDINATE)
    except FileError as exc:
        raise ValueError(str(exc)) from None
