"""Point clouds for the SDF fit: PLY, XYZ or the vertices of an OBJ; normals optional.

IGR's loss (Gropp et al. 2020) needs only points on the surface; normals add the
optional τ term.  :func:`read_point_cloud` goes through
:mod:`explorer.core.reading` (size checked before reading), refuses more than
:data:`MAX_POINTS` points, non-finite or non-numeric coordinates and binary
formats it does not know, and scales the points into the unit ball the way
the mesh loader does.  Every refusal is one :class:`~explorer.core.reading.FileError`
naming the file and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.reading import FileError, MiB, check_size, read_bytes

FloatArray = NDArray[np.floating[Any]]
MAX_POINTS = 500_000
MAX_BYTES = 64 * MiB
MIN_POINTS = 8
POINT_CLOUD_SUFFIXES = (".ply", ".xyz", ".obj")

_PLY_TYPES = {
    "char": "i1",
    "int8": "i1",
    "uchar": "u1",
    "uint8": "u1",
    "short": "i2",
    "int16": "i2",
    "ushort": "u2",
    "uint16": "u2",
    "int": "i4",
    "int32": "i4",
    "uint": "u4",
    "uint32": "u4",
    "float": "f4",
    "float32": "f4",
    "double": "f8",
    "float64": "f8",
}


@dataclass(frozen=True)
class PointCloud:
    """Points (N, 3) in the unit ball and their unit normals (N, 3) or ``None``."""

    points: FloatArray
    normals: FloatArray | None = None


def read_point_cloud(path: str | Path, max_points: int = MAX_POINTS) -> PointCloud:
    """Return the point cloud in ``path`` (.ply, .xyz, .obj), scaled into the unit ball.

    Raises
    ------
    FileError
        For a missing, empty, too large or unreadable file, more than
        ``max_points`` points, fewer than :data:`MIN_POINTS`, or non-finite values.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in POINT_CLOUD_SUFFIXES:
        raise FileError(p, "is not a point cloud: expected .ply, .xyz or .obj")
    check_size(p, MAX_BYTES)
    data = read_bytes(p, MAX_BYTES)
    if suffix == ".ply":
        pts, nrm = _read_ply(p, data, max_points)
    else:
        text = _decode(p, data)
        if suffix == ".obj":
            pts, nrm = _read_obj(p, text, max_points)
        else:
            pts, nrm = _read_xyz(p, text, max_points)
    return _finish(p, pts, nrm)


def _decode(p: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileError(p, "is not a text file (not UTF-8)") from None


def _numbers(p: Path, fields: list[str], line_no: int) -> list[float]:
    try:
        values = [float(f) for f in fields if len(f) <= 40]
    except ValueError:
        raise FileError(
            p, f"line {line_no}: not a number in {' '.join(fields)!r}"
        ) from None
    if len(values) != len(fields):
        raise FileError(p, f"line {line_no}: a number too long to read")
    return values


def _too_many(p: Path, max_points: int) -> FileError:
    return FileError(p, f"has more than {max_points:,} points (the limit)")


def _read_xyz(
    p: Path, text: str, max_points: int
) -> tuple[FloatArray, FloatArray | None]:
    rows: list[list[float]] = []
    width: int | None = None
    for i, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].replace(",", " ").strip()
        if not line:
            continue
        values = _numbers(p, line.split(), i)
        if len(values) not in (3, 6):
            raise FileError(
                p,
                f"line {i}: expected x y z or x y z nx ny nz, "
                f"got {len(values)} numbers",
            )
        if width is not None and len(values) != width:
            raise FileError(
                p, f"line {i}: {len(values)} numbers, earlier lines {width}"
            )
        width = len(values)
        rows.append(values)
        if len(rows) > max_points:
            raise _too_many(p, max_points)
    arr = np.asarray(rows, dtype=np.float64).reshape(-1, width or 3)
    return arr[:, :3], (arr[:, 3:] if width == 6 else None)


def _read_obj(
    p: Path, text: str, max_points: int
) -> tuple[FloatArray, FloatArray | None]:
    verts: list[list[float]] = []
    normals: list[list[float]] = []
    for i, line in enumerate(text.splitlines(), start=1):
        fields = line.split()
        if not fields or fields[0] not in ("v", "vn"):
            continue
        if len(fields) < 4:
            raise FileError(p, f"line {i}: {fields[0]} needs three numbers")
        values = _numbers(p, fields[1:4], i)
        (verts if fields[0] == "v" else normals).append(values)
        if len(verts) > max_points or len(normals) > max_points:
            raise _too_many(p, max_points)
    pts = np.asarray(verts, dtype=np.float64).reshape(-1, 3)
    # Normals belong to vertices only when there is one per vertex.
    nrm = np.asarray(normals, dtype=np.float64) if len(normals) == len(verts) else None
    return pts, nrm


