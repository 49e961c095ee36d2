"""The 2-D plane the scatter shows (identity or PCA) and grids decoded over it."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from explorer.core.latent.codec import decode
from explorer.core.latent.config import FloatArray
from explorer.core.latent.models import LatentModel
from explorer.core.latent.names import GRID_N_LIMITS, IMAGE_SIZE, Spacing


@dataclass(frozen=True)
class Projection:
    """A map between codes (D-dim) and the 2-D plane the scatter shows.

    ``kind`` is ``"identity"`` for 2-D codes (or the first axis for 1-D codes,
    the second coordinate 0) and ``"pca"`` for more: the plane through ``mean``
    spanned by the two principal axes ``components`` (2 × D, orthonormal rows).
    """

    kind: Literal["identity", "pca"]
    mean: FloatArray
    components: FloatArray
    explained: tuple[float, float] = (1.0, 0.0)

    @property
    def label(self) -> str:
        """Return what the scatter axes show ("z₁, z₂" or "PCA of 8-D codes …")."""
        if self.kind == "identity":
            return "z₁, z₂" if self.mean.shape[0] == 2 else "z₁"
        share = 100.0 * sum(self.explained)
        return f"PCA of {self.mean.shape[0]}-D codes ({share:.0f} % of variance)"

    @property
    def short_label(self) -> str:
        """Return a narrow caption: "" (identity) or "8-D" (PCA of 8-D codes)."""
        return "" if self.kind == "identity" else f"{self.mean.shape[0]}-D"

    def project(self, codes: NDArray[np.floating[Any]]) -> FloatArray:
        """Return the 2-D coordinates (N, 2) of codes (N, D)."""
        c = np.asarray(codes, np.float32) - self.mean
        return (c @ self.components.T).astype(np.float32)

    def lift(self, points: NDArray[np.floating[Any]]) -> FloatArray:
        """Return the codes (N, D) of 2-D points (N, 2) on the plane."""
        p = np.asarray(points, np.float32).reshape(-1, 2)
        return (self.mean + p @ self.components).astype(np.float32)


def fit_projection(codes: NDArray[np.floating[Any]]) -> Projection:
    """Return the identity for ≤ 2-D codes, else the PCA plane of ``codes`` (N, D)."""
    c = np.asarray(codes, np.float32)
    d = c.shape[1]
    if d <= 2:
        comps = np.eye(2, d, dtype=np.float32)
        return Projection("identity", np.zeros(d, np.float32), comps)
    mean = c.mean(axis=0)
    _, s, vt = np.linalg.svd(c - mean, full_matrices=False)
    comps = vt[:2].astype(np.float32)
    # A fixed sign per axis keeps the scatter from flipping between updates.
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])
    comps *= signs[:, None]
    var = s**2
    share = var / var.sum() if var.sum() > 0 else np.zeros_like(var)
    return Projection(
        "pca", mean.astype(np.float32), comps, (float(share[0]), float(share[1]))
    )


def grid_coordinates(
    n: int, spacing: Spacing = "gaussian", extent: float = 3.0
) -> NDArray[np.float64]:
    """Return ``n`` grid coordinates along one latent axis.

    ``"linear"``: evenly spaced on [−extent, extent].  ``"gaussian"``: the
    inverse Gaussian CDF of (i + ½)/n, so that each cell holds the same prior
    mass (Kingma & Welling 2014, Fig. 4).

    Raises
    ------
    ValueError
        For n outside GRID_N_LIMITS (2..60), a non-positive extent or an unknown
        spacing.
    """
    lo, hi = GRID_N_LIMITS
    if not lo <= n <= hi:
        raise ValueError(f"a grid needs {lo} to {hi} images per side, got {n}")
    if spacing == "linear":
        if not (math.isfinite(extent) and 0 < extent <= 100):
            raise ValueError(f"the grid range must be in (0, 100], got {extent}")
        return np.linspace(-extent, extent, n)
    if spacing == "gaussian":
        normal = statistics.NormalDist()
        return np.array([normal.inv_cdf((i + 0.5) / n) for i in range(n)])
    raise ValueError(f"unknown grid spacing {spacing!r}: use linear or gaussian")


def manifold_grid(
    model: LatentModel,
    projection: Projection,
    n: int = 15,
    spacing: Spacing = "gaussian",
    extent: float = 3.0,
) -> tuple[FloatArray, NDArray[np.float64]]:
    """Return decoded images (n, n, 28, 28) over the 2-D plane and the axis coordinates.

    Row 0 is the top of the plane (largest second coordinate), as in a plot.
    """
    coords = grid_coordinates(n, spacing, extent)
    xs, ys = np.meshgrid(coords, coords[::-1])
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    images = decode(model, projection.lift(points))
    return images.reshape(n, n, IMAGE_SIZE, IMAGE_SIZE), coords


def tile(images: NDArray[np.floating[Any]], pad: int = 2) -> FloatArray:
    """Return one image of (rows, cols, h, w) images in a grid, ``pad`` px apart."""
    arr = np.asarray(images, np.float32)
    if arr.ndim == 3:
        arr = arr[None]
    rows, cols, h, w = arr.shape
    out = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad), np.float32)
    for r in range(rows):
        for c in range(cols):
            y, x = pad + r * (h + pad), pad + c * (w + pad)
            out[y : y + h, x : x + w] = arr[r, c]
    return out
