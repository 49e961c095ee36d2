"""The limits and defaults of every autoregressive setting: one source for GUI and CLI.

:data:`LIMITS` gives (low, high) of each number; the panel's state takes its field
limits from it and the CLI its argument ranges.  :class:`TrainConfig` is a training
run's configuration, checked against the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from explorer.core.ar.names import MAX_LENGTH, MODEL_NAMES, ModelName

LIMITS: dict[str, tuple[int, int]] = {
    "layers": (1, 12),  # masked conv layers L
    "kernel": (3, 9),  # PixelCNN k (odd)
    "wave_layers": (1, 12),
    "wave_kernel": (2, 8),
    "sample_rate": (1, 192_000),
    "length": (2, MAX_LENGTH),
    "view_length": (2, 32),
    "dim": (1, 16),
    "cost_dim": (1, 256),
    "epochs": (1, 200),
    "train_digits": (50, 4500),
    "batch_size": (1, 1000),
    "hidden": (1, 512),
    "channels": (1, 128),
    "samples": (1, 16),
}

DEFAULTS: dict[str, int] = {
    "layers": 3,
    "kernel": 3,
    "wave_layers": 4,
    "wave_kernel": 2,
    "sample_rate": 16_000,
    "view_length": 12,
    "dim": 8,
    "cost_dim": 64,  # attention overtakes the RNN between T = 1,024 and 4,096
    "epochs": 3,
    "train_digits": 1000,
    "batch_size": 50,
    "hidden": 32,
    "channels": 16,
    "samples": 4,
}

COST_LENGTHS: tuple[int, ...] = (16, 64, 256, 1024, 4096)


def out_of_range(name: str, value: int) -> str | None:
    """Return a one-line message when ``value`` is outside ``LIMITS[name]``."""
    lo, hi = LIMITS[name]
    if not lo <= value <= hi:
        return f"{name} must be {lo:,} … {hi:,}, got {value:,}"
    return None


def check_kernel(kernel: int) -> None:
    """Raise ``ValueError`` unless ``kernel`` is an odd PixelCNN kernel in range."""
    message = out_of_range("kernel", kernel)
    if message is not None:
        raise ValueError(message)
    if kernel % 2 == 0:
        raise ValueError(
            f"the PixelCNN kernel must be odd (it needs a centre pixel), got {kernel}"
        )


def check_layers(layers: int) -> None:
    """Raise ``ValueError`` unless ``layers`` is a layer count in range."""
    if layers < 1:
        raise ValueError(f"a stack needs at least one layer, got {layers}")
    message = out_of_range("layers", layers)
    if message is not None:
        raise ValueError(message)


@dataclass(frozen=True)
class TrainConfig:
    """One training run on binarised MNIST (tiny defaults: progress in seconds)."""

    model: ModelName = "nade"
    epochs: int = DEFAULTS["epochs"]
    train_digits: int = DEFAULTS["train_digits"]
    batch_size: int = DEFAULTS["batch_size"]
    hidden: int = DEFAULTS["hidden"]  # NADE's hidden units
    channels: int = DEFAULTS["channels"]  # PixelCNN's feature maps
    pixel_layers: int = 4  # PixelCNN: one 5×5 mask-A layer, then 3×3 mask-B layers
    lr: float = 5e-3
    samples: int = DEFAULTS["samples"]

    def __post_init__(self) -> None:
        if self.model not in MODEL_NAMES:
            raise ValueError(
                f"unknown model {self.model!r}: use one of {', '.join(MODEL_NAMES)}"
            )
        for name in (
            "epochs",
            "train_digits",
            "batch_size",
            "hidden",
            "channels",
            "samples",
        ):
            message = out_of_range(name, int(getattr(self, name)))
            if message is not None:
                raise ValueError(message)
        check_layers(self.pixel_layers)
        if not 0.0 < self.lr <= 1.0:
            raise ValueError(f"lr must be in (0, 1], got {self.lr}")
