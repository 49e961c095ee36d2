"""Self-attention weights, the complexity table and the measured cost per layer.

α = softmax(QKᵀ/√D + M) with Q = XW_Q, K = XW_K, V = XW_V (Vaswani et al. 2017,
eq. 1); the causal mask M is 0 on and below the diagonal and −∞ above it, so a
position attends only to itself and the past.  The table is Vaswani et al.'s
Table 1; the cost of one layer of each kind is measured with torch on this
machine.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import NDArray

from explorer.core.ar.config import LIMITS
from explorer.core.ar.names import MAX_LENGTH
from explorer.core.progress import JobControl, Progress

FloatArray = NDArray[np.float64]

# (layer, complexity per layer, sequential operations, maximum path length)
COMPLEXITY: tuple[tuple[str, str, str, str], ...] = (
    ("attention", "O(T²·D)", "O(1)", "O(1)"),
    ("RNN", "O(T·D²)", "O(T)", "O(T)"),
    ("conv", "O(k·T·D²)", "O(1)", "O(log<sub>k</sub> T)"),
)
KINDS: tuple[str, ...] = ("attention", "rnn", "conv")
CONV_KERNEL = 3


def word_inputs(word: str, dim: int) -> FloatArray:
    """Return the T × D one-hot rows of ``word``'s letters (one column per letter).

    Raises
    ------
    ValueError
        For an empty word, one longer than 32 letters, or more distinct letters
        than ``dim``.
    """
    letters = word.strip().lower()
    if not letters:
        raise ValueError("type a word (at least one letter)")
    if len(letters) > LIMITS["view_length"][1]:
        raise ValueError(
            f"the word has {len(letters)} letters; at most {LIMITS['view_length'][1]}"
        )
    alphabet = sorted(set(letters))
    if len(alphabet) > dim:
        raise ValueError(
            f"{word!r} has {len(alphabet)} different letters but D = {dim}: "
            f"raise D to {len(alphabet)} or type a shorter word"
        )
    x = np.zeros((len(letters), dim))
    for t, ch in enumerate(letters):
        x[t, alphabet.index(ch)] = 1.0
    return x


def random_inputs(length: int, dim: int, seed: int) -> FloatArray:
    """Return T × D inputs drawn from N(0, 1) with ``seed``."""
    return np.random.default_rng(seed).standard_normal((length, dim))


@dataclass(frozen=True)
class Attention:
    """One self-attention layer's inputs, projections, scores and weights."""

    x: FloatArray
    q: FloatArray
    k: FloatArray
    v: FloatArray
    scores: FloatArray  # QKᵀ/√D + M (−∞ where masked)
    alpha: FloatArray
    out: FloatArray  # αV


def attention(x: FloatArray, *, causal: bool, seed: int = 0) -> Attention:
    """Return :class:`Attention` for inputs ``x`` (T × D) with seeded W_Q, W_K, W_V.

    The projections are D × D, drawn from N(0, 1/D) so that the scores stay O(1).
    """
    t, d = x.shape
    if t > MAX_LENGTH:
        raise ValueError(f"T must be at most {MAX_LENGTH:,}, got {t:,}")
    if t < 1 or d < 1:
        raise ValueError("attention needs T ≥ 1 and D ≥ 1")
    gen = torch.Generator().manual_seed(seed)
    w = torch.randn(3, d, d, generator=gen, dtype=torch.float64) / math.sqrt(d)
    xt = torch.as_tensor(x, dtype=torch.float64)
    q, k, v = xt @ w[0], xt @ w[1], xt @ w[2]
    scores = q @ k.T / math.sqrt(d)
    if causal:
        future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        scores = scores.masked_fill(future, float("-inf"))
    alpha = torch.softmax(scores, dim=-1)
    return Attention(
        x=np.asarray(x, dtype=np.float64),
        q=q.numpy(),
        k=k.numpy(),
        v=v.numpy(),
        scores=scores.numpy(),
        alpha=alpha.numpy(),
        out=(alpha @ v).numpy(),
    )


def check_lengths(lengths: Sequence[int]) -> tuple[int, ...]:
    """Return ``lengths`` sorted after checking each is 2 … 4,096 (at most 12)."""
    out = tuple(sorted({int(n) for n in lengths}))
    if not out:
        raise ValueError("give at least one sequence length, e.g. 16,64,256")
    if len(out) > 12:
        raise ValueError(f"at most 12 lengths, got {len(out)}")
    lo, hi = LIMITS["length"]
    for n in out:
        if not lo <= n <= hi:
            raise ValueError(f"each length T must be {lo} … {hi:,}, got {n:,}")
    return out


def _layer(
    kind: str, length: int, dim: int, gen: torch.Generator
) -> Callable[[], object]:
    x = torch.randn(1, length, dim, generator=gen)
    if kind == "attention":
        layer = torch.nn.MultiheadAttention(dim, 1, batch_first=True)
        return lambda: layer(x, x, x, need_weights=False)
    if kind == "rnn":
        cell = torch.nn.RNNCell(dim, dim)
        xs = x[0]

        def run_rnn() -> torch.Tensor:
            h = torch.zeros(1, dim)
            for t in range(length):  # O(T) sequential steps
                h = cell(xs[t : t + 1], h)
            return h

        return run_rnn
    conv = torch.nn.Conv1d(dim, dim, CONV_KERNEL, padding=CONV_KERNEL - 1)
    xc = x.transpose(1, 2)
    return lambda: conv(xc)


def time_layer(kind: str, length: int, dim: int, *, budget_s: float = 0.2) -> float:
    """Return the best seconds of ``budget_s``-bounded repeats of one layer's forward.

    ``kind`` is ``attention`` (one head, T × T scores), ``rnn`` (an Elman cell
    stepped T times) or ``conv`` (one 1-D convolution, kernel 3, D → D channels).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown layer {kind!r}: use {', '.join(KINDS)}")
    fn = _layer(kind, length, dim, torch.Generator().manual_seed(0))
    best = math.inf
    spent = 0.0
    with torch.no_grad():
        fn()  # warm-up (allocations, first-call dispatch)
        for _ in range(50):
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            best, spent = min(best, dt), spent + dt
            if spent >= budget_s:
                break
    return best


@dataclass(frozen=True, kw_only=True)
class CostProgress(Progress):
    """One measured length: seconds per layer of each kind so far."""

    lengths: tuple[int, ...]
    seconds: dict[str, tuple[float, ...]]


def measure_costs(
    lengths: Sequence[int],
    dim: int,
    *,
    budget_s: float = 0.2,
    control: JobControl | None = None,
) -> Iterator[CostProgress]:
    """Yield the measured seconds per layer as T grows (one yield per length)."""
    ts = check_lengths(lengths)
    lo, hi = LIMITS["cost_dim"]
    if not lo <= dim <= hi:
        raise ValueError(f"D must be {lo} … {hi}, got {dim}")
    seconds: dict[str, list[float]] = {k: [] for k in KINDS}
    done: list[int] = []
    for i, n in enumerate(ts):
        for kind in KINDS:
            if control is not None and control.stopping:
                return
            seconds[kind].append(time_layer(kind, n, dim, budget_s=budget_s))
        done.append(n)
        yield CostProgress(
            step=i + 1,
            total=len(ts),
            lengths=tuple(done),
            seconds={k: tuple(v) for k, v in seconds.items()},
            message=f"T = {n:,} measured",
        )
