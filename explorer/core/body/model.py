"""A rigged body model: rest mesh, skeleton, sparse skinning weights, shape space.

A :class:`BodyModel` holds everything skinning needs and nothing about rendering
(the aitviewer split).  Shape (anny's phenotype, SMPL's β) lives in a
:class:`ShapeSpace` that maps shape values to a :class:`RestShape` — the rest
vertices and the rest bone frames, which move with the shape ("joints that
depend on shape", SMPL's J(β)).

Poses are Euler angles in degrees about each bone's own rest axes, applied as
``R = R_x(rx) R_y(ry) R_z(rz)`` (intrinsic x, then y', then z'').
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class RestShape:
    """The unposed body for one shape.

    Attributes
    ----------
    vertices
        (V, 3) rest vertex positions in metres.
    bone_frames
        (K, 4, 4) rest pose of each bone in world coordinates: rotation = the
        bone's local axes, translation = its head (the joint).
    """

    vertices: F64
    bone_frames: F64

    def __post_init__(self) -> None:
        v, b = self.vertices, self.bone_frames
        if v.ndim != 2 or v.shape[1] != 3:
            raise ValueError(f"rest vertices must be (V, 3), got {v.shape}")
        if b.ndim != 3 or b.shape[1:] != (4, 4):
            raise ValueError(f"rest bone frames must be (K, 4, 4), got {b.shape}")

    @property
    def joints(self) -> F64:
        """Return the (K, 3) rest joint (bone head) positions."""
        return self.bone_frames[:, :3, 3]


class ShapeSpace(Protocol):
    """Maps named shape values (phenotype, β) to a rest shape."""

    kind: str  # "phenotype" or "betas": what the panel calls the sliders
    names: tuple[str, ...]
    defaults: tuple[float, ...]
    ranges: tuple[tuple[float, float], ...]

    def rest(self, values: Mapping[str, float]) -> RestShape:
        """Return the rest shape for ``values`` (missing names take defaults)."""
        ...


def check_shape_values(
    space: ShapeSpace, values: Mapping[str, float]
) -> dict[str, float]:
    """Return ``values`` completed with defaults, checked against names and ranges.

    Raises
    ------
    ValueError
        For an unknown name or a value outside its range.
    """
    unknown = sorted(set(values) - set(space.names))
    if unknown:
        raise ValueError(
            f"unknown {space.kind} parameter {unknown[0]!r}; "
            f"known: {', '.join(space.names)}"
        )
    out: dict[str, float] = {}
    for name, default, (lo, hi) in zip(
        space.names, space.defaults, space.ranges, strict=True
    ):
        value = float(values.get(name, default))
        if not np.isfinite(value) or not lo <= value <= hi:
            raise ValueError(
                f"{space.kind} {name} = {value} is outside [{lo:g}, {hi:g}]"
            )
        out[name] = value
    return out


@dataclass(frozen=True, eq=False)
class BodyModel:
    """A skinnable body.

    Attributes
    ----------
    name
        "anny" or the file name of an SMPL-family model.
    faces
        (F, 3) triangle vertex indices.
    bone_names, bone_parents
        The kinematic tree; ``bone_parents[0] == -1`` (the root) and every parent
        comes before its children.
    skin_indices, skin_weights
        (V, m) sparse skinning weights: vertex ``v`` has weight ``skin_weights[v, j]``
        on bone ``skin_indices[v, j]``; rows sum to 1, sorted by decreasing weight.
    rest
        The rest shape for ``shape_values``.
    shape_space
        Maps shape values to rest shapes, or ``None`` for a fixed shape.
    shape_values
        The shape values ``rest`` was made with.
    posedirs
        (V·3, 9·(K−1)) pose-corrective blend shapes (SMPL's P), or ``None``.
    credit
        Who made the body (shown in About and exports).
    """

    name: str
    faces: I64
    bone_names: tuple[str, ...]
    bone_parents: I64
    skin_indices: I64
    skin_weights: F64
    rest: RestShape
    shape_space: ShapeSpace | None = None
    shape_values: Mapping[str, float] = field(default_factory=dict)
    posedirs: F64 | None = None
    credit: str = ""

    def __post_init__(self) -> None:
        k = len(self.bone_names)
        v = self.rest.vertices.shape[0]
        parents = self.bone_parents
        if parents.shape != (k,) or k == 0:
            raise ValueError(
                f"{k} bone names but bone_parents has shape {parents.shape}"
            )
        if (
            parents[0] != -1
            or np.any(parents[1:] < 0)
            or np.any(parents[1:] >= np.arange(1, k))
        ):
            raise ValueError(
                "bones must be ordered root first, each parent before its children"
            )
        if self.rest.bone_frames.shape[0] != k:
            raise ValueError(
                f"{k} bones but {self.rest.bone_frames.shape[0]} rest bone frames"
            )
        if self.faces.ndim != 2 or self.faces.shape[1] != 3:
            raise ValueError(f"faces must be (F, 3) triangles, got {self.faces.shape}")
        if self.faces.size and (self.faces.min() < 0 or self.faces.max() >= v):
            raise ValueError("a face refers to a vertex that does not exist")
        if (
            self.skin_indices.shape != self.skin_weights.shape
            or self.skin_indices.shape[0] != v
        ):
            raise ValueError(
                "skinning weights must be (V, m) like the skinning indices"
            )
        if self.skin_indices.size and (
            self.skin_indices.min() < 0 or self.skin_indices.max() >= k
        ):
            raise ValueError("a skinning weight refers to a bone that does not exist")
        if self.posedirs is not None and self.posedirs.shape != (3 * v, 9 * (k - 1)):
            raise ValueError(
                f"posedirs must be ({3 * v}, {9 * (k - 1)}), got {self.posedirs.shape}"
            )

    @property
    def n_vertices(self) -> int:
        """Return the number of vertices V."""
        return int(self.rest.vertices.shape[0])

    @property
    def n_bones(self) -> int:
        """Return the number of bones K."""
        return len(self.bone_names)

    def bone_index(self, name: str) -> int:
        """Return the index of bone ``name``.

        Raises
        ------
        KeyError
            Naming a few known bones when ``name`` is unknown.
        """
        try:
            return self.bone_names.index(name)
        except ValueError:
            close = [b for b in self.bone_names if name.lower() in b.lower()][:5]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise KeyError(
                f"unknown bone {name!r}{hint}; `explorer body bones` lists all "
                f"{self.n_bones} bones"
            ) from None

    def children(self, bone: int) -> list[int]:
        """Return the indices of the bones whose parent is ``bone``."""
        return [int(i) for i in np.flatnonzero(self.bone_parents == bone)]

    def with_shape(self, values: Mapping[str, float]) -> BodyModel:
        """Return this model reshaped to ``values`` (missing names take defaults).

        Raises
        ------
        ValueError
            When the model has no shape space or a value is unknown / out of range.
        """
        if self.shape_space is None:
            raise ValueError(f"the model {self.name!r} has no shape parameters")
        checked = check_shape_values(self.shape_space, values)
        return dataclasses.replace(
            self, rest=self.shape_space.rest(checked), shape_values=checked
        )

    def dense_weights(self) -> F64:
        """Return the (V, K) dense skinning weight matrix."""
        dense = np.zeros((self.n_vertices, self.n_bones))
        rows = np.repeat(np.arange(self.n_vertices), self.skin_indices.shape[1])
        np.add.at(dense, (rows, self.skin_indices.ravel()), self.skin_weights.ravel())
        return dense

    def dominant_bone(self) -> I64:
        """Return each vertex's bone of largest weight, shape (V,)."""
        return self.skin_indices[:, 0].copy()


def sparse_from_dense(weights: F64, *, tol: float = 0.0) -> tuple[I64, F64]:
    """Return (indices, weights) (V, m) keeping the non-zero weights, largest first.

    ``m`` is the largest number of weights above ``tol`` on one vertex; shorter rows
    are padded with weight 0 on bone 0.  Rows are renormalised to sum to 1.
    """
    w = np.where(weights > tol, weights, 0.0)
    m = max(1, int((w > 0).sum(axis=1).max(initial=1)))
    order = np.argsort(-w, axis=1, kind="stable")[:, :m]
    vals = np.take_along_axis(w, order, axis=1)
    order = np.where(vals > 0, order, 0)
    sums = vals.sum(axis=1, keepdims=True)
    if np.any(sums <= 0):
        raise ValueError("a vertex has no skinning weight on any bone")
    return order.astype(np.int64), vals / sums


def sort_sparse(indices: I64, weights: F64) -> tuple[I64, F64]:
    """Return sparse weights with each row sorted by decreasing weight."""
    order = np.argsort(-weights, axis=1, kind="stable")
    return (
        np.take_along_axis(indices, order, axis=1).astype(np.int64),
        np.take_along_axis(weights, order, axis=1).astype(np.float64),
    )


# -- rotations -------------------------------------------------------------------------


def euler_to_matrix(degrees: Sequence[float] | F64) -> F64:
    """Return rotation matrices (..., 3, 3) for Euler angles (..., 3) in degrees.

    ``R = R_x(rx) R_y(ry) R_z(rz)``: intrinsic rotations about x, then the new y,
    then the new z.
    """
    a = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    cx, cy, cz = np.cos(a[..., 0]), np.cos(a[..., 1]), np.cos(a[..., 2])
    sx, sy, sz = np.sin(a[..., 0]), np.sin(a[..., 1]), np.sin(a[..., 2])
    r = np.empty((*a.shape[:-1], 3, 3))
    r[..., 0, 0] = cy * cz
    r[..., 0, 1] = -cy * sz
    r[..., 0, 2] = sy
    r[..., 1, 0] = cx * sz + sx * sy * cz
    r[..., 1, 1] = cx * cz - sx * sy * sz
    r[..., 1, 2] = -sx * cy
    r[..., 2, 0] = sx * sz - cx * sy * cz
    r[..., 2, 1] = sx * cz + cx * sy * sz
    r[..., 2, 2] = cx * cy
    return r


def matrix_to_euler(r: F64) -> F64:
    """Return Euler angles (3,) in degrees with ``euler_to_matrix(angles) ≈ r``.

    Away from gimbal lock every rotation has two decompositions, (x, y, z) and
    (x ± 180°, 180° − y, z ± 180°); the one with the smaller angles is returned, so
    a half turn about y reads as y = 180°, not as x = 180°, z = 180°.
    """
    sy = float(np.clip(r[0, 2], -1.0, 1.0))
    if abs(sy) >= 1.0 - 1e-9:  # gimbal lock: only rx ± rz is defined, put it in rx
        rx = np.arctan2(r[2, 1], r[1, 1])
        locked: F64 = np.rad2deg(np.array([rx, np.arcsin(sy), 0.0]))
        return locked
    ry = np.arcsin(sy)
    first = np.array([np.arctan2(-r[1, 2], r[2, 2]), ry, np.arctan2(-r[0, 1], r[0, 0])])
    second = np.array(
        [
            np.arctan2(r[1, 2], -r[2, 2]),
            np.pi - ry if ry >= 0 else -np.pi - ry,  # π − ry, in (−π, π]
            np.arctan2(r[0, 1], -r[0, 0]),
        ]
    )
    best = second if np.abs(second).sum() < np.abs(first).sum() - 1e-9 else first
    out: F64 = np.rad2deg(best)
    return out


def axis_angle_matrix(axis: Sequence[float] | F64, degrees: float) -> F64:
    """Return the (3, 3) rotation by ``degrees`` about ``axis`` (Rodrigues' formula)."""
    k = np.asarray(axis, dtype=np.float64)
    k = k / np.linalg.norm(k)
    t = np.deg2rad(degrees)
    kx = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    out: F64 = np.eye(3) + np.sin(t) * kx + (1.0 - np.cos(t)) * (kx @ kx)
    return out


def rotation_between(a: F64, b: F64) -> F64:
    """Return the smallest rotation (3, 3) taking direction ``a`` to direction ``b``."""
    a = a / np.linalg.norm(a)
    b = b / np.linalg.norm(b)
    axis = np.cross(a, b)
    s = float(np.linalg.norm(axis))
    c = float(np.clip(np.dot(a, b), -1.0, 1.0))
    if s < 1e-12:
        if c > 0:
            return np.eye(3)
        # opposite directions: any perpendicular axis
        perp = np.cross(a, [1.0, 0.0, 0.0])
        if np.linalg.norm(perp) < 1e-6:
            perp = np.cross(a, [0.0, 1.0, 0.0])
        return axis_angle_matrix(perp, 180.0)
    return axis_angle_matrix(axis, float(np.rad2deg(np.arctan2(s, c))))
