"""An SDF network fit to a point cloud with the eikonal term (IGR), and its level set.

The loss is IGR's (Gropp et al. 2020, eq. 2):

    ℓ = mean_i |f(x_i)| + τ mean_i ‖∇f(x_i) − n_i‖ + λ E_x (‖∇f(x)‖ − 1)²

with x_i, n_i points and normals sampled from the surface of a mesh and x drawn
near the surface and uniformly in the domain.  The MLP uses softplus (β = 100)
and the geometric initialisation of SAL (Atzmon & Lipman 2020), which starts it
as the SDF of a sphere of radius ``init_radius``.  The zero level set is
extracted with marching cubes (Lorensen & Cline 1987; scikit-image) while the
network trains.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from explorer.core.progress import Progress
from explorer.core.rays.names import (
    DEFAULT_EIKONAL_WEIGHT,
    DEFAULT_NORMAL_WEIGHT,
    EIKONAL_RANGE,
    NORMAL_RANGE,
    SHAPES,
)
from explorer.core.rays.scenes import Scene, SdfFn
from explorer.core.reading import FileError, MiB, check_size, finite_array

if TYPE_CHECKING:
    import torch

FloatArray = NDArray[np.floating[Any]]
MAX_MESH_BYTES = 100 * MiB  # a 2-million-face binary STL is ~100 MB
MAX_COORDINATE = 1e9  # larger coordinates overflow once squared (areas, radii)
DOMAIN = 1.3  # the fit and the level set live in the cube [−DOMAIN, DOMAIN]³


class MeshError(ValueError):
    """A file that cannot be used as a mesh (unreadable, no faces, empty)."""


@dataclass(frozen=True)
class SurfaceMesh:
    """A triangle mesh: vertices (V, 3) and faces (F, 3)."""

    vertices: FloatArray
    faces: NDArray[np.int64]


def analytic_mesh(shape: str, resolution: int = 64) -> SurfaceMesh:
    """Return the zero level set of a built-in scene's analytic SDF (marching cubes)."""
    return level_set_mesh(Scene(shape).sdf, resolution)


def level_set_mesh(sdf: SdfFn, resolution: int = 48) -> SurfaceMesh:
    """Return the zero level set of ``sdf`` on [−DOMAIN, DOMAIN]³ (marching cubes)."""
    if not 4 <= resolution <= 512:
        raise ValueError(f"resolution must be in [4, 512], got {resolution}")
    axis = np.linspace(-DOMAIN, DOMAIN, resolution)
    grid = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1)
    values = np.asarray(sdf(grid), dtype=np.float64)
    return _marching_cubes(values, axis)


def load_mesh(path: Path | str) -> SurfaceMesh:
    """Return the mesh in ``path`` (formats trimesh reads), scaled into the unit ball.

    Raises
    ------
    MeshError
        When the file cannot be read or holds no triangles (e.g. a point cloud).
    """
    import trimesh

    p = Path(path)
    if not p.is_file():
        raise MeshError(f"no such file: {p}")
    try:
        check_size(p, MAX_MESH_BYTES)
    except FileError as exc:
        raise MeshError(str(exc)) from None
    try:
        loaded = trimesh.load(str(p), force="mesh", process=False)
    except Exception as exc:  # trimesh raises many types for bad files
        raise MeshError(f"cannot read {p.name} as a mesh: {exc}") from exc
    faces = getattr(loaded, "faces", None)
    if faces is None or len(faces) == 0:
        raise MeshError(f"not a mesh: no faces found in {p.name}")
    try:
        verts = finite_array(
            p,
            "the vertex coordinates",
            getattr(loaded, "vertices", np.zeros((0, 3))),
            limit=MAX_COORDINATE,
        )
    except FileError as exc:
        raise MeshError(f"not a usable mesh: {exc}") from None
    faces = np.asarray(faces, dtype=np.int64)
    if verts.ndim != 2 or verts.shape[1:] != (3,) or len(verts) < 3:
        raise MeshError(f"not a usable mesh: fewer than three vertices in {p.name}")
    if faces.ndim != 2 or faces.shape[1] != 3:
        raise MeshError(f"not a usable mesh: {p.name} has faces that are not triangles")
    if faces.min() < 0 or faces.max() >= len(verts):
        raise MeshError(f"not a usable mesh: a face of {p.name} names a missing vertex")
    center = 0.5 * (verts.min(axis=0) + verts.max(axis=0))
    radius = float(np.linalg.norm(verts - center, axis=1).max())
    if radius <= 0.0:
        raise MeshError(f"not a usable mesh: all vertices of {p.name} coincide")
    mesh = SurfaceMesh((verts - center) / radius, faces)
    v = mesh.vertices[faces]
    if not np.any(np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])):
        raise MeshError(f"not a usable mesh: every face of {p.name} has zero area")
    return mesh


