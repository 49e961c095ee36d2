"""The feature maps of one input at every row of a stack's layer table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.device import resolve_device
from explorer.core.progress import Progress
from explorer.core.rf.inputs import MNIST_MEAN, MNIST_STD, fit_images
from explorer.core.rf.layers import Stack
from explorer.core.rf.names import MAX_SHOWN_CHANNELS
from explorer.core.rf.recurrence import analyze
from explorer.core.rf.taps import build_model, layer_outputs, load_trunk_state


@dataclass(frozen=True, kw_only=True)
class FeatureMaps(Progress):
    """The feature maps of one input at every row of a stack's table.

    ``image`` is the input as the network sees it (H, W) in [0, 1]; ``maps`` holds
    the first channels of each row's output (C, h, w) and ``means`` the mean over
    all channels (h, w); ``channels`` the number of channels of each row.
    """

    image: NDArray[np.float32]
    maps: Mapping[str, NDArray[np.float32]]
    means: Mapping[str, NDArray[np.float32]]
    channels: Mapping[str, int]


def feature_job(
    stack: Stack,
    *,
    image: NDArray[np.float32],
    arch: str | None = None,
    state: Mapping[str, NDArray[np.floating]] | None = None,
    seed: int = 0,
    device: str = "auto",
    max_channels: int = MAX_SHOWN_CHANNELS,
) -> Iterator[FeatureMaps]:
    """Yield the feature maps of ``image`` at every row of ``stack`` (one report).

    The weights are the seeded random initialisation, or ``state`` when given.
    """
    rows = analyze(stack)
    dev = torch.device(resolve_device(device))
    torch.manual_seed(seed)
    model = build_model(stack, arch).to(dev).eval()
    if state is not None:
        load_trunk_state(model, state)
    fitted = fit_images(np.asarray(image, dtype=np.float32)[None], stack.input_size)
    x = ((fitted - MNIST_MEAN) / MNIST_STD).expand(-1, stack.in_channels, -1, -1)
    outs = layer_outputs(model, [r.name for r in rows], x.to(dev))
    maps = {
        k: v[0, :max_channels].cpu().numpy().astype(np.float32) for k, v in outs.items()
    }
    means = {k: v[0].mean(0).cpu().numpy().astype(np.float32) for k, v in outs.items()}
    yield FeatureMaps(
        step=1,
        total=1,
        message="feature maps ready",
        image=fitted[0, 0].numpy(),
        maps=maps,
        means=means,
        channels={k: int(v.shape[1]) for k, v in outs.items()},
    )
