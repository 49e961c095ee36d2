"""A monotone map h: x → z drawn through knots, for the 1-D change of variables.

With z ~ N(0, 1) and z = h(x), the density of x is (the course's seed; Bishop &
Bishop, *Deep Learning*, eq. 18.1 in 1-D)::

    p_x(x) = p_z(h(x)) · |h′(x)|

h is the monotone piecewise-cubic Hermite interpolant of the knots (PCHIP,
Fritsch & Carlson 1980, with the slopes scipy's ``PchipInterpolator`` uses), so
it is increasing whenever the knots are, and its derivative is continuous: the
drawn p_x has no jumps.  Beyond the outer knots h continues as a straight line
with the end slope.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]
LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
MIN_GAP = 1e-3  # knots closer than this (in x or z) are refused
MAX_KNOTS = 32
# the knots the panel opens with: steep near ±1.5, flat at 0 → a two-humped p_x
DEFAULT_KNOTS: tuple[tuple[float, float], ...] = (
    (-3.0, -3.0),
    (-2.0, -2.2),
    (-1.0, -0.5),
    (0.0, 0.0),
    (1.0, 0.5),
    (2.0, 2.2),
    (3.0, 3.0),
)


def _end_slope(h0: float, h1: float, d0: float, d1: float) -> float:
    """Return a PCHIP end slope (the one-sided three-point rule, shape preserving)."""
    d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
    if np.sign(d) != np.sign(d0):
        return 0.0
    if np.sign(d0) != np.sign(d1) and abs(d) > abs(3 * d0):
        return 3 * d0
    return float(d)


def pchip_slopes(xk: FloatArray, zk: FloatArray) -> FloatArray:
    """Return the PCHIP slopes at the knots (weighted harmonic means of secants)."""
    h = np.diff(xk)
    delta = np.diff(zk) / h
    n = len(xk)
    m = np.zeros(n)
    if n == 2:
        m[:] = delta[0]
        return m
    for i in range(1, n - 1):
        if delta[i - 1] * delta[i] <= 0:
            m[i] = 0.0
        else:
            w1 = 2 * h[i] + h[i - 1]
            w2 = h[i] + 2 * h[i - 1]
            m[i] = (w1 + w2) / (w1 / delta[i - 1] + w2 / delta[i])
    m[0] = _end_slope(h[0], h[1], delta[0], delta[1])
    m[-1] = _end_slope(h[-1], h[-2], delta[-1], delta[-2])
    return m


@dataclass(frozen=True)
class MonotoneMap:
    """h: x → z through increasing knots ``(xk, zk)`` (see the module docstring)."""

    xk: FloatArray
    zk: FloatArray
    mk: FloatArray

    @classmethod
    def from_knots(cls, knots: ArrayLike) -> MonotoneMap:
        """Return the map through ``knots`` (rows ``(x, z)``).

        Raises
        ------
        ValueError
            Unless there are 2…32 finite knots, strictly increasing in x and in z.
        """
        arr = np.asarray(knots, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2:
            raise ValueError(f"knots must be (x, z) pairs, got shape {arr.shape}")
        if not 2 <= len(arr) <= MAX_KNOTS:
            raise ValueError(f"use 2 to {MAX_KNOTS} knots, got {len(arr)}")
        if not np.all(np.isfinite(arr)):
            raise ValueError("the knots hold NaN or infinite values")
        order = np.argsort(arr[:, 0])
        arr = arr[order]
        if np.any(np.diff(arr[:, 0]) < MIN_GAP):
            raise ValueError("two knots share (almost) the same x")
        if np.any(np.diff(arr[:, 1]) < MIN_GAP):
            raise ValueError(
                "h must be increasing: every knot must lie above the one on its left "
                "(a flow must be invertible)"
            )
        xk, zk = arr[:, 0].copy(), arr[:, 1].copy()
        return cls(xk, zk, pchip_slopes(xk, zk))

    def _parts(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        xk, zk, mk = self.xk, self.zk, self.mk
        i = np.clip(np.searchsorted(xk, x, side="right") - 1, 0, len(xk) - 2)
        h = xk[i + 1] - xk[i]
        t = np.clip((x - xk[i]) / h, 0.0, 1.0)
        t2, t3 = t * t, t * t * t
        z = (
            (2 * t3 - 3 * t2 + 1) * zk[i]
            + (t3 - 2 * t2 + t) * h * mk[i]
            + (-2 * t3 + 3 * t2) * zk[i + 1]
            + (t3 - t2) * h * mk[i + 1]
        )
        dz = (
            (6 * t2 - 6 * t) * zk[i] / h
            + (3 * t2 - 4 * t + 1) * mk[i]
            + (-6 * t2 + 6 * t) * zk[i + 1] / h
            + (3 * t2 - 2 * t) * mk[i + 1]
        )
        left, right = x < xk[0], x > xk[-1]
        z = np.where(left, zk[0] + mk[0] * (x - xk[0]), z)
        z = np.where(right, zk[-1] + mk[-1] * (x - xk[-1]), z)
        dz = np.where(left, mk[0], np.where(right, mk[-1], dz))
        return z, dz

    def h(self, x: ArrayLike) -> FloatArray:
        """Return z = h(x)."""
        return self._parts(np.asarray(x, dtype=np.float64))[0]

    def dh(self, x: ArrayLike) -> FloatArray:
        """Return h′(x) (≥ 0)."""
        return self._parts(np.asarray(x, dtype=np.float64))[1]

    def log_px(self, x: ArrayLike) -> FloatArray:
        """Return log p_x(x) = log N(h(x); 0, 1) + log |h′(x)| (−inf where h′ = 0)."""
        z, dz = self._parts(np.asarray(x, dtype=np.float64))
        with np.errstate(divide="ignore"):
            return -0.5 * z * z - LOG_SQRT_2PI + np.log(np.abs(dz))

    def px(self, x: ArrayLike) -> FloatArray:
        """Return p_x(x) = p_z(h(x)) |h′(x)|."""
        return np.exp(self.log_px(x))

    def inverse(self, z: ArrayLike, iterations: int = 60) -> FloatArray:
        """Return x = h⁻¹(z) (bisection: h is increasing; exact to ~1e-15)."""
        zz = np.asarray(z, dtype=np.float64)
        span = float(self.xk[-1] - self.xk[0])
        lo = np.full(zz.shape, self.xk[0] - span)
        hi = np.full(zz.shape, self.xk[-1] + span)
        # beyond the knots h is linear: widen the bracket where needed
        m0, m1 = max(self.mk[0], 1e-12), max(self.mk[-1], 1e-12)
        lo = np.minimum(lo, self.xk[0] + (zz - self.zk[0]) / m0 - 1.0)
        hi = np.maximum(hi, self.xk[-1] + (zz - self.zk[-1]) / m1 + 1.0)
        for _ in range(iterations):
            mid = 0.5 * (lo + hi)
            below = self.h(mid) < zz
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        out: FloatArray = 0.5 * (lo + hi)
        return out


def normal_cdf(z: ArrayLike) -> FloatArray:
    """Return Φ(z), the standard normal CDF."""
    zz = np.asarray(z, dtype=np.float64)
    erf = np.vectorize(math.erf, otypes=[np.float64])
    out: FloatArray = 0.5 * (1.0 + erf(zz / math.sqrt(2.0)))
    return out


def mass_edges(n_bands: int) -> FloatArray:
    """Return the z edges of ``n_bands`` bands of equal mass 1/n under N(0, 1).

    The outer edges are ±inf; the inner ones are normal quantiles.
    """
    if n_bands < 2:
        raise ValueError(f"use at least 2 bands, got {n_bands}")
    dist = NormalDist()
    inner = [dist.inv_cdf(k / n_bands) for k in range(1, n_bands)]
    return np.array([-np.inf, *inner, np.inf])


def integral(xs: ArrayLike, ps: ArrayLike) -> float:
    """Return the trapezoid-rule integral of ``ps`` over the sorted ``xs``."""
    x = np.asarray(xs, dtype=np.float64)
    p = np.asarray(ps, dtype=np.float64)
    return float(np.sum(0.5 * (p[1:] + p[:-1]) * np.diff(x)))
