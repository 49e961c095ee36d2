"""Writing a posed mesh (OBJ / PLY / GLB) with one vertex per model vertex, in order.

glTF is Y-up with the asset's front along +Z (and +X its left); a GLB is written in
those axes, turned from the model's own (anny is Z-up), so Blender and web viewers
show the body standing.  OBJ and PLY keep the model's axes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.core.body.model import F64, I64, BodyModel
from explorer.core.body.names import MESH_SUFFIXES
from explorer.core.files import atomic_write

_SNAP = 0.95  # a direction this close to a coordinate axis is taken to be it


def gltf_axes(model: BodyModel) -> F64 | None:
    """Return the rotation (3, 3) from ``model``'s axes to glTF's, or ``None``.

    Rows are the model's left, up and front directions (found from its skeleton),
    each snapped to a coordinate axis when within about 18° of one.  ``None`` for a
    rig whose up and front are not known (its mesh is written as it is).
    """
    from explorer.core.body.presets import world_directions

    try:
        dirs = world_directions(model)
    except ValueError:
        return None
    up, front = _snapped(dirs["up"]), _snapped(dirs["front"])
    front = front - np.dot(front, up) * up
    front /= np.linalg.norm(front)
    left = np.cross(up, front)  # glTF: +X = +Y × +Z, the asset's left
    rotation: F64 = np.vstack([left, up, front])
    return rotation


def _snapped(v: F64) -> F64:
    v = np.asarray(v, dtype=np.float64) / np.linalg.norm(v)
    k = int(np.argmax(np.abs(v)))
    if abs(v[k]) >= _SNAP:
        out = np.zeros(3)
        out[k] = np.sign(v[k])
        return out
    return v


def export_mesh(
    path: str | Path,
    vertices: np.ndarray,
    faces: I64,
    *,
    gltf_rotation: F64 | None = None,
) -> Path:
    """Write the mesh to ``path`` (format from the suffix) and return the path.

    Vertices are neither merged nor reordered (``process=False``), so vertex ``i``
    of the file is vertex ``i`` of the model.  For a ``.glb``, ``gltf_rotation``
    (from :func:`gltf_axes`) turns the vertices into glTF's Y-up axes first.

    Raises
    ------
    ValueError
        For a suffix other than .obj, .ply or .glb.
    """
    import trimesh

    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in MESH_SUFFIXES:
        raise ValueError(
            f"cannot export a mesh as {suffix or 'a file without suffix'}: "
            f"use {', '.join(MESH_SUFFIXES)}"
        )
    points = np.asarray(vertices, dtype=np.float64)
    if suffix == ".glb" and gltf_rotation is not None:
        points = points @ np.asarray(gltf_rotation, dtype=np.float64).T
    mesh = trimesh.Trimesh(vertices=points, faces=faces, process=False)
    data = mesh.export(file_type=suffix[1:])
    return atomic_write(target, data if isinstance(data, str) else bytes(data))
