"""Writing a posed mesh (OBJ / PLY / GLB) with one vertex per model vertex, in order."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from explorer.core.body.model import I64

MESH_SUFFIXES = (".obj", ".ply", ".glb")


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
    payload = data.encode() if isinstance(data, str) else bytes(data)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(payload)
    tmp.replace(target)
    return target
