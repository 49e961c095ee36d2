"""Training a 2-D flow by maximum likelihood: :func:`train` (CLI) and the panel's job.

The loss is the negative log-likelihood of a batch (Dinh et al. 2017, eq. 3)::

    NLL = −(1/n) Σ_i [ log p_Z(f⁻¹(x_i)) + Σ_k log|det ∂f_k⁻¹/∂x|(x_i) ]

Each snapshot (:class:`FlowProgress`) carries everything the panel draws,
computed in the worker: the density on a grid, samples and a z-grid pushed
through the flow layer by layer, the checks (∫p over the box, round trip,
formula vs autograd log-det), the Jacobians at the clicked point and the
weights (the panel saves the model a snapshot shows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.flow.checkpoint import model_weights
from explorer.core.flow.config import FlowConfig
from explorer.core.flow.data import sample
from explorer.core.flow.model import (
    FlowModel,
    LayerJacobian,
    box_integral,
    density_grid,
    gaussian_nll,
    grid_lines,
    layer_jacobians,
    log_prob_numpy,
    roundtrip_error,
    warp_stages,
)
from explorer.core.flow.names import PROBE_ACTION, PROBE_KEY
from explorer.core.progress import JobControl, LocalControl, Progress, check_finite

FloatArray = NDArray[np.float64]
N_TEST = 1000
N_SAMPLES = 500  # fixed z pushed through the flow for the views


@dataclass(frozen=True, kw_only=True)
class FlowProgress(Progress):
    """One snapshot of a flow run (detached numpy; see the module docstring)."""

    nll: float  # the last batch's NLL (nats per point)
    test_nll: float
    gaussian_test_nll: float
    box: tuple[float, float, float, float]
    logp: FloatArray  # (grid, grid) log p(x) at the cell centres, rows bottom-up
    integral: float  # ∫ p over the box
    roundtrip: float  # max ‖f(f⁻¹(x)) − x‖ over the test points
    stage_samples: FloatArray  # (K + 1, N_SAMPLES, 2): z, …, x
    stage_grid: (
        FloatArray  # (K + 1, lines, points, 2): the z-grid warped stage by stage
    )
    titles: tuple[str, ...]  # the layers, normalizing order
    probe: tuple[float, float] | None = None
    jacobians: tuple[LayerJacobian, ...] = field(default_factory=tuple)
    probe_logp: float | None = None
    # the flow's state dict (numpy): what the panel's Save model writes
    weights: dict[str, NDArray[Any]] = field(default_factory=dict)


class FlowTrainer:
    """A flow, its data and its optimiser, stepped one batch at a time."""

    def __init__(
        self,
        cfg: FlowConfig,
        *,
        seed: int = 0,
        data: FloatArray | None = None,
    ) -> None:
        self.cfg = cfg
        rng = np.random.default_rng(seed)
        if data is None:
            train = sample(cfg.data, cfg.n_train, rng, cfg.points)
            test = sample(cfg.data, N_TEST, np.random.default_rng(seed + 1), cfg.points)
        else:  # given points (an image's samples): a random 80/20 split
            arr = np.asarray(data, dtype=np.float64)
            order = rng.permutation(len(arr))
            cut = max(1, int(0.8 * len(arr)))
            train, test = arr[order[:cut]], arr[order[cut:]]
            if len(test) == 0:
                test = train
        self.train_x = torch.as_tensor(train, dtype=torch.float32)
        self.test_x = test
        self.gaussian = gaussian_nll(train, test)
        self.model = FlowModel(cfg.arch, seed=seed)
        self.model.initialize(self.train_x)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=cfg.lr)
        self.gen = torch.Generator().manual_seed(seed)
        self.z_fixed = torch.randn(N_SAMPLES, 2, generator=self.gen)
        self.steps = 0
        self.nll = float("nan")
        self.grid_z = grid_lines()

    def step(self) -> float:
        """Do one Adam step on a batch; return its NLL."""
        n = self.train_x.shape[0]
        idx = torch.randint(0, n, (min(self.cfg.batch_size, n),), generator=self.gen)
        loss = -self.model.log_prob(self.train_x[idx]).mean()
        self.opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 10.0)
        self.opt.step()
        self.steps += 1
        self.nll = float(loss.detach())
        check_finite({"nll": self.nll}, where=f"step {self.steps}")
        return self.nll

    def test_nll(self) -> float:
        """Return the mean NLL of the held-out points."""
        return float(-log_prob_numpy(self.model, self.test_x).mean())

    def snapshot(self, probe: tuple[float, float] | None = None) -> FlowProgress:
        """Return what the views show now (probe: the clicked point, if any)."""
        snap = self.snapshot_unless(probe, lambda: False)
        assert snap is not None
        return snap

    def snapshot_unless(
        self, probe: tuple[float, float] | None, stopping: Callable[[], bool]
    ) -> FlowProgress | None:
        """Return :meth:`snapshot`, or ``None`` as soon as ``stopping()`` is true.

        (A snapshot takes as long as many steps: an abort must not wait for it.)
        """
        cfg = self.cfg
        if stopping():
            return None
        logp = density_grid(self.model, cfg.box, cfg.grid)
        if stopping():
            return None
        test_nll = self.test_nll()  # (N_TEST points: small next to the heat map)
        stage_samples = warp_stages(self.model, self.z_fixed.numpy())
        stage_grid = warp_stages(self.model, self.grid_z)
        jacs: tuple[LayerJacobian, ...] = ()
        probe_logp = None
        if probe is not None:
            jacs = tuple(layer_jacobians(self.model, probe))
            probe_logp = float(log_prob_numpy(self.model, [probe])[0])
        nll = self.nll if self.steps else test_nll
        return FlowProgress(
            step=self.steps,
            total=cfg.steps,
            losses={"nll": nll},
            message=f"step {self.steps}: NLL {nll:.3f}",
            nll=nll,
            test_nll=test_nll,
            gaussian_test_nll=self.gaussian,
            box=cfg.box,
            logp=logp,
            integral=box_integral(logp, cfg.box),
            roundtrip=roundtrip_error(self.model, self.test_x[:200]),
            stage_samples=stage_samples,
            stage_grid=stage_grid,
            titles=tuple(self.model.titles),
            probe=probe,
            jacobians=jacs,
            probe_logp=probe_logp,
            weights=model_weights(self.model),
        )


def train(cfg: FlowConfig, *, seed: int = 0) -> Iterator[FlowProgress]:
    """Yield the untrained snapshot, then one every ``report_every`` steps.

    Raises
    ------
    DivergedError
        When the NLL becomes NaN or infinite.
    """
    trainer = FlowTrainer(cfg, seed=seed)
    yield trainer.snapshot()
    while cfg.steps is None or trainer.steps < cfg.steps:
        for _ in range(cfg.report_every):
            trainer.step()
            if cfg.steps is not None and trainer.steps >= cfg.steps:
                break
        yield trainer.snapshot()


def _probe(control: JobControl) -> tuple[float, float] | None:
    value = control.peek(PROBE_KEY)
    if value is None:
        return None
    x, y = (float(v) for v in value)
    return (x, y)


def train_interactive(
    cfg: FlowConfig,
    *,
    seed: int = 0,
    data: FloatArray | None = None,
    control: JobControl | None = None,
    threads: int | None = None,
) -> Iterator[FlowProgress]:
    """Yield snapshots of a run steered by ``control`` (the panel's job).

    Each chunk is ``control.speed`` steps, or — for a queued ``"probe"``
    action — no step: a fresh snapshot with the Jacobians at the newest
    clicked point (posted under ``"probe"``; every snapshot reports it).
    ``threads`` sets torch's CPU threads (a worker process of its own).

    Raises
    ------
    DivergedError
        When the NLL becomes NaN or infinite.
    """
    if threads is not None:
        torch.set_num_threads(threads)
    ctl: JobControl = control if control is not None else LocalControl()
    trainer = FlowTrainer(cfg, seed=seed, data=data)
    snap = trainer.snapshot_unless(_probe(ctl), lambda: ctl.stopping)
    if snap is None:
        return
    yield snap
    while cfg.steps is None or trainer.steps < cfg.steps:
        action = ctl.next_action()
        if action == PROBE_ACTION:
            snap = trainer.snapshot_unless(_probe(ctl), lambda: ctl.stopping)
            if snap is None:
                return
            yield snap
            continue
        for _ in range(max(1, int(ctl.speed))):
            trainer.step()
            if cfg.steps is not None and trainer.steps >= cfg.steps:
                break
            if ctl.stopping:
                break
        snap = trainer.snapshot_unless(_probe(ctl), lambda: ctl.stopping)
        if snap is None:
            return
        yield snap
