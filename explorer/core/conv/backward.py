"""The backward pass of one layer, three ways, and their largest disagreement.

For the loss L = ½‖I′‖² (so δ^(l) = ∂L/∂I′ = I′) the input gradient δ^(l−1) is
computed by torch's autograd, as Cᵀ · δ^(l) with the band matrix, and as the
seed's full convolution δ^(l) * ROT180(w); the kernel gradient ∂L/∂w by
autograd, as Xᵀ · δ (im2col) and as the input correlated with δ^(l).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import LayerConfig
from explorer.core.conv.layer import apply, effective_kernel
from explorer.core.conv.matrix import (
    conv_sparse,
    flipped_full,
    im2col,
    weight_gradient_correlation,
)

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Backward:
    """The three input gradients, the three kernel gradients and their spreads."""

    output: Array
    delta: Array  # δ^(l) = ∂L/∂I′
    loss: float
    autograd: Array
    matrix: Array
    flipped: Array
    max_difference: float
    w_autograd: Array
    w_matrix: Array
    w_flipped: Array
    w_max_difference: float


def autograd_gradients(
    image: Array, kernel: Array, cfg: LayerConfig
) -> tuple[Array, Array, float]:
    """Return (∂L/∂I, ∂L/∂K, L) for L = ½‖I′‖² from torch's autograd (float64)."""
    import torch
    import torch.nn.functional as F

    x = torch.tensor(image, dtype=torch.float64)[None, None].requires_grad_(True)
    k = torch.tensor(kernel, dtype=torch.float64).requires_grad_(True)
    w = torch.flip(k, (0, 1)) if cfg.mode == "conv" else k
    y = F.conv2d(
        x, w[None, None], stride=cfg.stride, padding=cfg.padding, dilation=cfg.dilation
    )
    loss = 0.5 * (y**2).sum()
    gx, gk = torch.autograd.grad(loss, (x, k))
    return gx[0, 0].numpy(), gk.numpy(), float(loss.detach())


def backward(image: Array, kernel: Array, cfg: LayerConfig) -> Backward:
    """Return the layer's backward pass for L = ½‖I′‖², computed three ways each."""
    out = apply(image, kernel, cfg)
    delta = out
    c = conv_sparse(image.shape, kernel, cfg)
    by_matrix = c.rmatvec(delta.ravel()).reshape(image.shape)
    by_flip = flipped_full(delta, kernel, image.shape, cfg)
    by_autograd, w_auto, loss = autograd_gradients(image, kernel, cfg)
    x = im2col(image, kernel.shape, cfg)
    w_eff = (x.T @ delta.ravel()).reshape(kernel.shape)
    w_matrix = effective_kernel(w_eff, cfg.mode)  # rotate back for convolution
    w_corr = weight_gradient_correlation(image, delta, kernel.shape, cfg)
    return Backward(
        output=out,
        delta=delta,
        loss=loss,
        autograd=by_autograd,
        matrix=by_matrix,
        flipped=by_flip,
        max_difference=_spread(by_autograd, by_matrix, by_flip),
        w_autograd=w_auto,
        w_matrix=w_matrix,
        w_flipped=w_corr,
        w_max_difference=_spread(w_auto, w_matrix, w_corr),
    )


def _spread(*arrays: Array) -> float:
    """Return the largest |a − b| between any two of ``arrays``."""
    stack = np.stack(arrays)
    return float((stack.max(axis=0) - stack.min(axis=0)).max(initial=0.0))
