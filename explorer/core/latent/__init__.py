"""Autoencoders and their latent spaces: AE, VAE and β-VAE on MNIST-sized digits.

The models follow the course's autoencoder part:

* an undercomplete **AE** maps x to a code z = f(x) and back, trained on the
  reconstruction loss only;
* a **VAE** (Kingma & Welling 2014) has an encoder q(z|x) = N(μ(x), diag σ²(x)) and a
  decoder p(x|z) (Bernoulli pixels, whose negative log-likelihood is the binary
  cross-entropy; the squared error of the course's seed is the other choice); it
  samples z = μ + σ·ε with ε ~ N(0, I) (the reparameterisation trick, K&W §2.4)
  and maximises the ELBO E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)), whose KL term
  has the closed form −½ Σ_j (1 + log σ_j² − μ_j² − σ_j²) (K&W appendix B);
* a **β-VAE** (Higgins et al. 2017) weights the KL term by β (β = 1 is the VAE).

Any of them can be *denoising* (Vincent et al. 2008): the encoder sees
x + noise, the loss compares with the clean x.

Everything here is Qt-free: :func:`train` is a generator yielding
:class:`LatentProgress`; the panel, the CLI and the tests share it, and the
decoding / interpolation helpers work on a model rebuilt from the weights a
progress carries.

Only the names (:mod:`~explorer.core.latent.names`: models, networks, methods,
spacings; no torch) are imported with the package; the rest loads on first
use, so the CLI can offer the choices without loading torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.latent.names import (
    ARCH_TITLES,
    ARCHS,
    DEFAULT_BETA,
    IMAGE_SIZE,
    METHODS,
    MODEL_KINDS,
    MODEL_TITLES,
    RECON_FORMULAS,
    RECON_TITLES,
    RECONS,
    SPACINGS,
    Arch,
    Method,
    ModelKind,
    Recon,
    Spacing,
)
from explorer.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from explorer.core.latent.checkpoint import (
        CHECKPOINT_FORMAT,
        CHECKPOINT_VERSION,
        load_checkpoint,
        save_checkpoint,
    )
    from explorer.core.latent.codec import (
        code_statistics,
        decode,
        encode,
    )
    from explorer.core.latent.config import (
        LIMITS,
        FloatArray,
        LatentConfig,
    )
    from explorer.core.latent.digits import (
        balanced_subset,
        load_idx_digits,
    )
    from explorer.core.latent.models import (
        LatentModel,
        LossTerms,
        build_model,
        kl_to_standard_normal,
        loss_terms,
        reconstruction_loss,
        reparameterize,
    )
    from explorer.core.latent.paths import (
        interpolate,
        lerp,
        slerp,
    )
    from explorer.core.latent.projection import (
        Projection,
        fit_projection,
        grid_coordinates,
        manifold_grid,
        tile,
    )
    from explorer.core.latent.training import (
        LatentProgress,
        train,
    )
    from explorer.core.latent.weights import (
        CheckpointError,
        load_weights,
        model_from_weights,
        state_arrays,
    )

_LAZY: dict[str, str] = {
    "CHECKPOINT_FORMAT": "checkpoint",
    "CHECKPOINT_VERSION": "checkpoint",
    "load_checkpoint": "checkpoint",
    "save_checkpoint": "checkpoint",
    "code_statistics": "codec",
    "decode": "codec",
    "encode": "codec",
    "LIMITS": "config",
    "FloatArray": "config",
    "LatentConfig": "config",
    "balanced_subset": "digits",
    "load_idx_digits": "digits",
    "interpolate": "paths",
    "lerp": "paths",
    "slerp": "paths",
    "LatentModel": "models",
    "LossTerms": "models",
    "build_model": "models",
    "kl_to_standard_normal": "models",
    "loss_terms": "models",
    "reconstruction_loss": "models",
    "reparameterize": "models",
    "Projection": "projection",
    "fit_projection": "projection",
    "grid_coordinates": "projection",
    "manifold_grid": "projection",
    "tile": "projection",
    "LatentProgress": "training",
    "train": "training",
    "CheckpointError": "weights",
    "load_weights": "weights",
    "model_from_weights": "weights",
    "state_arrays": "weights",
}

__all__ = [
    "ARCHS",
    "ARCH_TITLES",
    "CHECKPOINT_FORMAT",
    "CHECKPOINT_VERSION",
    "DEFAULT_BETA",
    "IMAGE_SIZE",
    "LIMITS",
    "METHODS",
    "MODEL_KINDS",
    "MODEL_TITLES",
    "RECONS",
    "RECON_FORMULAS",
    "RECON_TITLES",
    "SPACINGS",
    "Arch",
    "CheckpointError",
    "FloatArray",
    "LatentConfig",
    "LatentModel",
    "LatentProgress",
    "LossTerms",
    "Method",
    "ModelKind",
    "Projection",
    "Recon",
    "Spacing",
    "balanced_subset",
    "build_model",
    "code_statistics",
    "decode",
    "encode",
    "fit_projection",
    "grid_coordinates",
    "interpolate",
    "kl_to_standard_normal",
    "lerp",
    "load_checkpoint",
    "load_idx_digits",
    "load_weights",
    "loss_terms",
    "manifold_grid",
    "model_from_weights",
    "reconstruction_loss",
    "reparameterize",
    "save_checkpoint",
    "slerp",
    "state_arrays",
    "tile",
    "train",
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
