"""Autoencoders and their latent spaces: AE, VAE and β-VAE on MNIST-sized digits.

The models follow the course's autoencoder part:

* an undercomplete **AE** maps x to a code z = f(x) and back, trained on the
  reconstruction loss only;
* a **VAE** (Kingma & Welling 2014) has an encoder q(z|x) = N(μ(x), diag σ²(x)) and a
  decoder p(x|z) (Bernoulli pixels); it samples z = μ + σ·ε with ε ~ N(0, I) (the
  reparameterisation trick, K&W §2.4) and maximises the ELBO
  E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)), whose KL term has the closed form
  −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²) (K&W appendix B);
* a **β-VAE** (Higgins et al. 2017) weights the KL term by β (β = 1 is the VAE).

Any of them can be *denoising* (Vincent et al. 2008): the encoder sees
x + noise, the loss compares with the clean x.

Everything here is Qt-free: :func:`train` is a generator yielding
:class:`LatentProgress`; the panel, the CLI and the tests share it, and the
decoding / interpolation helpers work on a model rebuilt from the weights a
progress carries.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from numpy.typing import NDArray
from torch import nn

from explorer.core.data import DataFormatError, Digits, load_mnist, read_idx
from explorer.core.device import resolve_device
from explorer.core.progress import Progress

ModelKind = Literal["ae", "vae", "beta-vae"]
Arch = Literal["mlp", "conv"]
Spacing = Literal["linear", "gaussian"]
Method = Literal["lerp", "slerp"]

MODEL_KINDS: tuple[ModelKind, ...] = ("ae", "vae", "beta-vae")
MODEL_TITLES: dict[str, str] = {"ae": "AE", "vae": "VAE", "beta-vae": "β-VAE"}
ARCHS: tuple[Arch, ...] = ("mlp", "conv")
IMAGE_SIZE = 28
DEFAULT_BETA = 4.0
CHECKPOINT_FORMAT = "explorer.latent"
CHECKPOINT_VERSION = 1

FloatArray = NDArray[np.float32]


class CheckpointError(ValueError):
    """A weights file cannot be used; the message says why in plain words."""


# -- configuration ---------------------------------------------------------------------
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
        if self.beta is not None:
            if self.model == "ae":
                raise ValueError("an AE has no KL term, so β does not apply")
            if self.model == "vae" and self.beta != 1.0:
                raise ValueError(
                    f"a VAE has β = 1; choose the β-VAE for β = {self.beta:g}"
                )
            if not (math.isfinite(self.beta) and 0.0 <= self.beta <= 100.0):
                raise ValueError(f"β must be between 0 and 100, got {self.beta}")
        _check_int("latent_dim", self.latent_dim, 1, 64)
        _check_int("hidden", self.hidden, 8, 2048)
        _check_int("epochs", self.epochs, 1, 1000)
        _check_int("batch_size", self.batch_size, 1, 10_000)
        _check_int("n_codes", self.n_codes, 1, 100_000)
        _check_int("yields_per_epoch", self.yields_per_epoch, 1, 1000)
        if not (math.isfinite(self.lr) and 0.0 < self.lr <= 1.0):
            raise ValueError(f"learning rate must be in (0, 1], got {self.lr}")
        if not (math.isfinite(self.noise) and 0.0 <= self.noise <= 2.0):
            raise ValueError(f"input noise must be between 0 and 2, got {self.noise}")

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


def _check_int(name: str, value: int, lo: int, hi: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ValueError(f"{name} must be an integer from {lo} to {hi}, got {value!r}")


# -- data ------------------------------------------------------------------------------
def load_idx_digits(
    images_path: str | Path, labels_path: str | Path | None = None
) -> Digits:
    """Return digits read from IDX files (MNIST / Fashion-MNIST format, gz or not).

    Images must be N×28×28 (uint8 in 0..255 or floats in [0, 1]); labels, when
    given, N integers.  Without labels every digit gets label 0.

    Raises
    ------
    DataFormatError
        When a file is not IDX, or the images or labels have the wrong shape.
    """
    images_path = Path(images_path)
    arr = read_idx(images_path)
    if arr.ndim != 3 or arr.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        got = "×".join(str(s) for s in arr.shape)
        raise DataFormatError(
            f"{images_path.name}: holds an array of shape {got}; the latent models "
            f"need N×{IMAGE_SIZE}×{IMAGE_SIZE} images (MNIST / Fashion-MNIST format)"
        )
    if arr.shape[0] == 0:
        raise DataFormatError(f"{images_path.name}: holds no images")
    if arr.dtype == np.uint8:
        images = arr.astype(np.float32) / 255.0
    else:
        images = arr.astype(np.float32)
        if not np.all(np.isfinite(images)) or images.min() < 0 or images.max() > 1:
            raise DataFormatError(
                f"{images_path.name}: float pixels must lie in [0, 1] "
                "(integer images must be unsigned bytes)"
            )
    if labels_path is None:
        labels = np.zeros(len(images), dtype=np.int64)
    else:
        labels_path = Path(labels_path)
        lab = read_idx(labels_path)
        if lab.ndim != 1 or lab.shape[0] != len(images):
            raise DataFormatError(
                f"{labels_path.name}: expected {len(images)} labels (one per image in "
                f"{images_path.name}), found shape {lab.shape}"
            )
        if not np.issubdtype(lab.dtype, np.integer):
            raise DataFormatError(f"{labels_path.name}: labels must be integers")
        labels = lab.astype(np.int64)
    return Digits(images=images, labels=labels)


def balanced_subset(labels: NDArray[np.int64], n: int, seed: int) -> NDArray[np.int64]:
    """Return ``n`` sorted indices drawn class by class, as evenly as the data allows.

    The bundled digits are sorted by class, so a plain prefix would hold one class.
    """
    rng = np.random.default_rng(seed)
    n = min(n, len(labels))
    classes = np.unique(labels)
    per_class = [rng.permutation(np.flatnonzero(labels == c)) for c in classes]
    picked: list[int] = []
    depth = 0
    while len(picked) < n:
        for idx in per_class:
            if depth < len(idx) and len(picked) < n:
                picked.append(int(idx[depth]))
        depth += 1
    return np.sort(np.asarray(picked, dtype=np.int64))


# -- models ----------------------------------------------------------------------------
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
    """Return the loss of a batch: recon = −log p(x|z) (Bernoulli, nats), KL and total.

    The total is recon + w·KL with w = 0 (AE), 1 (VAE, the negative ELBO) or β.
    With ``noise`` > 0 the encoder sees x + noise·ε, clipped to [0, 1].
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
    recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none")
    recon = recon.flatten(1).sum(dim=1)
    total = recon + cfg.kl_weight * kl
    return LossTerms(recon=recon.mean(), kl=kl.mean(), loss=total.mean())