def _read_ply(
    p: Path, data: bytes, max_points: int
) -> tuple[FloatArray, FloatArray | None]:
    end = data.find(b"end_header")
    if not data.startswith(b"ply") or end < 0:
        raise FileError(p, "is not a PLY file (no 'ply' … 'end_header' header)")
    body_start = data.index(b"\n", end) + 1 if b"\n" in data[end:] else len(data)
    header = data[:end].decode("ascii", errors="replace").splitlines()
    fmt = ""
    count = -1
    props: list[tuple[str, str]] = []
    current = ""
    for line in header[1:]:
        fields = line.split()
        if not fields:
            continue
        if fields[0] == "format" and len(fields) >= 2:
            fmt = fields[1]
        elif fields[0] == "element" and len(fields) >= 3:
            if count >= 0 and current == "vertex":
                current = fields[1]
                continue  # elements after the vertices are not read
            if fields[1] != "vertex":
                raise FileError(p, "PLY: the vertex element must come first")
            current = "vertex"
            try:
                count = int(fields[2])
            except ValueError:
                raise FileError(p, f"PLY: bad vertex count {fields[2]!r}") from None
        elif fields[0] == "property" and current == "vertex":
            if fields[1] == "list" or len(fields) < 3 or fields[1] not in _PLY_TYPES:
                raise FileError(p, f"PLY: vertex property {' '.join(fields[1:])!r}")
            props.append((fields[2], _PLY_TYPES[fields[1]]))
    if count < 0:
        raise FileError(p, "PLY: no vertex element")
    if count > max_points:
        raise _too_many(p, max_points)
    names = [n for n, _ in props]
    if not all(k in names for k in ("x", "y", "z")):
        raise FileError(p, "PLY: the vertices have no x, y, z")
    if fmt == "ascii":
        arr = _ply_ascii(p, data[body_start:], count, len(props))
    elif fmt in ("binary_little_endian", "binary_big_endian"):
        order = "<" if fmt == "binary_little_endian" else ">"
        dtype = np.dtype([(n, order + t) for n, t in props])
        if len(data) - body_start < count * dtype.itemsize:
            raise FileError(p, "PLY: the file ends before its last vertex")
        rec = np.frombuffer(data, dtype=dtype, count=count, offset=body_start)
        arr = np.stack([rec[n].astype(np.float64) for n in names], axis=1)
    else:
        raise FileError(p, f"PLY: unknown format {fmt or '(none)'!r}")
    cols = {n: i for i, n in enumerate(names)}
    pts = arr[:, [cols["x"], cols["y"], cols["z"]]]
    nrm = None
    if all(k in cols for k in ("nx", "ny", "nz")):
        nrm = arr[:, [cols["nx"], cols["ny"], cols["nz"]]]
    return pts, nrm


def _ply_ascii(p: Path, body: bytes, count: int, width: int) -> FloatArray:
    lines = body.decode("ascii", errors="replace").splitlines()
    if len(lines) < count:
        raise FileError(p, f"PLY: {count} vertices announced, {len(lines)} lines found")
    rows = []
    for i, line in enumerate(lines[:count], start=1):
        values = _numbers(p, line.split(), i)
        if len(values) != width:
            raise FileError(p, f"PLY vertex {i}: {len(values)} numbers, need {width}")
        rows.append(values)
    return np.asarray(rows, dtype=np.float64).reshape(-1, width)


def _finish(p: Path, pts: FloatArray, nrm: FloatArray | None) -> PointCloud:
    if len(pts) < MIN_POINTS:
        raise FileError(
            p, f"has {len(pts)} points; the fit needs at least {MIN_POINTS}"
        )
    if not np.all(np.isfinite(pts)):
        raise FileError(p, "has non-finite coordinates (NaN or infinity)")
    center = 0.5 * (pts.min(axis=0) + pts.max(axis=0))
    radius = float(np.linalg.norm(pts - center, axis=1).max())
    if radius <= 0.0:
        raise FileError(p, "all its points coincide")
    normals = None
    if nrm is not None:
        if not np.all(np.isfinite(nrm)):
            raise FileError(p, "has non-finite normals (NaN or infinity)")
        length = np.linalg.norm(nrm, axis=1)
        if np.all(length > 1e-12):
            normals = nrm / length[:, None]
        # Zero normals: the file's normals are unusable; fit without them.
    return PointCloud((pts - center) / radius, normals)
