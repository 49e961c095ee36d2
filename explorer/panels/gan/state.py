"""The GAN panel's settings: one frozen, versioned dataclass (limits from the core).

:class:`GanState` holds the experiment (data and its drawn modes, k, seed),
the speed, the view options and, nested, the networks and optimiser
(:class:`HyperState`).  ``to_dict`` / ``from_dict`` are the panel's session
state; a bad dict raises a :class:`~explorer.core.state.StateError` naming the
field.  Number ranges come from :data:`explorer.core.gan.config.LIMITS`, the
ones :class:`~explorer.core.gan.GanConfig` (and so the CLI) checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from explorer.core.gan.config import LIMITS, GanConfig
from explorer.core.gan.data import builtin_mixture
from explorer.core.gan.names import (
    LOSS_NAMES,
    MAX_POINTS,
    Activation,
    DataName,
    OptimizerName,
)
from explorer.core.state import StateBase, StateError, limits

SPEEDS = (1, 2, 5, 10, 20, 50, 100)  # iterations per snapshot on the speed slider
DEFAULT_SPEED = 10
SEED_MAX = 9999
# the seed the panel opens with, measured with `explorer gan train --loss L --seed S
# --json` (ring of 8, 2,000 G steps, PacGAN's threshold), modes captured of 8:
#   seed      0  1  2  3  4
#   minimax   4  6  3  7  0
#   non-sat.  0  0  0  0  0
#   unrolled  6  1  2  5  0
#   WGAN-GP   6  8  8  8  8
# seed 0 teaches best: both GAN losses lose modes, unrolled and WGAN-GP cover most
DEFAULT_SEED = 0

_DEFAULT = GanConfig()
_RING = builtin_mixture("ring8")


def _lim(name: str) -> dict[str, Any]:
    return limits(*LIMITS[name])


@dataclass(frozen=True)
class HyperState(StateBase):
    """The networks and optimiser (G and D get the same number of layers)."""

    latent_dim: int = field(default=_DEFAULT.latent_dim, metadata=_lim("latent_dim"))
    g_hidden: int = field(default=_DEFAULT.g_hidden, metadata=_lim("g_hidden"))
    d_hidden: int = field(default=_DEFAULT.d_hidden, metadata=_lim("d_hidden"))
    g_layers: int = field(default=_DEFAULT.g_layers, metadata=_lim("g_layers"))
    activation: Activation = _DEFAULT.activation
    optimizer: OptimizerName = _DEFAULT.optimizer
    lr_g: float = field(default=_DEFAULT.lr_g, metadata=_lim("lr_g"))
    lr_d: float = field(default=_DEFAULT.lr_d, metadata=_lim("lr_d"))
    unroll_lr: float = field(default=_DEFAULT.unroll_lr, metadata=_lim("unroll_lr"))
    n_critic: int = field(default=_DEFAULT.n_critic, metadata=_lim("n_critic"))
    gp_lambda: float = field(default=_DEFAULT.gp_lambda, metadata=_lim("gp_lambda"))
    batch_size: int = field(default=_DEFAULT.batch_size, metadata=_lim("batch_size"))

    def config_kwargs(self) -> dict[str, Any]:
        """Return these settings as :class:`GanConfig` keyword arguments."""
        return {**self._fields_dict(), "d_layers": self.g_layers}


@dataclass(frozen=True)
class GanState(StateBase):
    """Everything the GAN panel's controls and drawn modes say (see module docs)."""

    VERSION: ClassVar[int] = 1
    data: DataName = "ring8"
    means: NDArray[np.float64] = field(default_factory=lambda: _RING.means.copy())
    std: float = field(default=_RING.std, metadata=_lim("points_std"))
    unroll: int = field(default=_DEFAULT.unroll, metadata=_lim("unroll"))
    seed: int = field(default=DEFAULT_SEED, metadata=limits(0, SEED_MAX))
    speed: int = field(  # the speed slider's position in SPEEDS
        default=SPEEDS.index(DEFAULT_SPEED), metadata=limits(0, len(SPEEDS) - 1)
    )
    arrows: bool = True
    trails: bool = True
    hyper: HyperState = field(default_factory=HyperState)

    def __post_init__(self) -> None:
        super().__post_init__()
        means = np.asarray(self.means, dtype=np.float64)
        if means.ndim != 2 or means.shape[1] != 2 or not 1 <= len(means) <= MAX_POINTS:
            raise StateError(
                f"means: expected 1 to {MAX_POINTS} points (x, y), "
                f"got an array of shape {means.shape}"
            )
        if not np.all(np.isfinite(means)):
            raise StateError("means: the points contain NaN or infinite coordinates")
        if self.std <= 0:
            raise StateError(f"std: expected a positive number, got {self.std}")
        object.__setattr__(self, "means", means)

    def losses(self) -> list[str]:
        """Return the objectives trained side by side: all four, from one seed."""
        return list(LOSS_NAMES)

    def config(self, loss: str) -> GanConfig:
        """Return the open-ended config of a run with objective ``loss``.

        Raises
        ------
        ValueError
            When the settings do not make a valid config.
        """
        return GanConfig(
            data="points",
            points=tuple((float(x), float(y)) for x, y in self.means),
            points_std=self.std,
            loss=loss,  # type: ignore[arg-type]
            unroll=self.unroll,
            steps=None,
            **self.hyper.config_kwargs(),
        )
