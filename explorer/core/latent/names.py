"""The latent-space choices the CLI and the panel offer (no torch, no numpy).

One list of each: the models and their titles, the network types, the
reconstruction losses, the interpolation methods and the grid spacings, and the
image size the models read.
"""

from __future__ import annotations

from typing import Literal, get_args

ModelKind = Literal["ae", "vae", "beta-vae"]
Arch = Literal["mlp", "conv"]
Spacing = Literal["linear", "gaussian"]
Method = Literal["lerp", "slerp"]
Recon = Literal["bce", "mse"]

MODEL_KINDS: tuple[ModelKind, ...] = get_args(ModelKind)
MODEL_TITLES: dict[str, str] = {"ae": "AE", "vae": "VAE", "beta-vae": "β-VAE"}
ARCHS: tuple[Arch, ...] = get_args(Arch)
ARCH_TITLES: dict[str, str] = {"mlp": "MLP", "conv": "Conv"}
METHODS: tuple[Method, ...] = get_args(Method)
# The reconstruction losses, the default first: Bernoulli cross-entropy (the
# negative log-likelihood of Bernoulli pixels, Kingma & Welling 2014, appendix C.1)
# or the squared error of the decoder's mean image (the course's seed).
RECONS: tuple[Recon, ...] = get_args(Recon)
RECON_TITLES: dict[str, str] = {
    "bce": "Bernoulli cross-entropy",
    "mse": "squared error",
}
RECON_FORMULAS: dict[str, str] = {
    "bce": "−Σ [x log x̂ + (1 − x) log(1 − x̂)]",
    "mse": "Σ (x − x̂)²",
}
# The grid spacings, the default first.
SPACINGS: tuple[Spacing, ...] = ("gaussian", "linear")
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")
IMAGE_SIZE = 28
DEFAULT_BETA = 4.0
# One source for the GUI's boxes and the CLI's flags (the core checks them too):
# images per side of the decoded grid, and images per interpolation strip (the
# two ends included).  Both keep an output image below ~50 megapixels.
GRID_N_LIMITS = (2, 60)
DEFAULT_GRID_N = 15
STRIP_STEPS_LIMITS = (2, 64)
DEFAULT_STRIP_STEPS = 10
