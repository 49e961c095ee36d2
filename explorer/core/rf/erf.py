"""Effective receptive fields (Luo, Li, Urtasun & Zemel, NeurIPS 2016).

The effective receptive field (ERF) of an output unit is the map of how much each
input pixel actually moves it: the gradient ∂y/∂x of that unit (summed over its
channels) with respect to the input, in absolute value, averaged over inputs
(Luo et al. 2016, sec. 2).  It is a roughly Gaussian blob far smaller than the
theoretical field: for n stacked uniform k×k convolutions it is the n-fold
convolution of a box, whose standard deviation grows like √n (central limit
theorem, Luo et al. sec. 2.1) while the theoretical field grows like n.

``weights="random"`` uses a fresh initialisation and noise inputs (Luo et al.'s
setting); ``weights="trained"`` first trains the stack briefly on the bundled MNIST
digits (a linear classifier on the chosen layer) and uses digits as inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from torch import Tensor, nn

from explorer.core.device import resolve_device
from explorer.core.progress import Progress
from explorer.core.rf.inputs import mnist_inputs, mnist_split
from explorer.core.rf.layers import Stack, StackError
from explorer.core.rf.names import (
    ERF_MASS,
    MAX_ERF_INPUTS,
    MAX_ERF_TRAIN_STEPS,
    InputKind,
    Weights,
    why_not_trained,
)
from explorer.core.rf.recurrence import Box, Row, analyze
from explorer.core.rf.taps import build_model, features_at, load_trunk_state

MAX_TRAIN_PARAMS = 2_000_000


def erf_map(
    model: nn.Module, layer: str, inputs: Tensor, unit: tuple[int, int]
) -> NDArray[np.float32]:
    """Return the mean |∂y/∂x| map (H, W) of unit ``unit`` of ``layer`` over ``inputs``.

    ``y`` is the sum over channels of the layer's output at ``unit``; the absolute
    gradient is averaged over the batch and the input channels.
    """
    x = inputs.detach().clone().requires_grad_(True)
    out = features_at(model, layer, x)
    i, j = unit
    out[:, :, i, j].sum().backward()  # type: ignore[no-untyped-call]
    assert x.grad is not None
    grad = x.grad.abs().mean(dim=(0, 1))
    return grad.detach().cpu().numpy().astype(np.float32)


@dataclass(frozen=True)
class ErfStats:
    """Size statistics of an ERF map next to the theoretical field.

    Attributes
    ----------
    mass
        The fraction of the gradient mass the area holds (e.g. 0.95).
    area
        Fewest pixels that hold ``mass`` of the total (largest values first).
    side
        √area: the side of a square of that area, comparable with the RF size.
    std
        Gradient-weighted standard deviation per axis (rows, columns), pixels.
    centroid
        Gradient-weighted centre (row, column).
    theoretical_area
        Pixels of the theoretical field inside the image.
    ratio
        ``area / theoretical_area``.
    """

    mass: float
    area: int
    side: float
    std: tuple[float, float]
    centroid: tuple[float, float]
    theoretical_area: int
    ratio: float


def erf_stats(
    heatmap: NDArray[np.floating], box: Box | None = None, mass: float = ERF_MASS
) -> ErfStats:
    """Return the size statistics of an ERF ``heatmap`` (non-negative values).

    Raises
    ------
    ValueError
        When ``mass`` is not in (0, 1] or the map is all zero.
    """
    if not 0.0 < mass <= 1.0:
        raise ValueError(f"mass must be in (0, 1], got {mass}")
    h = np.asarray(heatmap, dtype=np.float64)
    total = float(h.sum())
    if total <= 0.0 or not math.isfinite(total):
        raise ValueError(
            "the gradient map is zero everywhere: no input pixel moves this unit"
        )
    ordered = np.sort(h.ravel())[::-1]
    area = int(np.searchsorted(np.cumsum(ordered), mass * total * (1 - 1e-12)) + 1)
    rows, cols = np.indices(h.shape)
    cy = float((h * rows).sum() / total)
    cx = float((h * cols).sum() / total)
    sy = math.sqrt(float((h * (rows - cy) ** 2).sum() / total))
    sx = math.sqrt(float((h * (cols - cx) ** 2).sum() / total))
    if box is None:
        theo = h.size
    else:
        c = box.clipped((h.shape[0], h.shape[1]))
        theo = max(c.height, 0) * max(c.width, 0)
    return ErfStats(
        mass=mass,
        area=area,
        side=math.sqrt(area),
        std=(sy, sx),
        centroid=(cy, cx),
        theoretical_area=theo,
        ratio=area / theo if theo else float("nan"),
    )


@dataclass(frozen=True)
class ErfConfig:
    """What to compute: which unit, with which weights, over how many inputs.

    Attributes
    ----------
    layer
        Row name of the layer whose unit is studied (``None``: the last row).
    unit
        (row, column) of that unit in its feature map (``None``: the centre unit).
    weights
        ``"random"`` (fresh init, noise inputs) or ``"trained"`` (trained on MNIST).
    n_inputs
        Inputs the gradient magnitude is averaged over.
    batch_size
        Inputs per backward pass (each batch is one progress report).
    train_steps
        Optimiser steps for ``weights="trained"``.
    mass
        Gradient-mass fraction of the size statistic.
    input_kind
        What the gradient is averaged over: ``"noise"`` (Gaussian), ``"digits"``
        (held-out MNIST digits) or ``"auto"`` (noise for random weights, digits
        for trained ones, as Luo et al. do).
    """

    layer: str | None = None
    unit: tuple[int, int] | None = None
    weights: Weights = "random"
    n_inputs: int = 16
    batch_size: int = 4
    train_steps: int = 300
    lr: float = 2e-3
    mass: float = ERF_MASS
    input_kind: InputKind = "auto"

    def __post_init__(self) -> None:
        if self.input_kind not in ("auto", "noise", "digits"):
            raise ValueError(
                f"input_kind must be auto, noise or digits, not {self.input_kind!r}"
            )
        if self.weights not in ("random", "trained"):
            raise ValueError(f"weights must be random or trained, not {self.weights!r}")
        if not 1 <= self.n_inputs <= MAX_ERF_INPUTS:
            raise ValueError(
                f"n_inputs must be in 1..{MAX_ERF_INPUTS}, got {self.n_inputs}"
            )
        if not 1 <= self.batch_size <= 1024:
            raise ValueError(f"batch_size must be in 1..1024, got {self.batch_size}")
        if not 0 <= self.train_steps <= MAX_ERF_TRAIN_STEPS:
            raise ValueError(
                f"train_steps must be in 0..{MAX_ERF_TRAIN_STEPS}, "
                f"got {self.train_steps}"
            )
        if not 0.0 < self.lr < 1.0:
            raise ValueError(f"the learning rate must be in (0, 1), got {self.lr}")
        if not 0.0 < self.mass <= 1.0:
            raise ValueError(f"mass must be in (0, 1], got {self.mass}")
        if self.unit is not None and min(self.unit) < 0:
            raise ValueError(f"unit indices must be ≥ 0, got {self.unit}")


@dataclass(frozen=True, kw_only=True)
class ErfProgress(Progress):
    """One report of an ERF job.

    ``phase`` is ``"train"`` while training (``heatmap`` is ``None``) and ``"erf"``
    while gradients are averaged; ``heatmap`` is the running mean |∂y/∂x| (H, W).
    """

    phase: Literal["train", "erf"]
    layer: str
    unit: tuple[int, int]
    box: Box
    heatmap: NDArray[np.float32] | None = None
    stats: ErfStats | None = None
    accuracy: float | None = None


class TapClassifier(nn.Module):
    """A linear classifier on the feature map of one layer of a trunk."""

    def __init__(
        self, trunk: nn.Module, layer: str, features: int, classes: int = 10
    ) -> None:
        super().__init__()
        self.trunk = trunk
        self.layer = layer
        self.fc = nn.Linear(features, classes)

    def forward(self, x: Tensor) -> Tensor:
        """Return class scores."""
        f = features_at(self.trunk, self.layer, x)
        return self.fc(torch.flatten(torch.relu(f), 1))  # type: ignore[no-any-return]


def _row(rows: list[Row], name: str | None) -> Row:
    if name is None:
        return rows[-1]
    for row in rows:
        if row.name == name:
            return row
    raise StackError(f"the stack has no layer {name!r}")


def erf_job(
    stack: Stack,
    cfg: ErfConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    arch: str | None = None,
    state: Mapping[str, NDArray[np.floating]] | None = None,
) -> Iterator[ErfProgress]:
    """Yield the ERF of one unit as it is averaged over inputs (one report per batch).

    Parameters
    ----------
    stack
        The stack (its input size decides the input).
    arch
        The built-in architecture ``stack`` was made from, or ``None`` for a user
        stack (then the model is built from the stack itself).
    state
        Trained weights (a ``state_dict`` of numpy arrays) to load instead of
        training; used by the panel for its live MNIST CNN.

    Raises
    ------
    StackError
        For an unknown layer or unit, or a stack too large to train on the CPU.
    """
    rows = analyze(stack)
    row = _row(rows, cfg.layer)
    g = row.geometry
    unit = cfg.unit if cfg.unit is not None else g.center_unit(stack.input_size)
    if unit[0] >= g.size[0] or unit[1] >= g.size[1]:
        raise StackError(
            f"unit {unit} is outside the {g.size[0]}×{g.size[1]} map of "
            f"layer {row.name!r}"
        )
    box = g.box(*unit)
    dev = torch.device(resolve_device(device))
    torch.manual_seed(seed)
    model = build_model(stack, arch).to(dev).eval()
    trained = cfg.weights == "trained" or state is not None
    if state is not None:
        load_trunk_state(model, state)
    elif trained:
        yield from _train(
            model, stack, row, cfg, seed=seed, dev=dev, unit=unit, box=box
        )
        model.eval()
    gen = torch.Generator().manual_seed(seed + 1)
    kind = cfg.input_kind
    if kind == "auto":
        kind = "digits" if trained else "noise"
    if kind == "digits":
        digits = mnist_split()[1].images
        pick = torch.randperm(len(digits), generator=gen)[: cfg.n_inputs].numpy()
        source = mnist_inputs(digits[pick], stack.input_size, stack.in_channels)
    else:
        source = torch.randn(
            cfg.n_inputs, stack.in_channels, *stack.input_size, generator=gen
        )
    total = np.zeros(stack.input_size, dtype=np.float64)
    done = 0
    batches = math.ceil(cfg.n_inputs / cfg.batch_size)
    for b in range(batches):
        chunk = source[b * cfg.batch_size : (b + 1) * cfg.batch_size].to(dev)
        total += erf_map(model, row.name, chunk, unit).astype(np.float64) * len(chunk)
        done += len(chunk)
        heat = (total / done).astype(np.float32)
        yield ErfProgress(
            step=b + 1,
            total=batches,
            phase="erf",
            layer=row.name,
            unit=unit,
            box=box,
            heatmap=heat,
            stats=erf_stats(heat, box, cfg.mass),
            message=f"ERF: {done}/{cfg.n_inputs} inputs",
        )


def _train(
    model: nn.Module,
    stack: Stack,
    row: Row,
    cfg: ErfConfig,
    *,
    seed: int,
    dev: torch.device,
    unit: tuple[int, int],
    box: Box,
) -> Iterator[ErfProgress]:
    """Train ``model`` with a linear head on ``row`` on MNIST; yield progress."""
    reason = why_not_trained(stack.input_size)
    if reason is not None:
        raise StackError(f"trained weights: {reason}; use random weights")
    n_params = sum(p.numel() for p in model.parameters())
    if n_params > MAX_TRAIN_PARAMS:
        raise StackError(
            f"trained weights: {stack.name} has {n_params / 1e6:.1f} M parameters, too "
            f"many to train here (limit {MAX_TRAIN_PARAMS / 1e6:.0f} M); "
            "use random weights"
        )
    digits = mnist_split()[0]
    x_all = mnist_inputs(digits.images, stack.input_size, stack.in_channels)
    y_all = torch.from_numpy(digits.labels)
    c, h, w = _feature_shape(model, row.name, x_all[:1])
    net = TapClassifier(model, row.name, c * h * w).to(dev)
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(seed + 2)
    report = max(1, cfg.train_steps // 30)
    for step in range(1, cfg.train_steps + 1):
        idx = torch.randint(0, len(x_all), (64,), generator=gen)
        xb, yb = x_all[idx].to(dev), y_all[idx].to(dev)
        logits = net(xb)
        loss = F.cross_entropy(logits, yb)
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        if step % report == 0 or step == cfg.train_steps:
            acc = float((logits.argmax(1) == yb).float().mean())
            yield ErfProgress(
                step=step,
                total=cfg.train_steps,
                phase="train",
                layer=row.name,
                unit=unit,
                box=box,
                accuracy=acc,
                losses={"loss": loss.item()},
                message=f"training on MNIST: step {step}/{cfg.train_steps}",
            )


def _feature_shape(model: nn.Module, layer: str, x: Tensor) -> tuple[int, int, int]:
    dev = next(model.parameters()).device
    with torch.no_grad():
        f = features_at(model, layer, x.to(dev))
    return int(f.shape[1]), int(f.shape[2]), int(f.shape[3])


@dataclass(frozen=True)
class ErfResult:
    """The final ERF of a job: the map, its statistics and the theoretical box."""

    layer: str
    unit: tuple[int, int]
    box: Box
    heatmap: NDArray[np.float32]
    stats: ErfStats
    train_accuracy: float | None


def compute_erf(
    stack: Stack,
    cfg: ErfConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    arch: str | None = None,
) -> ErfResult:
    """Return the final ERF of :func:`erf_job` (runs it to the end)."""
    last: ErfProgress | None = None
    accuracy = None
    for p in erf_job(stack, cfg, seed=seed, device=device, arch=arch):
        if p.phase == "train":
            accuracy = p.accuracy
        last = p
    assert last is not None and last.heatmap is not None and last.stats is not None
    return ErfResult(
        layer=last.layer,
        unit=last.unit,
        box=last.box,
        heatmap=last.heatmap,
        stats=last.stats,
        train_accuracy=accuracy,
    )
