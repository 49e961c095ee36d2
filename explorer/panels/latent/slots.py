"""One model column of the latent panel: its settings, job, view and latest report."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.data import Digits
from explorer.core.latent import (
    LatentConfig,
    LatentModel,
    LatentProgress,
    Projection,
    balanced_subset,
    encode,
    loss_terms,
)
from explorer.panels.latent.views import LatentScatter
from explorer.workers import JobRunner


@dataclass
class ModelSlot:
    """One model column: its settings, worker, view and latest state."""

    kind: str
    cfg: LatentConfig
    runner: JobRunner
    scatter: LatentScatter
    model: LatentModel | None = None
    progress: LatentProgress | None = None
    projection: Projection | None = None
    points: NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 2), np.float32)
    )
    epochs: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, float]] = field(default_factory=list)
    done: bool = False
    note: str = ""


def loaded_progress(
    cfg: LatentConfig, model: LatentModel, data: Digits, seed: int, note: str
) -> LatentProgress:
    """Return a report of a model not trained here (loaded or restored).

    Its codes are those of the class-balanced subset of ``data`` that training
    with ``seed`` would use, its losses those of that subset.
    """
    index = balanced_subset(data.labels, cfg.n_codes, seed)
    mu, std = encode(model, data.images[index])
    with torch.no_grad():
        x = torch.from_numpy(data.images[index]).unsqueeze(1)
        terms = loss_terms(model, x, generator=torch.Generator().manual_seed(0))
    return LatentProgress(
        step=0,
        total=None,
        losses={
            "recon": terms.recon.item(),
            "kl": terms.kl.item(),
            "loss": terms.loss.item(),
        },
        message=note,
        config=cfg,
        epoch=0.0,
        codes=mu,
        code_std=std,
        code_labels=data.labels[index],
        code_index=index,
        weights={k: v.detach().numpy() for k, v in model.state_dict().items()},
    )
