"""Checkpoint files: a model's config and weights, written atomically, read safely."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch

from explorer.core.files import atomic_open
from explorer.core.latent.config import LatentConfig
from explorer.core.latent.models import LatentModel
from explorer.core.latent.weights import CheckpointError, model_from_weights
from explorer.core.reading import FileError, MiB, read_torch

CHECKPOINT_FORMAT = "explorer.latent"
CHECKPOINT_VERSION = 1
MAX_CHECKPOINT_BYTES = 200 * MiB  # the largest model (conv, 2048 hidden) is ~60 MB


def save_checkpoint(
    path: str | Path, cfg: LatentConfig, weights: Mapping[str, Any]
) -> Path:
    """Return ``path`` after writing the config and the state dict there (torch file).

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    out = Path(path)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": cfg.to_dict(),
        "state_dict": {
            k: torch.as_tensor(np.asarray(v)).clone() for k, v in weights.items()
        },
    }
    try:
        with atomic_open(out) as fh:
            torch.save(payload, fh)
    except RuntimeError as exc:  # torch reports failed writes this way
        raise OSError(f"cannot write {out}: {exc}") from exc
    return out


def load_checkpoint(path: str | Path) -> tuple[LatentConfig, LatentModel]:
    """Return the config and a CPU model read from a :func:`save_checkpoint` file.

    The file is read with ``torch.load(weights_only=True)``: it cannot run code.

    Raises
    ------
    CheckpointError
        When the file is missing, not a torch file, not an Explorer latent
        checkpoint, or holds weights of another architecture.
    """
    p = Path(path)
    try:
        payload = read_torch(p, MAX_CHECKPOINT_BYTES)
    except FileError as exc:
        raise CheckpointError(str(exc)) from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{p.name}: not an Explorer latent-model checkpoint (save one with "
            "`explorer latent train --save` or the panel's Save weights)"
        )
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{p.name}: checkpoint version {payload.get('version')!r} is not supported"
        )
    raw_cfg = payload.get("config")
    state = payload.get("state_dict")
    if not isinstance(raw_cfg, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{p.name}: the checkpoint lacks its config or weights")
    try:
        cfg = LatentConfig.from_dict(raw_cfg)
    except (TypeError, ValueError, OverflowError) as exc:
        raise CheckpointError(f"{p.name}: invalid model settings ({exc})") from None
    if not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{p.name}: the state dict holds non-tensor values")
    for key, tensor in state.items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{p.name}: the weights {key!r} hold NaN or infinite values "
                "(saved from a run that diverged?)"
            )
    try:
        model = model_from_weights(cfg, state)
    except CheckpointError as exc:
        raise CheckpointError(f"{p.name}: {exc}") from exc
    return cfg, model
