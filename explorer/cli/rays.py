"""``explorer rays``: volume rendering and root finding one ray at a time; SDF, NeRF.

Subcommands: ``samples`` (the samples of one ray, NeRF eq. 3), ``trace`` (sphere
tracing or DVR's secant), ``render`` (an image to PNG), ``fit-sdf`` (IGR fit of a
shape or mesh, marching cubes export) and ``train-nerf`` (tiny NeRF, PSNR history).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path
from typing import Any

from explorer.cli.common import (
    SEED,
    CliError,
    add_json_flag,
    bounded_int,
    emit_json,
    finite_float,
)
from explorer.core.files import atomic_open, atomic_write
from explorer.core.rays.names import (
    DEFAULT_SHARPNESS,
    DENSITY_RANGE,
    FREQS_RANGE,
    LAST_DELTAS,
    SAMPLES_RANGE,
    SCENE_NAMES,
    SHAPES,
    SHARPNESS_RANGE,
    TRACE_METHODS,
)

# The scenes fit in the unit ball: rays start and end within this distance of it
# (1e308 once passed silently and rendered nothing).
MAX_DISTANCE = 1000.0
MAX_IMAGE_SIZE = 2048
_DISTANCE = finite_float(0.0, MAX_DISTANCE)
_SIZE = bounded_int(1, MAX_IMAGE_SIZE)
_STEPS = bounded_int(1, 100_000)

# argparse reads "-2,0,0" as an unknown option; this lets vectors and numbers with a
# leading minus through as values (no option of these parsers looks like a number).
_NEGATIVE_VALUE = re.compile(r"^-\.?\d[\d.,eE+-]*$")


def _vector(text: str) -> tuple[float, float, float]:
    """Parse "X,Y,Z" into three finite floats (argparse ``type=``)."""
    parts = text.replace(" ", "").split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected X,Y,Z numbers, got {text!r}"
        ) from None
    if len(values) != 3 or not all(
        math.isfinite(v) and abs(v) <= MAX_DISTANCE for v in values
    ):
        raise argparse.ArgumentTypeError(
            f"expected three finite numbers X,Y,Z within ±{MAX_DISTANCE:g}, "
            f"got {text!r}"
        )
    return (values[0], values[1], values[2])


def _pixel(text: str) -> tuple[int, int]:
    """Parse "U,V" into two integers (column, row)."""
    parts = text.replace(" ", "").split(",")
    try:
        u, v = (_COORD(p) for p in parts)
    except (ValueError, argparse.ArgumentTypeError):
        raise argparse.ArgumentTypeError(
            f"expected U,V integers in 0 … {MAX_IMAGE_SIZE - 1}, got {text!r}"
        ) from None
    return u, v


_COORD = bounded_int(0, MAX_IMAGE_SIZE - 1)


def _parser(sub: Any, name: str, **kwargs: Any) -> argparse.ArgumentParser:
    p: argparse.ArgumentParser = sub.add_parser(name, **kwargs)
    p._negative_number_matcher = _NEGATIVE_VALUE
    return p


def _add_scene_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scene", choices=SCENE_NAMES, default="sphere", help="built-in scene"
    )
    p.add_argument(
        "--density",
        type=finite_float(*DENSITY_RANGE),
        default=1.0,
        help="σ inside the fog cube (scene fog; default 1)",
    )
    p.add_argument(
        "--sharpness",
        type=finite_float(*SHARPNESS_RANGE),
        default=DEFAULT_SHARPNESS,
        help=f"1/β of the VolSDF density of SDF scenes (default {DEFAULT_SHARPNESS:g})",
    )


def _add_sampling_args(p: argparse.ArgumentParser, samples: int) -> None:
    p.add_argument(
        "--samples",
        type=bounded_int(*SAMPLES_RANGE),
        default=samples,
        help="samples per ray",
    )
    p.add_argument(
        "--near", type=_DISTANCE, default=1.0, help="start of the ray segment"
    )
    p.add_argument("--far", type=_DISTANCE, default=5.0, help="end of the ray segment")
    p.add_argument(
        "--last-delta",
        choices=LAST_DELTAS,
        default="far",
        help="length of the last interval: up to far, or NeRF's 1e10 trick",
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``rays`` subcommand and its own subcommands."""
    rays = _parser(
        sub,
        "rays",
        help="volume rendering, sphere tracing, SDF and NeRF fits",
        description=__doc__,
    )
    rsub = rays.add_subparsers(dest="rays_command", metavar="ACTION", required=True)

    p = _parser(rsub, "samples", help="the samples of one ray (NeRF eq. 3)")
    _add_scene_args(p)
    p.add_argument(
        "--pixel",
        type=_pixel,
        metavar="U,V",
        help="pixel (column,row) of the default camera",
    )
    p.add_argument(
        "--size",
        type=_SIZE,
        default=64,
        help="image size of the default camera (with --pixel)",
    )
    p.add_argument("--origin", type=_vector, metavar="X,Y,Z", help="ray origin")
    p.add_argument(
        "--direction", type=_vector, metavar="DX,DY,DZ", help="ray direction"
    )
    _add_sampling_args(p, 64)
    p.add_argument(
        "--stratified", action="store_true", help="jitter samples in their bins"
    )
    p.add_argument("--seed", type=SEED, default=0, help="seed of the stratified jitter")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print one JSON document")
    fmt.add_argument("--csv", action="store_true", help="print the samples as CSV")
    p.set_defaults(handler=_samples)

    p = _parser(
        rsub, "trace", help="find the surface on a ray (sphere tracing / secant)"
    )
    _add_scene_args(p)
    p.add_argument("--origin", type=_vector, required=True, metavar="X,Y,Z")
    p.add_argument("--direction", type=_vector, required=True, metavar="DX,DY,DZ")
    p.add_argument("--method", choices=TRACE_METHODS, default="sphere")
    p.add_argument("--near", type=_DISTANCE, default=0.0)
    p.add_argument("--far", type=_DISTANCE, default=10.0)
    add_json_flag(p)
    p.set_defaults(handler=_trace)

    p = _parser(rsub, "render", help="render a scene to a PNG image")
    _add_scene_args(p)
    _add_sampling_args(p, 64)
    p.add_argument("--size", type=_SIZE, default=128, help="image width = height")
    p.add_argument("--out", type=Path, required=True, help="PNG file to write")
    add_json_flag(p)
    p.set_defaults(handler=_render)

    p = _parser(rsub, "fit-sdf", help="fit an SDF network to a shape or mesh (IGR)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--shape", choices=SHAPES, default="torus", help="built-in shape")
    src.add_argument(
        "--mesh", type=Path, help="a mesh file trimesh can read (.obj, .ply…)"
    )
    p.add_argument("--steps", type=_STEPS, default=600)
    p.add_argument(
        "--export", type=Path, help="write the zero level set (.ply, .obj, .stl)"
    )
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--seed", type=SEED, default=0)
    add_json_flag(p)
    p.set_defaults(handler=_fit_sdf)

    p = _parser(rsub, "train-nerf", help="train a tiny NeRF on rendered views")
    p.add_argument("--steps", type=_STEPS, default=1000)
    p.add_argument(
        "--freqs",
        type=bounded_int(*FREQS_RANGE),
        default=6,
        help="positional-encoding frequencies L",
    )
    p.add_argument("--device", default="auto", help="auto, cpu or cuda")
    p.add_argument("--seed", type=SEED, default=0)
    p.add_argument("--out", type=Path, help="write the held-out prediction as PNG")
    add_json_flag(p)
    p.set_defaults(handler=_train_nerf)


