"""The steppable GAN trainer and the snapshot it reports.

:class:`GanTrainer` holds G, D and their optimisers and can be driven one D
step or one G step at a time; :meth:`GanTrainer.snapshot` returns a
:class:`GanProgress` with everything the views draw (samples, D's heatmap, G's
gradient arrows) and the mode metrics on :data:`EVAL_SAMPLES` = 2,500 samples.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from explorer.core.device import resolve_device
from explorer.core.gan.config import GanConfig
from explorer.core.gan.data import ArrayLike2D, FloatArray, make_mixture
from explorer.core.gan.metrics import jsd, mode_metrics, reverse_kl, virtual_criterion
from explorer.core.gan.models import (
    d_loss_logits,
    g_loss_logits,
    gradient_penalty,
    mlp,
    unrolled_g_loss,
)
from explorer.core.gan.names import EVAL_SAMPLES, Action
from explorer.core.progress import DivergedError, Progress

Float32Array = NDArray[np.float32]
SATURATED = 1e-6  # D and G losses both below this: D certain of every sample
DRIFT_FACTOR = 10  # samples this many half-extents from the data's centre are lost


@dataclass(frozen=True, kw_only=True)
class GanProgress(Progress):
    """One snapshot of a GAN run (all arrays detached CPU numpy).

    ``step`` counts G steps.  ``heat`` is D(x) ∈ [0, 1] on the grid, or for
    WGAN-GP the critic value minus its mean over the grid (``heat_is_probability``
    tells which); rows run over y, columns over x, covering ``extent``.
    ``arrows`` is the direction G moves each shown sample: -∂L_G/∂x.
    """

    loss_name: str
    action: str  # what the last chunk did: "both", "d", "g", "init" or "edit"
    d_steps: int
    samples: Float32Array
    arrows: Float32Array
    heat: Float32Array
    heat_is_probability: bool
    extent: tuple[float, float, float, float]
    means: FloatArray
    std: float
    modes_total: int
    modes_captured: int
    high_quality_fraction: float
    captured: NDArray[np.bool_]
    reverse_kl: float
    capture_threshold: int = 1  # high-quality samples a captured mode needs
    jsd: float = float("nan")  # JSD(p_data ‖ p_g), binned (nats)
    criterion: float = float("nan")  # C(G) = −log 4 + 2·JSD (Goodfellow et al.)


class GanTrainer:
    """G, D and their optimisers; advanced one D step or one G step at a time.

    Parameters
    ----------
    cfg
        The run's configuration.
    seed
        Seeds the networks, the fixed display noise and every minibatch.
    device
        "auto" (the CPU: these MLPs train faster there than on a GPU), "cpu" or
        "cuda".
    """

    def __init__(self, cfg: GanConfig, *, seed: int = 0, device: str = "auto") -> None:
        self.cfg = cfg
        self.device = torch.device(resolve_device(device, tiny=True))
        self.mixture = cfg.mixture()
        self._gen = torch.Generator().manual_seed(int(seed))
        self.G = mlp(
            cfg.latent_dim, cfg.g_hidden, cfg.g_layers, 2, cfg.activation, self._gen
        ).to(self.device)
        self.D = mlp(2, cfg.d_hidden, cfg.d_layers, 1, cfg.activation, self._gen).to(
            self.device
        )
        self.opt_g = self._optimizer(self.G.parameters(), cfg.lr_g)
        self.opt_d = self._optimizer(self.D.parameters(), cfg.lr_d)
        self._z_show = self._noise(cfg.show_samples)
        self._z_eval = self._noise(EVAL_SAMPLES)
        self._means_t = torch.as_tensor(self.mixture.means, dtype=torch.float32)
        self.g_steps = 0
        self.d_steps = 0
        self.losses: dict[str, float] = {}
        self._grid = self._make_grid()

    # -- setup --------------------------------------------------------------------
    def _optimizer(
        self, params: Iterator[nn.Parameter], lr: float
    ) -> torch.optim.Optimizer:
        if self.cfg.optimizer == "sgd":
            return torch.optim.SGD(params, lr=lr)
        if self.cfg.optimizer == "rmsprop":
            return torch.optim.RMSprop(params, lr=lr)
        # WGAN-GP uses β = (0.5, 0.9) (Gulrajani et al., Alg. 1); GANs β₁ = 0.5 (DCGAN).
        betas = (0.5, 0.9) if self.cfg.loss == "wgan-gp" else (0.5, 0.999)
        return torch.optim.Adam(params, lr=lr, betas=betas)

    def _make_grid(self) -> torch.Tensor:
        x0, x1, y0, y1 = self.mixture.extent
        n = self.cfg.heat_resolution
        # pixel centres, so the image item can span exactly the extent
        xs = torch.linspace(x0, x1, n + 1)[:-1] + (x1 - x0) / (2 * n)
        ys = torch.linspace(y0, y1, n + 1)[:-1] + (y1 - y0) / (2 * n)
        yy, xx = torch.meshgrid(ys, xs, indexing="ij")
        return torch.stack([xx.ravel(), yy.ravel()], 1).to(self.device)

    def _noise(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.cfg.latent_dim, generator=self._gen).to(self.device)

    def _real(self, n: int) -> torch.Tensor:
        idx = torch.randint(0, self.mixture.n_modes, (n,), generator=self._gen)
        eps = torch.randn(n, 2, generator=self._gen) * self.mixture.std
        return (self._means_t[idx] + eps).to(self.device)

    def set_modes(self, means: ArrayLike2D) -> None:
        """Move the data modes (the extent of the views stays as it is)."""
        self.mixture = make_mixture(means, self.mixture.std, self.mixture.extent)
        self._means_t = torch.as_tensor(self.mixture.means, dtype=torch.float32)

    @property
    def is_wgan(self) -> bool:
        """Whether D is a WGAN critic (unbounded score) rather than a classifier."""
        return self.cfg.loss == "wgan-gp"

    # -- steps --------------------------------------------------------------------
    def _check(self, values: Mapping[str, float]) -> None:
        for name, v in values.items():
            if not math.isfinite(v):
                raise DivergedError(
                    f"the {self.cfg.loss} GAN diverged at G step {self.g_steps}, "
                    f"D step {self.d_steps}: {name} = {v}. Lower the learning rates "
                    "(or the unrolling step size) and reset."
                )

    def _check_drift(self, samples: FloatArray) -> None:
        """Raise :class:`DivergedError` when G's samples have left the data far behind.

        A learning rate far too large lets G's outputs run off with finite losses
        (non-saturating G loss −0: D calls every sample real); that is no run.
        """
        x0, x1, y0, y1 = self.mixture.extent
        cx, cy, half = (x0 + x1) / 2, (y0 + y1) / 2, max(x1 - x0, y1 - y0) / 2
        far = np.maximum(np.abs(samples[:, 0] - cx), np.abs(samples[:, 1] - cy))
        far = np.where(np.isfinite(far), far, np.inf)
        share = float(np.mean(far > DRIFT_FACTOR * half))
        if share >= 0.5:
            raise DivergedError(
                f"the {self.cfg.loss} GAN diverged at G step {self.g_steps}: "
                f"its samples drifted off ({share:.0%} lie over {DRIFT_FACTOR}× the "
                "data's half-width from it). Lower the learning rates and reset."
            )

    def step_d(self) -> float:
        """Take one D (critic) step on a fresh minibatch; return its loss."""
        b = self.cfg.batch_size
        real = self._real(b)
        with torch.no_grad():
            fake = self.G(self._noise(b))
        loss: torch.Tensor
        if self.is_wgan:
            alpha = torch.rand(b, 1, generator=self._gen).to(self.device)
            w_dist = self.D(real).mean() - self.D(fake).mean()
            gp = gradient_penalty(self.D, real, fake, alpha)
            loss = -w_dist + self.cfg.gp_lambda * gp
            extra = {
                "wasserstein": float(w_dist.detach()),
                "penalty": float(gp.detach()),
            }
        else:
            loss = d_loss_logits(self.D(real), self.D(fake))
            extra = {}
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        value = float(loss.detach())
        self._check({"d_loss": value, **extra})
        self.opt_d.step()
        self.d_steps += 1
        self.losses.update(d_loss=value, **extra)
        return value

    def step_g(self) -> float:
        """Take one G step (through ``k`` unrolled D steps); return its loss."""
        b = self.cfg.batch_size
        z = self._noise(b)
        for p in self.D.parameters():
            p.requires_grad_(False)
        try:
            if self.cfg.loss == "unrolled":
                k = self.cfg.unroll
                loss = unrolled_g_loss(
                    self.G,
                    self.D,
                    [self._real(b) for _ in range(k)],
                    [self._noise(b) for _ in range(k)],
                    z,
                    self.cfg.unroll_lr,
                )
            elif self.is_wgan:
                loss = -self.D(self.G(z)).mean()
            else:
                loss = g_loss_logits(self.D(self.G(z)), self.cfg.loss)
            self.opt_g.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
        finally:
            for p in self.D.parameters():
                p.requires_grad_(True)
        value = float(loss.detach())
        self._check({"g_loss": value})
        d_loss = self.losses.get("d_loss", 1.0)
        if abs(value) < SATURATED and abs(d_loss) < SATURATED and not self.is_wgan:
            raise DivergedError(
                f"the {self.cfg.loss} GAN diverged at G step {self.g_steps}: "
                "D loss = 0 and G loss = −0, D is certain of every sample and G "
                "gets no gradient. Lower the learning rates and reset."
            )
        self.opt_g.step()
        self.g_steps += 1
        self.losses["g_loss"] = value
        return value

    def step(self) -> None:
        """Take ``n_critic`` critic steps (WGAN-GP) or one D step, then one G step."""
        for _ in range(self.cfg.n_critic if self.is_wgan else 1):
            self.step_d()
        self.step_g()

    def do(self, action: Action) -> None:
        """Take one ``action``: "d" (D step), "g" (G step) or "both" (:meth:`step`)."""
        if action == "d":
            self.step_d()
        elif action == "g":
            self.step_g()
        else:
            self.step()

    # -- reporting ----------------------------------------------------------------
    def sample(self, n: int = EVAL_SAMPLES) -> FloatArray:
        """Return ``n`` generator samples as (n, 2) float64 (fixed z for n = 2,500)."""
        z = self._z_eval if n == EVAL_SAMPLES else self._noise(n)
        with torch.no_grad():
            out: FloatArray = self.G(z).cpu().double().numpy()
        return out

    def snapshot(self, action: str = "init") -> GanProgress:
        """Return the current :class:`GanProgress` (samples, heat, arrows, metrics)."""
        with torch.no_grad():
            heat_raw = self.D(self._grid).reshape(self.cfg.heat_resolution, -1)
            heat = (
                heat_raw - heat_raw.mean() if self.is_wgan else torch.sigmoid(heat_raw)
            )
        x = self.G(self._z_show).detach().requires_grad_(True)
        score = self.D(x)
        if self.is_wgan:
            lg = -score.sum()
        else:
            lg = (
                g_loss_logits(
                    score, "minimax" if self.cfg.loss == "minimax" else "non-saturating"
                )
                * score.shape[0]
            )
        (grad,) = torch.autograd.grad(lg, x)
        samples = self.sample()
        metrics = mode_metrics(samples, self.mixture)
        rkl = reverse_kl(samples, self.mixture)
        self._check_drift(samples)
        js = jsd(samples, self.mixture)
        total = self.cfg.steps
        losses: dict[str, float] = {
            k: self.losses[k] for k in ("d_loss", "g_loss") if k in self.losses
        }
        hq = metrics.high_quality_fraction
        return GanProgress(
            step=self.g_steps,
            total=total,
            losses=losses,
            message=(
                f"G step {self.g_steps}"
                + (f"/{total}" if total else "")
                + f" · modes {metrics.modes_captured}/{metrics.modes_total}"
                + f" · {100 * hq:.0f}% high quality"
            ),
            loss_name=self.cfg.loss,
            action=action,
            d_steps=self.d_steps,
            samples=x.detach().cpu().numpy().astype(np.float32),
            arrows=(-grad).cpu().numpy().astype(np.float32),
            heat=heat.cpu().numpy().astype(np.float32),
            heat_is_probability=not self.is_wgan,
            extent=self.mixture.extent,
            means=self.mixture.means.copy(),
            std=self.mixture.std,
            modes_total=metrics.modes_total,
            modes_captured=metrics.modes_captured,
            high_quality_fraction=hq,
            captured=metrics.captured,
            reverse_kl=rkl,
            capture_threshold=metrics.threshold,
            jsd=js,
            criterion=virtual_criterion(js),
        )
