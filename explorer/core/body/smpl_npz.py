"""SMPL-family model files (``.npz``) a user already has, as a :class:`BodyModel`.

SMPL (Loper et al. 2015), SMPL-H and SMPL-X ship under licences that forbid
redistribution, so Explorer reads a file the user opens.  Arrays used:
``v_template`` (V, 3), ``shapedirs`` (V, 3, B), ``posedirs`` (V, 3, 9(K−1)),
``J_regressor`` (K, V), ``kintree_table`` (2, K), ``weights`` (V, K), ``f`` (F, 3).
The file is opened with ``allow_pickle=False``: it can never run code, and
object arrays some files carry besides these are simply not read.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np

from explorer.core.body.model import (
    F64,
    BodyModel,
    RestShape,
    check_shape_values,
    sparse_from_dense,
)
from explorer.core.data import DataFormatError
from explorer.core.reading import FileError, MiB, finite_array, read_npz

MAX_BETAS = 10
BETA_RANGE = (-3.0, 3.0)

SMPL_BODY_JOINTS: tuple[str, ...] = (
    "pelvis",
    "left_hip",
    "right_hip",
    "spine1",
    "left_knee",
    "right_knee",
    "spine2",
    "left_ankle",
    "right_ankle",
    "spine3",
    "left_foot",
    "right_foot",
    "neck",
    "left_collar",
    "right_collar",
    "head",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
)
SMPL_JOINTS = (*SMPL_BODY_JOINTS, "left_hand", "right_hand")
_FINGERS = tuple(
    f"{finger}{i}"
    for finger in ("index", "middle", "pinky", "ring", "thumb")
    for i in (1, 2, 3)
)
SMPLH_JOINTS = (
    *SMPL_BODY_JOINTS,
    *(f"left_{f}" for f in _FINGERS),
    *(f"right_{f}" for f in _FINGERS),
)
SMPLX_JOINTS = (
    *SMPL_BODY_JOINTS,
    "jaw",
    "left_eye",
    "right_eye",
    *(f"left_{f}" for f in _FINGERS),
    *(f"right_{f}" for f in _FINGERS),
)


def joint_names(k: int) -> tuple[str, ...]:
    """Return the joint names of a SMPL-family skeleton with ``k`` joints."""
    for names in (SMPL_JOINTS, SMPLH_JOINTS, SMPLX_JOINTS):
        if len(names) == k:
            return names
    return tuple(f"joint{i}" for i in range(k))


class SmplShape:
    """The β shape space: ``v = T + Σ_b β_b S_b``, ``J = 𝒥 v`` (SMPL eqs. 8, 10)."""

    kind = "betas"

    def __init__(self, v_template: F64, shapedirs: F64, j_regressor: F64) -> None:
        self.v_template = v_template
        self.shapedirs = shapedirs
        self.j_regressor = j_regressor
        n = shapedirs.shape[2]
        self.names = tuple(f"beta{i}" for i in range(n))
        self.defaults = (0.0,) * n
        self.ranges = (BETA_RANGE,) * n

    def rest(self, values: Mapping[str, float]) -> RestShape:
        """Return the rest shape for β ``values``: vertices, joints J(β) as frames."""
        checked = check_shape_values(self, values)
        betas = np.array([checked[n] for n in self.names])
        verts = self.v_template + self.shapedirs @ betas
        joints = self.j_regressor @ verts
        frames = np.tile(np.eye(4), (joints.shape[0], 1, 1))
        frames[:, :3, 3] = joints  # SMPL's rest frames are world-aligned
        return RestShape(verts, frames)


_KEYS = (
    "v_template",
    "shapedirs",
    "posedirs",
    "J_regressor",
    "kintree_table",
    "weights",
    "f",
)


MAX_MODEL_BYTES = 600 * MiB  # SMPL-X files with all expressions are ~300 MB
MAX_COORDINATE = 1000.0  # metres: a vertex beyond this is surely damage


def _read(arrays: Mapping[str, np.ndarray], key: str, name: str) -> np.ndarray:
    """Return the numeric array ``key`` of a read ``.npz`` (never unpickled)."""
    if key not in arrays:
        raise DataFormatError(
            f"{name} is not an SMPL-family model: the array {key!r} is missing"
        )
    arr = np.asarray(arrays[key])
    if arr.dtype.kind not in "biuf":
        raise DataFormatError(f"{name}: the array {key!r} is not numeric ({arr.dtype})")
    if arr.size == 0:
        raise DataFormatError(f"{name}: the array {key!r} is empty")
    if arr.dtype.kind == "f":
        try:
            finite_array(name, f"the array {key!r}", arr, limit=MAX_COORDINATE)
        except FileError as exc:
            raise DataFormatError(str(exc)) from None
    return arr


def load_smpl_npz(
    path: str | Path, betas: Mapping[str, float] | None = None
) -> BodyModel:
    """Return the SMPL-family body in ``path`` (an ``.npz`` model file).

    Raises
    ------
    DataFormatError
        (a ``ValueError``) when the file is not such a model, with what is wrong.
    """
    p = Path(path)
    name = p.name
    try:
        raw = read_npz(
            p, max_bytes=MAX_MODEL_BYTES, max_array_bytes=MAX_MODEL_BYTES, keys=_KEYS
        )
    except FileError as exc:
        reason = f"it {exc.reason}" if exc.reason.startswith("is ") else exc.reason
        raise DataFormatError(
            f"{name} is not a model file: {reason} (expected an SMPL-family .npz)"
        ) from None
    arrays = {key: _read(raw, key, name) for key in _KEYS}
    v_template = arrays["v_template"].astype(np.float64)
    shapedirs = arrays["shapedirs"].astype(np.float64)
    posedirs = arrays["posedirs"].astype(np.float64)
    j_reg = arrays["J_regressor"].astype(np.float64)
    kintree = arrays["kintree_table"].astype(np.int64)
    weights = arrays["weights"].astype(np.float64)
    faces = arrays["f"].astype(np.int64)
    v = v_template.shape[0] if v_template.ndim == 2 else -1
    if v_template.ndim != 2 or v_template.shape[1] != 3 or v < 3:
        raise DataFormatError(
            f"{name}: v_template must be (V, 3), got {v_template.shape}"
        )
    k = j_reg.shape[0]
    checks = [
        (
            shapedirs.ndim == 3 and shapedirs.shape[:2] == (v, 3),
            "shapedirs",
            "(V, 3, B)",
            shapedirs.shape,
        ),
        (j_reg.shape == (k, v), "J_regressor", "(K, V)", j_reg.shape),
        (kintree.shape == (2, k), "kintree_table", "(2, K)", kintree.shape),
        (weights.shape == (v, k), "weights", "(V, K)", weights.shape),
        (
            posedirs.shape == (v, 3, 9 * (k - 1)),
            "posedirs",
            "(V, 3, 9(K-1))",
            posedirs.shape,
        ),
        (
            faces.ndim == 2 and faces.shape[1] == 3 and faces.shape[0] > 0,
            "f",
            "(F, 3)",
            faces.shape,
        ),
    ]
    for ok, key, want, got in checks:
        if not ok:
            raise DataFormatError(
                f"{name}: {key} must be {want}, got {got} (V={v}, K={k})"
            )
    if faces.min() < 0 or faces.max() >= v:
        raise DataFormatError(f"{name}: a face refers to a vertex that does not exist")
    totals = weights.sum(axis=1)
    if np.any(weights < 0) or np.any(totals <= 1e-8):
        raise DataFormatError(
            f"{name}: the skinning weights are damaged (each vertex needs "
            "non-negative weights with a positive sum)"
        )
    parents = kintree[0].copy()
    parents[0] = -1  # SMPL stores the root's parent as 2**32 - 1
    if np.any(parents[1:] < 0) or np.any(parents[1:] >= np.arange(1, k)):
        raise DataFormatError(f"{name}: kintree_table is not ordered parents-first")
    space = SmplShape(v_template, shapedirs[:, :, :MAX_BETAS], j_reg)
    values = check_shape_values(space, betas or {})
    try:
        indices, sparse_w = sparse_from_dense(weights, tol=1e-8)
    except ValueError as exc:
        raise DataFormatError(f"{name}: {exc}") from None
    return BodyModel(
        name=name,
        faces=faces,
        bone_names=joint_names(k),
        bone_parents=parents,
        skin_indices=indices,
        skin_weights=sparse_w,
        rest=space.rest(values),
        shape_space=space,
        shape_values=values,
        posedirs=posedirs.reshape(3 * v, 9 * (k - 1)),
        credit=f"Model file {name} (SMPL-family; its own licence applies)",
    )
