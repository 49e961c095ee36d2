"""Recurrent nets: gradients through time, RNN vs LSTM vs a naive memory cell.

No Qt here: the CLI, the tests and the panel call the same functions.
"""

from __future__ import annotations

from explorer.core.rnn.config import LIMITS, JacobianConfig, TrainConfig
from explorer.core.rnn.jacobian import JacobianResult, jacobian_norms
from explorer.core.rnn.jobs import JACOBIAN_KEY, jacobian_requests
from explorer.core.rnn.train import TrainProgress, clip_gradients, train

__all__ = [
    "JACOBIAN_KEY",
    "LIMITS",
    "JacobianConfig",
    "JacobianResult",
    "TrainConfig",
    "TrainProgress",
    "clip_gradients",
    "jacobian_norms",
    "jacobian_requests",
    "train",
]