# -- training --------------------------------------------------------------------------
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


def state_arrays(model: nn.Module) -> dict[str, NDArray[np.float32]]:
    """Return a detached CPU numpy copy of ``model``'s state dict."""
    return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def model_from_weights(
    cfg: LatentConfig, weights: Mapping[str, NDArray[np.float32] | torch.Tensor]
) -> LatentModel:
    """Return a CPU model of ``cfg`` holding ``weights`` (in eval mode).

    Raises
    ------
    CheckpointError
        When the weights belong to another architecture.
    """
    model = LatentModel(cfg)
    load_weights(model, weights)
    return model


def load_weights(
    model: LatentModel, weights: Mapping[str, NDArray[np.float32] | torch.Tensor]
) -> None:
    """Copy ``weights`` into ``model`` after checking names and shapes.

    Raises
    ------
    CheckpointError
        Naming the first missing, unexpected or mis-shaped tensor.
    """
    own = model.state_dict()
    missing = sorted(set(own) - set(weights))
    extra = sorted(set(weights) - set(own))
    if missing or extra:
        what = f"missing {missing[0]}" if missing else f"unexpected {extra[0]}"
        raise CheckpointError(
            f"the weights belong to another architecture than {model.cfg.title} "
            f"({model.cfg.arch}, latent dim {model.cfg.latent_dim}): {what}"
        )
    tensors: dict[str, torch.Tensor] = {}
    for name, target in own.items():
        value = torch.as_tensor(weights[name])
        if tuple(value.shape) != tuple(target.shape):
            raise CheckpointError(
                f"the weights belong to another architecture: {name} has shape "
                f"{tuple(value.shape)}, {model.cfg.title} needs {tuple(target.shape)}"
            )
        if not torch.is_floating_point(value) or not bool(torch.isfinite(value).all()):
            raise CheckpointError(
                f"the weights are damaged: {name} is not finite floats"
            )
        tensors[name] = value.to(target.dtype)
    model.load_state_dict(tensors)
    model.eval()


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


