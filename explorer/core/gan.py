"""GANs on 2-D data: datasets, four objectives, a steppable trainer and mode metrics.

Generator ``G: z -> x`` and discriminator ``D: x -> [0, 1]`` (or a critic
``C: x -> R`` for WGAN-GP) are small MLPs.  The objectives are

* ``minimax`` — G descends on E log(1 - D(G(z))) (Goodfellow et al. 2014, eq. 1);
* ``non-saturating`` — G ascends on E log D(G(z)) (Goodfellow et al. 2014, §3);
* ``unrolled`` — G descends on the non-saturating loss of a copy of D that took
  ``k`` further gradient steps, differentiating through those steps
  (Metz et al. 2016, §2);
* ``wgan-gp`` — critic loss E C(G(z)) - E C(x) + λ E(‖∇C(x̂)‖ - 1)², ``n_critic``
  critic steps per G step (Gulrajani et al. 2017, Algorithm 1).

:class:`GanTrainer` can be driven one D step or one G step at a time;
:func:`train` is the generator the CLI and the benchmarks run, and
:func:`train_interactive` the one the panel runs (steered by a
:class:`TrainControl`: pause, single steps, speed, moved modes).

Mode metrics follow VEEGAN (Srivastava et al. 2017, 2-D experiments): a sample
is *high quality* when it lies within 3σ of its nearest mode, and a mode is
*captured* when at least one high-quality sample is nearest to it; they are
computed on :data:`EVAL_SAMPLES` = 2,500 samples.
"""

from __future__ import annotations

import csv
import math
import multiprocessing as mp
import os
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing import context as mp_context
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn
from torch.func import functional_call

from explorer.core.device import resolve_device
from explorer.core.progress import DivergedError, Progress

DataName = Literal["ring8", "grid25", "spiral", "moons", "points"]
LossName = Literal["minimax", "non-saturating", "unrolled", "wgan-gp"]
Activation = Literal["relu", "leaky-relu", "tanh", "elu"]
OptimizerName = Literal["adam", "rmsprop", "sgd"]
Action = Literal["both", "d", "g"]

DATA_NAMES: tuple[str, ...] = get_args(DataName)
LOSS_NAMES: tuple[str, ...] = get_args(LossName)
ACTIVATIONS: tuple[str, ...] = get_args(Activation)
OPTIMIZERS: tuple[str, ...] = get_args(OptimizerName)

EVAL_SAMPLES = 2500  # samples behind the mode metrics (VEEGAN reports on 2,500)
HQ_SIGMAS = 3.0  # "high quality": within 3σ of the nearest mode (VEEGAN)
MAX_POINTS = 500
IDLE_S = 0.03  # how often a paused interactive job yields (its cancel point)

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]
ArrayLike2D = Sequence[Sequence[float]] | NDArray[np.floating]


# -- datasets --------------------------------------------------------------------


@dataclass(frozen=True)
class Mixture:
    """An equal-weight mixture of isotropic 2-D Gaussians: the data distribution.

    Attributes
    ----------
    means
        (M, 2) mode centres.
    std
        Standard deviation σ of every mode.
    extent
        (xmin, xmax, ymin, ymax) of the square the views and the reverse KL use.
    """

    means: FloatArray
    std: float
    extent: tuple[float, float, float, float]

    @property
    def n_modes(self) -> int:
        """Return the number of modes M."""
        return int(self.means.shape[0])


def _extent_for(means: FloatArray, std: float) -> tuple[float, float, float, float]:
    """Return a square around ``means`` with a margin that leaves room to move."""
    # at least ±2.5 so a few drawn points still leave room to draw more
    half = max(2.5, float(np.max(np.abs(means))) + max(1.0, 10 * std))
    half = math.ceil(half * 2) / 2  # round up to a half unit: tidy axes
    return (-half, half, -half, half)


def make_mixture(
    means: ArrayLike2D,
    std: float,
    extent: tuple[float, float, float, float] | None = None,
) -> Mixture:
    """Return the :class:`Mixture` with ``means`` and ``std`` (extent chosen if None).

    Raises
    ------
    ValueError
        For an empty or non-finite set of means, or a non-positive ``std``.
    """
    arr = np.asarray(means, dtype=np.float64).reshape(-1, 2)
    if arr.shape[0] == 0:
        raise ValueError("the data needs at least one point (mode)")
    if arr.shape[0] > MAX_POINTS:
        raise ValueError(
            f"at most {MAX_POINTS} points are supported, got {arr.shape[0]}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("the points contain NaN or infinite coordinates")
    if not std > 0 or not math.isfinite(std):
        raise ValueError(f"the mode standard deviation must be positive, got {std}")
    return Mixture(arr, float(std), extent or _extent_for(arr, std))


def ring_means(n: int = 8, radius: float = 2.0) -> FloatArray:
    """Return ``n`` distinct points evenly spaced on a circle (no repeated endpoint)."""
    # endpoint=False: linspace(0, 2π, n) would put the last mode on top of the first.
    angles = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    return np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)


