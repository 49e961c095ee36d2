"""The MLP panel's settings: one frozen, versioned dataclass (limits from the core).

Three sections share it: the perceptron (``p_*``), the playground and the
universal-approximation bumps (``a_*``).  The user's clicked points are shared by
the first two.  Ranges come from :data:`explorer.core.mlp.config.LIMITS`, the
ones the CLI checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from explorer.core.mlp.config import LIMITS, MlpConfig, PerceptronConfig
from explorer.core.mlp.names import Activation, DataName, LossName, TargetName
from explorer.core.state import StateBase, StateError, limits

MAX_USER_POINTS = 2000
MAX_BUMPS = 100
DRAWN_SAMPLES = 101  # a drawn target is kept as its values on 101 even x in [0, 1]
PERCEPTRON_SPEEDS = (1, 2, 5, 20, 100)  # updates per frame
TRAIN_SPEEDS = (1, 5, 10, 50, 200)  # gradient steps per report
DEFAULT_TRAIN_SPEED = 10
FEATURE_FIELDS: dict[str, str] = {
    "x1": "f_x1",
    "x2": "f_x2",
    "x1^2": "f_x1sq",
    "x2^2": "f_x2sq",
    "x1x2": "f_x1x2",
    "sin(x1)": "f_sin1",
    "sin(x2)": "f_sin2",
}
PerceptronData = Literal["separable", "xor", "circles", "points"]


def _lim(name: str) -> dict[str, Any]:
    return limits(*LIMITS[name])


_SEED = limits(0, 9999)


@dataclass(frozen=True)
class MlpState(StateBase):
    """Everything the panel shows; ``to_dict`` / ``from_dict`` are its sessions."""

    VERSION: ClassVar[int] = 1
    tab: int = field(default=0, metadata=limits(0, 2))
    # the user's points (x1, x2, label ±1), shared by the perceptron and playground
    points: tuple[tuple[float, float, int], ...] = ()
    # -- perceptron
    p_data: PerceptronData = "separable"
    p_eta: float = field(default=1.0, metadata=_lim("eta"))
    p_max_updates: int = field(default=300, metadata=_lim("max_updates"))
    p_seed: int = field(default=0, metadata=_SEED)
    # -- playground
    data: DataName = "spiral"
    noise: float = field(default=0.1, metadata=_lim("noise"))
    seed: int = field(default=0, metadata=_SEED)
    f_x1: bool = True
    f_x2: bool = True
    f_x1sq: bool = False
    f_x2sq: bool = False
    f_x1x2: bool = False
    f_sin1: bool = False
    f_sin2: bool = False
    depth: int = field(default=2, metadata=_lim("depth"))
    width: int = field(default=8, metadata=_lim("width"))
    activation: Activation = "tanh"
    loss: LossName = "ce"
    batch: int = field(default=0, metadata=limits(0, 1000))
    lr: float = field(default=0.3, metadata=_lim("lr"))
    l2: float = field(default=0.0, metadata=_lim("l2"))
    steps: int = field(default=5000, metadata=_lim("steps"))
    # -- universal approximation
    a_target: TargetName = "nielsen"
    a_bumps: tuple[tuple[float, float, float], ...] = ()
    a_drawn: tuple[float, ...] = ()
    a_epsilon: float = field(default=0.05, metadata=limits(1e-4, 10.0))
    a_units: int = field(default=32, metadata=_lim("units"))
    a_steps: int = field(default=1000, metadata=_lim("approx_steps"))

    def __post_init__(self) -> None:
        super().__post_init__()
        if len(self.points) > MAX_USER_POINTS:
            raise StateError(
                f"points: at most {MAX_USER_POINTS}, got {len(self.points)}"
            )
        if len(self.a_bumps) > MAX_BUMPS:
            raise StateError(f"a_bumps: at most {MAX_BUMPS}, got {len(self.a_bumps)}")
        if self.a_drawn and len(self.a_drawn) != DRAWN_SAMPLES:
            raise StateError(
                f"a_drawn: expected {DRAWN_SAMPLES} values, got {len(self.a_drawn)}"
            )
        for i, (_, _, label) in enumerate(self.points):
            if label not in (-1, 1):
                raise StateError(f"points[{i}]: the label must be −1 or +1")

    @property
    def features(self) -> tuple[str, ...]:
        """Return the chosen input features, in the playground's order."""
        return tuple(f for f, name in FEATURE_FIELDS.items() if getattr(self, name))

    def perceptron_config(self) -> PerceptronConfig:
        """Return the perceptron job's config."""
        return PerceptronConfig(eta=self.p_eta, max_updates=self.p_max_updates)

    def mlp_config(self) -> MlpConfig:
        """Return the training job's config (raises ValueError when unusable)."""
        return MlpConfig(
            hidden=(self.width,) * self.depth,
            activation=self.activation,
            features=self.features,
            loss=self.loss,
            batch=self.batch,
            lr=self.lr,
            l2=self.l2,
            steps=self.steps,
        )
