"""The gradient through time of a random recurrent net: ‖∂h^T/∂h^k‖ for k = 0…T.

For the vanilla RNN ``h^t = f(W_hh h^(t−1) + W_xh x^t)`` the chain rule gives
(Pascanu et al. 2013, eq. 5)::

    ∂h^T/∂h^k = Π_{t=k+1..T} diag f′(a^t) W_hh,   ‖·‖ ≤ η^(T−k),  η = γ σ_max(W_hh)

with γ = max f′ = 1 for tanh and the identity.  For a linear RNN with
``W_hh = λQ`` the product is ``(λQ)^(T−k)``: its norm is exactly λ^(T−k), the
seed's ``h^t = (Wᵀ)^t h^1 = QᵀΛ^tQ h^1``.

For the LSTM the state is (h, c) and we report the memory path ‖∂c^T/∂c^k‖;
with the forget gate held at 1 and the input gate at 0 every step's Jacobian
of c is the identity, so ∂c^T/∂c^k = I.  For the naive memory cell
``c^t = W_c c^(t−1) + W_g g^t, h^t = f(c^t)`` we report ‖∂c^T/∂c^k‖.

Everything is numpy float64.  The backward product is renormalised at every
step (its log-scale kept apart), so λ = 5 and T = 1000 neither overflow nor
underflow; norms beyond float64 come back as inf / 0 with finite ``log10_norms``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import lapack  # type: ignore[import-untyped]

from explorer.core.rnn.config import JacobianConfig
from explorer.core.rnn.matrices import recurrent_matrix, spectral_radius

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]


@dataclass(frozen=True)
class RandomNet:
    """The weights and inputs of one random net (what the Jacobian is taken of).

    ``w`` is the recurrent matrix the plot is about: W_hh (rnn), W_c (naive), or
    the LSTM's candidate block of W_hh.  ``w_hh`` is the full recurrent weight
    (``4n × n`` for the LSTM, gate order i, f, g, o as in ``torch.nn.LSTM``).
    """

    cfg: JacobianConfig
    w: FloatArray
    w_hh: FloatArray
    w_x: FloatArray
    bias: FloatArray
    w_g: FloatArray  # naive: W_g (n × n); others: empty
    inputs: FloatArray  # (T, n)


@dataclass(frozen=True)
class JacobianResult:
    """Norms of the gradient through time and the spectrum of the recurrent matrix.

    ``norms[j]`` is ‖∂h^T/∂h^k‖₂ (‖∂c^T/∂c^k‖₂ for lstm and naive) at
    k = ``ks[j]``, ``bound[j]`` is η^(T−k) (NaN where no simple bound holds: the
    LSTM with computed gates).  ``ks`` is 0…T, except in a ``preview``.
    """

    norms: FloatArray
    log10_norms: FloatArray
    bound: FloatArray
    ks: NDArray[np.int64]  # each norm's k: 0…T, or every PREVIEW_STRIDE-th one
    eta: float
    eigenvalues: ComplexArray
    singular_values: FloatArray
    spectral_radius: float
    max_singular_value: float
    quantity: str  # "h" or "c"
    preview: bool = False  # only every PREVIEW_STRIDE-th k (the full one follows)


PREVIEW_FROM = 150  # T from which jacobian_levels yields a preview first
PREVIEW_STRIDE = 8


def make_net(cfg: JacobianConfig, seed: int) -> RandomNet:
    """Return the random net ``cfg`` describes, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    n, T = cfg.hidden, cfg.steps
    inputs = cfg.input_scale * rng.standard_normal((T, n))
    empty = np.zeros((0, 0))
    if cfg.cell == "rnn":
        w = recurrent_matrix(cfg.matrix, n, cfg.scale, rng)
        w_x = rng.standard_normal((n, n)) / np.sqrt(n)
        return RandomNet(cfg, w, w, w_x, np.zeros(n), empty, inputs)
    if cfg.cell == "naive":
        w = recurrent_matrix(cfg.matrix, n, cfg.scale, rng)
        w_gh = rng.standard_normal((n, n)) / np.sqrt(n)
        w_x = rng.standard_normal((n, n)) / np.sqrt(n)
        w_g = 0.5 * rng.standard_normal((n, n)) / np.sqrt(n)
        return RandomNet(cfg, w, w_gh, w_x, np.zeros(n), w_g, inputs)
    blocks = [recurrent_matrix(cfg.matrix, n, cfg.scale, rng) for _ in range(4)]
    w_hh = np.concatenate(blocks, axis=0)
    w_x = rng.standard_normal((4 * n, n)) / np.sqrt(n)
    bias = np.zeros(4 * n)
    bias[n : 2 * n] = 1.0  # the usual forget-gate bias of 1 (Jozefowicz et al. 2015)
    return RandomNet(cfg, blocks[2], w_hh, w_x, bias, empty, inputs)


def _act(a: FloatArray, linear: bool) -> tuple[FloatArray, FloatArray]:
    if linear:
        return a, np.ones_like(a)
    y = np.tanh(a)
    return y, 1.0 - y * y


