"""Point clouds for the SDF fit: PLY (ASCII, binary), XYZ, OBJ vertices; refusals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from explorer.core.rays.point_cloud import read_point_cloud
from explorer.core.rays.sdf_fit import SdfFitConfig, fit_sdf, target_points
from explorer.core.reading import FileError


def _sphere_points(n: int = 50, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    p = rng.normal(size=(n, 3))
    return 2.0 * p / np.linalg.norm(p, axis=1, keepdims=True) + [1.0, 0.0, 0.0]


def _unit(points: np.ndarray) -> np.ndarray:
    """Independent normalisation: bounding-box centre, farthest point at 1."""
    c = 0.5 * (points.min(axis=0) + points.max(axis=0))
    return (points - c) / np.linalg.norm(points - c, axis=1).max()


def test_xyz_with_and_without_normals(tmp_path: Path) -> None:
    pts = _sphere_points()
    bare = tmp_path / "bare.xyz"
    bare.write_text("# a comment\n" + "\n".join(" ".join(map(str, p)) for p in pts))
    cloud = read_point_cloud(bare)
    np.testing.assert_allclose(cloud.points, _unit(pts), atol=1e-12)
    assert cloud.normals is None
    nrm = (pts - [1.0, 0.0, 0.0]) * 3.0  # not unit length: normalised on reading
    rich = tmp_path / "rich.xyz"
    rich.write_text(
        "\n".join(",".join(map(str, [*p, *n])) for p, n in zip(pts, nrm, strict=True))
    )
    cloud = read_point_cloud(rich)
    assert cloud.normals is not None
    np.testing.assert_allclose(cloud.normals, (pts - [1.0, 0.0, 0.0]) / 2.0, atol=1e-12)


def test_ply_ascii_and_binary_agree(tmp_path: Path) -> None:
    pts = _sphere_points(20)
    head = (
        "ply\nformat {fmt} 1.0\nelement vertex 20\nproperty float x\n"
        "property float y\nproperty float z\nelement face 0\n"
        "property list uchar int vertex_indices\nend_header\n"
    )
    ascii_path = tmp_path / "a.ply"
    ascii_path.write_text(
        head.format(fmt="ascii") + "\n".join(" ".join(map(str, p)) for p in pts)
    )
    binary_path = tmp_path / "b.ply"
    binary_path.write_bytes(
        head.format(fmt="binary_little_endian").encode() + pts.astype("<f4").tobytes()
    )
    a, b = read_point_cloud(ascii_path), read_point_cloud(binary_path)
    np.testing.assert_allclose(a.points, _unit(pts.astype(np.float32)), atol=1e-6)
    np.testing.assert_allclose(a.points, b.points, atol=1e-6)


def test_obj_vertices_without_faces(tmp_path: Path) -> None:
    pts = _sphere_points(12)
    path = tmp_path / "cloud.obj"
    path.write_text("".join(f"v {x} {y} {z}\n" for x, y, z in pts))
    np.testing.assert_allclose(read_point_cloud(path).points, _unit(pts), atol=1e-12)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("0 0 0\n1 1 1\n", "at least 8"),
        ("0 0 nan\n" * 10, "non-finite"),
        ("0 0 x\n" * 10, "not a number"),
        ("0 0\n" * 10, "expected x y z"),
        ("1 2 3\n" * 10, "coincide"),
    ],
)
def test_bad_xyz_is_a_clear_error(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "bad.xyz"
    path.write_text(text)
    with pytest.raises(FileError, match=reason) as info:
        read_point_cloud(path)
    assert "bad.xyz" in str(info.value)


def test_point_limit_and_truncated_ply(tmp_path: Path) -> None:
    path = tmp_path / "many.xyz"
    path.write_text("".join(f"{i} 0 0\n" for i in range(30)))
    with pytest.raises(FileError, match="more than 20 points"):
        read_point_cloud(path, max_points=20)
    ply = tmp_path / "cut.ply"
    ply.write_bytes(
        b"ply\nformat binary_little_endian 1.0\nelement vertex 1000\n"
        b"property float x\nproperty float y\nproperty float z\nend_header\n"
        + np.zeros(30, "<f4").tobytes()
    )
    with pytest.raises(FileError, match="ends before"):
        read_point_cloud(ply)
    with pytest.raises(FileError, match="empty"):
        (tmp_path / "e.xyz").write_text("")
        read_point_cloud(tmp_path / "e.xyz")


def test_fit_runs_on_a_cloud_without_normals(tmp_path: Path) -> None:
    pts = _sphere_points(200)
    path = tmp_path / "s.xyz"
    path.write_text("\n".join(" ".join(map(str, p)) for p in pts))
    cfg = SdfFitConfig(
        cloud_path=str(path),
        n_points=256,
        batch=64,
        steps=3,
        hidden=16,
        layers=2,
        grid_res=12,
        report_every=1,
    )
    xs, normals = target_points(cfg, 0)
    assert normals is None and xs.shape == (256, 3)
    # Every sampled point is one of the file's (normalised) points.
    unit = _unit(pts)
    d = np.linalg.norm(xs[:, None, :] - unit[None, :, :], axis=2).min(axis=1)
    assert d.max() < 1e-12
    last = list(fit_sdf(cfg, device="cpu"))[-1]
    assert last.step == 3 and last.losses["normal"] == 0.0
    assert np.isfinite(last.losses["loss"])