def grid_means(n: int = 5, spacing: float = 2.0) -> FloatArray:
    """Return the ``n × n`` grid of points ``spacing`` apart, centred at the origin."""
    axis = (np.arange(n) - (n - 1) / 2) * spacing
    xx, yy = np.meshgrid(axis, axis)
    return np.stack([xx.ravel(), yy.ravel()], axis=1)


def spiral_means(n: int = 12) -> FloatArray:
    """Return ``n`` points at equal arc length along an Archimedean spiral."""
    theta = np.linspace(0.0, 1.0, 2000) ** 0.5 * 3.5 * np.pi + 0.5 * np.pi
    r = theta / (2 * np.pi) * 1.2
    xy = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    arc = np.concatenate(
        [[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))]
    )
    picks = np.searchsorted(arc, np.linspace(0.0, arc[-1], n))
    return xy[np.minimum(picks, len(xy) - 1)]


def moons_means(per_moon: int = 6) -> FloatArray:
    """Return points along two interleaved half circles (the "two moons")."""
    t = np.linspace(0.0, np.pi, per_moon)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    return (np.concatenate([upper, lower]) - [0.5, 0.25]) * 1.6


def builtin_mixture(name: str) -> Mixture:
    """Return the built-in dataset ``name`` ("ring8", "grid25", "spiral", "moons").

    The ring follows Metz et al. (2016): 8 modes on a circle of radius 2, σ = 0.02.
    The grid follows VEEGAN / PacGAN: 25 modes at {-4, -2, 0, 2, 4}², σ = 0.05.
    Spiral and moons are chains of σ = 0.05 Gaussians so the mode metrics apply.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    if name == "ring8":
        return make_mixture(ring_means(8, 2.0), 0.02)
    if name == "grid25":
        return make_mixture(grid_means(5, 2.0), 0.05)
    if name == "spiral":
        return make_mixture(spiral_means(12), 0.05)
    if name == "moons":
        return make_mixture(moons_means(6), 0.05)
    raise ValueError(
        f"unknown dataset {name!r}: use one of {', '.join(DATA_NAMES[:-1])}"
    )


def read_points_csv(path: str | Path) -> FloatArray:
    """Return the (N, 2) points of a CSV file with one ``x,y`` pair per line.

    A header line and blank lines are skipped.

    Raises
    ------
    ValueError
        When the file is missing, unreadable or has a line that is not two numbers.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read points file {p}: {exc}") from exc
    rows: list[tuple[float, float]] = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        try:
            x, y = (float(c) for c in cells)
        except ValueError:
            if i == 1 and not rows:
                continue  # a header line such as "x,y"
            raise ValueError(
                f"{p.name}, line {i}: expected two numbers 'x,y', got {','.join(row)!r}"
            ) from None
        rows.append((x, y))
    if not rows:
        raise ValueError(f"{p.name} holds no points (expected lines of 'x,y')")
    arr = np.asarray(rows, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{p.name} contains NaN or infinite coordinates")
    return arr


# -- densities, optimal D, metrics -----------------------------------------------


def mixture_density(m: Mixture, xy: FloatArray) -> FloatArray:
    """Return the data density p_data at the (N, 2) points ``xy``."""
    d2 = ((xy[:, None, :] - m.means[None, :, :]) ** 2).sum(-1)
    norm = 1.0 / (2 * np.pi * m.std**2 * m.n_modes)
    out: FloatArray = norm * np.exp(-d2 / (2 * m.std**2)).sum(1)
    return out


def optimal_discriminator(p_data: FloatArray, p_model: FloatArray) -> FloatArray:
    """Return D*(x) = p_data / (p_data + p_model) (Goodfellow et al. 2014, Prop. 1).

    Where both densities vanish D* is undefined; 0.5 is returned there.
    """
    total = p_data + p_model
    safe = np.where(total > 0, total, 1.0)
    out: FloatArray = np.where(total > 0, p_data / safe, 0.5)
    return out


@dataclass(frozen=True)
class ModeMetrics:
    """VEEGAN's mode metrics of a set of samples."""

    modes_total: int
    modes_captured: int
    high_quality_fraction: float
    captured: NDArray[np.bool_]  # (M,) which modes are captured


def mode_metrics(
    samples: FloatArray, m: Mixture, sigmas: float = HQ_SIGMAS
) -> ModeMetrics:
    """Return modes captured and high-quality fraction of ``samples`` (VEEGAN).

    A sample is high quality if its distance to the nearest mode is at most
    ``sigmas`` · σ; a mode is captured if at least one high-quality sample has it
    as its nearest mode.
    """
    pts = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    if pts.shape[0] == 0:
        return ModeMetrics(m.n_modes, 0, 0.0, np.zeros(m.n_modes, dtype=bool))
    d2 = ((pts[:, None, :] - m.means[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    hq = np.sqrt(d2[np.arange(len(pts)), nearest]) <= sigmas * m.std
    captured = np.zeros(m.n_modes, dtype=bool)
    captured[nearest[hq]] = True
    return ModeMetrics(m.n_modes, int(captured.sum()), float(hq.mean()), captured)


def _normal_cdf(x: FloatArray) -> FloatArray:
    from math import erf

    out: FloatArray = 0.5 * (1.0 + np.vectorize(erf)(x / math.sqrt(2.0)))
    return out


def grid_cell_probabilities(m: Mixture, bins: int) -> FloatArray:
    """Return the exact data mass in each of ``bins``² cells and outside the extent.

    The result has ``bins * bins + 1`` entries (row-major cells over y then x, and
    the mass outside the square last); it sums to 1.
    """
    x0, x1, y0, y1 = m.extent
    ex = np.linspace(x0, x1, bins + 1)
    ey = np.linspace(y0, y1, bins + 1)
    cx = np.diff(
        _normal_cdf((ex[None, :] - m.means[:, :1]) / m.std), axis=1
    )  # (M, bins)
    cy = np.diff(_normal_cdf((ey[None, :] - m.means[:, 1:]) / m.std), axis=1)
    cells = np.einsum("my,mx->yx", cy, cx) / m.n_modes
    inside = cells.ravel()
    return np.concatenate([inside, [max(0.0, 1.0 - float(inside.sum()))]])


def reverse_kl(
    samples: FloatArray, m: Mixture, bins: int = 50, floor: float = 1e-12
) -> float:
    """Return KL(p_model ‖ p_data) in nats on a ``bins × bins`` grid over the extent.

    p_model is the histogram of ``samples`` (cells plus one "outside" bin); p_data
    is the exact mixture mass of the same cells, floored at ``floor`` so a sample
    far from every mode costs a large but finite amount.
    """
    pts = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    x0, x1, y0, y1 = m.extent
    ix = np.floor((pts[:, 0] - x0) / (x1 - x0) * bins).astype(np.int64)
    iy = np.floor((pts[:, 1] - y0) / (y1 - y0) * bins).astype(np.int64)
    inside = (ix >= 0) & (ix < bins) & (iy >= 0) & (iy < bins)
    flat = np.where(inside, iy * bins + ix, bins * bins)
    q = np.bincount(flat, minlength=bins * bins + 1).astype(np.float64) / len(pts)
    p = np.maximum(grid_cell_probabilities(m, bins), floor)
    nz = q > 0
    return float(np.sum(q[nz] * np.log(q[nz] / p[nz])))


# -- configuration ---------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GanConfig:
    """Everything that defines a GAN run on 2-D data.

    The defaults teach: from seed 0 the non-saturating GAN on the ring collapses
    onto a few modes or rotates through them, while ``unrolled`` and ``wgan-gp``
    cover all eight (see ``benchmarks/bench_gan.py``).
    """

    data: DataName = "ring8"
    points: tuple[tuple[float, float], ...] = ()  # the modes when data == "points"
    points_std: float = 0.05
    loss: LossName = "non-saturating"
    unroll: int = 5  # k, unrolled D steps (loss == "unrolled")
    unroll_lr: float = 0.01  # SGD step size η of the unrolled copy of D
    n_critic: int = 5  # critic steps per G step (wgan-gp)
    gp_lambda: float = 0.1  # gradient-penalty weight λ (wgan-gp; gan_toy.py uses 0.1)
    latent_dim: int = 16
    g_hidden: int = 64
    g_layers: int = 2
    d_hidden: int = 64
    d_layers: int = 2
    activation: Activation = "relu"
    optimizer: OptimizerName = "adam"
    lr_g: float = 1e-3
    lr_d: float = 5e-4
    batch_size: int = 128
    steps: int | None = 2000  # G steps; None runs until stopped
    report_every: int = 25
    show_samples: int = 512  # fixed z whose samples the views show
    heat_resolution: int = 64

    def __post_init__(self) -> None:
        def need(ok: bool, msg: str) -> None:
            if not ok:
                raise ValueError(msg)

        need(
            self.data in DATA_NAMES,
            f"unknown dataset {self.data!r}: use one of {', '.join(DATA_NAMES)}",
        )
        need(
            self.loss in LOSS_NAMES,
            f"unknown loss {self.loss!r}: use one of {', '.join(LOSS_NAMES)}",
        )
        need(
            self.activation in ACTIVATIONS,
            f"unknown activation {self.activation!r}: "
            f"use one of {', '.join(ACTIVATIONS)}",
        )
        need(
            self.optimizer in OPTIMIZERS,
            f"unknown optimizer {self.optimizer!r}: use one of {', '.join(OPTIMIZERS)}",
        )
        if self.data == "points":
            need(len(self.points) > 0, "the 'points' dataset needs at least one point")
            make_mixture(self.points, self.points_std)  # validates the points
        need(
            0 < self.points_std <= 10,
            f"points_std must be in (0, 10], got {self.points_std}",
        )
        need(1 <= self.unroll <= 50, f"unroll (k) must be 1…50, got {self.unroll}")
        need(
            0 < self.unroll_lr <= 10,
            f"unroll_lr must be in (0, 10], got {self.unroll_lr}",
        )
        need(1 <= self.n_critic <= 50, f"n_critic must be 1…50, got {self.n_critic}")
        need(
            0 <= self.gp_lambda <= 1000,
            f"gp_lambda must be in [0, 1000], got {self.gp_lambda}",
        )
        need(
            1 <= self.latent_dim <= 512,
            f"latent_dim must be 1…512, got {self.latent_dim}",
        )
        for name in ("g_hidden", "d_hidden"):
            v = getattr(self, name)
            need(1 <= v <= 1024, f"{name} must be 1…1024 units, got {v}")
        for name in ("g_layers", "d_layers"):
            v = getattr(self, name)
            need(1 <= v <= 8, f"{name} must be 1…8 hidden layers, got {v}")
        for name in ("lr_g", "lr_d"):
            v = getattr(self, name)
            need(0 < v <= 1, f"{name} must be in (0, 1], got {v}")
        need(
            1 <= self.batch_size <= 8192,
            f"batch_size must be 1…8192, got {self.batch_size}",
        )
        need(
            self.steps is None or 1 <= self.steps <= 1_000_000,
            f"steps must be 1…1,000,000 (or None), got {self.steps}",
        )
        need(
            1 <= self.report_every <= 10_000,
            f"report_every must be 1…10,000, got {self.report_every}",
        )
        need(
            1 <= self.show_samples <= 10_000,
            f"show_samples must be 1…10,000, got {self.show_samples}",
        )
        need(
            8 <= self.heat_resolution <= 512,
            f"heat_resolution must be 8…512, got {self.heat_resolution}",
        )

    def mixture(self) -> Mixture:
        """Return the data distribution this config names."""
        if self.data == "points":
            return make_mixture(self.points, self.points_std)
        return builtin_mixture(self.data)


# -- networks --------------------------------------------------------------------


def _activation(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "leaky-relu":
        return nn.LeakyReLU(0.2)
    if name == "tanh":
        return nn.Tanh()
    return nn.ELU()


def mlp(
    n_in: int,
    hidden: int,
    layers: int,
    n_out: int,
    activation: str,
    gen: torch.Generator,
) -> nn.Sequential:
    """Return an MLP initialised from ``gen`` (PyTorch's default uniform ranges).

    A private generator, not the global RNG, makes two runs started at once in
    two threads reproducible.
    """
    mods: list[nn.Module] = []
    width = n_in
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), _activation(activation)]
        width = hidden
    mods.append(nn.Linear(width, n_out))
    net = nn.Sequential(*mods)
    with torch.no_grad():
        for mod in net:
            if isinstance(mod, nn.Linear):
                bound = 1.0 / math.sqrt(mod.in_features)
                mod.weight.uniform_(-bound, bound, generator=gen)
                mod.bias.uniform_(-bound, bound, generator=gen)
    return net


# -- losses ----------------------------------------------------------------------

F = torch.nn.functional


def d_loss_logits(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Return -E log D(x) - E log(1 - D(G(z))) from logits (Goodfellow et al. eq. 1)."""
    # softplus(-l) = -log σ(l) and softplus(l) = -log(1 - σ(l)), stable for large |l|.
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_logits(fake_logits: torch.Tensor, loss: str) -> torch.Tensor:
    """Return G's loss from D's logits on G's samples.

    ``minimax``: E log(1 - D(G(z))) (saturates when D rejects the samples);
    otherwise the non-saturating -E log D(G(z)).
    """
    if loss == "minimax":
        out: torch.Tensor = -F.softplus(fake_logits).mean()
    else:
        out = F.softplus(-fake_logits).mean()
    return out


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    alpha: torch.Tensor,
) -> torch.Tensor:
    """Return E (‖∇ₓ C(x̂)‖₂ - 1)² at x̂ = α x + (1 - α) x̃ (Gulrajani et al. 2017, eq. 3).

    ``alpha`` has shape (N, 1); the result keeps the graph so it can be minimised.
    """
    mixed = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    penalty: torch.Tensor = ((grad.norm(dim=1) - 1.0) ** 2).mean()
    return penalty


Params = dict[str, torch.Tensor]


def unrolled_g_loss(
    generator: nn.Module,
    disc: nn.Module,
    real_batches: Sequence[torch.Tensor],
    z_batches: Sequence[torch.Tensor],
    z: torch.Tensor,
    lr: float,
    loss: str = "non-saturating",
) -> torch.Tensor:
    """Return G's loss against D after ``len(real_batches)`` unrolled SGD steps.

    θ_D^{k+1} = θ_D^k - η ∇_{θ_D} L_D(θ_G, θ_D^k), starting from D's current
    parameters; the steps are kept in the graph (``create_graph=True``) so the
    gradient with respect to θ_G flows through them (Metz et al. 2016, §2).
    D itself is not changed.
    """
    params: Params = {
        n: p.detach().requires_grad_(True) for n, p in disc.named_parameters()
    }
    for real, zk in zip(real_batches, z_batches, strict=True):
        fake = generator(zk)
        ld = d_loss_logits(
            functional_call(disc, params, (real,)),
            functional_call(disc, params, (fake,)),
        )
        grads = torch.autograd.grad(ld, list(params.values()), create_graph=True)
        params = {
            n: p - lr * g for (n, p), g in zip(params.items(), grads, strict=True)
        }
    return g_loss_logits(functional_call(disc, params, (generator(z),)), loss)


# -- progress and control --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class GanProgress(Progress):
    """One snapshot of a GAN run (all arrays detached CPU numpy).

    ``step`` counts G steps.  ``heat`` is D(x) ∈ [0, 1] on the grid, or for
    WGAN-GP the critic value minus its mean over the grid (``heat_is_probability``
    tells which); rows run over y, columns over x, covering ``extent``.
    ``arrows`` is the direction G moves each shown sample: -∂L_G/∂x.
    """

    loss_name: str
    action: str  # what the last chunk did: "both", "d", "g", "init" or "edit"
    d_steps: int
    samples: Float32Array
    arrows: Float32Array
    heat: Float32Array
    heat_is_probability: bool
    extent: tuple[float, float, float, float]
    means: FloatArray
    std: float
    modes_total: int
    modes_captured: int
    high_quality_fraction: float
    captured: NDArray[np.bool_]
    reverse_kl: float


@dataclass(frozen=True)
class Chunk:
    """What a job does before its next yield (``repeats == 0``: nothing, idle)."""

    action: Action
    repeats: int
    means: FloatArray | None
    requested: bool


_ACTIONS: tuple[Action, ...] = ("both", "d", "g")
MAX_REQUESTS = 1024  # steps a control holds while the job is busy
# slots of a control's shared integers
_SPEED, _PAUSED, _UNTIL, _HEAD, _TAIL, _N_MEANS = range(6)
_LOCAL: weakref.WeakValueDictionary[int, TrainControl] = weakref.WeakValueDictionary()


class TrainControl:
    """Knobs the GUI sets while a :func:`train_interactive` job runs.

    Each chunk of the job is, in this order: the oldest requested action ("d",
    "g", "both": one D step, one G step or one full iteration), nothing while
    ``paused`` (the job then idles, yielding ``None`` now and then so it can be
    aborted), or ``steps_per_yield`` full iterations but never past G step
    ``run_until`` (two runs compared side by side advance in lockstep this
    way).  New mode positions are applied before the next chunk.  Pausing
    here, not at the worker's gate, is what makes a step button exact: a
    request made while a chunk is still running is done right after that
    chunk, never lost.

    The knobs live in shared memory behind a process-shared lock (``spawn``
    context), so the job may run on a thread or in a worker process: a
    control passed as an argument of a spawned process is the *same* control
    there.  Pickled any other way — :class:`~explorer.workers.JobRunner`
    probes its job's arguments with ``pickle.dumps`` before it picks the
    process backend — it stands for this very object, and unpickling it in
    another process raises ``RuntimeError``.
    """

    def __init__(
        self,
        steps_per_yield: int = 25,
        paused: bool = False,
        run_until: int | None = None,
    ) -> None:
        ctx = mp.get_context("spawn")
        self._lock = ctx.Lock()
        self._ints = ctx.RawArray("q", 6)
        self._ring = ctx.RawArray("b", MAX_REQUESTS)
        self._means = ctx.RawArray("d", 2 * MAX_POINTS)
        self._ints[_N_MEANS] = -1
        self.steps_per_yield = steps_per_yield
        self.paused = paused
        self.run_until = run_until

    # -- knobs ----------------------------------------------------------------------
    @property
    def steps_per_yield(self) -> int:
        """Return the full iterations per chunk of a free run."""
        return int(self._ints[_SPEED])

    @steps_per_yield.setter
    def steps_per_yield(self, value: int) -> None:
        self._ints[_SPEED] = int(value)

    @property
    def paused(self) -> bool:
        """Return whether the job idles (requests are still done)."""
        return bool(self._ints[_PAUSED])

    @paused.setter
    def paused(self, value: bool) -> None:
        self._ints[_PAUSED] = int(bool(value))

    @property
    def run_until(self) -> int | None:
        """Return the G step no free iterations go past (None: no limit)."""
        until = int(self._ints[_UNTIL])
        return None if until < 0 else until

    @run_until.setter
    def run_until(self, value: int | None) -> None:
        if value is not None and value < 0:
            raise ValueError(f"run_until must be a G step ≥ 0, got {value}")
        self._ints[_UNTIL] = -1 if value is None else int(value)

    def __repr__(self) -> str:
        return (
            f"TrainControl(steps_per_yield={self.steps_per_yield}, "
            f"paused={self.paused}, run_until={self.run_until})"
        )

    # -- requests -------------------------------------------------------------------
    def request(self, action: Action) -> None:
        """Queue one ``action`` to be done as its own chunk.

        Raises
        ------
        RuntimeError
            When :data:`MAX_REQUESTS` actions are already waiting.
        """
        code = _ACTIONS.index(action)
        with self._lock:
            tail = self._ints[_TAIL]
            if tail - self._ints[_HEAD] >= MAX_REQUESTS:
                raise RuntimeError(f"{MAX_REQUESTS} steps are already waiting")
            self._ring[tail % MAX_REQUESTS] = code
            self._ints[_TAIL] = tail + 1

    def move_modes(self, means: ArrayLike2D) -> None:
        """Replace the data modes (drawn or dragged points) before the next chunk.

        Raises
        ------
        ValueError
            For more than :data:`MAX_POINTS` points.
        """
        arr = np.asarray(means, dtype=np.float64).reshape(-1, 2)
        n = arr.shape[0]
        if n > MAX_POINTS:
            raise ValueError(f"at most {MAX_POINTS} points are supported, got {n}")
        with self._lock:
            np.frombuffer(self._means, dtype=np.float64, count=2 * n)[:] = arr.ravel()
            self._ints[_N_MEANS] = n

    def take(self, g_steps: int = 0) -> Chunk:
        """Return the next chunk for a job at G step ``g_steps`` (pops a request)."""
        with self._lock:
            action: Action | None = None
            head = self._ints[_HEAD]
            if head < self._ints[_TAIL]:
                action = _ACTIONS[self._ring[head % MAX_REQUESTS]]
                self._ints[_HEAD] = head + 1
            means: FloatArray | None = None
            n = self._ints[_N_MEANS]
            if n >= 0:
                flat = np.frombuffer(self._means, dtype=np.float64, count=2 * n)
                means = flat.reshape(n, 2).copy()
                self._ints[_N_MEANS] = -1
        if action is not None:
            return Chunk(action, 1, means, requested=True)
        repeats = 0 if self.paused else max(1, self.steps_per_yield)
        until = self.run_until
        if until is not None:
            repeats = max(0, min(repeats, until - g_steps))
        return Chunk("both", repeats, means, requested=False)

    # -- crossing to a worker process -----------------------------------------------
    def __reduce__(self) -> tuple[Callable[..., TrainControl], tuple[object, ...]]:
        if mp_context.get_spawning_popen() is not None:
            # the lock and the shared arrays travel with the spawn itself
            return _attach_control, (self._lock, self._ints, self._ring, self._means)
        _LOCAL[id(self)] = self
        return _local_control, (os.getpid(), id(self))


def _attach_control(lock: Any, ints: Any, ring: Any, means: Any) -> TrainControl:
    """Return the control that a spawned process received (shared with its parent)."""
    control = TrainControl.__new__(TrainControl)
    control._lock, control._ints, control._ring, control._means = (
        lock,
        ints,
        ring,
        means,
    )
    return control


def _local_control(pid: int, key: int) -> TrainControl:
    """Return the control a plain pickle in this process stood for."""
    control = _LOCAL.get(key) if pid == os.getpid() else None
    if control is None:
        raise RuntimeError(
            "a TrainControl reaches another process only as an argument of a "
            "process started with the 'spawn' context"
        )
    return control


# -- the trainer -----------------------------------------------------------------


class GanTrainer:
    """G, D and their optimisers; advanced one D step or one G step at a time.

    Parameters
    ----------
    cfg
        The run's configuration.
    seed
        Seeds the networks, the fixed display noise and every minibatch.
    device
        "auto" (the CPU: these MLPs train faster there than on a GPU), "cpu" or
        "cuda".
    """

    def __init__(self, cfg: GanConfig, *, seed: int = 0, device: str = "auto") -> None:
        self.cfg = cfg
        self.device = torch.device(resolve_device(device, tiny=True))
        self.mixture = cfg.mixture()
        self._gen = torch.Generator().manual_seed(int(seed))
        self.G = mlp(
            cfg.latent_dim, cfg.g_hidden, cfg.g_layers, 2, cfg.activation, self._gen
        ).to(self.device)
        self.D = mlp(2, cfg.d_hidden, cfg.d_layers, 1, cfg.activation, self._gen).to(
            self.device
        )
        self.opt_g = self._optimizer(self.G.parameters(), cfg.lr_g)
        self.opt_d = self._optimizer(self.D.parameters(), cfg.lr_d)
        self._z_show = self._noise(cfg.show_samples)
        self._z_eval = self._noise(EVAL_SAMPLES)
        self._means_t = torch.as_tensor(self.mixture.means, dtype=torch.float32)
        self.g_steps = 0
        self.d_steps = 0
        self.losses: dict[str, float] = {}
        self._grid = self._make_grid()

    # -- setup --------------------------------------------------------------------
    def _optimizer(
        self, params: Iterator[nn.Parameter], lr: float
    ) -> torch.optim.Optimizer:
        if self.cfg.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr)
        if self.cfg.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr)
        # WGAN-GP uses β = (0.5, 0.9) (Gulrajani et al., Alg. 1); GANs β₁ = 0.5 (DCGAN).
        betas = (0.5, 0.9) if self.cfg.loss == "wgan-gp" else (0.5, 0.999)
        return torch.optim.Adam(params, lr=lr, betas=betas)

    def _make_grid(self) -> torch.Tensor:
        x0, x1, y0, y1 = self.mixture.extent
        n = self.cfg.heat_resolution
        # pixel centres, so the image item can span exactly the extent
        xs = torch.linspace(x0, x1, n + 1)[:-1] + (x1 - x0) / (2 * n)
        ys = torch.linspace(y0, y1, n + 1)[:-1] + (y1 - y0) / (2 * n)
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([xx.ravel(), yy.ravel()], 1).to(self.device)

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.latent_dim, generator=self._gen).to(self.device)

    def _real(self, n: int) -> torch.Tensor:
        idx = torch.randint(0, self.mixture.n_modes, (n,), generator=self._gen)
        eps = torch.randn(n, 2, generator=self._gen) * self.mixture.std
        return (self._means_t[idx] + eps).to(self.device)

    def set_modes(self, means: ArrayLike2D) -> None:
        """Move the data modes (the extent of the views stays as it is)."""
        self.mixture = make_mixture(means, self.mixture.std, self.mixture.extent)
        self._means_t = torch.as_tensor(self.mixture.means, dtype=torch.float32)

    @property
    def is_wgan(self) -> bool:
        """Whether D is a WGAN critic (unbounded score) rather than a classifier."""
        return self.cfg.loss == "wgan-gp"

    # -- steps --------------------------------------------------------------------
    def _check(self, values: Mapping[str, float]) -> None:
        for name, v in values.items():
            if not math.isfinite(v):
                raise DivergedError(
                    f"the {self.cfg.loss} GAN diverged at G step {self.g_steps}, "
                    f"D step {self.d_steps}: {name} = {v}. Lower the learning rates "
                    "(or the unrolling step size) and reset."
                )

    def step_d(self) -> float:
        """Take one D (critic) step on a fresh minibatch; return its loss."""
        b = self.cfg.batch_size
        real = self._real(b)
        with torch.no_grad():
            fake = self.G(self._noise(b))
        loss: torch.Tensor
        if self.is_wgan:
            alpha = torch.rand(b, 1, generator=self._gen).to(self.device)
            w_dist = self.D(real).mean() - self.D(fake).mean()
            gp = gradient_penalty(self.D, real, fake, alpha)
            loss = -w_dist + self.cfg.gp_lambda * gp
            extra = {
                "wasserstein": float(w_dist.detach()),
                "penalty": float(gp.detach()),
            }
        else:
            loss = d_loss_logits(self.D(real), self.D(fake))
            extra = {}
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        value = float(loss.detach())
        self._check({"d_loss": value, **extra})
        self.opt_d.step()
        self.d_steps += 1
        self.losses.update(d_loss=value, **extra)
        return value

    def step_g(self) -> float:
        """Take one G step (through ``k`` unrolled D steps); return its loss."""
        b = self.cfg.batch_size
        z = self._noise(b)
        for p in self.D.parameters():
            p.requires_grad_(False)
        try:
            if self.cfg.loss == "unrolled":
                k = self.cfg.unroll
                loss = unrolled_g_loss(
                    self.G,
                    self.D,
                    [self._real(b) for _ in range(k)],
                    [self._noise(b) for _ in range(k)],
                    z,
                    self.cfg.unroll_lr,
                )
            elif self.is_wgan:
                loss = -self.D(self.G(z)).mean()
            else:
                loss = g_loss_logits(self.D(self.G(z)), self.cfg.loss)
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
        finally:
            for p in self.D.parameters():
                p.requires_grad_(True)
        value = float(loss.detach())
        self._check({"g_loss": value})
        self.opt_g.step()
        self.g_steps += 1
        self.losses["g_loss"] = value
        return value

    def step(self) -> None:
        """Take ``n_critic`` critic steps (WGAN-GP) or one D step, then one G step."""
        for _ in range(self.cfg.n_critic if self.is_wgan else 1):
            self.step_d()
        self.step_g()

    def do(self, action: Action) -> None:
        """Take one ``action``: "d" (D step), "g" (G step) or "both" (:meth:`step`)."""
        if action == "d":
            self.step_d()
        elif action == "g":
            self.step_g()
        else:
            self.step()

    # -- reporting ----------------------------------------------------------------
    def sample(self, n: int = EVAL_SAMPLES) -> FloatArray:
        """Return ``n`` generator samples as (n, 2) float64 (fixed z for n = 2,500)."""
        z = self._z_eval if n == EVAL_SAMPLES else self._noise(n)
        with torch.no_grad():
            out: FloatArray = self.G(z).cpu().double().numpy()
        return out

    def snapshot(self, action: str = "init") -> GanProgress:
        """Return the current :class:`GanProgress` (samples, heat, arrows, metrics)."""
        with torch.no_grad():
            heat_raw = self.D(self._grid).reshape(self.cfg.heat_resolution, -1)
            heat = (
                heat_raw - heat_raw.mean() if self.is_wgan else torch.sigmoid(heat_raw)
            )
        x = self.G(self._z_show).detach().requires_grad_(True)
        score = self.D(x)
        if self.is_wgan:
            lg = -score.sum()
        else:
            lg = (
                g_loss_logits(
                    score, "minimax" if self.cfg.loss == "minimax" else "non-saturating"
                )
                * score.shape[0]
            )
        (grad,) = torch.autograd.grad(lg, x)
        samples = self.sample()
        metrics = mode_metrics(samples, self.mixture)
        rkl = reverse_kl(samples, self.mixture)
        total = self.cfg.steps
        losses: dict[str, float] = {
            k: self.losses[k] for k in ("d_loss", "g_loss") if k in self.losses
        }
        hq = metrics.high_quality_fraction
        return GanProgress(
            step=self.g_steps,
            total=total,
            losses=losses,
            message=(
                f"G step {self.g_steps}"
                + (f"/{total}" if total else "")
                + f" · modes {metrics.modes_captured}/{metrics.modes_total}"
                + f" · {100 * hq:.0f}% high quality"
            ),
            loss_name=self.cfg.loss,
            action=action,
            d_steps=self.d_steps,
            samples=x.detach().cpu().numpy().astype(np.float32),
            arrows=(-grad).cpu().numpy().astype(np.float32),
            heat=heat.cpu().numpy().astype(np.float32),
            heat_is_probability=not self.is_wgan,
            extent=self.mixture.extent,
            means=self.mixture.means.copy(),
            std=self.mixture.std,
            modes_total=metrics.modes_total,
            modes_captured=metrics.modes_captured,
            high_quality_fraction=hq,
            captured=metrics.captured,
            reverse_kl=rkl,
        )


def train(
    cfg: GanConfig, *, seed: int = 0, device: str = "auto"
) -> Iterator[GanProgress]:
    """Yield snapshots of a GAN run: the untrained state, then every ``report_every``.

    The job ends after ``cfg.steps`` G steps (never, if ``cfg.steps`` is None).

    Raises
    ------
    DivergedError
        When a loss becomes NaN or infinite.
    """
    trainer = GanTrainer(cfg, seed=seed, device=device)
    yield trainer.snapshot()
    while cfg.steps is None or trainer.g_steps < cfg.steps:
        for _ in range(cfg.report_every):
            trainer.step()
            if cfg.steps is not None and trainer.g_steps >= cfg.steps:
                break
        yield trainer.snapshot("both")


def train_interactive(
    cfg: GanConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    control: TrainControl,
    idle_s: float = IDLE_S,
    threads: int | None = None,
) -> Iterator[GanProgress | None]:
    """Yield snapshots of a run steered by ``control`` (the panel's job).

    A request queued before the job starts is done *before* the first yield,
    so a job started with one request shows exactly that step.  While paused
    the job yields ``None`` every ``idle_s`` seconds (a cancel point, nothing to
    draw); moved modes while paused give a fresh snapshot.  Ends like
    :func:`train`.  ``threads`` sets torch's (process-wide) CPU thread count:
    meant for a worker process of its own, where one thread trains these small
    networks fastest.

    Raises
    ------
    DivergedError
        When a loss becomes NaN or infinite.
    """
    if threads is not None:
        torch.set_num_threads(threads)
    trainer = GanTrainer(cfg, seed=seed, device=device)
    first = control.take(0)
    if first.means is not None:
        trainer.set_modes(first.means)
    if first.requested:
        trainer.do(first.action)
        yield trainer.snapshot(first.action)
    else:
        for _ in range(first.repeats):
            trainer.step()
        yield trainer.snapshot("both" if first.repeats else "init")
    while cfg.steps is None or trainer.g_steps < cfg.steps:
        chunk = control.take(trainer.g_steps)
        if chunk.means is not None:
            trainer.set_modes(chunk.means)
        if chunk.repeats == 0:
            if chunk.means is not None:
                yield trainer.snapshot("edit")
            else:
                time.sleep(idle_s)
                yield None
            continue
        for _ in range(chunk.repeats):
            trainer.do(chunk.action)
            if cfg.steps is not None and trainer.g_steps >= cfg.steps:
                break
        yield trainer.snapshot(chunk.action)
