"""The autoregressive-model choices the CLI and the panel offer (no torch, no numpy)."""

from __future__ import annotations

from typing import Literal, get_args

ModelName = Literal["fvsbn", "nade", "pixelcnn"]
ArchName = Literal["pixelcnn", "gated"]
DilationPreset = Literal["ones", "doubling", "blocks"]
InputKind = Literal["random", "word"]

MODEL_NAMES: tuple[str, ...] = get_args(ModelName)
ARCH_NAMES: tuple[str, ...] = get_args(ArchName)
DILATION_PRESETS: tuple[str, ...] = get_args(DilationPreset)
INPUT_KINDS: tuple[str, ...] = get_args(InputKind)

MODEL_TITLES: dict[str, str] = {
    "fvsbn": "FVSBN (fully visible sigmoid belief net)",
    "nade": "NADE (shared weights, O(1) update)",
    "pixelcnn": "PixelCNN (masked convolutions)",
}
ARCH_TITLES: dict[str, str] = {
    "pixelcnn": "PixelCNN (mask A, then mask B)",
    "gated": "Gated PixelCNN (vertical + horizontal stacks)",
}
PRESET_TITLES: dict[str, str] = {
    "ones": "all 1 (linear growth)",
    "doubling": "1, 2, 4, … (exponential growth)",
    "blocks": "repeated blocks 1, 2, 4, 8",
}
INPUT_TITLES: dict[str, str] = {
    "random": "random X ~ N(0, 1)",
    "word": "a word's one-hot letters",
}

IMAGE_SIDE = 28  # binarised MNIST
BINARISE_AT = 0.5
MAX_LENGTH = 4096  # the longest sequence a cost measurement or attention takes
MAX_ATTENTION_VIEW = 32  # the heat map's longest sequence (T ≤ 32)
MAX_ATTENTION_DIM = 16
