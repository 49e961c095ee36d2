"""FCN without skips vs U-Net with skips: foreground segmentation of MNIST digits.

The task: from a digit with Gaussian noise added, predict its mask (pixels
brighter than ½).  Both tiny networks down-sample 28 → 14 → 7 with max-pools
and come back with 2 × 2 up-convolutions; the U-Net also concatenates the
encoder's maps of each level into the decoder (Ronneberger et al. 2015), so
the fine detail the pools threw away comes back and the mask's boundary is
sharp.  Both train on the same batches; IoU = |P ∩ T| / |P ∪ T| over a fixed
held-out set, pixels counted together.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.conv.config import SegmentConfig
from explorer.core.progress import JobControl, Progress

EVAL_DIGITS = 64
THRESHOLD = 0.5  # a pixel is foreground above it (digit and prediction alike)


def iou(pred: NDArray[np.bool_], truth: NDArray[np.bool_]) -> float:
    """Return |pred ∩ truth| / |pred ∪ truth| over all pixels (1 if both empty)."""
    union = int(np.logical_or(pred, truth).sum())
    if union == 0:
        return 1.0
    return int(np.logical_and(pred, truth).sum()) / union


@dataclass(frozen=True)
class SegmentData:
    """Noisy digits (N, 28, 28) and their masks; train and held-out parts."""

    train_x: NDArray[np.float32]
    train_y: NDArray[np.float32]
    eval_x: NDArray[np.float32]
    eval_y: NDArray[np.float32]


def make_data(cfg: SegmentConfig, seed: int) -> SegmentData:
    """Return the segmentation data: MNIST digits plus N(0, noise²), masks at ½."""
    from explorer.core.data import load_mnist

    digits = load_mnist(cfg.train_digits + EVAL_DIGITS).images
    rng = np.random.default_rng(seed)
    noisy = digits + rng.normal(0.0, cfg.noise, digits.shape).astype(np.float32)
    masks = (digits > THRESHOLD).astype(np.float32)
    n = cfg.train_digits
    return SegmentData(noisy[:n], masks[:n], noisy[n:], masks[n:])


def build(arch: str, channels: int) -> Any:
    """Return the FCN (``"fcn"``) or the U-Net (``"unet"``) as a torch module."""
    import torch
    from torch import nn

    c = channels

    def block(cin: int, cout: int) -> nn.Module:
        return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())

    skips = arch == "unet"
    if arch not in ("fcn", "unet"):
        raise ValueError(f"unknown network {arch!r}: use fcn or unet")

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc1, self.enc2, self.mid = (
                block(1, c),
                block(c, 2 * c),
                block(2 * c, 2 * c),
            )
            self.pool = nn.MaxPool2d(2)
            self.up2 = nn.Sequential(
                nn.ConvTranspose2d(2 * c, c, 2, stride=2), nn.ReLU()
            )
            self.up1 = nn.Sequential(nn.ConvTranspose2d(c, c, 2, stride=2), nn.ReLU())
            self.dec2 = block(c + (2 * c if skips else 0), c)
            self.dec1 = block(c + (c if skips else 0), c)
            self.head = nn.Conv2d(c, 1, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            e1 = self.enc1(x)  # 28
            e2 = self.enc2(self.pool(e1))  # 14
            u = self.up2(self.mid(self.pool(e2)))  # 7 → 14
            u = self.dec2(torch.cat([u, e2], 1) if skips else u)
            u = self.up1(u)  # 14 → 28
            u = self.dec1(torch.cat([u, e1], 1) if skips else u)
            out: torch.Tensor = self.head(u)
            return out

    return Net()


@dataclass(frozen=True, kw_only=True)
class SegmentProgress(Progress):
    """IoU and loss per network, predicted masks of the shown digits."""

    iou: Mapping[str, float] = field(default_factory=dict)
    masks: Mapping[str, NDArray[np.float32]] = field(default_factory=dict)
    inputs: NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 28, 28), np.float32)
    )
    truths: NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 28, 28), np.float32)
    )


def train(
    cfg: SegmentConfig,
    *,
    seed: int = 0,
    device: str = "cpu",
    threads: int | None = None,
    control: JobControl | None = None,
) -> Iterator[SegmentProgress]:
    """Train ``cfg.archs`` on the same batches; yield every ``eval_every`` steps.

    The first yield is the untrained networks (step 0).  A steering panel sets
    the steps between yields instead with ``control.speed``.
    """
    import torch
    import torch.nn.functional as F

    from explorer.core.device import resolve_device

    if not cfg.archs:
        raise ValueError("choose at least one network (fcn, unet)")
    if threads is not None:
        torch.set_num_threads(max(1, threads))
    dev = resolve_device(device, tiny=True)
    data = make_data(cfg, seed)
    torch.manual_seed(seed)
    nets = {a: build(a, cfg.channels).to(dev) for a in cfg.archs}
    opts = {a: torch.optim.Adam(n.parameters(), lr=cfg.lr) for a, n in nets.items()}
    tx = torch.from_numpy(data.train_x)[:, None].to(dev)
    ty = torch.from_numpy(data.train_y)[:, None].to(dev)
    ex = torch.from_numpy(data.eval_x)[:, None].to(dev)
    truth = data.eval_y > THRESHOLD
    gen = torch.Generator().manual_seed(seed)
    losses = {a: float("nan") for a in cfg.archs}

    def report(step: int) -> SegmentProgress:
        ious: dict[str, float] = {}
        masks: dict[str, NDArray[np.float32]] = {}
        with torch.no_grad():
            for a, net in nets.items():
                prob = torch.sigmoid(net(ex))[:, 0].cpu().numpy()
                ious[a] = iou(prob > THRESHOLD, truth)
                masks[a] = prob[: cfg.shown].astype(np.float32)
        named = {f"{a}_loss": v for a, v in losses.items() if np.isfinite(v)}
        return SegmentProgress(
            step=step,
            total=cfg.steps,
            losses=named,
            iou=ious,
            masks=masks,
            inputs=data.eval_x[: cfg.shown].copy(),
            truths=data.eval_y[: cfg.shown].copy(),
            message=f"step {step} of {cfg.steps}: "
            + ", ".join(f"{a} IoU {v:.3f}" for a, v in ious.items()),
        )

    yield report(0)
    step = 0
    while step < cfg.steps:
        chunk = control.speed if control is not None else cfg.eval_every
        for _ in range(min(chunk, cfg.steps - step)):
            idx = torch.randint(0, tx.shape[0], (cfg.batch,), generator=gen).to(dev)
            x, y = tx[idx], ty[idx]
            for a, net in nets.items():
                loss = F.binary_cross_entropy_with_logits(net(x), y)
                opts[a].zero_grad()
                loss.backward()  # type: ignore[no-untyped-call]
                opts[a].step()
                losses[a] = float(loss.detach())
            step += 1
        yield report(step)
