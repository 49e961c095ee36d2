"""Model weights as plain arrays: copied out of a model, checked and loaded back."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from explorer.core.latent.config import LatentConfig
from explorer.core.latent.models import LatentModel


class CheckpointError(ValueError):
    """A weights file cannot be used; the message says why in plain words."""


def state_arrays(model: nn.Module) -> dict[str, NDArray[np.float32]]:
    """Return a detached CPU numpy copy of ``model``'s state dict."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def model_from_weights(
    cfg: LatentConfig, weights: Mapping[str, NDArray[np.float32] | torch.Tensor]
) -> LatentModel:
    """Return a CPU model of ``cfg`` holding ``weights`` (in eval mode).

    Raises
    ------
    CheckpointError
        When the weights belong to another architecture.
    """
    model = LatentModel(cfg)
    load_weights(model, weights)
    return model


def load_weights(
    model: LatentModel, weights: Mapping[str, NDArray[np.float32] | torch.Tensor]
) -> None:
    """Copy ``weights`` into ``model`` after checking names and shapes.

    Raises
    ------
    CheckpointError
        Naming the first missing, unexpected or mis-shaped tensor.
    """
    own = model.state_dict()
    missing = sorted(set(own) - set(weights))
    extra = sorted(set(weights) - set(own))
    if missing or extra:
        what = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise CheckpointError(
            f"the weights belong to another architecture than {model.cfg.title} "
            f"({model.cfg.arch}, latent dim {model.cfg.latent_dim}): {what}"
        )
    tensors: dict[str, torch.Tensor] = {}
    for name, target in own.items():
        value = torch.as_tensor(weights[name])
        if tuple(value.shape) != tuple(target.shape):
            raise CheckpointError(
                f"the weights belong to another architecture: {name} has shape "
                f"{tuple(value.shape)}, {model.cfg.title} needs {tuple(target.shape)}"
            )
        if not torch.is_floating_point(value) or not bool(torch.isfinite(value).all()):
            raise CheckpointError(
                f"the weights are damaged: {name} is not finite floats"
            )
        tensors[name] = value.to(target.dtype)
    model.load_state_dict(tensors)
    model.eval()
