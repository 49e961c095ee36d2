"""Autoregressive models: the chain rule, masks and blind spots, dilations, attention.

* :mod:`~explorer.core.ar.names` — the choices (models, stacks, presets; no torch),
* :mod:`~explorer.core.ar.config` — the limits of every setting (GUI and CLI),
* :mod:`~explorer.core.ar.masks` — masked convolutions, PixelCNN and Gated PixelCNN
  stacks and their receptive fields read from the input gradient,
* :mod:`~explorer.core.ar.wavenet` — causal dilated 1-D stacks and their fields,
* :mod:`~explorer.core.ar.attention` — self-attention weights, the complexity table
  and the measured cost per layer,
* :mod:`~explorer.core.ar.models` — FVSBN, NADE and a tiny PixelCNN on binarised MNIST,
* :mod:`~explorer.core.ar.jobs` — training and pixel-by-pixel sampling generators.

Only the names load with the package; import the submodules for the maths (torch).
"""

from __future__ import annotations

from explorer.core.ar.names import (
    ARCH_NAMES,
    DILATION_PRESETS,
    INPUT_KINDS,
    MODEL_NAMES,
    ArchName,
    DilationPreset,
    InputKind,
    ModelName,
)

__all__ = [
    "ARCH_NAMES",
    "DILATION_PRESETS",
    "INPUT_KINDS",
    "MODEL_NAMES",
    "ArchName",
    "DilationPreset",
    "InputKind",
    "ModelName",
]
