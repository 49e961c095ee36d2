"""The GAN panel's number boxes: the shared checked boxes over the core's ranges.

They say why a typed value is refused ("lr_g must be in (0, 1], got 1e9") with
the core's own words, :func:`explorer.core.gan.config.out_of_range`, over
:data:`explorer.core.gan.config.LIMITS`.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QWidget

from explorer.core.gan.config import LIMITS, OPEN_LOW, out_of_range
from explorer.widgets import checked_spin


class CheckedSpin(checked_spin.CheckedSpin):
    """An integer box over ``LIMITS[name]`` that reports refused numbers."""

    def __init__(
        self, name: str, value: int, tip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(
            name,
            value,
            tip,
            limits=LIMITS[name],
            check=partial(out_of_range, name),
            parent=parent,
        )


class CheckedDoubleSpin(checked_spin.CheckedDoubleSpin):
    """A decimal box over ``LIMITS[name]`` that reports refused numbers."""

    def __init__(
        self,
        name: str,
        value: float,
        tip: str,
        *,
        decimals: int = 5,
        step: float = 1e-4,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            name,
            value,
            tip,
            limits=LIMITS[name],
            open_low=name in OPEN_LOW,
            check=partial(out_of_range, name),
            decimals=decimals,
            step=step,
            parent=parent,
        )
