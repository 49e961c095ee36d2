"""Training an AE / VAE / β-VAE: a generator of :class:`LatentProgress` reports."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.data import Digits, load_mnist
from explorer.core.device import resolve_device
from explorer.core.latent.config import FloatArray, LatentConfig
from explorer.core.latent.digits import balanced_subset
from explorer.core.latent.models import LossTerms, build_model, loss_terms
from explorer.core.latent.names import IMAGE_SIZE
from explorer.core.latent.weights import state_arrays
from explorer.core.progress import Progress


@dataclass(frozen=True, kw_only=True)
class LatentProgress(Progress):
    """One report of a latent-model run (``step`` counts mini-batches).

    Attributes
    ----------
    epoch
        Epochs done so far, fractional within an epoch.
    epoch_end
        Whether this report closes an epoch; ``epoch_losses`` then holds the
        epoch's means (recon, kl, loss), as in the CLI's history.
    codes, code_std, code_labels, code_index
        μ and σ (zeros for an AE) of the fixed subset, its labels and its indices
        into the training digits.
    weights
        A CPU copy of the model's state dict (for decoding on another thread).
    """

    config: LatentConfig
    epoch: float
    epoch_end: bool = False
    epoch_losses: Mapping[str, float] = field(default_factory=dict)
    codes: FloatArray
    code_std: FloatArray
    code_labels: NDArray[np.int64]
    code_index: NDArray[np.int64]
    weights: Mapping[str, NDArray[np.float32]]


def train(
    cfg: LatentConfig,
    *,
    seed: int = 0,
    device: str = "auto",
    data: Digits | None = None,
    threads: int | None = None,
) -> Iterator[LatentProgress]:
    """Yield progress while training ``cfg``'s model on ``data`` (default MNIST-5k).

    The first report (step 0) shows the untrained model; then ``yields_per_epoch``
    reports per epoch, each with the mean losses since the previous one.  The same
    seed gives the same run on the CPU.  ``threads`` sets torch's (process-wide)
    CPU thread count: meant for a worker process of its own, where one thread
    trains these small models fastest.
    """
    if threads is not None:
        torch.set_num_threads(threads)
    dev = torch.device(resolve_device(device))
    digits = data if data is not None else load_mnist()
    n = len(digits.images)
    if n == 0:
        raise ValueError("there are no digits to train on")
    x_all = torch.from_numpy(np.ascontiguousarray(digits.images, dtype=np.float32))
    x_all = x_all.reshape(n, 1, IMAGE_SIZE, IMAGE_SIZE).to(dev)
    code_index = balanced_subset(digits.labels, cfg.n_codes, seed)
    x_codes = x_all[torch.from_numpy(code_index).to(dev)]
    code_labels = digits.labels[code_index].astype(np.int64)

    model = build_model(cfg, seed).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    shuffle_gen = torch.Generator().manual_seed(seed + 1)
    noise_gen = torch.Generator(device=dev).manual_seed(seed + 2)
    batch = min(cfg.batch_size, n)
    n_batches = math.ceil(n / batch)
    total = cfg.epochs * n_batches
    marks = {
        math.ceil(n_batches * (k + 1) / cfg.yields_per_epoch)
        for k in range(cfg.yields_per_epoch)
    }

    def report(
        step: int, losses: dict[str, float], end: dict[str, float] | None
    ) -> LatentProgress:
        model.eval()
        with torch.no_grad():
            mu, logvar = model.encode(x_codes)
            std = torch.zeros_like(mu) if logvar is None else torch.exp(0.5 * logvar)
        model.train()
        epoch = step / n_batches
        return LatentProgress(
            step=step,
            total=total,
            losses=losses,
            message=f"{cfg.title}: epoch {epoch:.1f}/{cfg.epochs}",
            config=cfg,
            epoch=epoch,
            epoch_end=end is not None,
            epoch_losses=end or {},
            codes=mu.cpu().numpy(),
            code_std=std.cpu().numpy(),
            code_labels=code_labels,
            code_index=code_index,
            weights=state_arrays(model),
        )

    with torch.no_grad():
        first = loss_terms(model, x_codes[:batch], generator=noise_gen, noise=cfg.noise)
    yield report(0, _as_floats(first), None)

    step = 0
    for _ in range(cfg.epochs):
        order = torch.randperm(n, generator=shuffle_gen).to(dev)
        window = np.zeros(3)
        epoch_sum = np.zeros(3)
        seen = 0
        for b in range(n_batches):
            idx = order[b * batch : (b + 1) * batch]
            terms = loss_terms(model, x_all[idx], generator=noise_gen, noise=cfg.noise)
            opt.zero_grad(set_to_none=True)
            terms.loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
            step += 1
            values = np.array([terms.recon.item(), terms.kl.item(), terms.loss.item()])
            window += values
            epoch_sum += values
            seen += 1
            if b + 1 in marks:
                last = b + 1 == n_batches
                end = _named(epoch_sum / n_batches) if last else None
                yield report(step, _named(window / seen), end)
                window[:] = 0.0
                seen = 0


def _named(values: NDArray[np.float64]) -> dict[str, float]:
    return {"recon": float(values[0]), "kl": float(values[1]), "loss": float(values[2])}


def _as_floats(terms: LossTerms) -> dict[str, float]:
    return {
        "recon": terms.recon.item(),
        "kl": terms.kl.item(),
        "loss": terms.loss.item(),
    }
