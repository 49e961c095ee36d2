"""Digits for the latent models: IDX files read and checked, class-balanced subsets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from explorer.core.data import DataFormatError, Digits, read_idx
from explorer.core.latent.names import IMAGE_SIZE


def load_idx_digits(
    images_path: str | Path, labels_path: str | Path | None = None
) -> Digits:
    """Return digits read from IDX files (MNIST / Fashion-MNIST format, gz or not).

    Images must be N×28×28 (uint8 in 0..255 or floats in [0, 1]); labels, when
    given, N integers.  Without labels every digit gets label 0.

    Raises
    ------
    DataFormatError
        When a file is not IDX, or the images or labels have the wrong shape.
    """
    images_path = Path(images_path)
    arr = read_idx(images_path)
    if arr.ndim != 3 or arr.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        got = "×".join(str(s) for s in arr.shape)
        raise DataFormatError(
            f"{images_path.name}: holds an array of shape {got}; the latent models "
            f"need N×{IMAGE_SIZE}×{IMAGE_SIZE} images (MNIST / Fashion-MNIST format)"
        )
    if arr.shape[0] == 0:
        raise DataFormatError(f"{images_path.name}: holds no images")
    if arr.dtype == np.uint8:
        images = arr.astype(np.float32) / 255.0
    else:
        images = arr.astype(np.float32)
        if not np.all(np.isfinite(images)) or images.min() < 0 or images.max() > 1:
            raise DataFormatError(
                f"{images_path.name}: float pixels must lie in [0, 1] "
                "(integer images must be unsigned bytes)"
            )
    if labels_path is None:
        labels = np.zeros(len(images), dtype=np.int64)
    else:
        labels_path = Path(labels_path)
        lab = read_idx(labels_path)
        if lab.ndim != 1 or lab.shape[0] != len(images):
            raise DataFormatError(
                f"{labels_path.name}: expected {len(images)} labels (one per image in "
                f"{images_path.name}), found shape {lab.shape}"
            )
        if not np.issubdtype(lab.dtype, np.integer):
            raise DataFormatError(f"{labels_path.name}: labels must be integers")
        labels = lab.astype(np.int64)
    return Digits(images=images, labels=labels)


def balanced_subset(labels: NDArray[np.int64], n: int, seed: int) -> NDArray[np.int64]:
    """Return ``n`` sorted indices drawn class by class, as evenly as the data allows.

    The bundled digits are sorted by class, so a plain prefix would hold one class.
    """
    rng = np.random.default_rng(seed)
    n = min(n, len(labels))
    classes = np.unique(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    picked: list[int] = []
    depth = 0
    while len(picked) < n:
        for idx in per_class:
            if depth < len(idx) and len(picked) < n:
                picked.append(int(idx[depth]))
        depth += 1
    return np.sort(np.asarray(picked, dtype=np.int64))
