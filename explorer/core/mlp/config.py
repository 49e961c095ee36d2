"""Configurations of the three MLP jobs, with the limits of every setting.

:data:`LIMITS` is the one source of the ranges: the configs check against it,
the CLI builds its argument types from it and the panel's state takes its field
limits from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.mlp.names import ACTIVATIONS, FEATURES, LOSS_NAMES

LIMITS: dict[str, tuple[float, float]] = {
    "eta": (1e-4, 100.0),
    "max_updates": (1, 100_000),
    "depth": (0, 8),
    "width": (1, 64),
    "lr": (1e-5, 10.0),
    "l2": (0.0, 1.0),
    "batch": (0, 100_000),  # 0: full batch
    "steps": (1, 100_000),
    "report_every": (1, 10_000),
    "units": (1, 256),
    "approx_steps": (1, 100_000),
    "noise": (0.0, 1.0),
    "n_points": (4, 2000),
    "test_fraction": (0.0, 0.9),
}


def check(name: str, value: float) -> None:
    """Raise ``ValueError`` naming ``name`` when ``value`` is outside its limits."""
    lo, hi = LIMITS[name]
    if not lo <= value <= hi:
        raise ValueError(f"{name} must be in {lo:g} … {hi:g}, got {value:g}")


@dataclass(frozen=True, kw_only=True)
class PerceptronConfig:
    """The perceptron rule's settings: learning rate η and the cap on updates."""

    eta: float = 1.0
    max_updates: int = 1000

    def __post_init__(self) -> None:
        check("eta", self.eta)
        check("max_updates", self.max_updates)


@dataclass(frozen=True, kw_only=True)
class MlpConfig:
    """An MLP of ``hidden`` layers trained by (mini-batch) gradient descent.

    ``hidden = ()`` is depth 0: one affine map and a sigmoid, logistic
    regression.  ``batch = 0`` is full-batch gradient descent, ``batch = 1``
    plain SGD.
    """

    hidden: tuple[int, ...] = (4, 4)
    activation: str = "tanh"
    features: tuple[str, ...] = ("x1", "x2")
    loss: str = "ce"
    batch: int = 0
    lr: float = 0.1
    l2: float = 0.0
    steps: int = 500
    report_every: int = 10
    test_fraction: float = 0.3

    def __post_init__(self) -> None:
        if len(self.hidden) > LIMITS["depth"][1]:
            raise ValueError(
                f"at most {LIMITS['depth'][1]:g} hidden layers, got {len(self.hidden)}"
            )
        for width in self.hidden:
            check("width", width)
        if self.activation not in ACTIVATIONS:
            raise ValueError(
                f"unknown activation {self.activation!r}: use {', '.join(ACTIVATIONS)}"
            )
        if self.loss not in LOSS_NAMES:
            raise ValueError(f"unknown loss {self.loss!r}: use {', '.join(LOSS_NAMES)}")
        if not self.features:
            raise ValueError("choose at least one input feature")
        for f in self.features:
            if f not in FEATURES:
                raise ValueError(f"unknown feature {f!r}: use {', '.join(FEATURES)}")
        if len(set(self.features)) != len(self.features):
            raise ValueError("a feature is listed twice")
        for name in ("batch", "lr", "l2", "steps", "report_every", "test_fraction"):
            check(name, getattr(self, name))


@dataclass(frozen=True, kw_only=True)
class ApproxConfig:
    """A one-hidden-layer sigmoid net g(x) = c + Σ vᵢ σ(wᵢx + bᵢ) fitted to f."""

    units: int = 10
    steps: int = 2000
    lr: float = 0.02

    def __post_init__(self) -> None:
        check("units", self.units)
        check("approx_steps", self.steps)
        check("lr", self.lr)
