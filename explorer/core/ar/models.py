"""Three autoregressive models of binarised MNIST, p(x) = Π p(x_i | x_<i).

* :class:`Fvsbn` — the fully visible sigmoid belief net,
  x̂_i = σ(Σ_{j<i} w_j^i x_j + w_0^i) (Frey 1998; one weight per pair of pixels),
* :class:`Nade` — NADE (Larochelle & Murray 2011, eqs. 2–3): one shared W, so the
  hidden pre-activation a_i = c + W_{:,<i} x_<i needs an O(H) update per pixel,
  a_{i+1} = a_i + W_{:,i} x_i,
* :class:`TinyPixelCnn` — a 5 × 5 mask-A convolution, then 3 × 3 mask-B ones.

Each gives the logits of all 784 conditionals at once (teacher forcing) and
samples one pixel after the other.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import torch
from torch import nn
from torch.nn import functional as F

from explorer.core.ar.config import TrainConfig
from explorer.core.ar.masks import MaskedConv2d
from explorer.core.ar.names import IMAGE_SIDE

PIXELS = IMAGE_SIDE * IMAGE_SIDE


class Fvsbn(nn.Module):
    """x̂_i = σ(b_i + Σ_{j<i} W_ji x_j): a strictly triangular weight matrix."""

    mask: torch.Tensor

    def __init__(self, pixels: int = PIXELS) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(pixels, pixels))
        self.bias = nn.Parameter(torch.zeros(pixels))
        self.register_buffer("mask", torch.triu(torch.ones(pixels, pixels), 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the N × 784 logits of p(x_i = 1 | x_<i)."""
        return x @ (self.weight * self.mask) + self.bias

    def logit_at(self, x: torch.Tensor, i: int) -> torch.Tensor:
        """Return the logits of pixel ``i`` given the first ``i`` pixels of ``x``."""
        return x[:, :i] @ self.weight[:i, i] + self.bias[i]


class Nade(nn.Module):
    """NADE: h_i = σ(c + W_{:,<i} x_<i), x̂_i = σ(b_i + V_i · h_i)."""

    def __init__(self, hidden: int, pixels: int = PIXELS) -> None:
        super().__init__()
        gen = torch.Generator().manual_seed(0)
        self.w = nn.Parameter(torch.randn(pixels, hidden, generator=gen) * 0.01)
        self.v = nn.Parameter(torch.randn(pixels, hidden, generator=gen) * 0.01)
        self.b = nn.Parameter(torch.zeros(pixels))
        self.c = nn.Parameter(torch.zeros(hidden))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the N × 784 logits; a_i from a cumulative sum (all i at once)."""
        contrib = x[:, :, None] * self.w[None]  # N × D × H: x_j W_j
        a = self.c + torch.cumsum(contrib, dim=1) - contrib  # Σ_{j<i}
        return (torch.sigmoid(a) * self.v).sum(-1) + self.b

    def logit_naive(self, x: torch.Tensor, i: int) -> torch.Tensor:
        """Return pixel ``i``'s logits recomputing a_i from scratch: O(i·H)."""
        a = self.c + x[:, :i] @ self.w[:i]
        return torch.sigmoid(a) @ self.v[i] + self.b[i]

    def logits_incremental(self, x: torch.Tensor) -> torch.Tensor:
        """Return all logits stepping a_{i+1} = a_i + W_i x_i: O(H) per pixel."""
        a = self.c.expand(x.shape[0], -1).clone()
        out = []
        for i in range(x.shape[1]):
            out.append(torch.sigmoid(a) @ self.v[i] + self.b[i])
            a = a + x[:, i : i + 1] * self.w[i]
        return torch.stack(out, dim=1)


