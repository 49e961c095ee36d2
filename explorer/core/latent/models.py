"""The encoder / decoder pairs (MLP or conv), the reparameterisation and the loss.

A VAE's encoder gives q(z|x) = N(μ(x), diag σ²(x)); z = μ + σ·ε (Kingma &
Welling 2014, §2.4); the KL to N(0, I) has the closed form of their appendix B.
An AE's encoder gives z = μ and its loss is the reconstruction alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from explorer.core.latent.config import LatentConfig
from explorer.core.latent.names import IMAGE_SIZE


class LatentModel(nn.Module):
    """An encoder / decoder pair; the encoder gives (μ, log σ²), or μ only (AE)."""

    def __init__(self, cfg: LatentConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d, h = cfg.latent_dim, cfg.hidden
        out = 2 * d if cfg.variational else d
        pixels = IMAGE_SIZE * IMAGE_SIZE
        if cfg.arch == "mlp":
            self.encoder: nn.Module = nn.Sequential(
                nn.Flatten(),
                nn.Linear(pixels, h),
                nn.ReLU(),
                nn.Linear(h, h // 2),
                nn.ReLU(),
                nn.Linear(h // 2, out),
            )
            self.decoder: nn.Module = nn.Sequential(
                nn.Linear(d, h // 2),
                nn.ReLU(),
                nn.Linear(h // 2, h),
                nn.ReLU(),
                nn.Linear(h, pixels),
                nn.Unflatten(1, (1, IMAGE_SIZE, IMAGE_SIZE)),
            )
        else:
            # 28 → 14 → 7 with stride-2 convolutions, mirrored by transposed ones.
            self.encoder = nn.Sequential(
                nn.Conv2d(1, 16, 4, stride=2, padding=1),
                nn.ReLU(),
                nn.Conv2d(16, 32, 4, stride=2, padding=1),
                nn.ReLU(),
                nn.Flatten(),
                nn.Linear(32 * 7 * 7, h),
                nn.ReLU(),
                nn.Linear(h, out),
            )
            self.decoder = nn.Sequential(
                nn.Linear(d, h),
                nn.ReLU(),
                nn.Linear(h, 32 * 7 * 7),
                nn.ReLU(),
                nn.Unflatten(1, (32, 7, 7)),
                nn.ConvTranspose2d(32, 16, 4, stride=2, padding=1),
                nn.ReLU(),
                nn.ConvTranspose2d(16, 1, 4, stride=2, padding=1),
            )

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return (μ, log σ²) of q(z|x) for images (B, 1, 28, 28); σ² is None (AE)."""
        h = self.encoder(x)
        if not self.cfg.variational:
            return h, None
        mu, logvar = h.chunk(2, dim=1)
        return mu, logvar

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Return the Bernoulli logits of p(x|z), shape (B, 1, 28, 28)."""
        out: torch.Tensor = self.decoder(z)
        return out


def build_model(cfg: LatentConfig, seed: int = 0) -> LatentModel:
    """Return a freshly initialised model; the same seed gives the same weights.

    The weights are drawn from a private generator (PyTorch's default bounds,
    U(±1/√fan_in)) so that models built at once on several threads stay seeded.
    """
    model = LatentModel(cfg)
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
                fan_in = module.weight[0].numel()
                if isinstance(module, nn.ConvTranspose2d):
                    fan_in = module.weight.shape[1] * module.weight[0, 0].numel()
                bound = 1.0 / math.sqrt(fan_in)
                module.weight.uniform_(-bound, bound, generator=gen)
                if module.bias is not None:
                    module.bias.uniform_(-bound, bound, generator=gen)
    return model


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Return KL(N(μ, diag σ²) ‖ N(0, I)) per row: −½ Σ (1 + log σ² − μ² − σ²).

    Kingma & Welling (2014), appendix B.
    """
    return -0.5 * torch.sum(1.0 + logvar - mu.pow(2) - logvar.exp(), dim=1)


def reparameterize(
    mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor
) -> torch.Tensor:
    """Return z = μ + σ·ε with σ = exp(½ log σ²) (Kingma & Welling 2014, §2.4)."""
    return mu + torch.exp(0.5 * logvar) * eps


def reconstruction_loss(
    logits: torch.Tensor, x: torch.Tensor, kind: str = "bce"
) -> torch.Tensor:
    """Return the reconstruction loss per image, summed over its pixels.

    ``"bce"``: −Σ [x log x̂ + (1 − x) log(1 − x̂)] with x̂ = sigmoid(logits), the
    negative log-likelihood of Bernoulli pixels (Kingma & Welling 2014, app. C.1),
    computed from the logits for stability; ``"mse"``: Σ (x − x̂)².
    """
    if kind == "bce":
        per_pixel = nn.functional.binary_cross_entropy_with_logits(
            logits, x, reduction="none"
        )
    elif kind == "mse":
        per_pixel = (x - torch.sigmoid(logits)).pow(2)
    else:
        raise ValueError(f"unknown reconstruction loss {kind!r}: use bce or mse")
    return per_pixel.flatten(1).sum(dim=1)


@dataclass(frozen=True)
class LossTerms:
    """Per-image means of the reconstruction loss, the unweighted KL and the total."""

    recon: torch.Tensor
    kl: torch.Tensor
    loss: torch.Tensor


def loss_terms(
    model: LatentModel,
    x: torch.Tensor,
    *,
    generator: torch.Generator | None = None,
    noise: float = 0.0,
) -> LossTerms:
    """Return the loss of a batch: the reconstruction term, the KL and the total.

    The reconstruction term is the config's ``recon``: Bernoulli cross-entropy
    −Σ [x log x̂ + (1 − x) log(1 − x̂)] = −log p(x|z) in nats (``"bce"``), or the
    squared error Σ (x − x̂)² (``"mse"``), summed over the pixels, x̂ = sigmoid of
    the decoder's logits.  The total is recon + w·KL with w = 0 (AE), 1 (VAE: the
    negative ELBO when recon is −log p(x|z)) or β (the β-VAE objective, Higgins et
    al. 2017, eq. 4).  With ``noise`` > 0 the encoder sees x + noise·ε, clipped
    to [0, 1].
    """
    cfg = model.cfg
    inp = x
    if noise > 0:
        eps_in = torch.randn(x.shape, generator=generator, device=x.device)
        inp = (x + noise * eps_in).clamp(0.0, 1.0)
    mu, logvar = model.encode(inp)
    if logvar is None:
        z = mu
        kl = torch.zeros(x.shape[0], device=x.device)
    else:
        eps = torch.randn(mu.shape, generator=generator, device=mu.device)
        z = reparameterize(mu, logvar, eps)
        kl = kl_to_standard_normal(mu, logvar)
    logits = model.decode_logits(z)
    recon = reconstruction_loss(logits, x, cfg.recon)
    total = recon + cfg.kl_weight * kl
    return LossTerms(recon=recon.mean(), kl=kl.mean(), loss=total.mean())
