"""The RNN panel's settings: one frozen, versioned dataclass (limits from the core).

The first block is the random net whose gradient through time is plotted
(:class:`~explorer.core.rnn.JacobianConfig`), the second the training race
of a baseline cell against the LSTM (:class:`~explorer.core.rnn.TrainConfig`).
Ranges come from :data:`explorer.core.rnn.config.LIMITS`, the ones the CLI checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from explorer.core.rnn.config import LIMITS, JacobianConfig, TrainConfig
from explorer.core.rnn.names import ActivationName, CellName, MatrixName, TaskName
from explorer.core.state import StateBase, limits

SPEEDS = (1, 2, 5, 10, 20)  # training steps per report on the speed slider
DEFAULT_SPEED = 5
SEED_MAX = 9999
# The panel offers T from 5 to 200 for training (the range).
LENGTH_LIMITS = (5, 200)
JACOBIAN_T_LIMITS = (1, 500)

_TRAIN = TrainConfig()


def _lim(name: str) -> dict[str, Any]:
    return limits(*LIMITS[name])


@dataclass(frozen=True)
class RnnState(StateBase):
    """What the RNN panel's controls show (see the module docs)."""

    VERSION: ClassVar[int] = 1
    # the gradient through time of a random net
    cell: CellName = "rnn"
    matrix: MatrixName = "orthogonal"
    scale: float = field(default=0.9, metadata=_lim("scale"))
    steps: int = field(default=100, metadata=limits(*JACOBIAN_T_LIMITS))
    hidden: int = field(default=64, metadata=_lim("hidden"))
    activation: ActivationName = "tanh"
    input_scale: float = field(default=1.0, metadata=_lim("input_scale"))
    hold_gates: bool = False  # LSTM: f = 1, i = 0
    # training: a baseline cell against the LSTM
    baseline: Literal["rnn", "naive"] = "rnn"
    task: TaskName = _TRAIN.task
    length: int = field(default=_TRAIN.length, metadata=limits(*LENGTH_LIMITS))
    train_hidden: int = field(default=_TRAIN.hidden, metadata=_lim("hidden"))
    lr: float = field(default=_TRAIN.lr, metadata=_lim("lr"))
    budget: int = field(default=_TRAIN.steps, metadata=_lim("train_steps"))
    clip_on: bool = False
    clip: float = field(default=1.0, metadata=limits(1e-3, 1e6))
    init_scale: float = field(default=_TRAIN.init_scale, metadata=_lim("init_scale"))
    seed: int = field(default=0, metadata=limits(0, SEED_MAX))
    speed: int = field(  # the speed slider's position in SPEEDS
        default=SPEEDS.index(DEFAULT_SPEED), metadata=limits(0, len(SPEEDS) - 1)
    )

    def jacobian(self) -> JacobianConfig:
        """Return the random net the gradient plot is about.

        Raises
        ------
        ValueError
            When the settings do not make a valid net.
        """
        held = self.cell == "lstm" and self.hold_gates
        return JacobianConfig(
            cell=self.cell,
            hidden=self.hidden,
            steps=self.steps,
            matrix=self.matrix,
            scale=self.scale,
            activation=self.activation,
            input_scale=self.input_scale,
            forget=1.0 if held else None,
            input_gate=0.0 if held else None,
        )

    def training(self, cell: str) -> TrainConfig:
        """Return the training run of ``cell`` (the baseline or ``"lstm"``)."""
        return TrainConfig(
            cell=cell,  # type: ignore[arg-type]
            task=self.task,
            length=self.length,
            hidden=self.train_hidden,
            steps=self.budget,
            lr=self.lr,
            clip=self.clip if self.clip_on else None,
            init_scale=self.init_scale,
        )
