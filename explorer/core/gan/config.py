"""The configuration of a GAN run on 2-D data, with the limits of every setting.

:data:`LIMITS` is the one source of the ranges: :class:`GanConfig` checks
against it, and the panel's state (``explorer.panels.gan.state``) takes its
field limits from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.gan.data import Mixture, builtin_mixture, make_mixture
from explorer.core.gan.names import (
    ACTIVATIONS,
    DATA_NAMES,
    LOSS_NAMES,
    OPTIMIZERS,
    Activation,
    DataName,
    LossName,
    OptimizerName,
)

# (low, high) of each number; the floats marked in OPEN_LOW exclude their low end
LIMITS: dict[str, tuple[float, float]] = {
    "points_std": (0.0, 10.0),
    "unroll": (1, 50),
    "unroll_lr": (0.0, 10.0),
    "n_critic": (1, 50),
    "gp_lambda": (0.0, 1000.0),
    "latent_dim": (1, 512),
    "g_hidden": (1, 1024),
    "d_hidden": (1, 1024),
    "g_layers": (1, 8),
    "d_layers": (1, 8),
    "lr_g": (0.0, 1.0),
    "lr_d": (0.0, 1.0),
    "batch_size": (1, 8192),
    "steps": (1, 1_000_000),
    "report_every": (1, 10_000),
    "show_samples": (1, 10_000),
    "heat_resolution": (8, 512),
}
OPEN_LOW: frozenset[str] = frozenset({"points_std", "unroll_lr", "lr_g", "lr_d"})
# what a number counts, for the messages ("g_hidden must be 1…1024 units")
_UNITS = {
    "g_hidden": " units",
    "d_hidden": " units",
    "g_layers": " hidden layers",
    "d_layers": " hidden layers",
    "steps": " (or None)",
}
_LABELS = {"unroll": "unroll (k)"}


def _count(n: float) -> str:
    return f"{int(n):,}" if n >= 10_000 else str(int(n))


def out_of_range(name: str, value: float) -> str | None:
    """Return why ``value`` is outside ``LIMITS[name]``, or ``None`` when inside."""
    lo, hi = LIMITS[name]
    label = _LABELS.get(name, name)
    if name in OPEN_LOW:
        if lo < value <= hi:
            return None
        return f"{label} must be in ({lo:g}, {hi:g}], got {value}"
    if isinstance(lo, float) or isinstance(hi, float):
        if lo <= value <= hi:
            return None
        return f"{label} must be in [{lo:g}, {hi:g}], got {value}"
    if lo <= value <= hi:
        return None
    return (
        f"{label} must be {_count(lo)}…{_count(hi)}{_UNITS.get(name, '')}, got {value}"
    )


@dataclass(frozen=True, kw_only=True)
class GanConfig:
    """Everything that defines a GAN run on 2-D data.

    The defaults teach: from seed 0, after 2,000 G steps on the ring, minimax
    captures 4 of 8 modes and non-saturating 0 (it chases D round the ring),
    while unrolled and WGAN-GP capture 6 (PacGAN's threshold; the table of
    seeds 0–4 is in ``explorer.panels.gan.state``).
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
        for name in LIMITS:
            value = getattr(self, name)
            if name == "steps" and value is None:
                continue
            problem = out_of_range(name, value)
            if problem is not None:
                raise ValueError(problem)

    def mixture(self) -> Mixture:
        """Return the data distribution this config names."""
        if self.data == "points":
            return make_mixture(self.points, self.points_std)
        return builtin_mixture(self.data)