# -- using a trained model ------------------------------------------------------------
def encode(
    model: LatentModel, images: NDArray[np.floating[Any]]
) -> tuple[FloatArray, FloatArray]:
    """Return (μ, σ) of images (N, 28, 28) in [0, 1]; σ is zeros for an AE.

    Raises
    ------
    ValueError
        When the images are not 28×28.
    """
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3 or arr.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            f"images must be {IMAGE_SIZE}×{IMAGE_SIZE}, got shape {arr.shape[1:]}"
        )
    device = next(model.parameters()).device
    x = torch.from_numpy(np.ascontiguousarray(arr)).unsqueeze(1).to(device)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        std = torch.zeros_like(mu) if logvar is None else torch.exp(0.5 * logvar)
    return mu.cpu().numpy(), std.cpu().numpy()


def decode(model: LatentModel, z: NDArray[np.floating[Any]]) -> FloatArray:
    """Return the mean images p(x|z) (N, 28, 28) in [0, 1] of codes z (N, D) or (D,).

    Raises
    ------
    ValueError
        When the codes do not have the model's latent dimension.
    """
    arr = np.asarray(z, dtype=np.float32)
    if arr.ndim == 1:
        arr = arr[None]
    d = model.cfg.latent_dim
    if arr.ndim != 2 or arr.shape[1] != d:
        raise ValueError(f"codes must have {d} components, got shape {arr.shape}")
    device = next(model.parameters()).device
    with torch.no_grad():
        logits = model.decode_logits(
            torch.from_numpy(np.ascontiguousarray(arr)).to(device)
        )
        out = torch.sigmoid(logits)[:, 0]
    return out.cpu().numpy()


def lerp(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    t: NDArray[np.floating[Any]],
) -> FloatArray:
    """Return (1 − t)·a + t·b for each t (rows), a straight line between two codes."""
    tt = np.asarray(t, dtype=np.float64)[:, None]
    out = (1.0 - tt) * np.asarray(a, np.float64) + tt * np.asarray(b, np.float64)
    return out.astype(np.float32)


def slerp(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    t: NDArray[np.floating[Any]],
) -> FloatArray:
    """Return codes along the great circle from a to b, norms running linearly.

    The direction follows Shoemake's slerp of the unit vectors,
    sin((1−t)Ω)/sin Ω·â + sin(tΩ)/sin Ω·b̂ with Ω the angle between them
    (Shoemake 1985; for latent codes White 2016, "Sampling generative networks"),
    and the norm is (1−t)‖a‖ + t‖b‖.  For codes of equal norm this is exactly
    sin((1−t)Ω)/sin Ω·a + sin(tΩ)/sin Ω·b and the norm stays constant; for
    unequal norms it avoids that formula's overshoot between near-opposite codes.
    Parallel or opposite codes (no unique great circle) fall back to lerp.
    """
    va = np.asarray(a, np.float64)
    vb = np.asarray(b, np.float64)
    tt = np.asarray(t, dtype=np.float64)[:, None]
    na, nb = float(np.linalg.norm(va)), float(np.linalg.norm(vb))
    if na < 1e-12 or nb < 1e-12:
        return lerp(va, vb, t)
    ua, ub = va / na, vb / nb
    omega = math.acos(float(np.clip(ua @ ub, -1.0, 1.0)))
    so = math.sin(omega)
    if so < 1e-6:
        return lerp(va, vb, t)
    direction = np.sin((1.0 - tt) * omega) / so * ua + np.sin(tt * omega) / so * ub
    out = direction * ((1.0 - tt) * na + tt * nb)
    return out.astype(np.float32)


