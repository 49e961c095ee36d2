"""Flow model files: architecture + state dict, written atomically, read safely."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.files import atomic_open
from explorer.core.flow.config import Architecture
from explorer.core.flow.model import FlowModel
from explorer.core.flow.names import CHECKPOINT_FORMAT
from explorer.core.reading import FileError, MiB, read_torch

CHECKPOINT_VERSION = 1
MAX_CHECKPOINT_BYTES = 50 * MiB  # 16 layers of 256 units are about 4 MB


class CheckpointError(ValueError):
    """A model file cannot be used; the message names the file and why."""


def save_model(path: str | Path, model: FlowModel) -> Path:
    """Return ``path`` after writing the model's architecture and weights there.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    return save_weights(path, model.arch, model_weights(model))


def model_weights(model: FlowModel) -> dict[str, NDArray[Any]]:
    """Return a detached numpy copy of the model's state dict (for a snapshot)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def save_weights(
    path: str | Path, arch: Architecture, weights: Mapping[str, NDArray[Any]]
) -> Path:
    """Write a model file of ``arch`` with ``weights`` (:func:`model_weights`).

    The panel saves this way: its worker sends the weights with each
    snapshot, and the file is the model that the shown snapshot came from.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    out = Path(path)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "architecture": arch.to_dict(),
        "state_dict": {k: torch.from_numpy(np.array(v)) for k, v in weights.items()},
    }
    try:
        with atomic_open(out) as fh:
            torch.save(payload, fh)
    except RuntimeError as exc:  # torch reports failed writes this way
        raise OSError(f"cannot write {out}: {exc}") from exc
    return out


def load_model(path: str | Path) -> FlowModel:
    """Return the flow read from a :func:`save_model` file (``weights_only=True``).

    Raises
    ------
    CheckpointError
        When the file is missing, not a torch file, a model of another panel,
        or its weights do not fit its architecture.
    """
    p = Path(path)
    try:
        payload = read_torch(p, MAX_CHECKPOINT_BYTES)
    except FileError as exc:
        raise CheckpointError(str(exc)) from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        other = payload.get("format") if isinstance(payload, dict) else None
        origin = f" (it is a {other!r} file)" if isinstance(other, str) else ""
        raise CheckpointError(
            f"{p.name}: not a normalizing-flow model{origin}; save one with "
            "`explorer flow train --save model.pt` or the panel's Save model"
        )
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{p.name}: model file version {payload.get('version')!r} is not supported"
        )
    arch_dict, state = payload.get("architecture"), payload.get("state_dict")
    if not isinstance(arch_dict, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{p.name}: the file lacks its architecture or weights")
    try:
        arch = Architecture.from_dict(arch_dict)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{p.name}: invalid architecture ({exc})") from None
    for key, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            raise CheckpointError(f"{p.name}: the weights {key!r} are not a tensor")
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise CheckpointError(
                f"{p.name}: the weights {key!r} hold NaN or infinite values"
            )
    model = FlowModel(arch)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        first = str(exc).strip().splitlines()[0][:160]
        raise CheckpointError(
            f"{p.name}: the weights do not fit the architecture ({first})"
        ) from None
    model.eval()
    return model
