"""One vertex through the skinning formula: its rest position, weights and posed place.

For the readout a student clicks: ``t′_i = Σ_k w_ki G_k t_i`` (LBS, SMPL eq. 2),
or for DQS the blended, normalised dual quaternion of the vertex's bones applied to
``t_i`` (Kavan et al. 2008, with each bone's quaternion flipped into the hemisphere
of the vertex's dominant bone).  Written for one vertex in plain numpy, apart from
the batched skinner, so the two can check each other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer.core.body.model import F64, BodyModel
from explorer.core.body.names import SkinningMethod
from explorer.core.body.skinning import rigid_to_dual_quat


@dataclass(frozen=True)
class VertexReadout:
    """Vertex ``index``: rest ``rest`` (3,), ``weights`` ((bone, name, w_ki), …)
    with w_ki > 0, largest first, and ``posed`` (3,) by ``method``."""

    index: int
    rest: F64
    weights: tuple[tuple[int, str, float], ...]
    posed: F64
    method: SkinningMethod


def _quat_mul(a: F64, b: F64) -> F64:
    """Return the quaternion product ``a b`` (w, x, y, z)."""
    aw, av, bw, bv = a[0], a[1:], b[0], b[1:]
    return np.concatenate([[aw * bw - av @ bv], aw * bv + bw * av + np.cross(av, bv)])


def _dq_point(blend: F64, point: F64) -> F64:
    """Return ``point`` moved by the unit dual quaternion ``blend`` (8,)."""
    qr, qd = blend[:4], blend[4:]
    conj = qr * np.array([1.0, -1.0, -1.0, -1.0])
    rotated = _quat_mul(_quat_mul(qr, np.concatenate([[0.0], point])), conj)[1:]
    shift = 2.0 * _quat_mul(qd, conj)[1:]  # t = 2 q_d q_r*
    out: F64 = rotated + shift
    return out


def vertex_readout(
    model: BodyModel,
    transforms: F64,
    index: int,
    method: SkinningMethod = "lbs",
    rest: F64 | None = None,
) -> VertexReadout:
    """Return vertex ``index`` through the skinning formula.

    ``transforms`` are the pose's skinning transforms G (K, 4, 4); ``rest`` the
    vertex's rest position if not the model's (pose correctives added).

    Raises
    ------
    ValueError
        When ``index`` is not a vertex of ``model``.
    """
    if not 0 <= index < model.n_vertices:
        raise ValueError(f"vertex {index} is not one of the {model.n_vertices}")
    t = np.asarray(model.rest.vertices[index] if rest is None else rest, dtype=float)
    bones = model.skin_indices[index]
    w = model.skin_weights[index].astype(np.float64)
    keep = w > 0
    bones, w = bones[keep], w[keep]
    order = np.argsort(-w, kind="stable")
    bones, w = bones[order], w[order]
    g = transforms[bones]  # (m, 4, 4)
    if method == "lbs":
        blend = np.einsum("k,kij->ij", w, g)  # Σ_k w_ki G_k
        posed: F64 = blend[:3, :3] @ t + blend[:3, 3]
    else:
        dq = rigid_to_dual_quat(g)  # (m, 8)
        dominant = rigid_to_dual_quat(transforms[model.skin_indices[index, 0]])
        sign = np.where(dq[:, :4] @ dominant[:4] < 0.0, -1.0, 1.0)
        mixed = (w * sign) @ dq
        posed = _dq_point(mixed / np.linalg.norm(mixed[:4]), t)
    names = tuple(
        (int(b), model.bone_names[int(b)], float(x))
        for b, x in zip(bones, w, strict=True)
    )
    return VertexReadout(int(index), t, names, posed, method)