def interpolate(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    steps: int,
    method: Method = "lerp",
) -> FloatArray:
    """Return ``steps`` codes from a to b (both included) by ``method`` (lerp | slerp).

    Raises
    ------
    ValueError
        For fewer than 2 steps, an unknown method or codes of different sizes.
    """
    if steps < 2 or steps > 1000:
        raise ValueError(f"an interpolation needs 2 to 1000 steps, got {steps}")
    if np.shape(a) != np.shape(b):
        raise ValueError(f"codes differ in size: {np.shape(a)} vs {np.shape(b)}")
    t = np.linspace(0.0, 1.0, steps)
    if method == "lerp":
        return lerp(a, b, t)
    if method == "slerp":
        return slerp(a, b, t)
    raise ValueError(f"unknown interpolation {method!r}: use lerp or slerp")


@dataclass(frozen=True)
class Projection:
    """A map between codes (D-dim) and the 2-D plane the scatter shows.

    ``kind`` is ``"identity"`` for 2-D codes (or the first axis for 1-D codes,
    the second coordinate 0) and ``"pca"`` for more: the plane through ``mean``
    spanned by the two principal axes ``components`` (2 × D, orthonormal rows).
    """

    kind: Literal["identity", "pca"]
    mean: FloatArray
    components: FloatArray
    explained: tuple[float, float] = (1.0, 0.0)

    @property
    def label(self) -> str:
        """Return what the scatter axes show ("z₁, z₂" or "PCA of 8-D codes …")."""
        if self.kind == "identity":
            return "z₁, z₂" if self.mean.shape[0] == 2 else "z₁"
        share = 100.0 * sum(self.explained)
        return f"PCA of {self.mean.shape[0]}-D codes ({share:.0f} % of variance)"

    def project(self, codes: NDArray[np.floating[Any]]) -> FloatArray:
        """Return the 2-D coordinates (N, 2) of codes (N, D)."""
        c = np.asarray(codes, np.float32) - self.mean
        return (c @ self.components.T).astype(np.float32)

    def lift(self, points: NDArray[np.floating[Any]]) -> FloatArray:
        """Return the codes (N, D) of 2-D points (N, 2) on the plane."""
        p = np.asarray(points, np.float32).reshape(-1, 2)
        return (self.mean + p @ self.components).astype(np.float32)


def fit_projection(codes: NDArray[np.floating[Any]]) -> Projection:
    """Return the identity for ≤ 2-D codes, else the PCA plane of ``codes`` (N, D)."""
    c = np.asarray(codes, np.float32)
    d = c.shape[1]
    if d <= 2:
        comps = np.eye(2, d, dtype=np.float32)
        return Projection("identity", np.zeros(d, np.float32), comps)
    mean = c.mean(axis=0)
    _, s, vt = np.linalg.svd(c - mean, full_matrices=False)
    comps = vt[:2].astype(np.float32)
    # A fixed sign per axis keeps the scatter from flipping between updates.
    signs = np.sign(comps[np.arange(2), np.abs(comps).argmax(axis=1)])
    comps *= signs[:, None]
    var = s**2
    share = var / var.sum() if var.sum() > 0 else np.zeros_like(var)
    return Projection(
        "pca", mean.astype(np.float32), comps, (float(share[0]), float(share[1]))
    )


def grid_coordinates(
    n: int, spacing: Spacing = "gaussian", extent: float = 3.0
) -> NDArray[np.float64]:
    """Return ``n`` grid coordinates along one latent axis.

    ``"linear"``: evenly spaced on [−extent, extent].  ``"gaussian"``: the
    inverse Gaussian CDF of (i + ½)/n, so that each cell holds the same prior
    mass (Kingma & Welling 2014, Fig. 4).

    Raises
    ------
    ValueError
        For n outside 2..60, a non-positive extent or an unknown spacing.
    """
    if not 2 <= n <= 60:
        raise ValueError(f"a grid needs 2 to 60 images per side, got {n}")
    if spacing == "linear":
        if not (math.isfinite(extent) and 0 < extent <= 100):
            raise ValueError(f"the grid range must be in (0, 100], got {extent}")
        return np.linspace(-extent, extent, n)
    if spacing == "gaussian":
        normal = statistics.NormalDist()
        return np.array([normal.inv_cdf((i + 0.5) / n) for i in range(n)])
    raise ValueError(f"unknown grid spacing {spacing!r}: use linear or gaussian")


