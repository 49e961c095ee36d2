"""Training the playground's network: full-batch GD, SGD or mini-batches.

The loss is the Bernoulli negative log-likelihood (cross-entropy) of p = σ(z),
−[y log p + (1 − y) log(1 − p)], or the squared error (p − y)²; L2 adds
λ Σ‖W⁽ˡ⁾‖² (weights only, not biases).  The optimiser is plain gradient descent
w ← w − η∇L on the batch.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional as F

from explorer.core.mlp.config import MlpConfig
from explorer.core.mlp.data import FloatArray, Points, extent
from explorer.core.mlp.model import Mlp, Weights, build, feature_matrix, one_thread
from explorer.core.mlp.names import GRID, MAX_NEURON_MAPS, NEURON_GRID
from explorer.core.progress import JobControl, Progress

MAPS_INTERVAL_S = 0.05  # the maps travel at most 20 times a second
MAPS_PER_LAYER = 8  # neuron maps per layer (MAX_NEURON_MAPS in all)


@dataclass(frozen=True, kw_only=True)
class MlpProgress(Progress):
    """The network after ``step`` updates; maps only every ~50 ms (else None)."""

    train_loss: float
    test_loss: float
    train_accuracy: float
    test_accuracy: float
    extent: float
    decision: FloatArray | None  # (GRID, GRID) p(y=1) on the view, rows = x2
    neurons: tuple[tuple[int, int, FloatArray], ...] | None  # (layer, unit, map)
    weights: Weights | None


def split(points: Points, test_fraction: float, seed: int) -> tuple[Points, Points]:
    """Return a seeded (train, test) split of ``points``."""
    n = len(points)
    order = np.random.default_rng(seed + 1).permutation(n)
    n_test = round(n * test_fraction)
    if n - n_test < 1:
        n_test = n - 1
    te, tr = order[:n_test], order[n_test:]
    return Points(points.x[tr], points.y[tr]), Points(points.x[te], points.y[te])


def grid(half: float, n: int) -> FloatArray:
    """Return the n×n grid of points over [−half, half]² (rows = x₂, then x₁)."""
    ticks = np.linspace(-half, half, n)
    g1, g2 = np.meshgrid(ticks, ticks)
    return np.stack([g1.ravel(), g2.ravel()], axis=1)


def loss_fn(z: torch.Tensor, y01: torch.Tensor, name: str) -> torch.Tensor:
    """Return the mean loss of logits ``z`` against labels in {0, 1}."""
    if name == "ce":
        return F.binary_cross_entropy_with_logits(z, y01)
    return torch.mean((torch.sigmoid(z) - y01) ** 2)


def _evaluate(
    net: Mlp, phi: torch.Tensor, y01: torch.Tensor, name: str
) -> tuple[float, float]:
    if len(y01) == 0:
        return float("nan"), float("nan")
    z = net(phi)
    return float(loss_fn(z, y01, name)), float(((z > 0).float() == y01).float().mean())


def maps(
    net: Mlp, features: tuple[str, ...], half: float
) -> tuple[FloatArray, tuple[tuple[int, int, FloatArray], ...]]:
    """Return p(y=1) on the GRID² view and the first hidden units' maps."""
    dec = torch.sigmoid(net(feature_matrix(grid(half, GRID), features)))
    decision = dec.numpy().reshape(GRID, GRID).astype(np.float64)
    neurons: list[tuple[int, int, FloatArray]] = []
    outs = net.hidden_outputs(feature_matrix(grid(half, NEURON_GRID), features))
    for layer, out in enumerate(outs):
        for unit in range(min(out.shape[1], MAPS_PER_LAYER)):
            if len(neurons) < MAX_NEURON_MAPS:
                m = out[:, unit].numpy().reshape(NEURON_GRID, NEURON_GRID)
                neurons.append((layer, unit, m.astype(np.float64)))
    return decision, tuple(neurons)


def train(
    points: Points,
    cfg: MlpConfig,
    *,
    seed: int = 0,
    control: JobControl | None = None,
) -> Iterator[MlpProgress]:
    """Yield the network's progress every ``control.speed`` steps.

    Without a control, every ``cfg.report_every`` steps.  The first yield is the
    untrained network (step 0); the last one, at ``cfg.steps``, always has maps.
    ``cfg.batch`` = 0 is full-batch GD; otherwise each epoch visits a fresh
    seeded shuffle of the training points in batches of that size.
    """
    points.check_two_classes()
    with one_thread():
        yield from _train(points, cfg, seed=seed, control=control)