class TinyPixelCnn(nn.Module):
    """A 5 × 5 mask-A layer, (L − 1) 3 × 3 mask-B layers with ReLU, a 1 × 1 read-out."""

    def __init__(self, channels: int, layers: int) -> None:
        super().__init__()
        mods: list[nn.Module] = [MaskedConv2d(1, channels, 5, "A"), nn.ReLU()]
        for _ in range(layers - 1):
            mods += [MaskedConv2d(channels, channels, 3, "B"), nn.ReLU()]
        mods.append(nn.Conv2d(channels, 1, 1))
        self.net = nn.Sequential(*mods)
        self.reach = 2 + (layers - 1)  # rows above that reach an output

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the N × 784 logits (``x`` is N × 784, raster order)."""
        img = x.view(-1, 1, IMAGE_SIDE, IMAGE_SIDE)
        out: torch.Tensor = self.net(img).view(x.shape[0], -1)
        return out

    def logits_row(self, img: torch.Tensor, row: int) -> torch.Tensor:
        """Return the logits of row ``row`` computed from the rows it can see only.

        The stack at row ``row`` depends on the input rows ``row − reach … row``, so
        a crop of those rows gives the same logits at a fraction of the cost.
        """
        lo = max(0, row - self.reach)
        out: torch.Tensor = self.net(img[:, :, lo : row + 1, :])
        return out[:, 0, -1, :]


Model = Fvsbn | Nade | TinyPixelCnn


def make_model(cfg: TrainConfig) -> Model:
    """Return a fresh model for ``cfg`` (weights from torch's current seed)."""
    if cfg.model == "fvsbn":
        return Fvsbn()
    if cfg.model == "nade":
        return Nade(cfg.hidden)
    return TinyPixelCnn(cfg.channels, cfg.pixel_layers)


def marginal_logits(data: torch.Tensor) -> torch.Tensor:
    """Return log(p_i / (1 − p_i)) of each pixel's frequency p_i = (n_i + 1)/(N + 2)."""
    p = (data.sum(0) + 1.0) / (data.shape[0] + 2.0)
    return torch.log(p) - torch.log1p(-p)


def start_at_marginals(model: Model, data: torch.Tensor) -> None:
    """Set a per-pixel bias to the marginal log-odds: training starts at the baseline.

    (FVSBN and NADE have one bias per pixel; the PixelCNN's bias is shared.)
    """
    with torch.no_grad():
        if isinstance(model, Fvsbn):
            model.bias.copy_(marginal_logits(data))
        elif isinstance(model, Nade):
            model.b.copy_(marginal_logits(data))


def bits_per_pixel(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """Return the mean negative log-likelihood in bits per pixel (−log₂ p / 784)."""
    nats = F.binary_cross_entropy_with_logits(logits, x, reduction="mean")
    return nats / math.log(2.0)


def independent_bits(train: torch.Tensor, data: torch.Tensor) -> float:
    """Return the bits per pixel on ``data`` of independent pixels fitted to ``train``.

    The baseline an autoregressive model must beat: no pixel sees another.
    """
    logits = marginal_logits(train)
    return float(bits_per_pixel(logits.expand_as(data), data))


@torch.no_grad()
def sample_pixels(
    model: Model, n: int, gen: torch.Generator, *, every: int = IMAGE_SIDE
) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield (pixels drawn, N × 784 images) every ``every`` pixels, in raster order.

    Each pixel is drawn from p(x_i | x_<i) given the pixels drawn before it —
    784 sequential steps: the price of an explicit likelihood.
    """
    x = torch.zeros(n, PIXELS)
    a = model.c.expand(n, -1).clone() if isinstance(model, Nade) else None
    img = x.view(n, 1, IMAGE_SIDE, IMAGE_SIDE)
    for i in range(PIXELS):
        if isinstance(model, Fvsbn):
            logit = model.logit_at(x, i)
        elif isinstance(model, Nade):
            assert a is not None
            logit = torch.sigmoid(a) @ model.v[i] + model.b[i]
        else:
            row, col = divmod(i, IMAGE_SIDE)
            logit = model.logits_row(img, row)[:, col]
        u = torch.rand(n, generator=gen)
        x[:, i] = (u < torch.sigmoid(logit)).float()
        if a is not None and isinstance(model, Nade):
            a = a + x[:, i : i + 1] * model.w[i]
        if (i + 1) % every == 0 or i + 1 == PIXELS:
            yield i + 1, x.clone()