def _sigmoid(a: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-a))
    return out


def step_jacobians(net: RandomNet) -> FloatArray:
    """Return the per-step Jacobians ``∂s^t/∂s^(t−1)``, t = 1…T, shape (T, m, m).

    The state s is h (rnn), c (naive) or the stacked (h, c) of the LSTM.
    """
    cfg = net.cfg
    n, T = cfg.hidden, cfg.steps
    linear = cfg.activation == "linear"
    if cfg.cell == "rnn":
        if linear:  # f′ = 1 whatever h is (and h may overflow where λ^T does)
            return np.broadcast_to(net.w, (T, n, n))
        drive = net.inputs @ net.w_x.T  # W_xh x^t for every t at once
        h = np.zeros(n)
        slopes = np.empty((T, n))
        for t in range(T):
            h = np.tanh(net.w @ h + drive[t])
            slopes[t] = 1.0 - h * h
        out: FloatArray = slopes[:, :, None] * net.w[None]
        return out
    if cfg.cell == "naive":
        c, h = np.zeros(n), np.zeros(n)
        fprime = np.ones(n)  # f′(c^0) at c^0 = 0, for tanh and the identity
        out = np.empty((T, n, n))
        for t in range(T):
            g, gprime = _act(net.w_hh @ h + net.w_x @ net.inputs[t], False)
            out[t] = net.w + net.w_g @ (gprime[:, None] * net.w_hh * fprime[None, :])
            c = net.w @ c + net.w_g @ g
            if not np.all(np.isfinite(c)):
                raise ValueError(
                    f"the memory c overflowed at step {t + 1}: lower the scale or T"
                )
            h, fprime = _act(c, linear)
        return out
    return _lstm_step_jacobians(net)


def _lstm_step_jacobians(net: RandomNet) -> FloatArray:
    cfg = net.cfg
    n, T = cfg.hidden, cfg.steps
    h, c = np.zeros(n), np.zeros(n)
    out = np.zeros((T, 2 * n, 2 * n))
    w_i, w_f, w_g, w_o = (net.w_hh[k * n : (k + 1) * n] for k in range(4))
    for t in range(T):
        z = net.w_x @ net.inputs[t] + net.bias + net.w_hh @ h
        i = _sigmoid(z[:n])
        f = _sigmoid(z[n : 2 * n])
        g = np.tanh(z[2 * n : 3 * n])
        o = _sigmoid(z[3 * n :])
        di, df = i * (1 - i), f * (1 - f)
        if cfg.input_gate is not None:  # held: constant, no derivative
            i, di = np.full(n, cfg.input_gate), np.zeros(n)
        if cfg.forget is not None:
            f, df = np.full(n, cfg.forget), np.zeros(n)
        c_new = f * c + i * g
        tc = np.tanh(c_new)
        dc_dh = (
            (c * df)[:, None] * w_f
            + (g * di)[:, None] * w_i
            + (i * (1 - g * g))[:, None] * w_g
        )
        dc_dc = np.diag(f)
        do = o * (1 - o)
        dh_dh = (tc * do)[:, None] * w_o + (o * (1 - tc * tc))[:, None] * dc_dh
        dh_dc = (o * (1 - tc * tc))[:, None] * dc_dc
        out[t, :n, :n], out[t, :n, n:] = dh_dh, dh_dc
        out[t, n:, :n], out[t, n:, n:] = dc_dh, dc_dc
        h, c = o * tc, c_new
    return out


