"""The flow panel's settings: one frozen, versioned dataclass (limits from the core).

Number ranges come from :data:`explorer.core.flow.config.LIMITS`, the ones
:class:`~explorer.core.flow.config.FlowConfig` (and so the CLI) checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
from numpy.typing import NDArray

from explorer.core.flow.config import LIMITS, Architecture, FlowConfig
from explorer.core.flow.names import MAX_POINTS, DataName, KindName, MixName
from explorer.core.flow.spline import DEFAULT_KNOTS, MAX_KNOTS
from explorer.core.state import StateBase, StateError, limits

SPEEDS = (1, 5, 10, 25, 50, 100)  # training steps per snapshot
DEFAULT_SPEED = 25  # a snapshot (density, warps) costs about as much as 25 steps
SEED_MAX = 9999
HEAT_GRID = 64  # the density heat map is HEAT_GRID × HEAT_GRID (computed in the worker)
MAX_BANDS = 10
View = Literal["1d", "2d"]

_ARCH = Architecture()
_CFG = FlowConfig()


def _lim(name: str) -> dict[str, Any]:
    return limits(*LIMITS[name])


@dataclass(frozen=True)
class FlowState(StateBase):
    """Everything the flow panel's controls, knots and drawn points say."""

    VERSION: ClassVar[int] = 1
    view: View = "2d"
    # 1-D: the knots of h (rows x, z) and how many equal-mass bands are shaded
    knots: NDArray[np.float64] = field(
        default_factory=lambda: np.array(DEFAULT_KNOTS, dtype=np.float64)
    )
    bands: int = field(default=6, metadata=limits(2, MAX_BANDS))
    # 2-D
    data: DataName = "moons"
    points: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 2)))
    kind: KindName = _ARCH.kind
    layers: int = field(default=_ARCH.layers, metadata=_lim("layers"))
    hidden: int = field(default=_ARCH.hidden, metadata=_lim("hidden"))
    mix: MixName = _ARCH.mix
    actnorm: bool = _ARCH.actnorm
    lr: float = field(default=_CFG.lr, metadata=_lim("lr"))
    seed: int = field(default=0, metadata=limits(0, SEED_MAX))
    speed: int = field(  # the speed slider's position in SPEEDS
        default=SPEEDS.index(DEFAULT_SPEED), metadata=limits(0, len(SPEEDS) - 1)
    )
    stage: int = field(default=-1, metadata=limits(-1, 64))  # −1: x-space (the end)

    def __post_init__(self) -> None:
        super().__post_init__()
        knots = np.asarray(self.knots, dtype=np.float64)
        if knots.ndim != 2 or knots.shape[1] != 2 or not 2 <= len(knots) <= MAX_KNOTS:
            raise StateError(
                f"knots: expected 2 to {MAX_KNOTS} (x, z) pairs, got {knots.shape}"
            )
        if not np.all(np.isfinite(knots)):
            raise StateError("knots: NaN or infinite values")
        pts = np.asarray(self.points, dtype=np.float64).reshape(-1, 2)
        if len(pts) > MAX_POINTS:
            raise StateError(f"points: at most {MAX_POINTS}, got {len(pts)}")
        if not np.all(np.isfinite(pts)):
            raise StateError("points: NaN or infinite coordinates")
        object.__setattr__(self, "knots", knots)
        object.__setattr__(self, "points", pts)

    def arch(self) -> Architecture:
        """Return the flow's architecture (raises ValueError when invalid)."""
        return Architecture(
            layers=self.layers,
            hidden=self.hidden,
            kind=self.kind,
            mix=self.mix,
            actnorm=self.actnorm,
        )

    def config(self) -> FlowConfig:
        """Return the open-ended training config these settings name.

        Raises
        ------
        ValueError
            When the settings do not make a valid config (e.g. one drawn point).
        """
        return FlowConfig(
            data=self.data,
            points=tuple((float(x), float(y)) for x, y in self.points),
            arch=self.arch(),
            steps=None,
            lr=self.lr,
            grid=HEAT_GRID,
        )
