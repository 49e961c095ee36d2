"""Training a cell on a memory task, live: loss, accuracy, gradient norms, gates.

:func:`train` is the topic's long job: a generator yielding a
:class:`TrainProgress` after every chunk of steps (the chunk is the job
control's speed in the panel, ``report_every`` elsewhere).  Each report
carries the per-step loss, accuracy and gradient norm since the last one,
‖∂L/∂m^k‖ for k = 0…T on a fixed probe batch (m = h for the RNN, c for the
LSTM and the naive cell) and, for the LSTM, its gates on the probe's first
sequence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.progress import DivergedError, JobControl, Progress, check_finite
from explorer.core.rnn.config import TrainConfig
from explorer.core.rnn.models import make_model
from explorer.core.rnn.names import GATE_NAMES
from explorer.core.rnn.tasks import (
    input_size,
    loss_and_accuracy,
    make_batch,
    output_size,
)

FloatArray = NDArray[np.float64]
PROBE_BATCH = 64


@dataclass(frozen=True, kw_only=True)
class TrainProgress(Progress):
    """One report of :func:`train` (detached numpy; see the module docs).

    ``steps``, ``loss``, ``accuracy``, ``grad_norm`` are per step since the last
    report (``grad_norm`` before clipping); ``grad_vs_k[k]`` is ‖∂L/∂m^k‖ on the
    probe batch; ``gates`` maps f, i, o, g to (T, n) arrays (LSTM only).
    """

    cell: str
    steps: FloatArray
    loss: FloatArray
    accuracy: FloatArray
    grad_norm: FloatArray
    grad_vs_k: FloatArray
    probe_loss: float
    probe_accuracy: float
    gates: dict[str, FloatArray] = field(default_factory=dict)


def clip_gradients(params: Iterable[torch.Tensor], c: float | None) -> float:
    """Clip the gradients of ``params`` to norm ``c`` in place; return the norm before.

    ``g ← c·g/‖g‖`` when ‖g‖ > c (Pascanu et al. 2013, algorithm 1): the
    direction is kept, only the length is capped.  ``c=None``: no clipping.
    """
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norm = float(
        torch.sqrt(torch.stack([(g.detach() ** 2).sum() for g in grads]).sum())
    )
    if c is not None and math.isfinite(norm) and norm > c:
        for g in grads:
            g.mul_(c / norm)
    return norm


def _probe(
    model: torch.nn.Module, cfg: TrainConfig, x: torch.Tensor, y: torch.Tensor
) -> tuple[FloatArray, float, float, dict[str, FloatArray]]:
    """Return (‖∂L/∂m^k‖ for k = 0…T, loss, accuracy, gates of sequence 0)."""
    model.zero_grad(set_to_none=True)
    run = model.unroll(x, keep_grad=True)  # type: ignore[operator]
    loss, acc = loss_and_accuracy(cfg.task, run.output, y)
    loss.backward()  # type: ignore[no-untyped-call]
    norms = np.array(
        [float(s.grad.norm()) if s.grad is not None else 0.0 for s in run.states],
        dtype=np.float64,
    )
    gates = {
        k: run.gates[k][0].detach().double().numpy().copy()
        for k in GATE_NAMES
        if k in run.gates
    }
    model.zero_grad(set_to_none=True)
    return norms, float(loss.detach()), acc, gates


def train(
    cfg: TrainConfig, *, seed: int = 0, control: JobControl | None = None
) -> Iterator[TrainProgress]:
    """Train ``cfg.cell`` on ``cfg.task`` (Adam or SGD); yield a report per chunk.

    The first report (step 0) is the untrained net.  The same seed gives the
    same weights, batches and curve.

    Raises
    ------
    DivergedError
        When the loss becomes NaN or infinite; the steps before it (the
        gradient norm's spike that caused it among them) are reported first,
        in a report without ``losses``.
    """
    d = input_size(cfg.task, cfg.symbols)
    model = make_model(
        cfg.cell,
        d,
        cfg.hidden,
        output_size(cfg.task, cfg.symbols),
        cfg.init_scale,
        seed,
        cfg.forget_bias,
    )
    opt: torch.optim.Optimizer = (
        torch.optim.SGD(model.parameters(), lr=cfg.lr)
        if cfg.optimizer == "sgd"
        else torch.optim.Adam(model.parameters(), lr=cfg.lr)
    )
    gen = torch.Generator().manual_seed(seed)
    probe_gen = torch.Generator().manual_seed(seed + 7919)
    probe = make_batch(cfg.task, PROBE_BATCH, cfg.length, cfg.symbols, probe_gen)
    params = list(model.parameters())
    step = 0
    rows: list[tuple[float, float, float, float]] = []

    def report(diverged: bool = False) -> TrainProgress:
        norms, p_loss, p_acc, gates = _probe(model, cfg, probe.x, probe.y)
        arr = np.asarray(rows, dtype=np.float64).reshape(-1, 4)
        rows.clear()
        last_loss = float(arr[-1, 1]) if len(arr) else p_loss
        return TrainProgress(
            step=step,
            total=cfg.steps,
            losses={} if diverged else {"loss": last_loss},
            message=f"{cfg.cell}: step {step}/{cfg.steps}",
            cell=cfg.cell,
            steps=arr[:, 0].copy(),
            loss=arr[:, 1].copy(),
            accuracy=arr[:, 2].copy(),
            grad_norm=arr[:, 3].copy(),
            grad_vs_k=norms,
            probe_loss=p_loss,
            probe_accuracy=p_acc,
            gates=gates,
        )

    yield report()
    while step < cfg.steps:
        chunk = control.speed if control is not None else cfg.report_every
        for _ in range(min(chunk, cfg.steps - step)):
            batch = make_batch(cfg.task, cfg.batch, cfg.length, cfg.symbols, gen)
            opt.zero_grad(set_to_none=True)
            loss, acc = loss_and_accuracy(cfg.task, model(batch.x), batch.y)
            loss.backward()  # type: ignore[no-untyped-call]
            norm = clip_gradients(params, cfg.clip)
            value = float(loss.detach())
            step += 1
            try:
                check_finite({"loss": value}, where=f"step {step}")
            except DivergedError:
                step -= 1  # the step that blew up is not one of the rows
                yield report(diverged=True)  # the steps up to the blow-up
                raise
            if math.isfinite(norm):
                opt.step()
            rows.append((float(step), value, acc, norm))
            if control is not None and control.stopping:
                return
        yield report()