def _scene(args: argparse.Namespace) -> Any:
    from explorer.core.rays.scenes import Scene

    try:
        return Scene(args.scene, sharpness=args.sharpness, fog_density=args.density)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _ray_config(args: argparse.Namespace, stratified: bool = False) -> Any:
    from explorer.core.rays.render import RayConfig

    try:
        return RayConfig(
            n_samples=args.samples,
            near=args.near,
            far=args.far,
            stratified=stratified,
            last_delta=args.last_delta,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _samples(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.rays.camera import Camera
    from explorer.core.rays.render import render_ray

    scene = _scene(args)
    cfg = _ray_config(args, args.stratified)
    if args.pixel is not None:
        if args.origin is not None or args.direction is not None:
            raise CliError("give either --pixel or --origin and --direction, not both")
        u, v = args.pixel
        if not (0 <= u < args.size and 0 <= v < args.size):
            raise CliError(
                f"pixel {u},{v} is outside the {args.size}×{args.size} image"
            )
        cam = Camera(width=args.size, height=args.size)
        o, d = cam.pixel_rays(np.array(u), np.array(v))
    elif args.origin is not None and args.direction is not None:
        o, d = np.array(args.origin), np.array(args.direction)
    else:
        raise CliError(
            "give --pixel U,V or both --origin X,Y,Z and --direction DX,DY,DZ"
        )
    try:
        ray = render_ray(scene, o, d, cfg, np.random.default_rng(args.seed))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    doc = ray.to_dict()
    if args.json:
        emit_json(doc)
    elif args.csv:
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(
            ["t", "delta", "sigma", "alpha", "transmittance", "weight", "r", "g", "b"]
        )
        for rec in ray.records():
            rgb = rec["rgb"]
            assert isinstance(rgb, list)
            w.writerow(
                [
                    f"{rec[k]:.9g}"
                    for k in ("t", "delta", "sigma", "alpha", "transmittance", "weight")
                ]
                + [f"{c:.9g}" for c in rgb]
            )
    else:
        print(
            f"{'t':>9} {'delta':>9} {'sigma':>10} {'alpha':>8} {'T':>8} {'weight':>8}"
        )
        for i in range(len(ray.t)):
            print(
                f"{ray.t[i]:9.4f} {ray.delta[i]:9.4g} {ray.sigma[i]:10.4g} "
                f"{ray.alpha[i]:8.4f} {ray.transmittance[i]:8.4f} {ray.weights[i]:8.4f}"
            )
        depth = "none (nothing hit)" if doc["depth"] is None else f"{ray.depth:.4f}"
        rgb = ", ".join(f"{c:.4f}" for c in ray.rgb)
        print(f"rgb = ({rgb})  opacity = {ray.opacity:.4f}  depth = {depth}")
    return 0


def _trace(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.rays.roots import trace

    scene = _scene(args)
    try:
        result = trace(
            scene.sdf,
            np.array(args.origin),
            np.array(args.direction),
            args.method,
            near=args.near,
            far=args.far,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        emit_json(result.to_dict())
        return 0
    for i, s in enumerate(result.steps):
        print(f"{i:3d} {s.kind:7s} t = {s.t:.6f}  f = {s.value:+.6g}")
    if result.hit:
        assert result.point is not None
        p = ", ".join(f"{c:.6f}" for c in result.point)
        print(
            f"hit at t = {result.t:.6f}, point ({p}), {len(result.steps)} evaluations"
        )
    else:
        print(
            f"no hit in [{args.near}, {args.far}] after {len(result.steps)} evaluations"
        )
    return 0


def _render(args: argparse.Namespace) -> int:
    import time

    import numpy as np
    from PIL import Image

    from explorer.core.rays.camera import Camera
    from explorer.core.rays.render import render_image

    scene = _scene(args)
    cfg = _ray_config(args)
    if args.size > 2048:
        raise CliError(f"--size must be at most 2048, got {args.size}")
    if args.out.suffix.lower() != ".png":
        raise CliError(f"--out must be a .png file, got {args.out.name}")
    t0 = time.perf_counter()
    image = render_image(scene, Camera(width=args.size, height=args.size), cfg)
    seconds = time.perf_counter() - t0
    pixels = (np.clip(image.rgb, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    try:
        with atomic_open(args.out) as fh:
            Image.fromarray(pixels, "RGB").save(fh, format="PNG")
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc}") from None
    doc = {
        "out": args.out,
        "size": args.size,
        "seconds": seconds,
        "mean_opacity": float(image.opacity.mean()),
    }
    if args.json:
        emit_json(doc)
    else:
        print(f"wrote {args.out} ({args.size}×{args.size}, {seconds:.2f} s)")
    return 0


def _fit_sdf(args: argparse.Namespace) -> int:
    from explorer.core.device import resolve_device
    from explorer.core.rays.sdf_fit import MeshError, SdfFitConfig, fit_sdf

    try:
        device = resolve_device(args.device)
        cfg = SdfFitConfig(
            shape=args.shape,
            mesh_path=None if args.mesh is None else str(args.mesh),
            steps=args.steps,
            mesh_every=max(args.steps, 1),
            report_every=max(1, args.steps // 20),
        ).for_device(device)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    history = []
    last = None
    try:
        for prog in fit_sdf(cfg, seed=args.seed, device=device):
            last = prog
            if prog.step > 0:
                history.append(
                    {
                        "step": prog.step,
                        **prog.losses,
                        "eikonal_residual": prog.eikonal_residual,
                    }
                )
                if not args.json:
                    print(
                        f"step {prog.step:5d}  loss {prog.losses['loss']:.5f}  "
                        f"|‖∇f‖−1| {prog.eikonal_residual:.4f}",
                        flush=True,
                    )
    except MeshError as exc:
        raise CliError(str(exc)) from None
    assert last is not None and last.mesh is not None
    mesh = last.mesh
    if args.export is not None:
        if len(mesh.faces) == 0:
            raise CliError(
                "the fitted SDF has no zero level set to export (train longer)"
            )
        import trimesh

        surface = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
        try:
            data = surface.export(file_type=args.export.suffix.lower().lstrip("."))
            if not isinstance(data, bytes | str):  # e.g. .gltf: several files
                raise ValueError("choose a one-file format (.ply, .obj, .stl)")
            atomic_write(args.export, data)
        except (OSError, ValueError) as exc:
            raise CliError(f"cannot write {args.export}: {exc}") from None
    doc = {
        "device": device,
        "source": str(args.mesh) if args.mesh else args.shape,
        "history": history,
        "vertices": len(mesh.vertices),
        "faces": len(mesh.faces),
        "export": args.export,
    }
    if args.json:
        emit_json(doc)
    elif args.export is not None:
        print(
            f"wrote {args.export}: {len(mesh.vertices)} vertices, "
            f"{len(mesh.faces)} faces"
        )
    return 0


def _train_nerf(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.device import resolve_device
    from explorer.core.rays.nerf import NerfConfig, train_nerf

    try:
        device = resolve_device(args.device)
        cfg = NerfConfig(
            steps=args.steps,
            n_freqs=args.freqs,
            eval_every=max(1, min(50, args.steps // 10)),
        ).for_device(device)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    last = None
    rates = []
    for prog in train_nerf(cfg, seed=args.seed, device=device):
        last = prog
        if prog.step > 0:
            rates.append(prog.iterations_per_s)
        if not args.json:
            print(
                f"step {prog.step:5d}  held-out PSNR {prog.losses['psnr']:.2f} dB",
                flush=True,
            )
    assert last is not None and last.prediction is not None
    if args.out is not None:
        from PIL import Image

        pixels = (np.clip(last.prediction, 0, 1) * 255 + 0.5).astype(np.uint8)
        try:
            image_format = Image.registered_extensions().get(args.out.suffix.lower())
            if image_format is None:
                raise ValueError(f"unknown file extension: {args.out.suffix}")
            with atomic_open(args.out) as fh:
                Image.fromarray(pixels, "RGB").save(fh, format=image_format)
        except (OSError, ValueError) as exc:
            raise CliError(f"cannot write {args.out}: {exc}") from None
    doc = {
        "device": device,
        "psnr": [{"step": s, "psnr": p} for s, p in last.psnr_history],
        "final_psnr": last.psnr_history[-1][1],
        "iterations_per_s": float(np.median(rates)) if rates else None,
    }
    if args.json:
        emit_json(doc)
    return 0