def _train(
    points: Points, cfg: MlpConfig, *, seed: int, control: JobControl | None
) -> Iterator[MlpProgress]:
    torch.set_grad_enabled(True)
    train_pts, test_pts = split(points, cfg.test_fraction, seed)
    net = build(cfg, seed=seed)
    phi = feature_matrix(train_pts.x, cfg.features)
    y01 = torch.as_tensor((train_pts.y + 1) / 2, dtype=torch.float32)
    phi_t = feature_matrix(test_pts.x, cfg.features)
    y01_t = torch.as_tensor((test_pts.y + 1) / 2, dtype=torch.float32)
    half = extent(points.x)
    gen = torch.Generator().manual_seed(seed)
    n = len(train_pts)
    batch = n if cfg.batch == 0 else min(cfg.batch, n)
    order = torch.randperm(n, generator=gen)
    cursor = 0
    params = list(net.parameters())
    weights_only = [layer.weight for layer in net.linears()]
    step = 0
    last_maps = -np.inf

    def report(force_maps: bool) -> MlpProgress:
        nonlocal last_maps
        with torch.no_grad():
            tr_loss, tr_acc = _evaluate(net, phi, y01, cfg.loss)
            te_loss, te_acc = _evaluate(net, phi_t, y01_t, cfg.loss)
            now = time.monotonic()
            with_maps = force_maps or now - last_maps >= MAPS_INTERVAL_S
            decision, neurons = (
                maps(net, cfg.features, half)
                if with_maps
                else (
                    None,
                    None,
                )
            )
            if with_maps:
                last_maps = now
        losses = {"train_loss": tr_loss}
        if np.isfinite(te_loss):
            losses["test_loss"] = te_loss
        return MlpProgress(
            step=step,
            total=cfg.steps,
            losses=losses,
            message=f"step {step}: train loss {tr_loss:.4f}",
            train_loss=tr_loss,
            test_loss=te_loss,
            train_accuracy=tr_acc,
            test_accuracy=te_acc,
            extent=half,
            decision=decision,
            neurons=neurons,
            weights=net.weights() if with_maps else None,
        )

    yield report(True)
    while step < cfg.steps:
        chunk = control.speed if control is not None else cfg.report_every
        for _ in range(min(chunk, cfg.steps - step)):
            if batch == n:
                xb, yb = phi, y01
            else:
                if cursor + batch > n:
                    order, cursor = torch.randperm(n, generator=gen), 0
                idx = order[cursor : cursor + batch]
                cursor += batch
                xb, yb = phi[idx], y01[idx]
            loss = loss_fn(net(xb), yb, cfg.loss)
            if cfg.l2 > 0:
                for w in weights_only:
                    loss = loss + cfg.l2 * torch.sum(w * w)
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads, strict=True):
                    p.sub_(cfg.lr * g)
            step += 1
        yield report(step >= cfg.steps)


def _numpy_activation(name: str, v: FloatArray) -> FloatArray:
    if name == "tanh":
        return np.tanh(v)
    if name == "relu":
        return np.maximum(v, 0.0)
    if name == "sigmoid":
        return np.asarray(1 / (1 + np.exp(-v)), dtype=np.float64)
    return v


def logits(
    weights: Weights, activation: str, features: tuple[str, ...], x: FloatArray
) -> FloatArray:
    """Return the logits z of the network with ``weights`` at ``x`` (numpy)."""
    h = feature_matrix(x, features).double().numpy()
    for i, (w, b) in enumerate(weights):
        h = h @ w.T + b
        if i < len(weights) - 1:
            h = _numpy_activation(activation, h)
    return np.asarray(h[:, 0], dtype=np.float64)


def predict(
    weights: Weights, activation: str, features: tuple[str, ...], x: FloatArray
) -> FloatArray:
    """Return p(y=1 | x) = σ(z) of the network with ``weights`` (numpy, for checks)."""
    z = logits(weights, activation, features, x)
    return np.asarray(1 / (1 + np.exp(-z)), dtype=np.float64)
