"""The choices the receptive-field CLI and panel offer (torch-free).

:data:`ARCH_SPECS` is the one table of built-in architectures: for each its key,
title, the input it is analysed at and the factory in :mod:`explorer.core.rf.archs`
that builds its ``torch.nn`` module (called with ``num_classes=`` and ``head=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Weights = Literal["random", "trained"]
InputKind = Literal["auto", "noise", "digits"]

WEIGHTS: tuple[Weights, ...] = ("random", "trained")
INPUT_KINDS: tuple[InputKind, ...] = ("auto", "noise", "digits")


@dataclass(frozen=True)
class ArchSpec:
    """A built-in architecture: what it is called and how it is built.

    Attributes
    ----------
    key
        The name the CLI takes and sessions store (``"resnet18"``).
    title
        What the panel's network menu shows.
    input_size, in_channels
        The input the network is analysed at.
    note
        One line on what is special about its field.
    factory
        Name of the callable in :mod:`explorer.core.rf.archs` that returns the
        module (keywords ``num_classes`` and ``head``).
    num_classes
        Classes of its head by default (1000 for ImageNet, 10 for digits).
    """

    key: str
    title: str
    input_size: int
    in_channels: int
    note: str
    factory: str
    num_classes: int


ARCH_SPECS: tuple[ArchSpec, ...] = (
    ArchSpec(
        "lenet5",
        "LeNet-5 (LeCun et al. 1998)",
        32,
        1,
        "C1-S2-C3-S4-C5 with average-pool subsampling",
        "LeNet5",
        10,
    ),
    ArchSpec(
        "alexnet",
        "AlexNet (torchvision layout)",
        224,
        3,
        "11×11 stride-4 first layer, three max pools",
        "AlexNet",
        1000,
    ),
    ArchSpec(
        "vgg16",
        "VGG-16 (torchvision layout)",
        224,
        3,
        "thirteen stacked 3×3 convolutions, five 2×2 pools",
        "VGG",
        1000,
    ),
    ArchSpec(
        "resnet18",
        "ResNet-18 (torchvision layout)",
        224,
        3,
        "basic blocks; identity shortcuts are a second path",
        "resnet18",
        1000,
    ),
    ArchSpec(
        "resnet50",
        "ResNet-50 (torchvision layout)",
        224,
        3,
        "bottleneck blocks with the stride in the 3×3 convolution",
        "resnet50",
        1000,
    ),
    ArchSpec(
        "inception",
        "Inception (GoogLeNet 3a, 3b)",
        224,
        3,
        "four parallel paths concatenated: 1×1, 3×3, 5×5, pool",
        "InceptionNet",
        1000,
    ),
    ArchSpec(
        "wavenet",
        "WaveNet-style dilated stack",
        128,
        1,
        "3×3 residual convolutions with dilation 1, 2, 4, … 32",
        "WaveNetStack",
        10,
    ),
    ArchSpec(
        "mnist_cnn",
        "Live MNIST CNN",
        28,
        1,
        "the small CNN the panel trains on MNIST",
        "MnistCnn",
        10,
    ),
)

ARCHS: Mapping[str, ArchSpec] = {a.key: a for a in ARCH_SPECS}
"""The specs by key (an index of :data:`ARCH_SPECS`, not a second table)."""

ARCH_NAMES: tuple[str, ...] = tuple(a.key for a in ARCH_SPECS)

LIVE_ARCH = "mnist_cnn"
"""The architecture the panel trains live (its weights feed the ERF and the maps)."""

HELD_OUT_DIGITS = 1000
"""Held-out MNIST digits (every fifth of the bundled 5,000) the inputs come from."""

MAX_SHOWN_CHANNELS = 16
"""Channels of each feature map a feature job returns (the panel's channel box)."""

MAX_ERF_INPUTS = 4096
"""Most inputs an effective-RF map is averaged over."""

MAX_ERF_TRAIN_STEPS = 100_000
"""Most training steps of ``weights="trained"``."""

MAX_TRAIN_SIZE = 64
"""Largest input side ``weights="trained"`` trains at (CPU seconds, not hours)."""


def why_not_trained(input_size: tuple[int, int]) -> str | None:
    """Return why ``weights="trained"`` cannot run at ``input_size``, or ``None``.

    The panel offers "trained on MNIST" only where this is ``None``; the ERF job
    raises the same message.
    """
    if max(input_size) <= MAX_TRAIN_SIZE:
        return None
    return (
        f"training at {input_size[0]}×{input_size[1]} would take far too long on a "
        f"CPU (trained weights need inputs of at most {MAX_TRAIN_SIZE} px)"
    )


EDIT_RANGES: Mapping[str, tuple[int, int]] = {
    "kernel": (1, 11),
    "stride": (1, 4),
    "dilation": (1, 16),
    "padding": (0, 40),
}
"""What the panel's layer sliders span (a stack file's larger value widens them)."""

ERF_MASS = 0.95
"""Share of Σ|∂y/∂x| the ERF's area holds (the card's figure, the outer contour)."""
