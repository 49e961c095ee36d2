"""Effective receptive fields (Luo, Li, Urtasun & Zemel, NeurIPS 2016) and feature maps.

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

from explorer.core.data import Digits
from explorer.core.device import resolve_device
from explorer.core.progress import Progress
from explorer.core.receptive_field import (
    ARCHS,
    Box,
    Row,
    Stack,
    StackError,
    analyze,
)
from explorer.core.rf_archs import build_arch, module_from_stack

Weights = Literal["random", "trained"]
InputKind = Literal["auto", "noise", "digits"]

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # the usual MNIST normalisation
MAX_TRAIN_SIZE = 64  # trained ERFs: MNIST-sized inputs only (CPU seconds, not hours)
MAX_TRAIN_PARAMS = 2_000_000


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


class _Reached(Exception):
    """Raised by a forward hook to stop the forward pass at the tapped module."""


def features_at(model: nn.Module, name: str, x: Tensor) -> Tensor:
    """Return the output of ``model``'s submodule ``name`` for input ``x``.

    The forward pass stops there, so the rest of the network (and its head) is not
    computed.

    Raises
    ------
    StackError
        When the model has no such submodule or never calls it.
    """
    try:
        target = model.get_submodule(name)
    except AttributeError:
        raise StackError(f"the model has no layer {name!r}") from None
    captured: list[Tensor] = []

    def hook(_m: nn.Module, _inp: object, out: Tensor) -> None:
        captured.append(out)
        raise _Reached

    handle = target.register_forward_hook(hook)
    try:
        model(x)
    except _Reached:
        pass
    finally:
        handle.remove()
    if not captured:
        raise StackError(f"layer {name!r} is not used by the model's forward pass")
    return captured[0]


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
    heatmap: NDArray[np.floating], box: Box | None = None, mass: float = 0.95
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
    mass: float = 0.95
    input_kind: InputKind = "auto"

    def __post_init__(self) -> None:
        if self.input_kind not in ("auto", "noise", "digits"):
            raise ValueError(
                f"input_kind must be auto, noise or digits, not {self.input_kind!r}"
            )
        if self.weights not in ("random", "trained"):
            raise ValueError(f"weights must be random or trained, not {self.weights!r}")
        if not 1 <= self.n_inputs <= 4096:
            raise ValueError(f"n_inputs must be in 1..4096, got {self.n_inputs}")
        if not 1 <= self.batch_size <= 1024:
            raise ValueError(f"batch_size must be in 1..1024, got {self.batch_size}")
        if not 0 <= self.train_steps <= 100_000:
            raise ValueError(
                f"train_steps must be in 0..100000, got {self.train_steps}"
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


def build_model(stack: Stack, arch: str | None) -> nn.Module:
    """Return a fresh trunk for ``stack`` (a built-in ``arch`` or a user stack)."""
    if arch is not None:
        if arch not in ARCHS:
            raise StackError(f"unknown architecture {arch!r}")
        return build_arch(arch, head=False)
    return module_from_stack(stack)


def fit_images(images: NDArray[np.float32], size: tuple[int, int]) -> Tensor:
    """Return grey images (N, h, w) in [0, 1] fitted to ``size`` as (N, 1, H, W).

    An image a few pixels smaller than the input is zero-padded around (MNIST's
    28×28 digits in LeNet's 32×32 input); any other size is resized bilinearly.
    """
    x = torch.from_numpy(np.ascontiguousarray(images, dtype=np.float32))[:, None]
    h, w = size
    dh, dw = h - x.shape[-2], w - x.shape[-1]
    if 0 <= dh <= 8 and 0 <= dw <= 8:
        return F.pad(x, (dw // 2, dw - dw // 2, dh // 2, dh - dh // 2))
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)


def load_trunk_state(
    model: nn.Module, state: Mapping[str, NDArray[np.floating]]
) -> None:
    """Load trained weights into a trunk built with ``head=False`` (no head weights).

    Raises
    ------
    StackError
        When the weights do not fit the trunk (another architecture).
    """
    trunk = {
        k: torch.from_numpy(np.asarray(v))
        for k, v in state.items()
        if not k.startswith("classifier")
    }
    try:
        missing, _ = model.load_state_dict(trunk, strict=False)
    except RuntimeError as exc:
        raise StackError(
            f"the trained weights do not fit this network: {exc}"
        ) from None
    if missing:
        raise StackError(f"the trained weights lack {', '.join(missing[:3])}")


def mnist_inputs(
    images: NDArray[np.float32], size: tuple[int, int], channels: int
) -> Tensor:
    """Return grey images (N, h, w) in [0, 1] as normalised (N, C, H, W) inputs."""
    x = (fit_images(images, size) - MNIST_MEAN) / MNIST_STD
    return x.expand(-1, channels, -1, -1).contiguous()


@dataclass(frozen=True, kw_only=True)
class FeatureMaps(Progress):
    """The feature maps of one input at every row of a stack's table.

    ``image`` is the input as the network sees it (H, W) in [0, 1]; ``maps`` holds
    the first channels of each row's output (C, h, w) and ``means`` the mean over
    all channels (h, w); ``channels`` the number of channels of each row.
    """

    image: NDArray[np.float32]
    maps: Mapping[str, NDArray[np.float32]]
    means: Mapping[str, NDArray[np.float32]]
    channels: Mapping[str, int]


def layer_outputs(model: nn.Module, names: list[str], x: Tensor) -> dict[str, Tensor]:
    """Return the outputs of the submodules ``names`` in one forward pass of ``x``."""
    captured: dict[str, Tensor] = {}
    handles = []
    for name in names:
        module = model.get_submodule(name)

        def hook(_m: nn.Module, _inp: object, out: Tensor, name: str = name) -> None:
            captured[name] = out.detach().clone()

        handles.append(module.register_forward_hook(hook))
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in handles:
            h.remove()
    return captured


def feature_job(
    stack: Stack,
    *,
    image: NDArray[np.float32],
    arch: str | None = None,
    state: Mapping[str, NDArray[np.floating]] | None = None,
    seed: int = 0,
    device: str = "auto",
    max_channels: int = 16,
) -> Iterator[FeatureMaps]:
    """Yield the feature maps of ``image`` at every row of ``stack`` (one report).

    The weights are the seeded random initialisation, or ``state`` when given.
    """
    rows = analyze(stack)
    dev = torch.device(resolve_device(device))
    torch.manual_seed(seed)
    model = build_model(stack, arch).to(dev).eval()
    if state is not None:
        load_trunk_state(model, state)
    fitted = fit_images(np.asarray(image, dtype=np.float32)[None], stack.input_size)
    x = ((fitted - MNIST_MEAN) / MNIST_STD).expand(-1, stack.in_channels, -1, -1)
    outs = layer_outputs(model, [r.name for r in rows], x.to(dev))
    maps = {
        k: v[0, :max_channels].cpu().numpy().astype(np.float32) for k, v in outs.items()
    }
    means = {k: v[0].mean(0).cpu().numpy().astype(np.float32) for k, v in outs.items()}
    yield FeatureMaps(
        step=1,
        total=1,
        message="feature maps ready",
        image=fitted[0, 0].numpy(),
        maps=maps,
        means=means,
        channels={k: int(v.shape[1]) for k, v in outs.items()},
    )


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
    if max(stack.input_size) > MAX_TRAIN_SIZE:
        raise StackError(
            f"trained weights: training at {stack.input_size[0]}×{stack.input_size[1]} "
            f"would take far too long on a CPU; use an input size of at most "
            f"{MAX_TRAIN_SIZE} (e.g. --input-size 32) or random weights"
        )
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


_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 140],
        [39, 173, 128],
        [92, 200, 98],
        [170, 220, 49],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


def heatmap_rgb(
    heatmap: NDArray[np.floating], box: Box | None = None
) -> NDArray[np.uint8]:
    """Return ``heatmap`` coloured with viridis (max = yellow) as (H, W, 3) uint8.

    With ``box`` the theoretical field is outlined in white.
    """
    h = np.asarray(heatmap, dtype=np.float64)
    peak = float(h.max()) if h.size else 0.0
    t = h / peak if peak > 0 else np.zeros_like(h)
    pos = t * (len(_VIRIDIS) - 1)
    lo = np.clip(np.floor(pos).astype(int), 0, len(_VIRIDIS) - 2)
    frac = (pos - lo)[..., None]
    rgb = _VIRIDIS[lo] * (1 - frac) + _VIRIDIS[lo + 1] * frac
    out = np.round(rgb).astype(np.uint8)
    if box is not None:
        c = box.clipped((h.shape[0], h.shape[1]))
        if c.height > 0 and c.width > 0:
            out[c.top, c.left : c.right + 1] = 255
            out[c.bottom, c.left : c.right + 1] = 255
            out[c.top : c.bottom + 1, c.left] = 255
            out[c.top : c.bottom + 1, c.right] = 255
    return out  # type: ignore[no-any-return]
