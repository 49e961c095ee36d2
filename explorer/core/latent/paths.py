"""Paths between two codes: lerp, slerp (Shoemake 1985; White 2016)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.latent.config import FloatArray
from explorer.core.latent.names import Method


def lerp(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    t: NDArray[np.floating[Any]],
) -> FloatArray:
    """Return (1 − t)·a + t·b for each t (rows), a straight line between two codes."""
    tt = np.asarray(t, dtype=np.float64)[:, None]
    out = (1.0 - tt) * np.asarray(a, np.float64) + tt * np.asarray(b, np.float64)
    return out.astype(np.float32)


def slerp(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    t: NDArray[np.floating[Any]],
) -> FloatArray:
    """Return codes along the great circle from a to b, norms running linearly.

    The direction follows Shoemake's slerp of the unit vectors,
    sin((1−t)Ω)/sin Ω·â + sin(tΩ)/sin Ω·b̂ with Ω the angle between them
    (Shoemake 1985; for latent codes White 2016, "Sampling generative networks"),
    and the norm is (1−t)‖a‖ + t‖b‖.  For codes of equal norm this is exactly
    sin((1−t)Ω)/sin Ω·a + sin(tΩ)/sin Ω·b and the norm stays constant; for
    unequal norms it avoids that formula's overshoot between near-opposite codes.
    Parallel or opposite codes (no unique great circle) fall back to lerp.
    """
    va = np.asarray(a, np.float64)
    vb = np.asarray(b, np.float64)
    tt = np.asarray(t, dtype=np.float64)[:, None]
    na, nb = float(np.linalg.norm(va)), float(np.linalg.norm(vb))
    if na < 1e-12 or nb < 1e-12:
        return lerp(va, vb, t)
    ua, ub = va / na, vb / nb
    omega = math.acos(float(np.clip(ua @ ub, -1.0, 1.0)))
    so = math.sin(omega)
    if so < 1e-6:
        return lerp(va, vb, t)
    direction = np.sin((1.0 - tt) * omega) / so * ua + np.sin(tt * omega) / so * ub
    out = direction * ((1.0 - tt) * na + tt * nb)
    return out.astype(np.float32)


def interpolate(
    a: NDArray[np.floating[Any]],
    b: NDArray[np.floating[Any]],
    steps: int,
    method: Method = "lerp",
) -> FloatArray:
    """Return ``steps`` codes from a to b (both included) by ``method`` (lerp | slerp).

    Raises
    ------
    ValueError
        For fewer than 2 steps, an unknown method or codes of different sizes.
    """
    if steps < 2 or steps > 1000:
        raise ValueError(f"an interpolation needs 2 to 1000 steps, got {steps}")
    if np.shape(a) != np.shape(b):
        raise ValueError(f"codes differ in size: {np.shape(a)} vs {np.shape(b)}")
    t = np.linspace(0.0, 1.0, steps)
    if method == "lerp":
        return lerp(a, b, t)
    if method == "slerp":
        return slerp(a, b, t)
    raise ValueError(f"unknown interpolation {method!r}: use lerp or slerp")
