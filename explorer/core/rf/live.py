"""A small CNN trained live on the bundled MNIST digits, streaming what it learns.

Each report carries the loss and accuracy, the first layer's kernels, the feature
maps of one probe digit at every layer and the weights themselves (a few
thousand numbers), so a view can draw the filters changing and compute the
effective receptive field of the trained network.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray

from explorer.core.device import resolve_device
from explorer.core.progress import Progress
from explorer.core.rf.archs import MnistCnn
from explorer.core.rf.inputs import MNIST_MEAN, MNIST_STD, mnist_split
from explorer.core.rf.taps import features_at

FEATURE_LAYERS = (
    "features.conv1",
    "features.pool1",
    "features.conv2",
    "features.pool2",
    "features.conv3",
)


@dataclass(frozen=True)
class CnnConfig:
    """Training settings of the live CNN (CPU defaults run in seconds).

    Attributes
    ----------
    steps
        Optimiser steps (mini-batches).
    batch_size
        Digits per step.
    lr
        Adam learning rate.
    report_every
        Steps between reports.
    n_train
        Digits used for training (of 4,000; 1,000 others are held out).
    probe
        Index of the held-out digit whose feature maps are streamed.
    eval_every
        Steps between test-accuracy measurements (reports in between repeat it).
    n_eval
        Held-out digits the test accuracy is measured on.
    """

    steps: int = 600
    batch_size: int = 64
    lr: float = 2e-3
    report_every: int = 5
    n_train: int = 4000
    probe: int = 0
    eval_every: int = 50
    n_eval: int = 500
    channels: tuple[int, int, int] = (8, 16, 16)

    def __post_init__(self) -> None:
        if not 1 <= self.steps <= 1_000_000:
            raise ValueError(f"steps must be in 1..1000000, got {self.steps}")
        if not 1 <= self.batch_size <= 4000:
            raise ValueError(f"batch_size must be in 1..4000, got {self.batch_size}")
        if not 0.0 < self.lr < 1.0:
            raise ValueError(f"the learning rate must be in (0, 1), got {self.lr}")
        if not 1 <= self.report_every <= self.steps:
            raise ValueError("report_every must be between 1 and steps")
        if not 10 <= self.n_train <= 4000:
            raise ValueError(f"n_train must be in 10..4000, got {self.n_train}")
        if not 0 <= self.probe < 1000:
            raise ValueError(
                f"probe must index the 1,000 held-out digits, got {self.probe}"
            )
        if self.eval_every < 1:
            raise ValueError(f"eval_every must be at least 1, got {self.eval_every}")
        if not 1 <= self.n_eval <= 1000:
            raise ValueError(f"n_eval must be in 1..1000, got {self.n_eval}")
        if not all(1 <= c <= 128 for c in self.channels):
            raise ValueError(f"channels must be in 1..128, got {self.channels}")


@dataclass(frozen=True, kw_only=True)
class CnnProgress(Progress):
    """One report of the live CNN.

    ``kernels`` is (C, 5, 5) of the first layer; ``feature_maps`` maps a layer name
    to the probe digit's (C, H, W) activations; ``state`` is the model's weights.
    """

    accuracy: float
    test_accuracy: float
    kernels: NDArray[np.float32]
    feature_maps: Mapping[str, NDArray[np.float32]]
    probe_image: NDArray[np.float32]
    state: Mapping[str, NDArray[np.float32]] = field(default_factory=dict)


def probe_maps(model: MnistCnn, x: torch.Tensor) -> dict[str, NDArray[np.float32]]:
    """Return the (C, H, W) feature maps of one input ``x`` (1, 1, 28, 28) per layer."""
    with torch.no_grad():
        return {
            name: features_at(model, name, x)[0]
            .detach()
            .cpu()
            .numpy()
            .astype(np.float32)
            for name in FEATURE_LAYERS
        }


def train(
    cfg: CnnConfig, *, seed: int = 0, device: str = "auto", threads: int | None = None
) -> Iterator[CnnProgress]:
    """Yield reports while the live CNN trains on MNIST (same seed, same run on CPU).

    ``threads`` sets torch's CPU threads first: meant for a worker process, where
    one thread trains this small model fastest on a busy machine.
    """
    if threads is not None:
        if threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        torch.set_num_threads(threads)
    dev = torch.device(resolve_device(device))
    torch.manual_seed(seed)
    model = MnistCnn(cfg.channels).to(dev)
    train_set, test_set = mnist_split()
    x_train = _normalised(train_set.images[: cfg.n_train]).to(dev)
    y_train = torch.from_numpy(train_set.labels[: cfg.n_train]).to(dev)
    probe = _normalised(test_set.images[cfg.probe : cfg.probe + 1]).to(dev)
    # every k-th held-out digit keeps the evaluation subset balanced over classes
    pick = np.linspace(0, len(test_set.labels) - 1, cfg.n_eval).round().astype(int)
    x_test = _normalised(test_set.images[pick]).to(dev)
    y_test = torch.from_numpy(test_set.labels[pick]).to(dev)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    gen = torch.Generator().manual_seed(seed)
    correct = seen = 0
    loss_sum = 0.0
    test_acc = _accuracy(model, x_test, y_test)
    yield _report(model, 0, cfg, probe, 0.0, test_acc, loss=None)
    for step in range(1, cfg.steps + 1):
        model.train()
        idx = torch.randint(0, cfg.n_train, (cfg.batch_size,), generator=gen).to(dev)
        logits = model(x_train[idx])
        loss = F.cross_entropy(logits, y_train[idx])
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        loss_sum += loss.item()
        correct += int((logits.argmax(1) == y_train[idx]).sum())
        seen += cfg.batch_size
        if step % cfg.eval_every == 0 or step == cfg.steps:
            test_acc = _accuracy(model, x_test, y_test)
        if step % cfg.report_every == 0 or step == cfg.steps:
            yield _report(
                model,
                step,
                cfg,
                probe,
                correct / seen,
                test_acc,
                loss=loss_sum / (seen / cfg.batch_size),
            )
            correct = seen = 0
            loss_sum = 0.0


def _normalised(images: NDArray[np.float32]) -> torch.Tensor:
    return (torch.from_numpy(images)[:, None] - MNIST_MEAN) / MNIST_STD


def _accuracy(model: MnistCnn, x: torch.Tensor, y: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def _report(
    model: MnistCnn,
    step: int,
    cfg: CnnConfig,
    probe: torch.Tensor,
    accuracy: float,
    test_acc: float,
    *,
    loss: float | None,
) -> CnnProgress:
    model.eval()
    conv1 = model.features.get_submodule("conv1")
    assert isinstance(conv1, torch.nn.Conv2d)
    kernels = conv1.weight.detach()[:, 0].cpu().numpy().astype(np.float32)
    state = {
        k: v.detach().cpu().numpy().astype(np.float32)
        for k, v in model.state_dict().items()
    }
    return CnnProgress(
        step=step,
        total=cfg.steps,
        losses={} if loss is None else {"loss": loss},
        message=f"step {step}/{cfg.steps}: test accuracy {test_acc:.1%}",
        accuracy=accuracy,
        test_accuracy=test_acc,
        kernels=kernels,
        feature_maps=probe_maps(model, probe),
        probe_image=(probe[0, 0].cpu().numpy() * MNIST_STD + MNIST_MEAN).astype(
            np.float32
        ),
        state=state,
    )
