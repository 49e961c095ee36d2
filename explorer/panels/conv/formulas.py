"""The convolution panel's formula card: the course's layer, its size, live numbers."""

from __future__ import annotations

from explorer.core.conv.analysis import Analysis
from explorer.panels.conv.views import fmt

FORMULA = (
    "I′(i,j) = Σ<sub>m,n</sub> K(m,n) · I(i+m, j+n) &nbsp;(correlation)<br>"
    "I′(i,j) = Σ<sub>m,n</sub> K(m,n) · I(i−m, j−n) &nbsp;(convolution)<br>"
    "H′ = (H + 2p − d(k − 1) − 1) / s + 1<br>"
    "δ<sup>(l−1)</sup> = δ<sup>(l)</sup> * ROT180(w)"
)
SOURCE = (
    "The course's convolution chapter (seed slides); Dumoulin & Visin 2016, "
    "“A guide to convolution arithmetic”. The code floors the size formula, as "
    "torch does, and pads with zeros."
)


def size_text(n: int, k: int, s: int, p: int, d: int) -> str:
    """Return the seed's size formula evaluated: "(28 + 2·0 − 1·2 − 1)/1 + 1 = 26"."""
    out = (n + 2 * p - d * (k - 1) - 1) // s + 1
    return f"⌊({n} + 2·{p} − {d}·{k - 1} − 1)/{s}⌋ + 1 = {out}"


def values(a: Analysis) -> dict[str, str]:
    """Return the card's live numbers for analysis ``a``."""
    cfg = a.cfg
    (h, w), (kh, kw) = a.image.shape, a.kernel.shape
    s, p, d = cfg.stride, cfg.padding, cfg.dilation
    r, c = a.cell
    return {
        "H′": size_text(h, kh, s, p, d),
        "W′": size_text(w, kw, s, p, d),
        "mode": "correlation" if cfg.mode == "corr" else "convolution (K flipped)",
        "K = ROT180(K)": "yes: corr = conv" if a.symmetric else "no: corr ≠ conv",
        f"I′({r},{c})": fmt(float(a.output[r, c])),
    }
