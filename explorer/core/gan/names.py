"""The GAN choices the CLI and the panel offer (no torch, no numpy).

One list of each: the data sets (built-in ones and "your points"), the four
objectives with their titles and tips, the activations and optimisers, and the
one-shot actions a steered job understands.
"""

from __future__ import annotations

from typing import Literal, get_args

DataName = Literal["ring8", "grid25", "spiral", "moons", "points"]
LossName = Literal["minimax", "non-saturating", "unrolled", "wgan-gp"]
Activation = Literal["relu", "leaky-relu", "tanh", "elu"]
OptimizerName = Literal["adam", "rmsprop", "sgd"]
Action = Literal["both", "d", "g"]

DATA_NAMES: tuple[str, ...] = get_args(DataName)
BUILTIN_DATA: tuple[str, ...] = DATA_NAMES[:-1]  # all but "points"
LOSS_NAMES: tuple[str, ...] = get_args(LossName)
ACTIVATIONS: tuple[str, ...] = get_args(Activation)
OPTIMIZERS: tuple[str, ...] = get_args(OptimizerName)
ACTIONS: tuple[str, ...] = get_args(Action)
# a steered job's one-shot action that applies moved modes and reports, no step
EDIT_ACTION = "edit"

EVAL_SAMPLES = 2500  # samples behind the mode metrics (VEEGAN reports on 2,500)
HQ_SIGMAS = 3.0  # "high quality": within 3σ of the nearest mode (VEEGAN)
# PacGAN (Lin et al. 2018, §5.1): a mode is lost when fewer than 20 of 2,500
# samples lie within 3σ of it; other sample counts scale this share
CAPTURE_COUNT = 20
CAPTURE_OF = 2500


def capture_threshold(n_samples: int) -> int:
    """Return the high-quality samples a mode needs to count as captured (≥ 1).

    PacGAN's 20 of 2,500, scaled to ``n_samples`` and rounded up.
    """
    return max(1, -(-CAPTURE_COUNT * int(n_samples) // CAPTURE_OF))


def capture_rule(n_samples: int = EVAL_SAMPLES) -> str:
    """Return the capture rule in words, for cards, tooltips and the CLI."""
    need = capture_threshold(n_samples)
    return (
        f"a mode is captured when at least {need} of {n_samples:,} samples "
        f"({100 * CAPTURE_COUNT / CAPTURE_OF:.1g} %) lie within {HQ_SIGMAS:g}σ of it "
        "(PacGAN, Lin et al. 2018)"
    )


MAX_POINTS = 500

DATA_TITLES: dict[str, str] = {
    "ring8": "Ring of 8 Gaussians",
    "grid25": "Grid of 25 Gaussians",
    "spiral": "Spiral (12 modes)",
    "moons": "Two moons (12 modes)",
    "points": "Your points (click to draw)",
}
LOSS_TITLES: dict[str, str] = {
    "minimax": "Minimax (saturating)",
    "non-saturating": "Non-saturating",
    "unrolled": "Unrolled D (k steps)",
    "wgan-gp": "WGAN-GP",
}
LOSS_TIPS: dict[str, str] = {
    "minimax": "G descends on log(1 − D(G(z))): its gradient vanishes when D rejects "
    "the samples (Goodfellow et al. 2014, eq. 1).",
    "non-saturating": "G ascends on log D(G(z)): strong gradients early, but prone to "
    "mode collapse (Goodfellow et al. 2014, §3).",
    "unrolled": "G looks ahead: its loss is taken against D after k more D steps, "
    "differentiated through those steps (Metz et al. 2016).",
    "wgan-gp": "A critic estimates the Wasserstein distance; a gradient penalty keeps "
    "it 1-Lipschitz (Gulrajani et al. 2017).",
}
