"""The data of a 2-D GAN: equal-weight mixtures of Gaussians, built in or drawn.

The built-in sets (:func:`builtin_mixture`) follow the mode-collapse literature
(Metz et al. 2016; VEEGAN; PacGAN); :func:`read_points_csv` reads a user's own
mode centres.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from explorer.core.gan.names import BUILTIN_DATA, MAX_POINTS
from explorer.core.reading import FileError, MiB, finite_array, read_text

# 500 lines of "x,y" need ~25 kB; room for comments and long decimals.
MAX_POINTS_FILE_BYTES = 1 * MiB
MAX_POINT_COORDINATE = 1e4  # the plots span the modes ± 3σ; 1e308 overflows them

FloatArray = NDArray[np.float64]
ArrayLike2D = Sequence[Sequence[float]] | NDArray[np.floating]


@dataclass(frozen=True)
class Mixture:
    """An equal-weight mixture of isotropic 2-D Gaussians: the data distribution.

    Attributes
    ----------
    means
        (M, 2) mode centres.
    std
        Standard deviation σ of every mode.
    extent
        (xmin, xmax, ymin, ymax) of the square the views and the reverse KL use.
    """

    means: FloatArray
    std: float
    extent: tuple[float, float, float, float]

    @property
    def n_modes(self) -> int:
        """Return the number of modes M."""
        return int(self.means.shape[0])


def _extent_for(means: FloatArray, std: float) -> tuple[float, float, float, float]:
    """Return a square around ``means`` with a margin that leaves room to move."""
    # at least ±2.5 so a few drawn points still leave room to draw more
    half = max(2.5, float(np.max(np.abs(means))) + max(1.0, 10 * std))
    half = math.ceil(half * 2) / 2  # round up to a half unit: tidy axes
    return (-half, half, -half, half)


def make_mixture(
    means: ArrayLike2D,
    std: float,
    extent: tuple[float, float, float, float] | None = None,
) -> Mixture:
    """Return the :class:`Mixture` with ``means`` and ``std`` (extent chosen if None).

    Raises
    ------
    ValueError
        For an empty or non-finite set of means, or a non-positive ``std``.
    """
    arr = np.asarray(means, dtype=np.float64).reshape(-1, 2)
    if arr.shape[0] == 0:
        raise ValueError("the data needs at least one point (mode)")
    if arr.shape[0] > MAX_POINTS:
        raise ValueError(
            f"at most {MAX_POINTS} points are supported, got {arr.shape[0]}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("the points contain NaN or infinite coordinates")
    if not std > 0 or not math.isfinite(std):
        raise ValueError(f"the mode standard deviation must be positive, got {std}")
    return Mixture(arr, float(std), extent or _extent_for(arr, std))


def ring_means(n: int = 8, radius: float = 2.0) -> FloatArray:
    """Return ``n`` distinct points evenly spaced on a circle (no repeated endpoint)."""
    # endpoint=False: linspace(0, 2π, n) would put the last mode on top of the first.
    angles = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


def grid_means(n: int = 5, spacing: float = 2.0) -> FloatArray:
    """Return the ``n × n`` grid of points ``spacing`` apart, centred at the origin."""
    axis = (np.arange(n) - (n - 1) / 2) * spacing
    xx, yy = np.meshgrid(axis, axis)
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def spiral_means(n: int = 12) -> FloatArray:
    """Return ``n`` points at equal arc length along an Archimedean spiral."""
    theta = np.linspace(0.0, 1.0, 2000) ** 0.5 * 3.5 * np.pi + 0.5 * np.pi
    r = theta / (2 * np.pi) * 1.2
    xy = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    arc = np.concatenate(
        [[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))]
    )
    picks = np.searchsorted(arc, np.linspace(0.0, arc[-1], n))
    return xy[np.minimum(picks, len(xy) - 1)]


def moons_means(per_moon: int = 6) -> FloatArray:
    """Return points along two interleaved half circles (the "two moons")."""
    t = np.linspace(0.0, np.pi, per_moon)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    return (np.concatenate([upper, lower]) - [0.5, 0.25]) * 1.6


def builtin_mixture(name: str) -> Mixture:
    """Return the built-in dataset ``name`` ("ring8", "grid25", "spiral", "moons").

    The ring follows Metz et al. (2016): 8 modes on a circle of radius 2, σ = 0.02.
    The grid follows VEEGAN / PacGAN: 25 modes at {-4, -2, 0, 2, 4}², σ = 0.05.
    Spiral and moons are chains of σ = 0.05 Gaussians so the mode metrics apply.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "ring8":
        return make_mixture(ring_means(8, 2.0), 0.02)
    if name == "grid25":
        return make_mixture(grid_means(5, 2.0), 0.05)
    if name == "spiral":
        return make_mixture(spiral_means(12), 0.05)
    if name == "moons":
        return make_mixture(moons_means(6), 0.05)
    raise ValueError(f"unknown dataset {name!r}: use one of {', '.join(BUILTIN_DATA)}")


def read_points_csv(path: str | Path) -> FloatArray:
    """Return the (N, 2) points of a CSV file with one ``x,y`` pair per line.

    A header line and blank lines are skipped.

    Raises
    ------
    ValueError
        When the file is missing, unreadable or has a line that is not two numbers.
    """
    p = Path(path)
    # Size first, then count: a 50 MB file of 2.5 M points once took the app to
    # 24 GB before it was killed.
    try:
        text = read_text(p, max_bytes=MAX_POINTS_FILE_BYTES)
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
                continue  # a header line such as "x,y"
            raise ValueError(
                f"{p.name}, line {i}: expected two numbers 'x,y', got {','.join(row)!r}"
            ) from None
        rows.append((x, y))
        if len(rows) > MAX_POINTS:
            raise ValueError(
                f"{p.name} holds more than {MAX_POINTS} points: at most {MAX_POINTS} "
                "are supported"
            )
    if not rows:
        raise ValueError(f"{p.name} holds no points (expected lines of 'x,y')")
    if len(rows) < 2:
        raise ValueError(
            f"{p.name} holds one point: give at least two modes (mode collapse "
            "needs something to collapse from)"
        )
    try:
        return finite_array(p, "the coordinates", rows, limit=MAX_POINT_COORDINATE)
    except FileError as exc:
        raise ValueError(str(exc)) from None