def sample_surface(
    mesh: SurfaceMesh, n: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """Return ``n`` points uniform on the mesh (by area) and their face normals."""
    v = mesh.vertices[mesh.faces]
    cross = np.cross(v[:, 1] - v[:, 0], v[:, 2] - v[:, 0])
    area = 0.5 * np.linalg.norm(cross, axis=1)
    if area.sum() <= 0.0:
        raise MeshError("not a usable mesh: every face has zero area")
    rng = np.random.default_rng(seed)
    face = rng.choice(len(area), size=n, p=area / area.sum())
    r1, r2 = rng.random(n), rng.random(n)
    s = np.sqrt(r1)
    # Uniform barycentric sampling (Osada et al. 2002).
    pts = (
        (1 - s)[:, None] * v[face, 0]
        + (s * (1 - r2))[:, None] * v[face, 1]
        + (s * r2)[:, None] * v[face, 2]
    )
    normals = (
        cross[face] / np.maximum(np.linalg.norm(cross[face], axis=1), 1e-12)[:, None]
    )
    return pts, normals


def _marching_cubes(values: FloatArray, axis: FloatArray) -> SurfaceMesh:
    from skimage.measure import marching_cubes

    if not (values.min() < 0.0 < values.max()):
        return SurfaceMesh(np.zeros((0, 3)), np.zeros((0, 3), dtype=np.int64))
    spacing = float(axis[1] - axis[0])
    verts, faces, _, _ = marching_cubes(  # type: ignore[no-untyped-call]
        values, level=0.0, spacing=(spacing,) * 3
    )
    return SurfaceMesh(verts + axis[0], np.asarray(faces, dtype=np.int64))


@dataclass(frozen=True)
class SdfFitConfig:
    """Settings of the SDF fit (defaults: small, for a CPU; see :meth:`for_device`)."""

    shape: str = "torus"
    mesh_path: str | None = None
    cloud_path: str | None = None  # a point cloud (.ply/.xyz/.obj vertices) instead
    n_points: int = 4096
    steps: int = 600
    batch: int = 512
    hidden: int = 64
    layers: int = 4
    lr: float = 3e-3
    eikonal_weight: float = DEFAULT_EIKONAL_WEIGHT  # λ
    normal_weight: float = DEFAULT_NORMAL_WEIGHT  # τ (no term without normals)
    geometric_init: bool = True
    init_radius: float = 0.7
    grid_res: int = 32
    mesh_every: int = 50
    report_every: int = 10

    def __post_init__(self) -> None:
        from_file = self.mesh_path is not None or self.cloud_path is not None
        if not from_file and self.shape not in SHAPES:
            raise ValueError(
                f"unknown shape {self.shape!r}: choose one of {', '.join(SHAPES)}"
            )
        checks = [
            ("n_points", self.n_points, 16, 1_000_000),
            ("steps", self.steps, 1, 1_000_000),
            ("batch", self.batch, 8, 1_000_000),
            ("hidden", self.hidden, 4, 2048),
            ("layers", self.layers, 1, 16),
            ("grid_res", self.grid_res, 8, 512),
            ("mesh_every", self.mesh_every, 1, 1_000_000),
            ("report_every", self.report_every, 1, 1_000_000),
        ]
        for name, value, lo, hi in checks:
            if not lo <= value <= hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}], got {value}")
        if not 0.0 < self.lr <= 1.0:
            raise ValueError(f"learning rate must be in (0, 1], got {self.lr}")
        for label, weight, (w_lo, w_hi) in (
            ("eikonal weight λ", self.eikonal_weight, EIKONAL_RANGE),
            ("normal weight τ", self.normal_weight, NORMAL_RANGE),
        ):
            if not w_lo <= weight <= w_hi:
                raise ValueError(
                    f"{label} must be in [{w_lo:g}, {w_hi:g}], got {weight:g}"
                )
        if not 0.05 <= self.init_radius <= DOMAIN:
            raise ValueError(f"init_radius must be in [0.05, {DOMAIN}]")

    def for_device(self, device: str) -> SdfFitConfig:
        """Return this config, enlarged when ``device`` is a CUDA GPU."""
        if not device.startswith("cuda"):
            return self
        return replace(
            self, n_points=32768, batch=8192, hidden=256, layers=6, grid_res=96
        )


