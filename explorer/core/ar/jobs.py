"""Training and sampling jobs on binarised MNIST, and the checkpoint format.

:func:`train` is a generator (a yield is a pause and cancel point): it yields a
:class:`TrainProgress` every ``control.speed`` batches, the epoch's mean bits per
pixel at each epoch's end, then — with the final weights — draws samples pixel
by pixel, yielding each partial image.  :func:`sample` does only the drawing,
from saved weights.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.ar.config import TrainConfig
from explorer.core.ar.models import (
    PIXELS,
    Model,
    bits_per_pixel,
    independent_bits,
    make_model,
    sample_pixels,
    start_at_marginals,
)
from explorer.core.ar.names import BINARISE_AT, IMAGE_SIDE
from explorer.core.data import load_mnist
from explorer.core.files import atomic_open
from explorer.core.progress import JobControl, Progress, check_finite
from explorer.core.reading import FileError, read_torch

CHECKPOINT_FORMAT = "explorer-ar-model"
CHECKPOINT_VERSION = 1
MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024
RECENT = 10  # batches behind TrainProgress.recent
Weights = dict[str, NDArray[np.float32]]


class CheckpointError(ValueError):
    """A checkpoint file cannot be used; the message names the file and why."""


HELD_OUT = 500  # the last digits of the fixed shuffle: never trained on


def _shuffled() -> NDArray[np.float32]:
    # the bundled digits are sorted by class: a fixed shuffle mixes them
    images = load_mnist().images.reshape(-1, PIXELS)
    order = np.random.default_rng(0).permutation(images.shape[0])
    return np.asarray((images[order] > BINARISE_AT).astype(np.float32))


def binarised_digits(limit: int) -> torch.Tensor:
    """Return ``limit`` training digits (all classes) as an N × 784 tensor of 0/1."""
    data = _shuffled()
    return torch.as_tensor(data[: min(limit, data.shape[0] - HELD_OUT)])


def held_out_digits() -> torch.Tensor:
    """Return the :data:`HELD_OUT` digits no training run sees (N × 784, 0/1)."""
    return torch.as_tensor(_shuffled()[-HELD_OUT:])


@dataclass(frozen=True, kw_only=True)
class TrainProgress(Progress):
    """A report of a training run (``phase`` "train") or of its sampling ("sample")."""

    model: str
    phase: str = "train"
    epoch: int = 0
    bits: float = math.nan  # running mean bits per pixel of this epoch
    recent: float = math.nan  # mean bits per pixel of the last RECENT batches
    history: tuple[tuple[int, float], ...] = ()  # (epoch, mean bits per pixel)
    baseline: float = math.nan  # independent pixels, same data
    drawn: int = 0  # pixels drawn so far (sampling)
    samples: NDArray[np.float32] | None = None  # N × 28 × 28, NaN not yet drawn
    weights: Weights | None = field(default=None, repr=False)


def _partial(x: torch.Tensor, drawn: int) -> NDArray[np.float32]:
    out = x.numpy().astype(np.float32).copy()
    out[:, drawn:] = np.nan
    return out.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)


def weights_of(model: Model) -> Weights:
    """Return the model's parameters as CPU float32 arrays (buffers excluded)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.named_parameters()}


def model_from(cfg: TrainConfig, weights: Mapping[str, Any]) -> Model:
    """Return the model of ``cfg`` carrying ``weights``.

    Raises
    ------
    ValueError
        When the weights do not fit the architecture.
    """
    model = make_model(cfg)
    own = dict(model.named_parameters())
    if set(weights) != set(own):
        raise ValueError("the weights do not belong to this model")
    with torch.no_grad():
        for name, p in own.items():
            value = torch.as_tensor(np.asarray(weights[name]), dtype=torch.float32)
            if value.shape != p.shape or not torch.isfinite(value).all():
                raise ValueError(
                    f"weight {name!r} has the wrong shape or is not finite"
                )
            p.copy_(value)
    return model


def _draw(
    model: Model, cfg: TrainConfig, seed: int, base: dict[str, Any], epochs: int
) -> Iterator[TrainProgress]:
    gen = torch.Generator().manual_seed(seed + 1)
    model.eval()
    for drawn, x in sample_pixels(model, cfg.samples, gen):
        yield TrainProgress(
            step=epochs,
            total=cfg.epochs,
            phase="sample",
            drawn=drawn,
            samples=_partial(x, drawn),
            message=f"sampling: {drawn} of {PIXELS} pixels",
            **base,
        )


