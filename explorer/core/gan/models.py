"""The networks and objectives of a 2-D GAN: MLPs, the four losses, unrolling, GP.

* ``minimax`` — G descends on E log(1 - D(G(z))) (Goodfellow et al. 2014, eq. 1);
* ``non-saturating`` — G ascends on E log D(G(z)) (Goodfellow et al. 2014, §3);
* ``unrolled`` — G descends on the non-saturating loss of a copy of D that took
  ``k`` further gradient steps, differentiating through those steps
  (Metz et al. 2016, §2);
* ``wgan-gp`` — critic loss E C(G(z)) - E C(x) + λ E(‖∇C(x̂)‖ - 1)², ``n_critic``
  critic steps per G step (Gulrajani et al. 2017, Algorithm 1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn
from torch.func import functional_call


def _activation(name: str) -> nn.Module:
    if name == "relu":
        return nn.ReLU()
    if name == "leaky-relu":
        return nn.LeakyReLU(0.2)
    if name == "tanh":
        return nn.Tanh()
    return nn.ELU()


def mlp(
    n_in: int,
    hidden: int,
    layers: int,
    n_out: int,
    activation: str,
    gen: torch.Generator,
) -> nn.Sequential:
    """Return an MLP initialised from ``gen`` (PyTorch's default uniform ranges).

    A private generator, not the global RNG, makes two runs started at once in
    two threads reproducible.
    """
    mods: list[nn.Module] = []
    width = n_in
    for _ in range(layers):
        mods += [nn.Linear(width, hidden), _activation(activation)]
        width = hidden
    mods.append(nn.Linear(width, n_out))
    net = nn.Sequential(*mods)
    with torch.no_grad():
        for mod in net:
            if isinstance(mod, nn.Linear):
                bound = 1.0 / math.sqrt(mod.in_features)
                mod.weight.uniform_(-bound, bound, generator=gen)
                mod.bias.uniform_(-bound, bound, generator=gen)
    return net


F = torch.nn.functional


def d_loss_logits(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """Return -E log D(x) - E log(1 - D(G(z))) from logits (Goodfellow et al. eq. 1)."""
    # softplus(-l) = -log σ(l) and softplus(l) = -log(1 - σ(l)), stable for large |l|.
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss_logits(fake_logits: torch.Tensor, loss: str) -> torch.Tensor:
    """Return G's loss from D's logits on G's samples.

    ``minimax``: E log(1 - D(G(z))) (saturates when D rejects the samples);
    otherwise the non-saturating -E log D(G(z)).
    """
    if loss == "minimax":
        out: torch.Tensor = -F.softplus(fake_logits).mean()
    else:
        out = F.softplus(-fake_logits).mean()
    return out


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor],
    real: torch.Tensor,
    fake: torch.Tensor,
    alpha: torch.Tensor,
) -> torch.Tensor:
    """Return E (‖∇ₓ C(x̂)‖₂ - 1)² at x̂ = α x + (1 - α) x̃ (Gulrajani et al. 2017, eq. 3).

    ``alpha`` has shape (N, 1); the result keeps the graph so it can be minimised.
    """
    mixed = (alpha * real + (1 - alpha) * fake).detach().requires_grad_(True)
    out = critic(mixed)
    (grad,) = torch.autograd.grad(out.sum(), mixed, create_graph=True)
    penalty: torch.Tensor = ((grad.norm(dim=1) - 1.0) ** 2).mean()
    return penalty


Params = dict[str, torch.Tensor]


def unrolled_g_loss(
    generator: nn.Module,
    disc: nn.Module,
    real_batches: Sequence[torch.Tensor],
    z_batches: Sequence[torch.Tensor],
    z: torch.Tensor,
    lr: float,
    loss: str = "non-saturating",
) -> torch.Tensor:
    """Return G's loss against D after ``len(real_batches)`` unrolled SGD steps.

    θ_D^{k+1} = θ_D^k - η ∇_{θ_D} L_D(θ_G, θ_D^k), starting from D's current
    parameters; the steps are kept in the graph (``create_graph=True``) so the
    gradient with respect to θ_G flows through them (Metz et al. 2016, §2).
    D itself is not changed.
    """
    params: Params = {
        n: p.detach().requires_grad_(True) for n, p in disc.named_parameters()
    }
    for real, zk in zip(real_batches, z_batches, strict=True):
        fake = generator(zk)
        ld = d_loss_logits(
            functional_call(disc, params, (real,)),
            functional_call(disc, params, (fake,)),
        )
        grads = torch.autograd.grad(ld, list(params.values()), create_graph=True)
        params = {
            n: p - lr * g for (n, p), g in zip(params.items(), grads, strict=True)
        }
    return g_loss_logits(functional_call(disc, params, (generator(z),)), loss)
