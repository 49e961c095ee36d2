"""IGR SDF fit (eikonal term, geometric init, level set) and mesh loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.rays.sdf_fit import (
    MeshError,
    SdfFitConfig,
    analytic_mesh,
    build_mlp,
    fit_sdf,
    load_mesh,
    sample_surface,
    sdf_from_state,
)


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    """Tiny models on a shared 2-core machine run faster on one thread."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


SMALL = {"shape": "sphere", "hidden": 32, "layers": 3, "n_points": 1024, "batch": 256}


def test_eikonal_residual_falls_while_fitting_a_sphere() -> None:
    cfg = SdfFitConfig(
        **SMALL, steps=60, geometric_init=False, report_every=20, mesh_every=60
    )
    reports = list(fit_sdf(cfg, seed=0, device="cpu"))
    first, last = reports[0], reports[-1]
    # A default-initialised MLP is far from ‖∇f‖ = 1; the eikonal term pulls it there.
    assert first.eikonal_residual > 0.5
    assert last.eikonal_residual < 0.5 * first.eikonal_residual
    assert set(last.losses) == {"loss", "surface", "normal", "eikonal"}


def test_fitted_level_set_is_the_unit_sphere() -> None:
    cfg = SdfFitConfig(**SMALL, steps=150, report_every=50, mesh_every=150)
    last = list(fit_sdf(cfg, seed=1, device="cpu"))[-1]
    assert last.mesh is not None and len(last.mesh.faces) > 100
    radii = np.linalg.norm(last.mesh.vertices, axis=1)
    assert radii.mean() == pytest.approx(1.0, abs=0.03)
    f = sdf_from_state(cfg, last.state or {})
    # Inside negative, outside positive, and roughly a distance.
    assert f(np.array([[0.0, 0.0, 0.0]]))[0] < -0.5
    assert f(np.array([[0.0, 1.25, 0.0]]))[0] == pytest.approx(0.25, abs=0.1)


def test_geometric_init_starts_as_a_sphere_sdf() -> None:
    cfg = SdfFitConfig(hidden=512, layers=2, init_radius=0.7)
    net = build_mlp(cfg)
    f = sdf_from_state(cfg, {k: v.numpy() for k, v in net.state_dict().items()})
    p = np.random.default_rng(0).uniform(-1.0, 1.0, (400, 3))
    err = f(p) - (np.linalg.norm(p, axis=1) - 0.7)
    # SAL: a wide network starts close to ‖x‖ − r (exact only as width → ∞).
    assert np.abs(err).mean() < 0.15
    assert np.corrcoef(f(p), np.linalg.norm(p, axis=1))[0, 1] > 0.95


def test_same_seed_same_fit() -> None:
    cfg = SdfFitConfig(**SMALL, steps=10, report_every=10, mesh_every=10)
    a = list(fit_sdf(cfg, seed=4, device="cpu"))[-1]
    b = list(fit_sdf(cfg, seed=4, device="cpu"))[-1]
    assert a.losses == b.losses


def test_surface_samples_lie_on_the_analytic_torus() -> None:
    mesh = analytic_mesh("torus", resolution=48)
    pts, normals = sample_surface(mesh, 500, seed=0)
    ring = np.hypot(pts[:, 0], pts[:, 2]) - 0.7
    assert np.abs(np.hypot(ring, pts[:, 1]) - 0.25).max() < 0.02
    np.testing.assert_allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-9)


def test_point_cloud_file_is_not_a_mesh(tmp_path: Path) -> None:
    path = tmp_path / "cloud.ply"
    verts = np.random.default_rng(0).random((10, 3))
    lines = [
        "ply",
        "format ascii 1.0",
        "element vertex 10",
        "property float x",
        "property float y",
        "property float z",
        "end_header",
    ]
    lines += [" ".join(f"{c:.4f}" for c in v) for v in verts]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(MeshError, match=r"no faces found in cloud\.ply"):
        load_mesh(path)


def test_user_mesh_is_scaled_into_the_unit_ball(tmp_path: Path) -> None:
    path = tmp_path / "tri.obj"
    path.write_text("v 0 0 0\nv 4 0 0\nv 0 4 0\nf 1 2 3\n")
    mesh = load_mesh(path)
    assert np.linalg.norm(mesh.vertices, axis=1).max() == pytest.approx(1.0)
    with pytest.raises(MeshError, match="no such file"):
        load_mesh(tmp_path / "missing.obj")


def test_config_rejects_absurd_values() -> None:
    with pytest.raises(ValueError, match="unknown shape"):
        SdfFitConfig(shape="teapot")
    with pytest.raises(ValueError, match="learning rate"):
        SdfFitConfig(lr=-1.0)
    with pytest.raises(ValueError, match="hidden"):
        SdfFitConfig(hidden=100_000)
