"""Forward kinematics, linear blend skinning, dual-quaternion skinning, normals, volume.

LBS (Magnenat-Thalmann et al. 1988; SMPL, Loper et al. 2015, eq. 2):
``t'_i = Σ_k w_ki G_k(θ, J) t_i`` with ``G_k = W_k P_k⁻¹`` the bone's posed frame
times its inverse rest frame.  The SMPL model adds shape and pose correctives
before skinning (SMPL eq. 4): ``t'_i = Σ_k w_ki G_k(θ, J(β)) (t_i + s_i(β) + p_i(θ))``
with ``p(θ) = P · vec(R_k(θ) − I)``.

DQS (Kavan et al. 2008, "Geometric skinning with approximate dual quaternion
blending"): blend the bones' unit dual quaternions with the weights, normalise,
and apply the resulting rigid motion — no candy-wrapper collapse under twist.

:class:`Skinner` caches everything that does not change while only the pose
changes (sparse weight matrix, gather indices, rest data as tensors, the rest
frames' inverses and parent-relative offsets).
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

import numpy as np
import torch

from explorer.core.body.model import F64, I64, BodyModel, RestShape, sort_sparse
from explorer.core.body.names import SKINNING_METHODS, SkinningMethod
from explorer.core.body.pose import Pose

__all__ = ["SKINNING_METHODS", "SkinningMethod"]


def rigid_inverse(frames: F64) -> F64:
    """Return the inverses of rigid transforms (..., 4, 4): [Rᵀ | −Rᵀ t]."""
    out = np.zeros_like(frames)
    rt = np.swapaxes(frames[..., :3, :3], -1, -2)
    out[..., :3, :3] = rt
    out[..., :3, 3] = -np.einsum("...ij,...j->...i", rt, frames[..., :3, 3])
    out[..., 3, 3] = 1.0
    return out


def forward_kinematics(
    rest_frames: F64,
    parents: I64,
    rotations: F64,
    translation: F64 | None = None,
    *,
    relative: F64 | None = None,
    inv_rest: F64 | None = None,
) -> tuple[F64, F64]:
    """Return (posed bone frames W, skinning transforms G), each (K, 4, 4).

    ``W_0 = [I | t] P_0 D_0`` and ``W_c = W_p (P_p⁻¹ P_c) D_c`` down the tree, where
    ``P`` are the rest frames and ``D_c`` the local rotations; ``G_k = W_k P_k⁻¹``
    maps a rest vertex to its position if it moved rigidly with bone k.

    Parameters
    ----------
    rest_frames
        (K, 4, 4) rest bone frames P.
    parents
        (K,) parent indices, root first (-1), parents before children.
    rotations
        (K, 3, 3) local rotations D about each bone's rest axes.
    translation
        (3,) shift of the whole body (world), or ``None``.
    relative
        Precomputed ``P_p⁻¹ P_c`` (K, 4, 4) (row 0 unused), to save work per frame.
    inv_rest
        Precomputed ``P⁻¹`` (K, 4, 4), likewise.
    """
    k = rest_frames.shape[0]
    if relative is None:
        relative = parent_relative(rest_frames, parents)
    local = np.zeros((k, 4, 4))
    local[:, :3, :3] = rotations
    local[:, 3, 3] = 1.0
    steps = relative @ local  # (P_p⁻¹ P_c) D_c for every bone at once
    world = np.empty((k, 4, 4))
    root = rest_frames[0] @ local[0]
    if translation is not None:
        root = root.copy()
        root[:3, 3] += translation
    world[0] = root
    for c in range(1, k):
        world[c] = world[parents[c]] @ steps[c]
    if inv_rest is None:
        inv_rest = rigid_inverse(rest_frames)
    return world, world @ inv_rest


def parent_relative(rest_frames: F64, parents: I64) -> F64:
    """Return ``P_p⁻¹ P_c`` (K, 4, 4) for every bone (the root's entry is ``P_0``)."""
    rel = rigid_inverse(rest_frames[np.maximum(parents, 0)]) @ rest_frames
    rel[0] = rest_frames[0]
    return rel


def rotmat_to_quat(r: F64) -> F64:
    """Return unit quaternions (..., 4), (w, x, y, z), of rotations (..., 3, 3)."""
    m = r.reshape(-1, 3, 3)
    m00, m01, m02 = m[:, 0, 0], m[:, 0, 1], m[:, 0, 2]
    m10, m11, m12 = m[:, 1, 0], m[:, 1, 1], m[:, 1, 2]
    m20, m21, m22 = m[:, 2, 0], m[:, 2, 1], m[:, 2, 2]
    # Shepperd's method: build from the largest of w², x², y², z² for stability.
    # Row b of ``cand`` is 4·q·q_b (all four components) for the candidate b.
    cand = np.stack(
        [
            [1.0 + m00 + m11 + m22, m21 - m12, m02 - m20, m10 - m01],
            [m21 - m12, 1.0 + m00 - m11 - m22, m01 + m10, m02 + m20],
            [m02 - m20, m01 + m10, 1.0 - m00 + m11 - m22, m12 + m21],
            [m10 - m01, m02 + m20, m12 + m21, 1.0 - m00 - m11 + m22],
        ]
    )  # (4, 4, N)
    diag = np.stack([cand[b, b] for b in range(4)])  # 4 q_b², (4, N)
    best = np.argmax(diag, axis=0)
    cols = np.arange(m.shape[0])
    q = cand[best, :, cols]  # (N, 4) = 4 q_best · q
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    q *= np.where(q[:, :1] < 0.0, -1.0, 1.0)  # the w ≥ 0 representative
    return q.reshape(*r.shape[:-2], 4)


def rigid_to_dual_quat(transforms: F64) -> F64:
    """Return unit dual quaternions (..., 8) = (q_r, q_d) of rigid maps (..., 4, 4).

    ``q_d = ½ (0, t) q_r`` (Kavan et al. 2008, eq. 1).
    """
    qr = rotmat_to_quat(transforms[..., :3, :3])
    t = transforms[..., :3, 3]
    w, v = qr[..., :1], qr[..., 1:]
    # (0, t)(w, v) = (−t·v, w t + t × v)
    dw = -np.sum(t * v, axis=-1, keepdims=True)
    dv = w * t + np.cross(t, v)
    return np.concatenate([qr, 0.5 * np.concatenate([dw, dv], axis=-1)], axis=-1)


@dataclass(frozen=True, eq=False)
class PosedMesh:
    """One posed body.

    Attributes
    ----------
    vertices, normals
        (V, 3) posed vertex positions and unit vertex normals (float32).
    joints
        (K, 3) posed joint (bone head) positions.
    bone_frames
        (K, 4, 4) posed bone frames W.
    transforms
        (K, 4, 4) skinning transforms G = W P⁻¹.
    volume
        Enclosed volume in m³ (see :func:`mesh_volume`).
    method
        "lbs" or "dqs".
    """

    vertices: np.ndarray
    normals: np.ndarray
    volume: float
    joints: F64
    bone_frames: F64
    transforms: F64
    method: SkinningMethod


def compiled_kernels() -> ModuleType | None:
    """Return :mod:`explorer.core.body.kernels`, or ``None`` without numba.

    Imported on first use: numba costs ~0.3 s to import, which a panel that only
    builds its widgets should not pay.
    """
    if importlib.util.find_spec("numba") is None:
        return None
    try:
        from explorer.core.body import kernels
    except ImportError:  # a numba that does not fit this numpy, say
        return None
    return kernels


class Skinner:
    """Poses one body model fast: caches weights and rest data once per model.

    On the CPU the per-vertex work runs in compiled loops
    (:mod:`explorer.core.body.kernels`, numba, GIL released); on other devices, or
    with ``backend="torch"``, in torch (sparse weight and incidence matrices).

    Parameters
    ----------
    model
        The body to pose.
    device
        A torch device string ("cpu", "cuda").
    dtype
        Precision of the per-vertex work (float32 is ample: 1 µm at 1 m).
    backend
        "auto" (compiled kernels on the CPU when numba is installed, else torch),
        "kernels" or "torch".
    """

    def __init__(
        self,
        model: BodyModel,
        *,
        device: str = "cpu",
        dtype: torch.dtype = torch.float32,
        backend: Literal["auto", "kernels", "torch"] = "auto",
    ) -> None:
        self.device = torch.device(device)
        self.dtype = dtype
        self.model = model
        if backend not in ("auto", "kernels", "torch"):
            raise ValueError(f"unknown backend {backend!r}: use auto, kernels or torch")
        on_cpu = self.device.type == "cpu"
        self._kernels = compiled_kernels() if backend != "torch" and on_cpu else None
        if backend == "auto":
            backend = "torch" if self._kernels is None else "kernels"
        elif backend == "kernels" and self._kernels is None:
            raise ValueError("the compiled kernels need numba and the CPU")
        self.backend: Literal["kernels", "torch"] = backend
        self.fallback_reason = ""
        self._np_dtype = np.float64 if dtype == torch.float64 else np.float32
        self._eye = np.eye(3)
        self._posedirs_np: np.ndarray | None = None
        self._posedirs: torch.Tensor | None = None
        if backend == "kernels":
            self._init_kernels(model)
        else:
            self._init_torch(model)
        self.set_rest(model.rest)

    def warm_up(self) -> None:
        """Pose the rest pose once per method: compiles (or loads) the kernels.

        If the compiled kernels cannot be built here (an unusual numba install, a
        frozen app without sources), posing falls back to the torch backend and
        :attr:`fallback_reason` says why.
        """
        try:
            for method in SKINNING_METHODS:
                self.pose(Pose.zeros(self.model.n_bones), method=method)
        except Exception as exc:
            if self.backend != "kernels":
                raise
            self.fallback_reason = f"compiled skinning unavailable ({exc!r})"
            self.backend = "torch"
            self._kernels = None
            self._init_torch(self.model)
            self.set_rest(self.model.rest)
            for method in SKINNING_METHODS:
                self.pose(Pose.zeros(self.model.n_bones), method=method)

    def _init_kernels(self, model: BodyModel) -> None:
        dt = self._np_dtype
        idx, w = sort_sparse(model.skin_indices, model.skin_weights)
        self._k_idx = np.ascontiguousarray(idx, dtype=np.int32)
        self._k_w = np.ascontiguousarray(w, dtype=dt)
        self._k_count = np.ascontiguousarray((w > 0).sum(axis=1), dtype=np.int32)
        self._k_faces = np.ascontiguousarray(model.faces, dtype=np.int32)
        self._k_parents = np.ascontiguousarray(model.bone_parents, dtype=np.int64)
        if model.posedirs is not None:
            self._posedirs_np = np.ascontiguousarray(model.posedirs, dtype=dt)

    def _init_torch(self, model: BodyModel) -> None:
        dtype = self.dtype
        v, k = model.n_vertices, model.n_bones
        w = torch.as_tensor(model.skin_weights, device=self.device, dtype=dtype)
        # The (V, K) weight matrix in CSR form with a fixed structure: LBS is one sparse
        # product; DQS reuses the structure with sign-flipped values.
        flat_w = model.skin_weights.reshape(-1)
        rows = np.repeat(np.arange(v), model.skin_indices.shape[1])
        cols = model.skin_indices.reshape(-1)
        keep = np.flatnonzero(flat_w > 0)
        keep = keep[np.lexsort((cols[keep], rows[keep]))]
        crow = np.zeros(v + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=v), out=crow[1:])
        self._nz = torch.as_tensor(keep, device=self.device)
        self._crow = torch.as_tensor(crow, device=self.device)
        self._col = torch.as_tensor(cols[keep], device=self.device)
        self._nz_w = w.reshape(-1)[self._nz]
        # For DQS sign choice: flat index (bone, dominant bone of the vertex) per entry.
        self._pair = torch.as_tensor(
            cols[keep] * k + model.skin_indices[rows[keep], 0], device=self.device
        )
        self._weights = self._csr(self._nz_w)
        faces = torch.as_tensor(model.faces, device=self.device)
        self._faces_flat = faces.reshape(-1)
        # Vertex-face incidence (V, F): vertex normals = incidence @ face normals.
        nf = faces.shape[0]
        inc = torch.sparse_coo_tensor(
            torch.stack(
                [
                    faces.reshape(-1),
                    torch.arange(nf, device=self.device).repeat_interleave(3),
                ]
            ),
            torch.ones(3 * nf, device=self.device, dtype=dtype),
            (v, nf),
            check_invariants=False,
        ).coalesce()
        with warnings.catch_warnings():  # "sparse CSR support is in beta"
            warnings.simplefilter("ignore", UserWarning)
            self._incidence = inc.to_sparse_csr()
        if model.posedirs is not None:
            self._posedirs = torch.as_tensor(
                model.posedirs, device=self.device, dtype=dtype
            )

    def set_model(self, model: BodyModel) -> None:
        """Use ``model``'s rest shape (same topology, e.g. after a shape change).

        Raises
        ------
        ValueError
            When ``model`` has a different number of vertices or bones.
        """
        if (model.n_vertices, model.n_bones) != (
            self.model.n_vertices,
            self.model.n_bones,
        ):
            raise ValueError("set_model needs a model with the same vertices and bones")
        self.model = model
        self.set_rest(model.rest)

    def set_rest(self, rest: RestShape) -> None:
        """Cache the rest vertices and frames that posing reuses."""
        self._rest_frames = rest.bone_frames
        self._relative = parent_relative(rest.bone_frames, self.model.bone_parents)
        self._inv_rest = rigid_inverse(rest.bone_frames)
        if self.backend == "kernels":
            self._rest_np = np.ascontiguousarray(rest.vertices, dtype=self._np_dtype)
        else:
            self._rest_v = torch.as_tensor(
                rest.vertices, device=self.device, dtype=self.dtype
            )

    @property
    def has_correctives(self) -> bool:
        """Whether the model has pose-corrective blend shapes."""
        return self.model.posedirs is not None

    def kinematics(self, pose: Pose) -> tuple[F64, F64]:
        """Return (W, G) (K, 4, 4) for ``pose``; see :func:`forward_kinematics`."""
        self._check(pose)
        if self.backend == "kernels":
            return self._kinematics_compiled(pose.rotations(), pose.translation)
        return forward_kinematics(
            self._rest_frames,
            self.model.bone_parents,
            pose.rotations(),
            pose.translation,
            relative=self._relative,
            inv_rest=self._inv_rest,
        )

    def _kinematics_compiled(
        self, rotations: F64, translation: F64 | None
    ) -> tuple[F64, F64]:
        kern = self._kernels
        assert kern is not None
        k = self.model.n_bones
        world = np.empty((k, 4, 4))
        g = np.empty((k, 4, 4))
        kern.forward_kinematics(
            self._relative,
            self._k_parents,
            np.ascontiguousarray(rotations, dtype=np.float64),
            np.zeros(3) if translation is None else np.asarray(translation, float),
            self._inv_rest,
            world,
            g,
        )
        return world, g

    def pose(
        self,
        pose: Pose,
        *,
        method: SkinningMethod = "lbs",
        correctives: bool = True,
        normals: bool = True,
    ) -> PosedMesh:
        """Return the mesh posed by ``pose`` with LBS or DQS (and its normals)."""
        threads = torch.get_num_threads()
        # Per-vertex work on ~10⁴ vertices: extra intra-op threads cost more in
        # hand-offs than they save (10× slower on a busy 2-core machine).
        torch.set_num_threads(1)
        try:
            return self._pose(pose, method, correctives, normals)
        finally:
            torch.set_num_threads(threads)

    def _check(self, pose: Pose) -> None:
        if pose.n_bones != self.model.n_bones:
            raise ValueError(
                f"the pose has {pose.n_bones} bones, the model {self.model.n_bones}"
            )

    def _pose(
        self, pose: Pose, method: SkinningMethod, correctives: bool, normals: bool
    ) -> PosedMesh:
        self._check(pose)
        if method not in SKINNING_METHODS:
            raise ValueError(f"unknown skinning method {method!r}: use lbs or dqs")
        if self.backend == "kernels":
            return self._pose_compiled(pose, method, correctives, normals)
        world, transforms = self.kinematics(pose)
        rest = self._rest_v
        if correctives and self._posedirs is not None:
            feat = (pose.rotations()[1:] - self._eye).reshape(-1)  # SMPL eq. 9
            offsets = self._posedirs @ torch.as_tensor(
                feat, device=self.device, dtype=self.dtype
            )
            rest = rest + offsets.reshape(-1, 3)
        if method == "lbs":
            verts = self._lbs(rest, transforms)
        else:
            verts = self._dqs(rest, transforms)
        centred = verts - verts.mean(dim=0)
        a, b, c = centred.index_select(0, self._faces_flat).view(-1, 3, 3).unbind(1)
        cross = torch.linalg.cross(b - a, c - a)  # (b−a)×(c−a): twice the area vector
        # ⅙ Σ a·(b×c) = ⅙ Σ a·((b−a)×(c−a)) (divergence theorem)
        volume = float((a * cross).sum().item()) / 6.0
        if normals:
            vn = self._incidence @ cross
            normal_np = (
                (vn / vn.norm(dim=1, keepdim=True).clamp_min(1e-12)).cpu().numpy()
            )
        else:
            normal_np = np.zeros((0, 3), dtype=np.float32)
        return PosedMesh(
            vertices=verts.cpu().numpy(),
            normals=normal_np,
            volume=volume,
            joints=world[:, :3, 3].copy(),
            bone_frames=world,
            transforms=transforms,
            method=method,
        )

    def _pose_compiled(
        self, pose: Pose, method: SkinningMethod, correctives: bool, normals: bool
    ) -> PosedMesh:
        kern = self._kernels
        assert kern is not None
        rotations = pose.rotations()
        world, transforms = self._kinematics_compiled(rotations, pose.translation)
        rest = self._rest_np
        dt = self._np_dtype
        if correctives and self._posedirs_np is not None:
            feat = (rotations[1:] - self._eye).reshape(-1).astype(dt)  # SMPL eq. 9
            rest = rest + (self._posedirs_np @ feat).reshape(-1, 3)
        verts = np.empty_like(rest)
        if method == "lbs":
            g = np.ascontiguousarray(transforms[:, :3, :].reshape(-1, 12), dtype=dt)
            kern.lbs(rest, self._k_idx, self._k_w, self._k_count, g, verts)
        else:
            # float64: at a 180° relative twist the hemisphere test is a near-tie
            dq = np.ascontiguousarray(rigid_to_dual_quat(transforms))
            kern.dqs(rest, self._k_idx, self._k_w, self._k_count, dq, verts)
        vn = np.empty_like(verts)
        volume = float(kern.normals_volume(verts, self._k_faces, vn, normals))
        return PosedMesh(
            vertices=verts,
            normals=vn if normals else np.zeros((0, 3), dtype=dt),
            volume=volume,
            joints=world[:, :3, 3].copy(),
            bone_frames=world,
            transforms=transforms,
            method=method,
        )

    def _csr(self, values: torch.Tensor) -> torch.Tensor:
        with warnings.catch_warnings():  # "sparse CSR support is in beta"
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                self._crow,
                self._col,
                values,
                (self.model.n_vertices, self.model.n_bones),
                check_invariants=False,
            )

    def _lbs(self, rest: torch.Tensor, transforms: F64) -> torch.Tensor:
        k = transforms.shape[0]
        g = torch.as_tensor(
            transforms[:, :3, :].reshape(k, 12), device=self.device, dtype=self.dtype
        )
        blend = (self._weights @ g).reshape(-1, 3, 4)  # Σ_k w_ki G_k, per vertex
        return torch.einsum("vij,vj->vi", blend[:, :, :3], rest) + blend[:, :, 3]

    def _dqs(self, rest: torch.Tensor, transforms: F64) -> torch.Tensor:
        dq = rigid_to_dual_quat(transforms)  # (K, 8)
        # Antipodality: flip each bone's quaternion into the hemisphere of the
        # vertex's dominant bone (Kavan et al. 2008, sec. 4) so q and −q blend alike.
        dots = torch.as_tensor(
            (dq[:, :4] @ dq[:, :4].T).reshape(-1), device=self.device
        )
        sign = torch.where(dots[self._pair] < 0, -1.0, 1.0).to(self.dtype)
        q = torch.as_tensor(dq, device=self.device, dtype=self.dtype)
        blend = self._csr(self._nz_w * sign) @ q  # (V, 8) blended dual quaternions
        norm = blend[:, :4].norm(dim=1, keepdim=True)
        return dq_apply(blend[:, :4] / norm, blend[:, 4:] / norm, rest)

    def weights_of(self, bone: int) -> np.ndarray:
        """Return each vertex's skinning weight on ``bone``, shape (V,)."""
        m = self.model
        out: np.ndarray = np.where(m.skin_indices == bone, m.skin_weights, 0.0).sum(1)
        return out.astype(self._np_dtype)


