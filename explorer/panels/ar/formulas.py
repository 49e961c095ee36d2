"""The formula cards of the Autoregressive panel: the course's formulas, cited."""

from __future__ import annotations

import math

from explorer.core.ar.attention import COMPLEXITY, KINDS, CostProgress
from explorer.core.ar.jobs import TrainProgress
from explorer.core.ar.models import PIXELS

NONE = "—"  # a readout with nothing to show yet (after a reset: never a stale number)

# (title, formula, source) per tab
FORMULAS: dict[str, tuple[str, str, str]] = {
    "chain": (
        "The chain rule",
        "p(x) = Π<sub>i</sub> p(x<sub>i</sub> | x<sub>&lt;i</sub>)<br>"
        "FVSBN: x̂<sub>i</sub> = σ(Σ<sub>j&lt;i</sub> w<sub>j</sub><sup>i</sup> "
        "x<sub>j</sub> + w<sub>0</sub><sup>i</sup>)<br>"
        "NADE: h<sub>i</sub> = σ(c + W<sub>:,&lt;i</sub> x<sub>&lt;i</sub>), "
        "x̂<sub>i</sub> = σ(b<sub>i</sub> + V<sub>i</sub>·h<sub>i</sub>);"
        " a<sub>i+1</sub> = a<sub>i</sub> + W<sub>:,i</sub> x<sub>i</sub>",
        "Frey 1998 (FVSBN); Larochelle &amp; Murray 2011, eqs. 2–3 (NADE); "
        "van den Oord et al. 2016 (PixelCNN).  NLL = −log₂ p(x) / 784 bits per "
        "pixel; biases start at the pixels' log-odds (the independent model).",
    ),
    "masks": (
        "Masks, blind spot",
        "mask A: rows above + left of the centre (centre excluded, layer 1)<br>"
        "mask B: the same + the centre (layers 2 … L)<br>"
        "k = 3: field = 2L(L+1) − L(L−1)/2, blind spot = L(L−1)/2",
        "van den Oord et al. 2016, Pixel RNN §3.4 (masks) and Gated PixelCNN "
        "Fig. 1–2 (vertical + horizontal stacks).  Fields from the input gradient "
        "of the real stacks (torch autograd).",
    ),
    "wavenet": (
        "Dilated causal conv",
        "receptive field r = 1 + Σ<sub>l</sub> (k − 1)·d<sub>l</sub>",
        "van den Oord et al. 2016, WaveNet §2.1, Fig. 3; WaveNet repeats "
        "d = 1, 2, …, 512 blocks.",
    ),
    "attention": (
        "Self-attention",
        "Q = XW<sub>Q</sub>, K = XW<sub>K</sub>, V = XW<sub>V</sub><br>"
        "α = softmax(QKᵀ/√D + M),  out = αV<br>"
        "M<sub>ij</sub> = 0 for j ≤ i, −∞ for j &gt; i (causal)",
        "Vaswani et al. 2017, eq. 1 (one head; W ~ N(0, 1/D) from the seed).",
    ),
    "cost": (
        "Cost per layer",
        "attention O(T²·D) · RNN O(T·D²) · conv O(k·T·D²)",
        "Vaswani et al. 2017, Table 1; measured here: one layer's forward pass "
        "(torch, best of repeats), attention = one head, RNN = an Elman cell "
        "stepped T times, convolution k = 3.",
    ),
}


def complexity_html() -> str:
    """Return the seed's complexity table (Vaswani et al. 2017, Table 1) as HTML."""
    head = (
        "<tr><th align='left'>layer</th><th>per layer</th><th>sequential</th>"
        "<th>path</th></tr>"
    )
    rows = "".join(
        f"<tr><td>{name}</td><td align='center'>{c}</td>"
        f"<td align='center'>{s}</td><td align='center'>{p}</td></tr>"
        for name, c, s, p in COMPLEXITY
    )
    return f"<table cellspacing='4'>{head}{rows}</table>"


def seconds_text(value: float) -> str:
    """Return ``value`` seconds in the handiest unit (µs, ms or s)."""
    if value < 1e-3:
        return f"{value * 1e6:.3g} µs"
    if value < 1.0:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def _finite(value: float) -> object:
    return value if math.isfinite(value) else NONE


def chain_values(
    model: str, last: TrainProgress | None, drawn: int
) -> dict[str, object]:
    """Return the chain-rule card's readouts from the latest training report."""
    history = last.history if last is not None else ()
    return {
        "model": {"fvsbn": "FVSBN", "nade": "NADE", "pixelcnn": "PixelCNN"}[model],
        "epoch": history[-1][0] if history else NONE,
        "bits/pixel (last 10 batches)": _finite(last.recent) if last else NONE,
        "epoch mean": history[-1][1] if history else NONE,
        "independent pixels": _finite(last.baseline) if last else NONE,
        "pixels drawn": f"{drawn} of {PIXELS}" if drawn else NONE,
    }


def cost_values(p: CostProgress, dim: int) -> tuple[dict[str, object], str]:
    """Return the cost card's readouts and the note under the curves."""
    n = p.lengths[-1]
    a, r, c = (p.seconds[k][-1] for k in KINDS)
    slower = [
        t
        for t, ta, tr in zip(
            p.lengths, p.seconds["attention"], p.seconds["rnn"], strict=True
        )
        if ta > tr
    ]
    values: dict[str, object] = {
        "T": f"{n:,} (D = {dim})",
        "self-attention": seconds_text(a),
        "recurrent": seconds_text(r),
        "convolution": seconds_text(c),
        "attention / RNN": f"{a / r:.3g}",
        "attention slower from": f"T = {slower[0]:,}" if slower else NONE,
        "operation counts cross": f"T = D = {dim}",
    }
    note = (
        f"At T = {n:,}: attention {seconds_text(a)}, RNN {seconds_text(r)}. "
        "Attention's T² grows faster, but its steps run in parallel; the RNN "
        "pays T sequential steps."
    )
    return values, note
