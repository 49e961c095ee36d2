"""Densities, the optimal discriminator and the mode metrics of a GAN on 2-D data.

Mode metrics follow VEEGAN (Srivastava et al. 2017, 2-D experiments) with
PacGAN's threshold (Lin et al. 2018): a sample is *high quality* when it lies
within 3σ of its nearest mode, and a mode is *captured* when at least 20 of
2,500 samples (the same share of other counts) are high quality and nearest to
it — one stray sample of noise no longer captures a mode.  :func:`jsd` and
:func:`virtual_criterion` give Goodfellow et al.'s C(G) = −log 4 + 2·JSD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from explorer.core.gan.data import FloatArray, Mixture
from explorer.core.gan.names import HQ_SIGMAS, capture_threshold


def mixture_density(m: Mixture, xy: FloatArray) -> FloatArray:
    """Return the data density p_data at the (N, 2) points ``xy``."""
    d2 = ((xy[:, None, :] - m.means[None, :, :]) ** 2).sum(-1)
    norm = 1.0 / (2 * np.pi * m.std**2 * m.n_modes)
    out: FloatArray = norm * np.exp(-d2 / (2 * m.std**2)).sum(1)
    return out


def optimal_discriminator(p_data: FloatArray, p_model: FloatArray) -> FloatArray:
    """Return D*(x) = p_data / (p_data + p_model) (Goodfellow et al. 2014, Prop. 1).

    Where both densities vanish D* is undefined; 0.5 is returned there.
    """
    total = p_data + p_model
    safe = np.where(total > 0, total, 1.0)
    out: FloatArray = np.where(total > 0, p_data / safe, 0.5)
    return out


@dataclass(frozen=True)
class ModeMetrics:
    """VEEGAN's mode metrics of a set of samples (PacGAN's capture threshold)."""

    modes_total: int
    modes_captured: int
    high_quality_fraction: float
    captured: NDArray[np.bool_]  # (M,) which modes are captured
    threshold: int = 1  # high-quality samples a mode needed to count as captured


def mode_metrics(
    samples: FloatArray, m: Mixture, sigmas: float = HQ_SIGMAS
) -> ModeMetrics:
    """Return modes captured and high-quality fraction of ``samples``.

    A sample is high quality if its distance to the nearest mode is at most
    ``sigmas`` · σ (VEEGAN); a mode is captured if at least
    :func:`~explorer.core.gan.names.capture_threshold` (N) high-quality samples
    have it as their nearest mode — 20 of 2,500 as in PacGAN.
    """
    pts = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    need = capture_threshold(max(1, pts.shape[0]))
    if pts.shape[0] == 0:
        return ModeMetrics(m.n_modes, 0, 0.0, np.zeros(m.n_modes, dtype=bool), need)
    d2 = ((pts[:, None, :] - m.means[None, :, :]) ** 2).sum(-1)
    nearest = d2.argmin(1)
    hq = np.sqrt(d2[np.arange(len(pts)), nearest]) <= sigmas * m.std
    counts = np.bincount(nearest[hq], minlength=m.n_modes)
    captured = counts >= need
    return ModeMetrics(m.n_modes, int(captured.sum()), float(hq.mean()), captured, need)


def _normal_cdf(x: FloatArray) -> FloatArray:
    from math import erf

    out: FloatArray = 0.5 * (1.0 + np.vectorize(erf)(x / math.sqrt(2.0)))
    return out


def grid_cell_probabilities(m: Mixture, bins: int) -> FloatArray:
    """Return the exact data mass in each of ``bins``² cells and outside the extent.

    The result has ``bins * bins + 1`` entries (row-major cells over y then x, and
    the mass outside the square last); it sums to 1.
    """
    x0, x1, y0, y1 = m.extent
    ex = np.linspace(x0, x1, bins + 1)
    ey = np.linspace(y0, y1, bins + 1)
    cx = np.diff(
        _normal_cdf((ex[None, :] - m.means[:, :1]) / m.std), axis=1
    )  # (M, bins)
    cy = np.diff(_normal_cdf((ey[None, :] - m.means[:, 1:]) / m.std), axis=1)
    cells = np.einsum("my,mx->yx", cy, cx) / m.n_modes
    inside = cells.ravel()
    return np.concatenate([inside, [max(0.0, 1.0 - float(inside.sum()))]])


def _histogram(samples: FloatArray, m: Mixture, bins: int) -> FloatArray:
    """Return the share of ``samples`` in each grid cell and outside (sums to 1)."""
    pts = np.asarray(samples, dtype=np.float64).reshape(-1, 2)
    x0, x1, y0, y1 = m.extent
    ix = np.floor((pts[:, 0] - x0) / (x1 - x0) * bins).astype(np.int64)
    iy = np.floor((pts[:, 1] - y0) / (y1 - y0) * bins).astype(np.int64)
    inside = (ix >= 0) & (ix < bins) & (iy >= 0) & (iy < bins)
    flat = np.where(inside, iy * bins + ix, bins * bins)
    q: FloatArray = np.bincount(flat, minlength=bins * bins + 1).astype(
        np.float64
    ) / max(1, len(pts))
    return q


def jsd(samples: FloatArray, m: Mixture, bins: int = 50) -> float:
    """Return JSD(p_data ‖ p_g) in nats, both binned on a ``bins × bins`` grid.

    p_g is the histogram of ``samples``, p_data the exact mixture mass of the same
    cells (plus one "outside" cell each).  Binning can only lower the JSD, and it
    lies in [0, log 2].
    """
    q = _histogram(samples, m, bins)
    p = grid_cell_probabilities(m, bins)
    mid = 0.5 * (p + q)

    def kl(a: FloatArray) -> float:
        nz = a > 0
        return float(np.sum(a[nz] * np.log(a[nz] / mid[nz])))

    return min(math.log(2.0), max(0.0, 0.5 * kl(p) + 0.5 * kl(q)))


def virtual_criterion(js: float) -> float:
    """Return C(G) = −log 4 + 2·JSD(p_data ‖ p_g) (Goodfellow et al. 2014, Thm. 1).

    The minimax value at the optimal D for this G; its minimum −log 4 ≈ −1.386
    is reached exactly when p_g = p_data.
    """
    return -math.log(4.0) + 2.0 * js


def reverse_kl(
    samples: FloatArray, m: Mixture, bins: int = 50, floor: float = 1e-12
) -> float:
    """Return KL(p_model ‖ p_data) in nats on a ``bins × bins`` grid over the extent.

    p_model is the histogram of ``samples`` (cells plus one "outside" bin); p_data
    is the exact mixture mass of the same cells, floored at ``floor`` so a sample
    far from every mode costs a large but finite amount.
    """
    q = _histogram(samples, m, bins)
    p = np.maximum(grid_cell_probabilities(m, bins), floor)
    nz = q > 0
    return float(np.sum(q[nz] * np.log(q[nz] / p[nz])))
