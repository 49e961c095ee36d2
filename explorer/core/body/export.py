"""Writing a posed mesh (OBJ / PLY / GLB) with one vertex per model vertex, in order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.core.body.model import I64
from explorer.core.body.names import MESH_SUFFIXES
from explorer.core.files import atomic_write


def export_mesh(path: str | Path, vertices: np.ndarray, faces: I64) -> Path:
    """Write the mesh to ``path`` (format from the suffix) and return the path.

    Vertices are neither merged nor reordered (``process=False``), so vertex ``i``
    of the file is vertex ``i`` of the model.

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
    mesh = trimesh.Trimesh(
        vertices=np.asarray(vertices, dtype=np.float64), faces=faces, process=False
    )
    data = mesh.export(file_type=suffix[1:])
    return atomic_write(target, data if isinstance(data, str) else bytes(data))
