"""Universal approximation in 1-D: bumps by hand, then a trained hidden layer.

Nielsen, *Neural Networks and Deep Learning*, ch. 4 ("a visual proof"): a
sigmoid σ(w(x − s)) with a large w is a step at s = −b/w; two of them with
output weights +h and −h make a bump of height h on (s₁, s₂).  A sum of bumps
g(x) = Σᵢ vᵢ σ(wᵢx + bᵢ) approximates any continuous f on [0, 1] as closely as
we like (Cybenko 1989; Hornik 1991).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from explorer.core.mlp.config import ApproxConfig
from explorer.core.mlp.data import FloatArray
from explorer.core.mlp.model import one_thread
from explorer.core.progress import JobControl, Progress

N_SAMPLES = 400  # the grid on [0, 1] where f is sampled, fitted and compared
DEFAULT_STEEPNESS = 400.0  # w of a hand-made bump's sigmoids
# How far outside [0, 1] the outer edges of tiled bumps lie: σ(8) = 0.9997, so
# the whole step is off the domain (an edge at 0 or 1 made g(0) and g(1) h/2).
OUTSIDE = 8.0 / DEFAULT_STEEPNESS
Bump = tuple[float, float, float]  # (s1, s2, h)


def xs(n: int = N_SAMPLES) -> FloatArray:
    """Return the sample points on [0, 1]."""
    return np.linspace(0.0, 1.0, n)


def sigmoid(z: FloatArray) -> FloatArray:
    """Return σ(z) = 1 / (1 + e^(−z)) without overflow warnings."""
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def bump_neurons(bump: Bump, steepness: float = DEFAULT_STEEPNESS) -> FloatArray:
    """Return the two neurons of a bump as rows (w, b, v): steps at s₁ and s₂."""
    s1, s2, h = bump
    w = steepness
    return np.array([[w, -w * s1, h], [w, -w * s2, -h]])


def network(x: FloatArray, neurons: FloatArray, offset: float = 0.0) -> FloatArray:
    """Return g(x) = offset + Σᵢ vᵢ σ(wᵢx + bᵢ) for neuron rows (w, b, v)."""
    if len(neurons) == 0:
        return np.full_like(x, offset)
    z = np.outer(x, neurons[:, 0]) + neurons[:, 1]
    out: FloatArray = offset + sigmoid(z) @ neurons[:, 2]
    return out


def bumps_sum(
    x: FloatArray, bumps: Sequence[Bump], steepness: float = DEFAULT_STEEPNESS
) -> FloatArray:
    """Return the sum of the hand-made bumps at ``x``."""
    if not bumps:
        return np.zeros_like(x)
    rows = np.concatenate([bump_neurons(b, steepness) for b in bumps])
    return network(x, rows)


def even_bumps(f: FloatArray, n: int) -> list[Bump]:
    """Return ``n`` bumps tiling [0, 1], each as high as f at its centre (Nielsen).

    The first bump starts and the last one ends :data:`OUTSIDE` beyond the
    domain, so that no half step sits on x = 0 or x = 1.
    """
    edges = np.linspace(0.0, 1.0, n + 1)
    grid = xs(len(f))
    out = []
    for a, b in itertools.pairwise(edges):
        h = float(np.interp((a + b) / 2, grid, f))
        out.append((float(a), float(b), h))
    if out:
        s1, s2, h = out[0]
        out[0] = (-OUTSIDE, s2, h)
        s1, s2, h = out[-1]
        out[-1] = (s1, 1.0 + OUTSIDE, h)
    return out


def sup_error(g: FloatArray, f: FloatArray) -> float:
    """Return max |g − f| on the samples."""
    return float(np.max(np.abs(g - f)))


@dataclass(frozen=True, kw_only=True)
class FitProgress(Progress):
    """The fitted g with N hidden units after ``step`` Adam steps."""

    units: int
    g: FloatArray
    max_error: float
    mean_error: float


def fit(
    f: FloatArray,
    cfg: ApproxConfig,
    *,
    seed: int = 0,
    report_every: int = 100,
    control: JobControl | None = None,
) -> Iterator[FitProgress]:
    """Yield one-hidden-layer sigmoid fits of ``f`` (sampled on :func:`xs`).

    The units start as steps spread over [0, 1] (w = ±N·8, s uniform), which is
    where Nielsen's construction puts them; Adam then minimises the mean squared
    error.  The last yield is the fit after ``cfg.steps`` steps.
    """
    with one_thread():
        yield from _fit(f, cfg, seed=seed, report_every=report_every, control=control)


def _fit(
    f: FloatArray,
    cfg: ApproxConfig,
    *,
    seed: int,
    report_every: int,
    control: JobControl | None,
) -> Iterator[FitProgress]:
    torch.set_grad_enabled(True)
    gen = torch.Generator().manual_seed(seed)
    n = cfg.units
    x = torch.as_tensor(xs(len(f)), dtype=torch.float64)[:, None]
    target = torch.as_tensor(f, dtype=torch.float64)
    centres = torch.rand(n, generator=gen, dtype=torch.float64)
    sign = torch.where(torch.rand(n, generator=gen) < 0.5, -1.0, 1.0).double()
    w = (sign * 8.0 * n).requires_grad_()
    b = (-w.detach() * centres).requires_grad_()
    v = (torch.randn(n, generator=gen, dtype=torch.float64) * 0.1).requires_grad_()
    c = torch.tensor(float(target.mean()), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w, b, v, c], lr=cfg.lr)

    def g_now() -> torch.Tensor:
        return c + torch.sigmoid(x * w + b) @ v

    def report(step: int) -> FitProgress:
        with torch.no_grad():
            g = g_now().numpy().copy()
        err = np.abs(g - f)
        return FitProgress(
            step=step,
            total=cfg.steps,
            units=n,
            g=g,
            max_error=float(err.max()),
            mean_error=float(err.mean()),
            losses={"max_error": float(err.max())},
            message=f"N = {n}: step {step}, max |g − f| = {err.max():.4f}",
        )

    step = 0
    yield report(0)
    while step < cfg.steps:
        chunk = control.speed * report_every if control is not None else report_every
        for _ in range(min(chunk, cfg.steps - step)):
            opt.zero_grad()
            loss = torch.mean((g_now() - target) ** 2)
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            step += 1
        yield report(step)


@dataclass(frozen=True, kw_only=True)
class SweepPoint(Progress):
    """The sup and mean error of the fit with ``units`` hidden units."""

    units: int
    g: FloatArray
    max_error: float
    mean_error: float


def sweep(
    f: FloatArray,
    units: Sequence[int],
    *,
    steps: int,
    lr: float = 0.02,
    seed: int = 0,
    control: JobControl | None = None,
) -> Iterator[SweepPoint]:
    """Yield the final fit for each N in ``units`` (sup error against N)."""
    for k, n in enumerate(units, start=1):
        last: FitProgress | None = None
        for snap in fit(f, ApproxConfig(units=n, steps=steps, lr=lr), seed=seed):
            if control is not None and control.stopping:
                return  # every 100 steps: a reset does not wait for a whole fit
            last = snap
        assert last is not None
        yield SweepPoint(
            step=k,
            total=len(units),
            units=n,
            g=last.g,
            max_error=last.max_error,
            mean_error=last.mean_error,
            losses={"max_error": last.max_error},
            message=f"N = {n}: max |g − f| = {last.max_error:.4f}",
        )
