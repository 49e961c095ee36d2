"""The Autoregressive models panel's settings: one frozen, versioned dataclass.

Ranges and defaults come from :mod:`explorer.core.ar.config` (the CLI's too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from explorer.core.ar.config import DEFAULTS, LIMITS
from explorer.core.ar.names import (
    IMAGE_SIDE,
    DilationPreset,
    InputKind,
    ModelName,
)
from explorer.core.state import StateBase, StateError, limits

TABS: tuple[str, ...] = ("chain", "masks", "wavenet", "attention", "cost")
TAB_TITLES: dict[str, str] = {
    "chain": "Chain rule",
    "masks": "Blind spot",
    "wavenet": "WaveNet",
    "attention": "Attention",
    "cost": "Cost",
}
SEED_LIMITS = (0, 1_000_000)
SPEEDS = (1, 2, 5, 10)  # batches per report


def _lim(name: str) -> dict[str, object]:
    return limits(*LIMITS[name])


@dataclass(frozen=True)
class ArState(StateBase):
    """What the panel's controls show; ``row``/``col`` is the clicked output pixel."""

    VERSION: ClassVar[int] = 1
    tab: int = field(default=0, metadata=limits(0, len(TABS) - 1))
    model: ModelName = "nade"
    epochs: int = field(default=DEFAULTS["epochs"], metadata=_lim("epochs"))
    train_digits: int = field(
        default=DEFAULTS["train_digits"], metadata=_lim("train_digits")
    )
    train_seed: int = field(default=0, metadata=limits(*SEED_LIMITS))
    layers: int = field(default=DEFAULTS["layers"], metadata=_lim("layers"))
    kernel: int = field(default=DEFAULTS["kernel"], metadata=_lim("kernel"))
    row: int = field(default=14, metadata=limits(0, IMAGE_SIDE - 1))
    col: int = field(default=14, metadata=limits(0, IMAGE_SIDE - 1))
    wave_preset: DilationPreset = "doubling"
    wave_layers: int = field(
        default=DEFAULTS["wave_layers"], metadata=_lim("wave_layers")
    )
    wave_kernel: int = field(
        default=DEFAULTS["wave_kernel"], metadata=_lim("wave_kernel")
    )
    sample_rate: int = field(
        default=DEFAULTS["sample_rate"], metadata=_lim("sample_rate")
    )
    att_input: InputKind = "random"
    word: str = "autoregressive"
    length: int = field(default=DEFAULTS["view_length"], metadata=_lim("view_length"))
    dim: int = field(default=DEFAULTS["dim"], metadata=_lim("dim"))
    causal: bool = True
    att_seed: int = field(default=0, metadata=limits(*SEED_LIMITS))
    cost_dim: int = field(default=DEFAULTS["cost_dim"], metadata=_lim("cost_dim"))
    cost_max: int = field(default=4096, metadata=limits(64, 4096))

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.kernel % 2 == 0:
            raise StateError(f"kernel: expected an odd size, got {self.kernel}")
        if len(self.word) > LIMITS["view_length"][1]:
            raise StateError(
                f"word: at most {LIMITS['view_length'][1]} letters, got "
                f"{len(self.word)}"
            )
