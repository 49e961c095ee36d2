"""The 2-D data sets of the perceptron and the playground, the 1-D targets, CSV files.

Labels are ±1 throughout (the perceptron's convention); the MLP trains on
``(y + 1) / 2``.  The presets live in [−1, 1]²; a user's points may lie
anywhere (the views fit their extent).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from explorer.core.mlp.names import BUILTIN_DATA, BUILTIN_TARGETS, MAX_ROWS
from explorer.core.reading import FileError, finite_array, read_text

FloatArray = NDArray[np.float64]
MAX_CSV_BYTES = 8 * 1024 * 1024  # 100,000 rows of "x1,x2,label" fit in ~4 MB
MAX_COORDINATE = 1e6
SEPARABLE_GAP = 0.15  # half-width of the empty band around the separable preset's line


@dataclass(frozen=True)
class Points:
    """A labelled 2-D point set: ``x`` (n, 2) and ``y`` (n,) in {−1, +1}."""

    x: FloatArray
    y: NDArray[np.int64]

    def __post_init__(self) -> None:
        if self.x.ndim != 2 or self.x.shape[1] != 2 or len(self.x) != len(self.y):
            raise ValueError("points must be an (n, 2) array with n labels")

    def __len__(self) -> int:
        return len(self.y)

    def check_two_classes(self) -> None:
        """Raise ``ValueError`` unless both classes are present."""
        if len(self) == 0:
            raise ValueError("no points: add points of both classes")
        if len(np.unique(self.y)) < 2:
            raise ValueError("all points have the same class: add points of the other")


def make_points(
    name: str, n: int = 200, *, noise: float = 0.1, seed: int = 0
) -> Points:
    """Return the preset ``name`` with about ``n`` points (seeded).

    Raises
    ------
    ValueError
        For an unknown preset.
    """
    if name not in BUILTIN_DATA:
        raise ValueError(f"unknown data set {name!r}: use {', '.join(BUILTIN_DATA)}")
    rng = np.random.default_rng(seed)
    half = n // 2
    if name == "separable":
        # uniform points, labelled by a fixed line, the band around it left empty
        normal = np.array([0.6, 0.8])
        out: list[FloatArray] = []
        while sum(len(o) for o in out) < n:
            p = rng.uniform(-1, 1, size=(n, 2))
            out.append(p[np.abs(p @ normal - 0.1) > SEPARABLE_GAP])
        x = np.concatenate(out)[:n]
        y = np.where(x @ normal - 0.1 > 0, 1, -1)
    elif name == "xor":
        x = rng.uniform(-1, 1, size=(n, 2))
        x += np.sign(x) * 0.05  # a thin gap along the axes, as in TF Playground
        x += rng.normal(0, noise * 0.5, size=x.shape)
        y = np.where(x[:, 0] * x[:, 1] > 0, 1, -1)
    elif name == "circles":
        r = np.concatenate(
            [rng.uniform(0, 0.35, half), rng.uniform(0.6, 0.9, n - half)]
        )
        t = rng.uniform(0, 2 * np.pi, n)
        x = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
        x += rng.normal(0, noise * 0.5, size=x.shape)
        y = np.where(np.arange(n) < half, 1, -1)
    elif name == "spiral":
        t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi
        arm = np.where(np.arange(n) < half, 0.0, np.pi)
        r = t / (3 * np.pi) * 0.9
        x = np.stack([r * np.cos(t + arm), r * np.sin(t + arm)], axis=1)
        x += rng.normal(0, noise * 0.3, size=x.shape)
        y = np.where(np.arange(n) < half, 1, -1)
    else:  # blobs
        centres = np.where((np.arange(n) < half)[:, None], [0.45, 0.4], [-0.4, -0.45])
        x = centres + rng.normal(0, 0.25 + noise, size=(n, 2))
        y = np.where(np.arange(n) < half, 1, -1)
    return Points(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.int64))


def read_points_csv(path: str | Path) -> Points:
    """Return the labelled points of a CSV file of ``x1,x2,label`` rows.

    Labels are 0/1 or −1/+1; a header line and blank lines are skipped.

    Raises
    ------
    ValueError
        Naming the file (and the line) for a malformed row, NaN, a label other
        than 0/1/±1, a single class, no rows or more than 100,000 rows.
    """
    p = Path(path)
    try:
        text = read_text(p, max_bytes=MAX_CSV_BYTES)
    except FileError as exc:
        raise ValueError(f"cannot read {exc}") from None
    rows: list[tuple[float, float]] = []
    labels: list[float] = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            if len(cells) != 3:
                raise ValueError
            a, b, lab = (float(c) for c in cells)
        except ValueError:
            if i == 1 and not rows:
                continue  # a header such as "x1,x2,label"
            raise ValueError(
                f"{p.name}, line {i}: expected 'x1,x2,label', "
                f"got {','.join(row)[:60]!r}"
            ) from None
        rows.append((a, b))
        labels.append(lab)
        if len(rows) > MAX_ROWS:
            raise ValueError(f"{p.name} has more than {MAX_ROWS:,} rows")
    if not rows:
        raise ValueError(f"{p.name} holds no points (expected rows 'x1,x2,label')")
    try:
        x = finite_array(p, "the coordinates", rows, limit=MAX_COORDINATE)
        lab_arr = finite_array(p, "the labels", labels)
    except FileError as exc:
        raise ValueError(str(exc)) from None
    values = set(np.unique(lab_arr).tolist())
    if not values <= {0.0, 1.0} and not values <= {-1.0, 1.0}:
        bad = sorted(values - {-1.0, 0.0, 1.0}) or sorted(values)
        raise ValueError(
            f"{p.name}: labels must be 0/1 or −1/+1, got {bad[0]:g}"
            + (" (0 and −1 mixed)" if not (values - {-1.0, 0.0, 1.0}) else "")
        )
    pts = Points(x, np.where(lab_arr > 0, 1, -1).astype(np.int64))
    try:
        pts.check_two_classes()
    except ValueError as exc:
        raise ValueError(f"{p.name}: {exc}") from None
    return pts


def points_csv(points: Points) -> str:
    """Return ``points`` as CSV text ``x1,x2,label`` (labels −1/+1, with a header)."""
    lines = ["x1,x2,label"]
    lines += [
        f"{a:.17g},{b:.17g},{int(c)}"
        for (a, b), c in zip(points.x, points.y, strict=True)
    ]
    return "\n".join(lines) + "\n"


def extent(x: FloatArray, minimum: float = 1.0) -> float:
    """Return the half-width of the square view around the origin holding ``x``."""
    if len(x) == 0:
        return minimum
    return max(minimum, float(np.abs(x).max()) * 1.1)


# -- 1-D targets of the universal-approximation section, on x ∈ [0, 1] ------------


def target_values(name: str, x: FloatArray) -> FloatArray:
    """Return the preset target ``name`` at ``x``.

    ``nielsen`` is the function of Nielsen, *Neural Networks and Deep Learning*,
    ch. 4: f(x) = 0.2 + 0.4x² + 0.3x·sin(15x) + 0.05·cos(50x).
    """
    if name == "nielsen":
        return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)
    if name == "step":
        return np.where(x < 0.5, 0.2, 0.8)
    if name == "abs":
        return np.abs(x - 0.5)
    if name == "sin":
        return np.sin(2 * np.pi * x)
    raise ValueError(f"unknown target {name!r}: use {', '.join(BUILTIN_TARGETS)}")


def sampled_target(xs: FloatArray, ys: FloatArray, x: FloatArray) -> FloatArray:
    """Return the piecewise-linear function through (``xs``, ``ys``) at ``x``."""
    order = np.argsort(xs)
    return np.interp(x, xs[order], ys[order])


def read_target_csv(path: str | Path) -> tuple[FloatArray, FloatArray]:
    """Return the (x, y) samples of a 1-D target from a CSV file of ``x,y`` rows.

    Raises
    ------
    ValueError
        For malformed rows, NaN, fewer than two distinct x or over 100,000 rows.
    """
    p = Path(path)
    try:
        text = read_text(p, max_bytes=MAX_CSV_BYTES)
    except FileError as exc:
        raise ValueError(f"cannot read {exc}") from None
    rows: list[tuple[float, float]] = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        try:
            if len(cells) != 2:
                raise ValueError
            a, b = (float(c) for c in cells)
        except ValueError:
            if i == 1 and not rows:
                continue
            raise ValueError(
                f"{p.name}, line {i}: expected 'x,y', got {','.join(row)[:60]!r}"
            ) from None
        rows.append((a, b))
        if len(rows) > MAX_ROWS:
            raise ValueError(f"{p.name} has more than {MAX_ROWS:,} rows")
    try:
        arr = finite_array(p, "the values", rows, limit=MAX_COORDINATE)
    except FileError as exc:
        raise ValueError(str(exc)) from None
    if len(np.unique(arr[:, 0]) if len(arr) else []) < 2:
        raise ValueError(f"{p.name}: a target needs at least two distinct x values")
    return arr[:, 0].copy(), arr[:, 1].copy()