def backward_products(jacs: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Return the products Π_{t=k+1..T} J_t, k = 0…T, each with a log10 scale apart.

    ``kept[k] · 10^scales[k]`` is the product: it is divided by its Frobenius
    norm at every step, the log-scale kept apart (no overflow for λ^T far beyond
    float64; a product that reached 0 or ∞ gets the scale −∞ / ∞).
    """
    T, m, _ = jacs.shape
    prod = np.eye(m)
    log_scale = 0.0
    kept = np.empty((T + 1, m, m))
    scales = np.empty(T + 1)
    kept[T], scales[T] = prod, 0.0
    for k in range(T - 1, -1, -1):
        # ∂s^T/∂s^k = (∂s^T/∂s^(k+1)) (∂s^(k+1)/∂s^k), written in place
        np.matmul(prod, jacs[k], out=kept[k])
        prod = kept[k]
        flat = prod.reshape(-1)
        fro = math.sqrt(float(flat @ flat))
        if fro == 0.0 or not math.isfinite(fro):
            kept[: k + 1], scales[: k + 1] = 0.0, -np.inf if fro == 0.0 else np.inf
            break
        prod *= 1.0 / fro
        log_scale += math.log10(fro)
        scales[k] = log_scale
    return kept, scales


def log10_top_norms(
    kept: FloatArray,
    scales: FloatArray,
    ks: NDArray[np.int64],
    block: slice | None = None,
) -> FloatArray:
    """Return log10 ‖product_k‖₂ for the k in ``ks`` (see :func:`backward_products`)."""
    sub = kept[ks] if block is None else kept[ks][:, block, block]
    with np.errstate(divide="ignore"):
        spec = np.log10(top_singular_values(sub))
    out: FloatArray = spec + scales[ks]
    return out


def top_singular_values(mats: FloatArray) -> FloatArray:
    """Return σ_max of each matrix in the stack ``mats`` (B, m, m), to full precision.

    σ_max² is the largest eigenvalue of the Gram matrix A Aᵀ: LAPACK's
    tridiagonal reduction (``dsytrd``) and bisection for that one eigenvalue
    (``dstebz``) cost half of a full SVD (T = 200, hidden 64: 15 ms instead of
    29 ms on the 2-core reference machine).  Each matrix is scaled to unit
    Frobenius norm first, so the Gram neither underflows nor overflows; the
    eigenvalue's error is then ε‖AAᵀ‖ = ε σ_max², i.e. relative.
    """
    count, m, _ = mats.shape
    fro = np.linalg.norm(mats, axis=(1, 2))
    out = np.zeros(count)
    live = np.flatnonzero(fro > 0)
    if m == 0 or len(live) == 0:
        return out
    unit = mats[live] / fro[live, None, None]
    gram = unit @ np.swapaxes(unit, 1, 2)
    top = np.empty(len(live))
    for j in range(len(gram)):
        # (gᵀ is g, and Fortran-ordered: no copy on the way into LAPACK)
        _, d, e, _, info = lapack.dsytrd(gram[j].T, overwrite_a=True)
        if info != 0:  # pragma: no cover - LAPACK failure
            raise np.linalg.LinAlgError(f"dsytrd failed ({info})")
        _, w, _, _, info = lapack.dstebz(d, e, 2, 0.0, 0.0, m, m, 0.0, "E")
        if info == 0:
            top[j] = w[0]
        else:  # all eigenvalues (nearly) equal, e.g. a product of orthogonal maps:
            # bisection's interval collapsed (LAPACK's info 2/3); ask the full solver
            top[j] = np.linalg.eigvalsh(unit[j] @ unit[j].T)[-1]
    out[live] = fro[live] * np.sqrt(np.maximum(top, 0.0))
    return out


def jacobian_norms(cfg: JacobianConfig, seed: int = 0) -> JacobianResult:
    """Return ‖∂h^T/∂h^k‖ (k = 0…T), the bound η^(T−k) and W's spectrum."""
    *_, full = jacobian_levels(cfg, seed)
    return full


def jacobian_levels(cfg: JacobianConfig, seed: int = 0) -> Iterator[JacobianResult]:
    """Yield a preview for T ≥ :data:`PREVIEW_FROM`, then the full result.

    The preview has the norms at every :data:`PREVIEW_STRIDE`-th k (and k = T):
    at T = 200, hidden 64 it comes in a third of the full result's time, which
    reuses its products and norms.  A panel draws the preview while a slider is
    dragged and the full curve when it rests
    (:func:`~explorer.core.rnn.jobs.jacobian_requests`).
    """
    net = make_net(cfg, seed)
    n, T = cfg.hidden, cfg.steps
    jacs = step_jacobians(net)
    block = slice(n, 2 * n) if cfg.cell == "lstm" else None
    kept, scales = backward_products(jacs)
    sv = np.asarray(np.linalg.svd(net.w, compute_uv=False), dtype=np.float64)
    eig = np.linalg.eigvals(net.w).astype(np.complex128)
    if cfg.cell == "rnn":
        eta = float(sv[0])  # γ = 1 for tanh and the identity
    elif cfg.cell == "naive":
        gamma = np.linalg.norm(net.w_g, 2) * np.linalg.norm(net.w_hh, 2)
        eta = float(sv[0] + gamma)
    elif cfg.input_gate == 0.0 and cfg.forget is not None:
        eta = float(cfg.forget)  # the c path is exactly f·I each step
    else:
        eta = float("nan")

    def result(
        ks: NDArray[np.int64], log10: FloatArray, preview: bool
    ) -> JacobianResult:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            bound = np.power(eta, (T - ks).astype(np.float64))
            norms = np.power(10.0, log10)
        return JacobianResult(
            norms=norms,
            log10_norms=log10,
            bound=bound,
            ks=ks,
            eta=eta,
            eigenvalues=eig,
            singular_values=sv,
            spectral_radius=spectral_radius(net.w),
            max_singular_value=float(sv[0]),
            quantity="c" if cfg.cell in ("lstm", "naive") else "h",
            preview=preview,
        )

    every = np.arange(T + 1, dtype=np.int64)
    if T < PREVIEW_FROM:
        yield result(every, log10_top_norms(kept, scales, every, block), False)
        return
    coarse = np.union1d(every[::PREVIEW_STRIDE], [T]).astype(np.int64)
    log10 = np.empty(T + 1)
    log10[coarse] = log10_top_norms(kept, scales, coarse, block)
    yield result(coarse, log10[coarse].copy(), True)
    rest = np.setdiff1d(every, coarse).astype(np.int64)
    log10[rest] = log10_top_norms(kept, scales, rest, block)
    yield result(every, log10, False)
