"""GANs on 2-D data: datasets, four objectives, a steppable trainer and mode metrics.

* :mod:`~explorer.core.gan.names` — the choices (data, objectives, titles; no torch),
* :mod:`~explorer.core.gan.data` — mixtures of Gaussians, built in or read from CSV,
* :mod:`~explorer.core.gan.metrics` — densities, D*, VEEGAN mode metrics, reverse KL,
* :mod:`~explorer.core.gan.config` — :class:`GanConfig` and the limits of its settings,
* :mod:`~explorer.core.gan.models` — MLPs, the four losses, unrolling, gradient penalty,
* :mod:`~explorer.core.gan.trainer` — :class:`GanTrainer` and its :class:`GanProgress`,
* :mod:`~explorer.core.gan.jobs` — the jobs :func:`train` (CLI) and
  :func:`train_interactive` (panel, steered by the one job control).

(The jobs' module is not called ``train``: importing it would set the package's
``train`` to the module, shadowing the function.)  Only the names are imported
with the package; the rest (numpy, torch) loads on
first use, so the CLI can offer the choices without loading torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.gan.names import (
    ACTIONS,
    ACTIVATIONS,
    BUILTIN_DATA,
    DATA_NAMES,
    DATA_TITLES,
    EDIT_ACTION,
    EVAL_SAMPLES,
    HQ_SIGMAS,
    LOSS_NAMES,
    LOSS_TIPS,
    LOSS_TITLES,
    MAX_POINTS,
    OPTIMIZERS,
    Action,
    Activation,
    DataName,
    LossName,
    OptimizerName,
)
from explorer.core.lazy import lazy_getattr

if TYPE_CHECKING:
    from explorer.core.gan.config import (
        LIMITS,
        OPEN_LOW,
        GanConfig,
    )
    from explorer.core.gan.data import (
        ArrayLike2D,
        FloatArray,
        Mixture,
        builtin_mixture,
        grid_means,
        make_mixture,
        moons_means,
        read_points_csv,
        ring_means,
        spiral_means,
    )
    from explorer.core.gan.jobs import (
        IDLE_S,
        MODES_KEY,
        RUN_UNTIL_KEY,
        train,
        train_interactive,
    )
    from explorer.core.gan.metrics import (
        ModeMetrics,
        grid_cell_probabilities,
        mixture_density,
        mode_metrics,
        optimal_discriminator,
        reverse_kl,
    )
    from explorer.core.gan.models import (
        d_loss_logits,
        g_loss_logits,
        gradient_penalty,
        mlp,
        unrolled_g_loss,
    )
    from explorer.core.gan.trainer import (
        Float32Array,
        GanProgress,
        GanTrainer,
    )

_LAZY: dict[str, str] = {
    "LIMITS": "config",
    "OPEN_LOW": "config",
    "GanConfig": "config",
    "ArrayLike2D": "data",
    "FloatArray": "data",
    "Mixture": "data",
    "builtin_mixture": "data",
    "grid_means": "data",
    "make_mixture": "data",
    "moons_means": "data",
    "read_points_csv": "data",
    "ring_means": "data",
    "spiral_means": "data",
    "ModeMetrics": "metrics",
    "grid_cell_probabilities": "metrics",
    "mixture_density": "metrics",
    "mode_metrics": "metrics",
    "optimal_discriminator": "metrics",
    "reverse_kl": "metrics",
    "d_loss_logits": "models",
    "g_loss_logits": "models",
    "gradient_penalty": "models",
    "mlp": "models",
    "unrolled_g_loss": "models",
    "Float32Array": "trainer",
    "GanProgress": "trainer",
    "GanTrainer": "trainer",
    "IDLE_S": "jobs",
    "MODES_KEY": "jobs",
    "RUN_UNTIL_KEY": "jobs",
    "train": "jobs",
    "train_interactive": "jobs",
}

__all__ = [
    "ACTIONS",
    "ACTIVATIONS",
    "BUILTIN_DATA",
    "DATA_NAMES",
    "DATA_TITLES",
    "EDIT_ACTION",
    "EVAL_SAMPLES",
    "HQ_SIGMAS",
    "IDLE_S",
    "LIMITS",
    "LOSS_NAMES",
    "LOSS_TIPS",
    "LOSS_TITLES",
    "MAX_POINTS",
    "MODES_KEY",
    "OPEN_LOW",
    "OPTIMIZERS",
    "RUN_UNTIL_KEY",
    "Action",
    "Activation",
    "ArrayLike2D",
    "DataName",
    "Float32Array",
    "FloatArray",
    "GanConfig",
    "GanProgress",
    "GanTrainer",
    "LossName",
    "Mixture",
    "ModeMetrics",
    "OptimizerName",
    "builtin_mixture",
    "d_loss_logits",
    "g_loss_logits",
    "gradient_penalty",
    "grid_cell_probabilities",
    "grid_means",
    "make_mixture",
    "mixture_density",
    "mlp",
    "mode_metrics",
    "moons_means",
    "optimal_discriminator",
    "read_points_csv",
    "reverse_kl",
    "ring_means",
    "spiral_means",
    "train",
    "train_interactive",
    "unrolled_g_loss",
]


__getattr__ = lazy_getattr(__name__, _LAZY, globals())
