"""Recurrent weight matrices with a chosen spectrum (numpy, float64).

Three families show the three behaviours of the gradient through time
(Pascanu, Mikolov & Bengio 2013, §2): ``λQ`` with ``Q`` orthogonal (every
eigenvalue and singular value has modulus λ), a Gaussian matrix scaled to
spectral radius ρ, and a non-normal matrix whose eigenvalues all lie inside
the unit circle while its largest singular value exceeds 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from explorer.core.rnn.names import NONNORMAL_SHEAR

FloatArray = NDArray[np.float64]


def random_orthogonal(n: int, rng: np.random.Generator) -> FloatArray:
    """Return a Haar-random ``n × n`` orthogonal matrix (QR of a Gaussian)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q = q * np.sign(np.diag(r))[None, :]
    return np.asarray(q, dtype=np.float64)


def spectral_radius(w: FloatArray) -> float:
    """Return max |eigenvalue| of ``w``."""
    return float(np.max(np.abs(np.linalg.eigvals(w)))) if w.size else 0.0


def recurrent_matrix(
    kind: str, n: int, scale: float, rng: np.random.Generator
) -> FloatArray:
    """Return an ``n × n`` recurrent matrix of family ``kind`` at ``scale``.

    ``orthogonal``: ``scale · Q``.  ``gaussian``: ``G`` with entries N(0, 1/n),
    rescaled to spectral radius ``scale``.  ``nonnormal``: ``Q B Qᵀ`` with ``B``
    block-diagonal of ``[[ρ, s], [0, ρ]]`` (ρ = ``scale``, s =
    :data:`~explorer.core.rnn.names.NONNORMAL_SHEAR`; a 1×1 block ``[ρ]`` when
    ``n`` is odd): every eigenvalue is ρ, the largest singular value is about s.
    """
    if kind == "orthogonal":
        return scale * random_orthogonal(n, rng)
    if kind == "gaussian":
        g = rng.standard_normal((n, n)) / np.sqrt(n)
        rho = spectral_radius(g)
        out: FloatArray = g * (scale / rho) if rho > 0 else g
        return out
    if kind == "nonnormal":
        b = scale * np.eye(n)
        for i in range(0, n - 1, 2):
            b[i, i + 1] = NONNORMAL_SHEAR
        q = random_orthogonal(n, rng)
        return np.asarray(q @ b @ q.T, dtype=np.float64)
    raise ValueError(f"unknown matrix {kind!r}: use orthogonal, gaussian or nonnormal")
