"""The settings of one autoencoder and its training run, with their limits.

:data:`LIMITS` is the one source of the ranges: :class:`LatentConfig` checks
against it, and the panel's state (``explorer.panels.latent.state``) takes its
field limits from it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.latent.names import (
    ARCHS,
    DEFAULT_BETA,
    MODEL_KINDS,
    MODEL_TITLES,
    RECON_TITLES,
    RECONS,
    Arch,
    ModelKind,
    Recon,
)

FloatArray = NDArray[np.float32]

# (low, high) of each number of a LatentConfig
LIMITS: dict[str, tuple[float, float]] = {
    "beta": (0.0, 100.0),
    "latent_dim": (1, 64),
    "hidden": (8, 2048),
    "epochs": (1, 1000),
    "batch_size": (1, 10_000),
    "n_codes": (1, 100_000),
    "yields_per_epoch": (1, 1000),
    "lr": (0.0, 1.0),  # open at 0
    "noise": (0.0, 2.0),
}


@dataclass(frozen=True)
class LatentConfig:
    """Settings of one autoencoder and its training run.

    Attributes
    ----------
    model
        ``"ae"``, ``"vae"`` or ``"beta-vae"``.
    beta
        KL weight of a β-VAE (default 4); ``None`` for the AE and the VAE (β = 1).
    latent_dim
        Size of the code z (2 lets the scatter show it directly; more goes through PCA).
    arch
        ``"mlp"`` (fast, the default) or ``"conv"`` (a small convolutional pair).
    recon
        The reconstruction loss: ``"bce"`` (Bernoulli cross-entropy, −log p(x|z)
        of Bernoulli pixels, in nats; the default) or ``"mse"`` (the squared error
        Σ (x − x̂)² of the decoder's mean image x̂, as in the course's seed).
    hidden
        Width of the first hidden layer (MLP); the second has half of it.
    epochs
        Passes over the training digits.
    batch_size, lr
        Mini-batch size and Adam learning rate.
    noise
        Standard deviation of the Gaussian noise added to the encoder's input
        (0: a plain autoencoder; > 0: a denoising one).
    n_codes
        Size of the fixed, class-balanced subset whose codes every progress carries.
    yields_per_epoch
        Progress reports per epoch (loss curves and scatter update this often).
    """

    model: ModelKind = "vae"
    beta: float | None = None
    latent_dim: int = 2
    arch: Arch = "mlp"
    recon: Recon = "bce"
    hidden: int = 256
    epochs: int = 10
    batch_size: int = 100
    lr: float = 2e-3
    noise: float = 0.0
    n_codes: int = 1000
    yields_per_epoch: int = 5

    def __post_init__(self) -> None:
        if self.model not in MODEL_KINDS:
            raise ValueError(f"unknown model {self.model!r}: use ae, vae or beta-vae")
        if self.arch not in ARCHS:
            raise ValueError(f"unknown architecture {self.arch!r}: use mlp or conv")
        if self.recon not in RECONS:
            raise ValueError(
                f"unknown reconstruction loss {self.recon!r}: use "
                + " or ".join(f"{r} ({RECON_TITLES[r]})" for r in RECONS)
            )
        if self.beta is not None:
            if self.model == "ae":
                raise ValueError("an AE has no KL term, so β does not apply")
            if self.model == "vae" and self.beta != 1.0:
                raise ValueError(
                    f"a VAE has β = 1; choose the β-VAE for β = {self.beta:g}"
                )
            lo, hi = LIMITS["beta"]
            if not (math.isfinite(self.beta) and lo <= self.beta <= hi):
                raise ValueError(
                    f"β must be between {lo:g} and {hi:g}, got {self.beta}"
                )
        for name in (
            "latent_dim",
            "hidden",
            "epochs",
            "batch_size",
            "n_codes",
            "yields_per_epoch",
        ):
            _check_int(name, getattr(self, name))
        lo, hi = LIMITS["lr"]
        if not (math.isfinite(self.lr) and lo < self.lr <= hi):
            raise ValueError(
                f"learning rate must be in ({lo:g}, {hi:g}], got {self.lr}"
            )
        lo, hi = LIMITS["noise"]
        if not (math.isfinite(self.noise) and lo <= self.noise <= hi):
            raise ValueError(
                f"input noise must be between {lo:g} and {hi:g}, got {self.noise}"
            )

    @property
    def variational(self) -> bool:
        """Whether the encoder outputs a distribution (VAE, β-VAE)."""
        return self.model != "ae"

    @property
    def kl_weight(self) -> float:
        """Return the weight of the KL term in the loss: 0 (AE), 1 (VAE) or β."""
        if self.model == "ae":
            return 0.0
        if self.model == "vae":
            return 1.0
        return DEFAULT_BETA if self.beta is None else self.beta

    @property
    def title(self) -> str:
        """Return a short label ("β-VAE (β=4)", "denoising AE")."""
        name = MODEL_TITLES[self.model]
        if self.model == "beta-vae":
            name += f" (β={self.kl_weight:g})"
        return f"denoising {name}" if self.noise > 0 else name

    def to_dict(self) -> dict[str, Any]:
        """Return the settings as a JSON-able dict (see :meth:`from_dict`)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LatentConfig:
        """Return a config from :meth:`to_dict` output (unknown keys are ignored).

        Raises
        ------
        ValueError
            When a value is invalid.
        """
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in names})


def _check_int(name: str, value: int) -> None:
    lo, hi = (int(v) for v in LIMITS[name])
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")
