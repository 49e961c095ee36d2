"""The convolution panel's choices the CLI and the panel both offer (no numpy).

One list of each: the two modes (correlation, true convolution), the kernel
presets, the built-in test patterns, the four upsamplers, the two segmentation
networks and the two U-Net paddings.
"""

from __future__ import annotations

from typing import Literal, get_args

Mode = Literal["corr", "conv"]
KernelName = Literal[
    "identity", "box", "gaussian", "sobel-x", "sobel-y", "diff", "laplacian"
]
PatternName = Literal["square", "checker", "stripes", "cross", "ramp"]
Upsampler = Literal["nearest", "bed-of-nails", "max-unpool", "transposed"]
Arch = Literal["fcn", "unet"]
UnetPadding = Literal["valid", "same"]

MODES: tuple[str, ...] = get_args(Mode)
KERNEL_NAMES: tuple[str, ...] = get_args(KernelName)
PATTERN_NAMES: tuple[str, ...] = get_args(PatternName)
UPSAMPLERS: tuple[str, ...] = get_args(Upsampler)
ARCHS: tuple[str, ...] = get_args(Arch)
UNET_PADDINGS: tuple[str, ...] = get_args(UnetPadding)

MODE_TITLES: dict[str, str] = {
    "corr": "correlation  Σ K(m,n) I(i+m, j+n)",
    "conv": "convolution  Σ K(m,n) I(i−m, j−n)",
}
KERNEL_TITLES: dict[str, str] = {
    "identity": "identity",
    "box": "box (mean)",
    "gaussian": "Gaussian",
    "sobel-x": "Sobel x",
    "sobel-y": "Sobel y",
    "diff": "difference [−1, 1]",
    "laplacian": "Laplacian",
}
PATTERN_TITLES: dict[str, str] = {
    "square": "bright square",
    "checker": "checkerboard",
    "stripes": "vertical stripes",
    "cross": "cross",
    "ramp": "diagonal ramp",
}
UPSAMPLER_TITLES: dict[str, str] = {
    "nearest": "nearest neighbour",
    "bed-of-nails": "bed of nails",
    "max-unpool": "max-unpooling",
    "transposed": "transposed convolution",
}
ARCH_TITLES: dict[str, str] = {"fcn": "FCN (no skips)", "unet": "U-Net (skips)"}