def build_mlp(
    cfg: SdfFitConfig, generator: torch.Generator | None = None
) -> torch.nn.Module:
    """Return the SDF MLP R³ → R (softplus β = 100), optionally SAL-initialised."""
    import torch

    dims = [3] + [cfg.hidden] * cfg.layers + [1]
    mods: list[torch.nn.Module] = []
    for i in range(len(dims) - 1):
        lin = torch.nn.Linear(dims[i], dims[i + 1])
        if cfg.geometric_init:
            # SAL's geometric initialisation: f(x) ≈ ‖x‖ − r at the start.
            if i == len(dims) - 2:
                torch.nn.init.normal_(
                    lin.weight,
                    math.sqrt(math.pi) / math.sqrt(dims[i]),
                    1e-4,
                    generator=generator,
                )
                torch.nn.init.constant_(lin.bias, -cfg.init_radius)
            else:
                torch.nn.init.normal_(
                    lin.weight,
                    0.0,
                    math.sqrt(2.0) / math.sqrt(dims[i + 1]),
                    generator=generator,
                )
                torch.nn.init.constant_(lin.bias, 0.0)
        else:
            bound = 1.0 / math.sqrt(dims[i])
            torch.nn.init.uniform_(lin.weight, -bound, bound, generator=generator)
            torch.nn.init.uniform_(lin.bias, -bound, bound, generator=generator)
        mods.append(lin)
        if i < len(dims) - 2:
            mods.append(torch.nn.Softplus(beta=100))
    return torch.nn.Sequential(*mods)


def sdf_from_state(cfg: SdfFitConfig, state: dict[str, FloatArray]) -> Any:
    """Return a numpy SDF callable (points (..., 3) → (...)) from weights ``state``.

    The network is built at the first call, not here: the panel makes a callable
    at every training report on the GUI thread, and its workers (the image render,
    the selected ray) are the ones that evaluate it.
    """
    import threading

    import torch

    lock = threading.Lock()
    built: list[torch.nn.Module] = []

    def network() -> torch.nn.Module:
        with lock:  # the render and the ray probe may call it at once
            if not built:
                net = build_mlp(cfg)
                net.load_state_dict(
                    {k: torch.from_numpy(np.asarray(v)) for k, v in state.items()}
                )
                built.append(net.eval())
            return built[0]

    def f(p: FloatArray) -> FloatArray:
        x = torch.as_tensor(np.asarray(p, dtype=np.float32).reshape(-1, 3))
        with torch.no_grad():
            out = network()(x).numpy().astype(np.float64)
        result: FloatArray = out.reshape(np.shape(p)[:-1])
        return result

    return f


@dataclass(frozen=True, kw_only=True)
class SdfFitProgress(Progress):
    """One report of the SDF fit.

    ``losses`` holds ``loss``, ``surface``, ``normal`` and ``eikonal``;
    ``eikonal_residual`` is mean |‖∇f‖ − 1| on fixed probe points of the domain.
    ``mesh`` is the latest zero level set (``None`` between extractions),
    ``slice`` the SDF on the plane z = 0 over [−DOMAIN, DOMAIN]², ``state`` the
    network's weights (numpy), ``points`` the target point cloud.
    """

    eikonal_residual: float
    mesh: SurfaceMesh | None = None
    slice: FloatArray | None = None
    state: dict[str, FloatArray] | None = None
    points: FloatArray | None = None
    device: str = "cpu"


def _target_mesh(cfg: SdfFitConfig) -> SurfaceMesh:
    if cfg.mesh_path is not None:
        return load_mesh(cfg.mesh_path)
    return analytic_mesh(cfg.shape)