def manifold_grid(
    model: LatentModel,
    projection: Projection,
    n: int = 15,
    spacing: Spacing = "gaussian",
    extent: float = 3.0,
) -> tuple[FloatArray, NDArray[np.float64]]:
    """Return decoded images (n, n, 28, 28) over the 2-D plane and the axis coordinates.

    Row 0 is the top of the plane (largest second coordinate), as in a plot.
    """
    coords = grid_coordinates(n, spacing, extent)
    xs, ys = np.meshgrid(coords, coords[::-1])
    points = np.stack([xs.ravel(), ys.ravel()], axis=1)
    images = decode(model, projection.lift(points))
    return images.reshape(n, n, IMAGE_SIZE, IMAGE_SIZE), coords


def tile(images: NDArray[np.floating[Any]], pad: int = 2) -> FloatArray:
    """Return one image of (rows, cols, h, w) images in a grid, ``pad`` px apart."""
    arr = np.asarray(images, np.float32)
    if arr.ndim == 3:
        arr = arr[None]
    rows, cols, h, w = arr.shape
    out = np.ones((rows * (h + pad) + pad, cols * (w + pad) + pad), np.float32)
    for r in range(rows):
        for c in range(cols):
            y, x = pad + r * (h + pad), pad + c * (w + pad)
            out[y : y + h, x : x + w] = arr[r, c]
    return out


def code_statistics(
    model: LatentModel, images: NDArray[np.floating[Any]], batch: int = 1000
) -> tuple[FloatArray, FloatArray]:
    """Return the per-dimension mean and standard deviation of μ over ``images``."""
    mus = [
        encode(model, images[i : i + batch])[0] for i in range(0, len(images), batch)
    ]
    mu = np.concatenate(mus)
    return mu.mean(axis=0), mu.std(axis=0)


# -- checkpoints ----------------------------------------------------------------------
def save_checkpoint(
    path: str | Path, cfg: LatentConfig, weights: Mapping[str, Any]
) -> Path:
    """Return ``path`` after writing the config and the state dict there (torch file).

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    out = Path(path)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": cfg.to_dict(),
        "state_dict": {
            k: torch.as_tensor(np.asarray(v)).clone() for k, v in weights.items()
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    try:
        torch.save(payload, tmp)
    except RuntimeError as exc:  # torch reports unwritable files this way
        raise OSError(f"cannot write {out}: {exc}") from exc
    tmp.replace(out)
    return out


def load_checkpoint(path: str | Path) -> tuple[LatentConfig, LatentModel]:
    """Return the config and a CPU model read from a :func:`save_checkpoint` file.

    The file is read with ``torch.load(weights_only=True)``: it cannot run code.

    Raises
    ------
    CheckpointError
        When the file is missing, not a torch file, not an Explorer latent
        checkpoint, or holds weights of another architecture.
    """
    p = Path(path)
    if not p.is_file():
        raise CheckpointError(f"{p.name}: no such file")
    import pickle

    try:
        payload = torch.load(p, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = re.search(r"GLOBAL ([\w.]+)", str(exc))
        if found is None:
            raise CheckpointError(
                f"{p.name}: not a PyTorch weights file (damaged, or another format)"
            ) from exc
        raise CheckpointError(
            f"{p.name}: refused — it holds a {found.group(1)} object, not just "
            "weights, and opening it could run code"
        ) from exc
    except Exception as exc:  # a damaged file can fail anywhere in torch's reader
        raise CheckpointError(
            f"{p.name}: not a PyTorch weights file (damaged, or another format: "
            f"{type(exc).__name__})"
        ) from exc
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{p.name}: not an Explorer latent-model checkpoint (save one with "
            "`explorer latent train --save` or the panel's Save weights)"
        )
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{p.name}: checkpoint version {payload.get('version')!r} is not supported"
        )
    raw_cfg = payload.get("config")
    state = payload.get("state_dict")
    if not isinstance(raw_cfg, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{p.name}: the checkpoint lacks its config or weights")
    try:
        cfg = LatentConfig.from_dict(raw_cfg)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"{p.name}: invalid model settings ({exc})") from exc
    if not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{p.name}: the state dict holds non-tensor values")
    try:
        model = model_from_weights(cfg, state)
    except CheckpointError as exc:
        raise CheckpointError(f"{p.name}: {exc}") from exc
    return cfg, model
