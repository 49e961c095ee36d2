"""The receptive-field panel's settings: network, stacks, input, unit, ERF options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from explorer.core.rf import (
    ARCH_NAMES,
    LIVE_ARCH,
    StackError,
    Weights,
    analyze,
    stack_from_dict,
)
from explorer.core.rf.names import (
    HELD_OUT_DIGITS,
    MAX_ERF_INPUTS,
    MAX_ERF_TRAIN_STEPS,
    MAX_SHOWN_CHANNELS,
)
from explorer.core.state import StateBase, StateError, limits

CUSTOM = "custom"
FILE = "file"
NETWORKS = (CUSTOM, FILE, *ARCH_NAMES)


@dataclass(frozen=True)
class RfState(StateBase):
    """What the receptive-field panel shows and how it computes.

    Attributes
    ----------
    network
        ``"custom"`` (the editable stack), ``"file"`` (an opened stack file) or a
        built-in architecture of :data:`explorer.core.rf.ARCH_NAMES`.
    digit
        The held-out MNIST digit that is the input.
    weights
        Effective RF with random or trained weights.
    channel
        The feature-map channel shown (0: the mean of the channels).
    show_erf
        Whether the ERF heat map is drawn over the input.
    row, unit
        The selected row of the layer table and the unit of its feature map.
    custom, file_stack
        The custom stack and the opened stack file, in the stack JSON format.
    seed
        Seed of the ERF's weights and inputs and of the live CNN.
    erf_inputs, erf_train_steps
        Inputs an ERF is averaged over; training steps of a trained ERF.
    """

    VERSION: ClassVar[int] = 1
    network: str = LIVE_ARCH
    digit: int = field(default=0, metadata=limits(0, HELD_OUT_DIGITS - 1))
    weights: Weights = "random"
    channel: int = field(default=0, metadata=limits(0, MAX_SHOWN_CHANNELS))
    show_erf: bool = True
    row: int = field(default=0, metadata=limits(0, None))
    unit: tuple[int, int] = field(default=(0, 0), metadata=limits(0, None))
    custom: dict[str, Any] | None = None
    file_stack: dict[str, Any] | None = None
    seed: int = field(default=0, metadata=limits(0, 2**31 - 1))
    erf_inputs: int = field(default=8, metadata=limits(1, MAX_ERF_INPUTS))
    erf_train_steps: int = field(default=200, metadata=limits(0, MAX_ERF_TRAIN_STEPS))

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.network not in NETWORKS:
            raise StateError(
                f"network: expected one of {', '.join(NETWORKS)}, got {self.network!r}"
            )
        if self.network == FILE and self.file_stack is None:
            raise StateError("network: 'file' needs a file_stack")
        for name in ("custom", "file_stack"):
            data = getattr(self, name)
            if data is None:
                continue
            try:
                analyze(stack_from_dict(data, name=name))
            except StackError as exc:
                raise StateError(f"{name}: {exc}") from None
