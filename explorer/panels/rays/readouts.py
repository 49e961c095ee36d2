"""What the Rays panel writes and shows about the selected ray (Qt-free helpers).

The render job (the scene's surface first, then the image in bands), the
formula cards' text, the volume-rendering card's numbers and the CSV / JSON
export of the samples, and what an opened SDF target holds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from explorer.core.rays.camera import Camera
from explorer.core.rays.point_cloud import POINT_CLOUD_SUFFIXES, read_point_cloud
from explorer.core.rays.probe import RayProbe
from explorer.core.rays.render import RayConfig, RaySamples, render_progressive
from explorer.core.rays.scenes import Scene
from explorer.core.rays.sdf_fit import MeshError, SurfaceMesh, level_set_mesh, load_mesh

MESH_RES = 40
SURFACE_COLORS = {
    "sphere": "#E69F00",
    "box": "#56B4E9",
    "torus": "#009E73",
    "blob": "#F0E442",
    "scene": "#CC79A7",
    "fog": "#999999",
}
DEFAULT_SURFACE_COLOR = "#56B4E9"
# (title, formula, source) of the two formula cards.
RAY_FORMULA = (
    "Rendering the selected ray",
    "C = Σ<sub>i</sub> T<sub>i</sub> α<sub>i</sub> c<sub>i</sub>,&nbsp; "
    "α<sub>i</sub> = 1 − e<sup>−σ<sub>i</sub>δ<sub>i</sub></sup>,&nbsp; "
    "T<sub>i</sub> = Π<sub>j&lt;i</sub> (1 − α<sub>j</sub>),&nbsp; "
    "δ<sub>i</sub> = t<sub>i+1</sub> − t<sub>i</sub>",
    "NeRF, Mildenhall et al. 2020, eq. 3",
)
TRAIN_FORMULA = (
    "Learning the fields",
    "<b>SDF (IGR):</b> ℓ = Σ<sub>i</sub> |f(x<sub>i</sub>)|² "
    "+ λ E<sub>x</sub>(‖∇f(x)‖ − 1)²<br>"
    "<i>The code adds:</i> |f| instead of |f|² (L1), and "
    "+ τ mean‖∇f(x<sub>i</sub>) − n<sub>i</sub>‖ when the points have normals "
    "n<sub>i</sub> (a bare point cloud: no τ term).<br>"
    "<b>NeRF:</b> PSNR = −10 log<sub>10</sub> MSE. <i>This tiny NeRF has no view "
    "direction:</i> c depends on x only; the paper's MLP also takes (θ, φ).",
    "IGR, Gropp et al. 2020, eq. 2; NeRF, Mildenhall et al. 2020, sec. 5–6",
)


class MeshReady:
    """A render-job item: the surface to show in the 3-D view."""

    def __init__(self, mesh: SurfaceMesh, key: str) -> None:
        self.mesh = mesh
        self.key = key


def render_job(
    field: Any,
    camera: Camera,
    cfg: RayConfig,
    *,
    key: str,
    mesh_key: str = "",
    rows: int = 8,
) -> Iterator[Any]:
    """Yield the surface of scene ``mesh_key`` (if given), then the image in bands."""
    if mesh_key:
        yield MeshReady(level_set_mesh(Scene(mesh_key).sdf, MESH_RES), mesh_key)
    yield from render_progressive(field, camera, cfg, rows_per_yield=rows, key=key)


def card_values(probe: RayProbe) -> dict[str, object]:
    """Return the volume-rendering card's ``name = value`` rows for ``probe``."""
    ray, sphere, secant = probe.ray, probe.sphere, probe.secant
    u, v = probe.pixel
    rgb = ", ".join(f"{c:.3f}" for c in ray.rgb)
    values: dict[str, object] = {
        "pixel (u, v)": f"{u}, {v}",
        "colour C": f"({rgb})",
        "opacity Σw": float(ray.opacity),
        "depth Σwt/Σw": float(ray.depth) if np.isfinite(ray.depth) else "—",
        "samples N": len(ray.t),
        "last δ": "1e10" if ray.delta[-1] >= 1e9 else f"{ray.delta[-1]:.3g}",
    }
    if sphere is not None:
        values["sphere tracing"] = (
            f"t = {sphere.t:.4f} in {len(sphere.steps)} steps"
            if sphere.hit
            else f"miss ({len(sphere.steps)} steps)"
        )
    if secant is not None:
        n_sec = sum(1 for s in secant.steps if s.kind == "secant")
        values["march + secant"] = (
            f"t = {secant.t:.4f} ({n_sec} secant steps)"
            if secant.hit
            else "no sign change"
        )
    return values


def samples_json(ray: RaySamples, pixel: tuple[int, int], scene: str) -> str:
    """Return the ray's samples, pixel and scene as an indented JSON document."""
    doc = ray.to_dict()
    doc["pixel"] = list(pixel)
    doc["scene"] = scene
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def samples_csv(ray: RaySamples) -> str:
    """Return the ray's samples as CSV: t, δ, σ, α, T, weight, r, g, b per row."""
    lines = ["t,delta,sigma,alpha,transmittance,weight,r,g,b"]
    for rec in ray.records():
        rgb = rec["rgb"]
        assert isinstance(rgb, list)
        nums = [
            rec[k] for k in ("t", "delta", "sigma", "alpha", "transmittance", "weight")
        ] + rgb
        lines.append(",".join(f"{float(str(x)):.9g}" for x in nums))
    return "\n".join(lines) + "\n"


def describe_sdf_target(path: Path) -> tuple[bool, str]:
    """Read the mesh or point cloud in ``path``; return (is a cloud, what it holds).

    A ``.xyz`` file, or a ``.ply`` / ``.obj`` with vertices but no faces, is a
    point cloud ("1200 points, no normals: τ unused"); else a mesh ("960 faces").

    Raises
    ------
    ValueError
        When the file is neither ("not a mesh: no faces found in …").
    """
    if path.suffix.lower() != ".xyz":
        try:
            return False, f"{len(load_mesh(path).faces)} faces"
        except MeshError:
            if path.suffix.lower() not in POINT_CLOUD_SUFFIXES:
                raise
    cloud = read_point_cloud(path)  # vertices without faces: a cloud
    what = f"{len(cloud.points)} points"
    if cloud.normals is None:
        what += ", no normals: τ unused"
    return True, what
