"""Using a trained model: codes of images, images of codes, code statistics."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.latent.config import FloatArray
from explorer.core.latent.models import LatentModel
from explorer.core.latent.names import IMAGE_SIZE


def encode(
    model: LatentModel, images: NDArray[np.floating[Any]]
) -> tuple[FloatArray, FloatArray]:
    """Return (μ, σ) of images (N, 28, 28) in [0, 1]; σ is zeros for an AE.

    Raises
    ------
    ValueError
        When the images are not 28×28.
    """
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            f"images must be {IMAGE_SIZE}×{IMAGE_SIZE}, got shape {arr.shape[1:]}"
        )
    device = next(model.parameters()).device
    x = torch.from_numpy(np.ascontiguousarray(arr)).unsqueeze(1).to(device)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        std = torch.zeros_like(mu) if logvar is None else torch.exp(0.5 * logvar)
    return mu.cpu().numpy(), std.cpu().numpy()


def decode(model: LatentModel, z: NDArray[np.floating[Any]]) -> FloatArray:
    """Return the mean images p(x|z) (N, 28, 28) in [0, 1] of codes z (N, D) or (D,).

    Raises
    ------
    ValueError
        When the codes do not have the model's latent dimension.
    """
    arr = np.asarray(z, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None]
    d = model.cfg.latent_dim
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"codes must have {d} components, got shape {arr.shape}")
    device = next(model.parameters()).device
    with torch.no_grad():
        logits = model.decode_logits(
            torch.from_numpy(np.ascontiguousarray(arr)).to(device)
        )
        out = torch.sigmoid(logits)[:, 0]
    return out.cpu().numpy()


def code_statistics(
    model: LatentModel, images: NDArray[np.floating[Any]], batch: int = 1000
) -> tuple[FloatArray, FloatArray]:
    """Return the per-dimension mean and standard deviation of μ over ``images``."""
    mus = [
        encode(model, images[i : i + batch])[0] for i in range(0, len(images), batch)
    ]
    mu = np.concatenate(mus)
    return mu.mean(axis=0), mu.std(axis=0)
