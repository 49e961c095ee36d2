"""The configuration of a 2-D flow run, with the limits of every setting.

:data:`LIMITS` is the one source of the ranges: :class:`FlowConfig` checks
against it, the CLI's flags and the panel's state take their limits from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from explorer.core.flow.names import (
    DATA_NAMES,
    KIND_NAMES,
    MAX_POINTS,
    MIX_NAMES,
    DataName,
    KindName,
    MixName,
)

LIMITS: dict[str, tuple[float, float]] = {
    "layers": (1, 16),
    "hidden": (4, 256),
    "steps": (1, 1_000_000),
    "lr": (1e-5, 0.1),
    "batch_size": (16, 4096),
    "report_every": (1, 10_000),
    "grid": (16, 256),
    "n_train": (100, 20_000),
    "scale_bound": (0.1, 10.0),
}
_UNITS = {"layers": " layers", "hidden": " units", "grid": " cells a side"}


def out_of_range(name: str, value: float) -> str | None:
    """Return why ``value`` is outside ``LIMITS[name]``, or ``None`` when inside."""
    lo, hi = LIMITS[name]
    if lo <= value <= hi:
        return None
    if isinstance(lo, float) or isinstance(hi, float):
        return f"{name} must be in [{lo:g}, {hi:g}], got {value}"
    return f"{name} must be {int(lo)}…{int(hi)}{_UNITS.get(name, '')}, got {value}"


@dataclass(frozen=True, kw_only=True)
class Architecture:
    """What a flow is made of (saved with its weights in a model file)."""

    layers: int = 6  # K coupling (or planar) layers
    hidden: int = 64  # units of each coupling's MLP β(x_B)
    kind: KindName = "coupling"
    mix: MixName = "alternate"  # what sits between two couplings
    actnorm: bool = True  # an actnorm before each coupling (Glow step)
    scale_bound: float = 2.0  # s = S·tanh(raw / S): the log-scale stays in (−S, S)

    def __post_init__(self) -> None:
        if self.kind not in KIND_NAMES:
            raise ValueError(
                f"unknown layer kind {self.kind!r}: use one of {', '.join(KIND_NAMES)}"
            )
        if self.mix not in MIX_NAMES:
            raise ValueError(
                f"unknown mixing {self.mix!r}: use one of {', '.join(MIX_NAMES)}"
            )
        if isinstance(self.layers, int) and self.layers < 1:
            raise ValueError(
                f"a flow needs at least one layer, got {self.layers} "
                "(zero layers is just the Gaussian p_z)"
            )
        for name in ("layers", "hidden", "scale_bound"):
            problem = out_of_range(name, getattr(self, name))
            if problem is not None:
                raise ValueError(problem)

    def to_dict(self) -> dict[str, Any]:
        """Return the architecture as a JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Architecture:
        """Return the architecture stored by :meth:`to_dict` (validated).

        Raises
        ------
        ValueError
            For unknown keys' types or values out of range.
        """
        known = {"layers", "hidden", "kind", "mix", "actnorm", "scale_bound"}
        extra = set(data) - known
        if extra:
            raise ValueError(f"unknown architecture fields: {', '.join(sorted(extra))}")
        types = {
            "layers": int,
            "hidden": int,
            "kind": str,
            "mix": str,
            "actnorm": bool,
            "scale_bound": float,
        }
        for key, value in data.items():
            want = types[key]
            ok = isinstance(value, want) and not (
                want is int and isinstance(value, bool)
            )
            if want is float and isinstance(value, int) and not isinstance(value, bool):
                ok = True
            if not ok:
                raise ValueError(f"architecture field {key!r} has the wrong type")
        return cls(**data)


@dataclass(frozen=True, kw_only=True)
class FlowConfig:
    """Everything that defines a 2-D flow training run."""

    data: DataName = "moons"
    points: tuple[tuple[float, float], ...] = ()  # the points when data == "points"
    arch: Architecture = Architecture()
    steps: int | None = 1500  # None runs until stopped
    lr: float = 5e-3
    batch_size: int = 256
    report_every: int = 25
    grid: int = 64  # the density heat map is grid × grid
    n_train: int = 2000
    box: tuple[float, float, float, float] = (-4.0, 4.0, -4.0, 4.0)

    def __post_init__(self) -> None:
        if self.data not in DATA_NAMES:
            raise ValueError(
                f"unknown dataset {self.data!r}: use one of {', '.join(DATA_NAMES)}"
            )
        if self.data == "points":
            if len(self.points) < 2:
                raise ValueError(
                    "a flow needs at least two points to learn a density from "
                    f"(got {len(self.points)})"
                )
            if len(self.points) > MAX_POINTS:
                raise ValueError(
                    f"at most {MAX_POINTS} points are supported, got {len(self.points)}"
                )
        for name in ("lr", "batch_size", "report_every", "grid", "n_train"):
            problem = out_of_range(name, getattr(self, name))
            if problem is not None:
                raise ValueError(problem)
        if self.steps is not None:
            problem = out_of_range("steps", self.steps)
            if problem is not None:
                raise ValueError(problem)
        x0, x1, y0, y1 = self.box
        if not (x0 < x1 and y0 < y1):
            raise ValueError(f"the box must have x0 < x1 and y0 < y1, got {self.box}")
