"""The inputs of the receptive-field work: the bundled MNIST digits, normalised."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor

from explorer.core.data import Digits

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the usual MNIST normalisation


def mnist_split() -> tuple[Digits, Digits]:
    """Return the bundled digits split into 4,000 training and 1,000 held-out ones.

    The file is sorted by class, so every fifth digit is held out (100 per class).
    """
    from explorer.core.data import load_mnist

    d = load_mnist()
    test = np.arange(len(d.labels)) % 5 == 0
    return (
        Digits(images=d.images[~test], labels=d.labels[~test]),
        Digits(images=d.images[test], labels=d.labels[test]),
    )


def fit_images(images: NDArray[np.float32], size: tuple[int, int]) -> Tensor:
    """Return grey images (N, h, w) in [0, 1] fitted to ``size`` as (N, 1, H, W).

    An image a few pixels smaller than the input is zero-padded around (MNIST's
    28×28 digits in LeNet's 32×32 input); any other size is resized bilinearly
    keeping its aspect ratio, and the rest of the input is zero (letterboxed): a
    640×480 photo in a 224×224 input is 224×168 with black bands above and below.
    """
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    h, w = size
    dh, dw = h - x.shape[-2], w - x.shape[-1]
    if 0 <= dh <= 8 and 0 <= dw <= 8:
        return F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))
    scale = min(h / x.shape[-2], w / x.shape[-1])
    fh = max(1, min(h, round(x.shape[-2] * scale)))
    fw = max(1, min(w, round(x.shape[-1] * scale)))
    x = F.interpolate(x, size=(fh, fw), mode="bilinear", align_corners=False)
    dh, dw = h - fh, w - fw
    return F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))


def mnist_inputs(
    images: NDArray[np.float32], size: tuple[int, int], channels: int
) -> Tensor:
    """Return grey images (N, h, w) in [0, 1] as normalised (N, C, H, W) inputs."""
    x = (fit_images(images, size) - MNIST_MEAN) / MNIST_STD
    return x.expand(-1, channels, -1, -1).contiguous()