def train(
    cfg: TrainConfig,
    *,
    seed: int = 0,
    draw: bool = True,
    control: JobControl | None = None,
) -> Iterator[TrainProgress]:
    """Train ``cfg.model`` on binarised MNIST; then, with ``draw``, sample it.

    Yields every ``control.speed`` batches (1 without a control); the first yield
    is the untrained model's bits per pixel on the first batch.
    """
    torch.manual_seed(seed)
    data = binarised_digits(cfg.train_digits)
    baseline = independent_bits(data, data)
    model = make_model(cfg)
    start_at_marginals(model, data)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(seed)
    per_epoch = math.ceil(data.shape[0] / cfg.batch_size)
    history: list[tuple[int, float]] = []
    with torch.no_grad():
        first = float(
            bits_per_pixel(model(data[: cfg.batch_size]), data[: cfg.batch_size])
        )
    base: dict[str, Any] = {"model": cfg.model, "baseline": baseline}
    yield TrainProgress(
        step=0, total=cfg.epochs * per_epoch, bits=first, recent=first, **base
    )
    recent: deque[float] = deque(maxlen=RECENT)
    done = 0
    for epoch in range(1, cfg.epochs + 1):
        order = torch.randperm(data.shape[0], generator=gen)
        total_bits, seen = 0.0, 0
        for b in range(per_epoch):
            batch = data[order[b * cfg.batch_size : (b + 1) * cfg.batch_size]]
            loss = bits_per_pixel(model(batch), batch)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            value = float(loss.detach())
            check_finite({"bits per pixel": value}, where=f"epoch {epoch}")
            recent.append(value)
            total_bits += value * batch.shape[0]
            seen += batch.shape[0]
            done += 1
            end = b + 1 == per_epoch
            if end:
                history.append((epoch, total_bits / seen))
            speed = control.speed if control is not None else 1
            if end or done % speed == 0:
                last = epoch == cfg.epochs and end
                yield TrainProgress(
                    step=done,
                    total=cfg.epochs * per_epoch,
                    epoch=epoch,
                    bits=total_bits / seen,
                    recent=sum(recent) / len(recent),
                    losses={"bits per pixel": value},  # the runner checks them too
                    history=tuple(history),
                    weights=weights_of(model) if last else None,
                    message=f"epoch {epoch}/{cfg.epochs}, batch {b + 1}/{per_epoch}",
                    **base,
                )
            if control is not None and control.stopping:
                return
    if draw:
        base["history"] = tuple(history)
        yield from _draw(model, cfg, seed, base, cfg.epochs)


def sample(
    cfg: TrainConfig,
    weights: Mapping[str, Any],
    *,
    seed: int = 0,
    control: JobControl | None = None,
) -> Iterator[TrainProgress]:
    """Draw ``cfg.samples`` digits pixel by pixel from ``weights`` (one yield a row)."""
    model = model_from(cfg, weights)
    base: dict[str, Any] = {"model": cfg.model}
    for item in _draw(model, cfg, seed, base, 0):
        if control is not None and control.stopping:
            return
        yield item


def save_checkpoint(path: str | Path, cfg: TrainConfig, weights: Weights) -> Path:
    """Write ``cfg`` and ``weights`` to ``path`` (atomically); return the path."""
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": asdict(cfg),
        "state_dict": {k: torch.as_tensor(v) for k, v in weights.items()},
    }
    with atomic_open(path) as fh:
        torch.save(payload, fh)
    return Path(path)


def load_checkpoint(path: str | Path) -> tuple[TrainConfig, Weights]:
    """Return the config and weights of a :func:`save_checkpoint` file.

    Read with ``torch.load(weights_only=True)``: the file cannot run code.

    Raises
    ------
    CheckpointError
        For a missing, oversized, damaged or foreign file.
    """
    p = Path(path)
    try:
        payload = read_torch(p, MAX_CHECKPOINT_BYTES)
    except FileError as exc:
        raise CheckpointError(str(exc)) from None
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{p.name}: not an Explorer autoregressive-model checkpoint "
            "(save one with `explorer ar train --save`)"
        )
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{p.name}: checkpoint version {payload.get('version')!r} is not supported"
        )
    raw, state = payload.get("config"), payload.get("state_dict")
    if not isinstance(raw, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{p.name}: the checkpoint lacks its config or weights")
    try:
        cfg = TrainConfig(**raw)
        weights = {str(k): torch.as_tensor(v).numpy() for k, v in state.items()}
        model_from(cfg, weights)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{p.name}: {exc}") from None
    return cfg, weights