def target_points(cfg: SdfFitConfig, seed: int) -> tuple[FloatArray, FloatArray | None]:
    """Return ``cfg.n_points`` surface points and their normals (``None``: none)."""
    if cfg.cloud_path is not None:
        from explorer.core.rays.point_cloud import read_point_cloud

        cloud = read_point_cloud(cfg.cloud_path)
        rng = np.random.default_rng(seed)
        n = len(cloud.points)
        idx = rng.choice(n, size=cfg.n_points, replace=cfg.n_points > n)
        normals = None if cloud.normals is None else cloud.normals[idx]
        return cloud.points[idx], normals
    return sample_surface(_target_mesh(cfg), cfg.n_points, seed)


def fit_sdf(
    cfg: SdfFitConfig, *, seed: int = 0, device: str = "auto"
) -> Iterator[SdfFitProgress]:
    """Yield progress while fitting an SDF MLP to points of the mesh or cloud.

    Without normals (a bare point cloud) the τ term is left out: the loss is
    then IGR's seed loss with an L1 surface term.
    """
    import torch

    from explorer.core.device import resolve_device

    dev = resolve_device(device)
    pts_np, nrm_np = target_points(cfg, seed)
    gen = torch.Generator().manual_seed(seed)
    net = build_mlp(cfg, gen).to(dev)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    pts = torch.as_tensor(pts_np, dtype=torch.float32, device=dev)
    nrm = (
        None
        if nrm_np is None
        else torch.as_tensor(nrm_np, dtype=torch.float32, device=dev)
    )
    probes = (torch.rand(2048, 3, generator=gen) * 2 - 1).mul(DOMAIN).to(dev)
    axis = np.linspace(-DOMAIN, DOMAIN, cfg.grid_res)
    grid = torch.as_tensor(
        np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3),
        dtype=torch.float32,
        device=dev,
    )
    slice_axis = np.linspace(-DOMAIN, DOMAIN, 96)
    sx, sy = np.meshgrid(slice_axis, slice_axis, indexing="xy")
    slice_pts = torch.as_tensor(
        np.stack([sx, sy, np.zeros_like(sx)], axis=-1).reshape(-1, 3),
        dtype=torch.float32,
        device=dev,
    )

    def grad_norm(
        x: torch.Tensor, create_graph: bool
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = x.requires_grad_(True)
        y = net(x)
        (g,) = torch.autograd.grad(y.sum(), x, create_graph=create_graph)
        return y.squeeze(-1), g

    def report(step: int, losses: dict[str, float], with_mesh: bool) -> SdfFitProgress:
        _, g = grad_norm(probes.clone(), create_graph=False)
        residual = float((g.norm(dim=-1) - 1.0).abs().mean())
        with torch.no_grad():
            sl = net(slice_pts).reshape(96, 96).cpu().numpy().astype(np.float64)
            mesh = None
            if with_mesh:
                vol = net(grid).reshape((cfg.grid_res,) * 3).cpu().numpy()
                mesh = _marching_cubes(vol.astype(np.float64), axis)
        state = {
            k: v.detach().cpu().numpy().copy() for k, v in net.state_dict().items()
        }
        return SdfFitProgress(
            step=step,
            total=cfg.steps,
            losses=losses,
            eikonal_residual=residual,
            mesh=mesh,
            slice=sl,
            state=state,
            points=pts_np if step == 0 else None,
            device=dev,
            message=f"step {step}/{cfg.steps}",
        )

    yield report(0, {}, True)
    for step in range(1, cfg.steps + 1):
        idx = torch.randint(0, cfg.n_points, (cfg.batch,), generator=gen).to(dev)
        xs = pts[idx]
        near = xs + 0.05 * torch.randn(xs.shape, generator=gen).to(dev)
        far = (torch.rand(cfg.batch // 2, 3, generator=gen) * 2 - 1).mul(DOMAIN).to(dev)
        f_s, g_s = grad_norm(xs.clone(), create_graph=True)
        _, g_e = grad_norm(torch.cat([near, far]), create_graph=True)
        surface = f_s.abs().mean()
        normal = (
            torch.zeros((), device=dev)
            if nrm is None
            else (g_s - nrm[idx]).norm(dim=-1).mean()
        )
        eikonal = ((g_e.norm(dim=-1) - 1.0) ** 2).mean()
        loss = surface + cfg.normal_weight * normal + cfg.eikonal_weight * eikonal
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % cfg.report_every == 0 or step == cfg.steps:
            losses = {
                "loss": loss.item(),
                "surface": surface.item(),
                "normal": normal.item(),
                "eikonal": eikonal.item(),
            }
            yield report(step, losses, step % cfg.mesh_every == 0 or step == cfg.steps)
