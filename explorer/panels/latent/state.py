"""The latent panel's settings as one frozen, versioned dataclass.

The model settings take their limits from the core's
:data:`explorer.core.latent.config.LIMITS` and their defaults from
:class:`~explorer.core.latent.config.LatentConfig` (the CLI's too); the β slider,
the strip length and the grid size come from :mod:`explorer.core.latent.names`
(the CLI's flags read them too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal

from explorer.core.latent.config import LIMITS, LatentConfig
from explorer.core.latent.names import (
    DEFAULT_BETA,
    DEFAULT_GRID_N,
    DEFAULT_STRIP_STEPS,
    GRID_N_LIMITS,
    MODEL_KINDS,
    STRIP_STEPS_LIMITS,
    Arch,
    Recon,
    Spacing,
)
from explorer.core.state import StateBase, limits

BETA_STEPS_PER_UNIT = 4  # the β slider moves in quarters: 0.25 … 16
BETA_MAX = 16.0
SEED_MAX = 99_999
_CORE = LatentConfig()  # the defaults the CLI uses too
DEFAULT_EPOCHS = _CORE.epochs

Layout = Literal["side", "large"]


@dataclass(frozen=True)
class LatentState(StateBase):
    """What the panel shows: model settings, active model, strip ends, grid."""

    VERSION: ClassVar[int] = 1
    beta: float = field(
        default=DEFAULT_BETA, metadata=limits(1 / BETA_STEPS_PER_UNIT, BETA_MAX)
    )
    latent_dim: int = field(
        default=_CORE.latent_dim, metadata=limits(*LIMITS["latent_dim"])
    )
    arch: Arch = _CORE.arch
    recon: Recon = _CORE.recon
    noise: float = field(default=_CORE.noise, metadata=limits(*LIMITS["noise"]))
    epochs: int = field(default=DEFAULT_EPOCHS, metadata=limits(*LIMITS["epochs"]))
    seed: int = field(default=0, metadata=limits(0, SEED_MAX))
    layout: Layout = "side"
    active: int = field(default=1, metadata=limits(0, len(MODEL_KINDS) - 1))
    ends: tuple[int, int] = field(default=(0, 500), metadata=limits(0, None))
    steps: int = field(
        default=DEFAULT_STRIP_STEPS, metadata=limits(*STRIP_STEPS_LIMITS)
    )
    grid_n: int = field(default=DEFAULT_GRID_N, metadata=limits(*GRID_N_LIMITS))
    grid_spacing: Spacing = "gaussian"
    grid_range: float = field(default=3.0, metadata=limits(0.5, 50.0))