def dq_apply(qr: torch.Tensor, qd: torch.Tensor, points: torch.Tensor) -> torch.Tensor:
    """Return points moved by unit dual quaternions (q_r, q_d), each (N, 4) wxyz."""
    w, v = qr[:, :1], qr[:, 1:]
    dw, dv = qd[:, :1], qd[:, 1:]
    # rotation: p + 2 v × (v × p + w p); translation: 2 (w d − d_w v + v × d)
    rotated = points + 2.0 * torch.linalg.cross(
        v, torch.linalg.cross(v, points) + w * points
    )
    shift = 2.0 * (w * dv - dw * v + torch.linalg.cross(v, dv))
    out: torch.Tensor = rotated + shift
    return out


def mesh_volume(vertices: np.ndarray, faces: I64) -> float:
    """Return the signed volume of a closed triangle mesh (divergence theorem).

    ``V = ⅙ Σ_f v0 · (v1 × v2)``; positive for outward-facing triangles.  Measured
    from the vertex centroid so that, for a mesh with small holes (eyes, mouth), a
    rigid motion still leaves the value unchanged.
    """
    v = np.asarray(vertices, dtype=np.float64)
    v = v - v.mean(axis=0)
    a, b, c = v[faces[:, 0]], v[faces[:, 1]], v[faces[:, 2]]
    return float(np.einsum("ij,ij->", a, np.cross(b, c)) / 6.0)
