"""The RNN panel's settings: one frozen, versioned dataclass (limits from the core).

The first block is the random net whose gradient through time is plotted
(:class:`~explorer.core.rnn.JacobianConfig`), the second the training race
(:class:`~explorer.core.rnn.TrainConfig`): a baseline cell against the LSTM,
or the baseline cell without and with gradient clipping (:meth:`RnnState.race`).
Ranges come from :data:`explorer.core.rnn.config.LIMITS`, the ones the CLI checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, NamedTuple

from explorer.core.rnn.config import LIMITS, JacobianConfig, TrainConfig
from explorer.core.rnn.names import (
    CELL_SHORT,
    CELL_TITLES,
    ActivationName,
    CellName,
    MatrixName,
    OptimizerName,
    TaskName,
)
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


class RaceRun(NamedTuple):
    """One of the two trained runs: its cell, its clipping and its names."""

    cell: str
    clip: float | None  # the threshold c, or None: not clipped
    short: str  # the legend's name
    title: str  # the card's and the messages' name


# What the two runs are: the baseline against the LSTM, or the baseline
# without and with clipping (Pascanu et al. 2013: on a setting that explodes).
CompareName = Literal["cells", "clip"]
COMPARE_TITLES = {"cells": "Baseline vs LSTM", "clip": "Without vs with clipping"}


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
    compare: CompareName = "cells"
    baseline: Literal["rnn", "naive"] = "rnn"
    task: TaskName = _TRAIN.task
    length: int = field(default=_TRAIN.length, metadata=limits(*LENGTH_LIMITS))
    train_hidden: int = field(default=_TRAIN.hidden, metadata=_lim("hidden"))
    lr: float = field(default=_TRAIN.lr, metadata=_lim("lr"))
    optimizer: OptimizerName = _TRAIN.optimizer
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

    def race(self) -> tuple[RaceRun, RaceRun]:
        """Return the two runs trained side by side (see :data:`COMPARE_TITLES`)."""
        base = self.baseline
        short, title = CELL_SHORT[base], CELL_TITLES[base]
        if self.compare == "clip":
            c = f"c = {self.clip:g}"
            return (
                RaceRun(base, None, f"{short}, no clip", f"{title}, no clipping"),
                RaceRun(base, self.clip, f"{short}, {c}", f"{title}, clipped at {c}"),
            )
        clip = self.clip if self.clip_on else None
        return (
            RaceRun(base, clip, short, title),
            RaceRun("lstm", clip, CELL_SHORT["lstm"], CELL_TITLES["lstm"]),
        )

    def training(self, run: RaceRun) -> TrainConfig:
        """Return the training configuration of ``run`` (one of :meth:`race`).

        Raises
        ------
        ValueError
            When the settings do not make a valid run.
        """
        return TrainConfig(
            cell=run.cell,  # type: ignore[arg-type]
            task=self.task,
            length=self.length,
            hidden=self.train_hidden,
            steps=self.budget,
            lr=self.lr,
            optimizer=self.optimizer,
            clip=run.clip,
            init_scale=self.init_scale,
        )
