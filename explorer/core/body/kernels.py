"""Compiled CPU kernels for posing: kinematics, LBS, DQS, normals and volume.

The torch path in :mod:`explorer.core.body.skinning` spends most of its time in
gathers and temporaries (a posed body is only ~10⁴ vertices, so every tensor op
is dominated by its own overhead).  These loops touch each vertex and face once
and release the GIL, so a slider drag costs a fraction of a millisecond and the
GUI thread keeps running while a pose is computed.

Compiled with numba on first use (a few seconds once; cached on disk afterwards
where numba can write its cache).  Import this module only when numba is
installed (:func:`explorer.core.body.skinning.compiled_kernels` checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np

F = TypeVar("F", bound=Callable[..., Any])
# Fast-math without "no NaN / no inf": a NaN pose must stay visible as NaN.
_OPTIONS: dict[str, Any] = {
    "nogil": True,
    "error_model": "numpy",
    "fastmath": {"nsz", "arcp", "contract", "afn", "reassoc"},
}


def _jit(fn: F) -> F:
    """Compile ``fn`` lazily; cache it on disk where numba finds a cache folder."""
    try:
        return numba.njit(cache=True, **_OPTIONS)(fn)  # type: ignore[no-any-return]
    except RuntimeError:  # no cache locator (e.g. a frozen app without sources)
        return numba.njit(cache=False, **_OPTIONS)(fn)  # type: ignore[no-any-return]


@_jit
def lbs(
    rest: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    counts: np.ndarray,
    g: np.ndarray,
    out: np.ndarray,
) -> None:
    """Linear blend skinning: ``out_i = (Σ_j w_ij G_{k_ij}) [t_i; 1]``.

    ``rest`` (V, 3); ``indices``/``weights`` (V, m) with each row sorted by
    decreasing weight, the first ``counts[i]`` of row i non-zero; ``g`` (K, 12)
    = the top three rows of each G_k, row-major; ``out`` (V, 3).
    """
    m = np.empty(12, dtype=g.dtype)
    for i in range(rest.shape[0]):
        for c in range(12):
            m[c] = 0.0
        for j in range(counts[i]):
            w = weights[i, j]
            k = indices[i, j]
            for c in range(12):
                m[c] += w * g[k, c]
        x, y, z = rest[i, 0], rest[i, 1], rest[i, 2]
        out[i, 0] = m[0] * x + m[1] * y + m[2] * z + m[3]
        out[i, 1] = m[4] * x + m[5] * y + m[6] * z + m[7]
        out[i, 2] = m[8] * x + m[9] * y + m[10] * z + m[11]


@_jit
def dqs(
    rest: np.ndarray,
    indices: np.ndarray,
    weights: np.ndarray,
    counts: np.ndarray,
    dq: np.ndarray,
    out: np.ndarray,
) -> None:
    """Dual-quaternion skinning (Kavan et al. 2008).

    ``dq`` (K, 8) unit dual quaternions (w, x, y, z | w, x, y, z).  Each bone's
    quaternion is flipped into the hemisphere of the vertex's dominant bone
    (column 0) before blending, so q and −q blend alike.
    """
    for i in range(rest.shape[0]):
        k0 = indices[i, 0]
        q0w, q0x, q0y, q0z = dq[k0, 0], dq[k0, 1], dq[k0, 2], dq[k0, 3]
        bw = bx = by = bz = cw = cx = cy = cz = 0.0
        for j in range(counts[i]):
            w = weights[i, j]
            k = indices[i, j]
            if dq[k, 0] * q0w + dq[k, 1] * q0x + dq[k, 2] * q0y + dq[k, 3] * q0z < 0:
                w = -w
            bw += w * dq[k, 0]
            bx += w * dq[k, 1]
            by += w * dq[k, 2]
            bz += w * dq[k, 3]
            cw += w * dq[k, 4]
            cx += w * dq[k, 5]
            cy += w * dq[k, 6]
            cz += w * dq[k, 7]
        inv = 1.0 / np.sqrt(bw * bw + bx * bx + by * by + bz * bz)
        qw, qx, qy, qz = bw * inv, bx * inv, by * inv, bz * inv
        dw, dx, dy, dz = cw * inv, cx * inv, cy * inv, cz * inv
        px, py, pz = rest[i, 0], rest[i, 1], rest[i, 2]
        # rotation: p + 2 v × (v × p + w p)
        ux = qy * pz - qz * py + qw * px
        uy = qz * px - qx * pz + qw * py
        uz = qx * py - qy * px + qw * pz
        rx = px + 2.0 * (qy * uz - qz * uy)
        ry = py + 2.0 * (qz * ux - qx * uz)
        rz = pz + 2.0 * (qx * uy - qy * ux)
        # translation: 2 (w d − d_w v + v × d)
        out[i, 0] = rx + 2.0 * (qw * dx - dw * qx + qy * dz - qz * dy)
        out[i, 1] = ry + 2.0 * (qw * dy - dw * qy + qz * dx - qx * dz)
        out[i, 2] = rz + 2.0 * (qw * dz - dw * qz + qx * dy - qy * dx)


@_jit
def normals_volume(
    vertices: np.ndarray, faces: np.ndarray, normals: np.ndarray, unit: bool
) -> float:
    """Fill ``normals`` (V, 3) with area-weighted vertex normals; return the volume.

    Normals: the sum of the incident faces' ``(b − a) × (c − a)`` (twice their area
    vectors), normalised when ``unit``.  Volume: ``⅙ Σ_f a · ((b − a) × (c − a))``
    measured from the vertex centroid (see :func:`skinning.mesh_volume`).
    """
    nv = vertices.shape[0]
    cx = cy = cz = 0.0
    for i in range(nv):
        cx += vertices[i, 0]
        cy += vertices[i, 1]
        cz += vertices[i, 2]
    cx /= nv
    cy /= nv
    cz /= nv
    normals[:] = 0.0
    volume = 0.0
    for f in range(faces.shape[0]):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        ax, ay, az = vertices[a, 0], vertices[a, 1], vertices[a, 2]
        e1x, e1y, e1z = vertices[b, 0] - ax, vertices[b, 1] - ay, vertices[b, 2] - az
        e2x, e2y, e2z = vertices[c, 0] - ax, vertices[c, 1] - ay, vertices[c, 2] - az
        nx = e1y * e2z - e1z * e2y
        ny = e1z * e2x - e1x * e2z
        nz = e1x * e2y - e1y * e2x
        volume += (ax - cx) * nx + (ay - cy) * ny + (az - cz) * nz
        for v in (a, b, c):
            normals[v, 0] += nx
            normals[v, 1] += ny
            normals[v, 2] += nz
    if unit:
        for i in range(nv):
            n = np.sqrt(
                normals[i, 0] * normals[i, 0]
                + normals[i, 1] * normals[i, 1]
                + normals[i, 2] * normals[i, 2]
            )
            n = max(n, 1e-12)
            normals[i, 0] /= n
            normals[i, 1] /= n
            normals[i, 2] /= n
    return volume / 6.0


@_jit
def forward_kinematics(
    relative: np.ndarray,
    parents: np.ndarray,
    rotations: np.ndarray,
    translation: np.ndarray,
    inv_rest: np.ndarray,
    world: np.ndarray,
    g: np.ndarray,
) -> None:
    """Fill ``world`` (W) and ``g`` (G = W P⁻¹), each (K, 4, 4), down the tree.

    ``W_c = W_p (P_p⁻¹ P_c) D_c`` with ``relative[c] = P_p⁻¹ P_c`` and ``D_c =
    rotations[c]``; the root's parent is the identity shifted by ``translation``
    (and ``relative[0] = P_0``).  Parents come before their children.
    """
    s = np.empty((3, 3))
    for c in range(parents.shape[0]):
        a = relative[c]
        r = rotations[c]
        for i in range(3):  # s = (P_p⁻¹ P_c)[:3, :3] D_c
            for j in range(3):
                s[i, j] = a[i, 0] * r[0, j] + a[i, 1] * r[1, j] + a[i, 2] * r[2, j]
        w = world[c]
        if c == 0:
            for i in range(3):
                for j in range(3):
                    w[i, j] = s[i, j]
                w[i, 3] = a[i, 3] + translation[i]
        else:
            p = world[parents[c]]
            for i in range(3):
                for j in range(3):
                    w[i, j] = p[i, 0] * s[0, j] + p[i, 1] * s[1, j] + p[i, 2] * s[2, j]
                w[i, 3] = (
                    p[i, 0] * a[0, 3] + p[i, 1] * a[1, 3] + p[i, 2] * a[2, 3] + p[i, 3]
                )
        w[3, 0] = w[3, 1] = w[3, 2] = 0.0
        w[3, 3] = 1.0
        q = inv_rest[c]
        gc = g[c]
        for i in range(3):  # G_c = W_c P_c⁻¹ (both rigid: the last row stays 0 0 0 1)
            for j in range(4):
                gc[i, j] = w[i, 0] * q[0, j] + w[i, 1] * q[1, j] + w[i, 2] * q[2, j]
            gc[i, 3] += w[i, 3]
        gc[3, 0] = gc[3, 1] = gc[3, 2] = 0.0
        gc[3, 3] = 1.0
