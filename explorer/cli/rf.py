"""``explorer rf``: receptive-field tables and effective-RF maps without the GUI.

``explorer rf layers ARCH|STACK.json`` prints, per layer, the kernel, stride,
padding, dilation, output size, receptive field, effective stride and effective
padding; ``explorer rf erf ARCH|STACK.json`` measures the effective receptive field
of the centre unit (Luo et al. 2016) and can save it as a PNG heat map.
"""

from __future__ import annotations

import argparse
from typing import Any

from explorer.cli.common import (
    SEED,
    CliError,
    add_json_flag,
    bounded_int,
    emit_json,
    save_png,
)
from explorer.core.rf.layers import MAX_SIZE
from explorer.core.rf.names import (
    ARCH_NAMES,
    ARCHS,
    INPUT_KINDS,
    MAX_ERF_INPUTS,
    MAX_ERF_TRAIN_STEPS,
    WEIGHTS,
)

# Geometry only (``rf layers``): any size a stack file may hold.  Measuring an
# ERF runs the network on inputs of that size, so it takes at most 1024 pixels.
MAX_GEOMETRY_SIZE = MAX_SIZE
MAX_ERF_SIZE = 1024

ARCH_HELP = f"an architecture ({', '.join(ARCH_NAMES)}) or a stack JSON file"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``rf`` subcommand with its ``layers`` and ``erf`` actions."""
    p = sub.add_parser(
        "rf", help="receptive fields of CNN layer stacks", description=__doc__
    )
    actions = p.add_subparsers(dest="rf_command", metavar="ACTION", required=True)

    layers = actions.add_parser(
        "layers", help="per-layer output size, RF, jump, padding"
    )
    layers.add_argument("stack", metavar="ARCH|STACK.json", help=ARCH_HELP)
    layers.add_argument(
        "--input-size",
        type=bounded_int(1, MAX_GEOMETRY_SIZE),
        metavar="N",
        help="square input size in pixels (default: the network's own)",
    )
    add_json_flag(layers)
    layers.set_defaults(handler=_run_layers)

    erf = actions.add_parser("erf", help="effective receptive field of the centre unit")
    erf.add_argument("stack", metavar="ARCH|STACK.json", help=ARCH_HELP)
    erf.add_argument(
        "--weights",
        choices=WEIGHTS,
        default="random",
        help="random initialisation with noise inputs, or weights trained "
        "briefly on the bundled MNIST digits (inputs ≤ 64 px)",
    )
    erf.add_argument(
        "--input-size",
        type=bounded_int(1, MAX_ERF_SIZE),
        metavar="N",
        help="square input size in pixels (default: the network's own)",
    )
    erf.add_argument(
        "--layer",
        metavar="NAME",
        help="layer name from `rf layers` (default: the last one)",
    )
    erf.add_argument(
        "--unit",
        type=bounded_int(0, MAX_GEOMETRY_SIZE),
        nargs=2,
        metavar=("ROW", "COL"),
        help="unit in that layer's map (default: the centre unit)",
    )
    erf.add_argument(
        "--inputs",
        type=bounded_int(1, MAX_ERF_INPUTS),
        default=16,
        metavar="N",
        help="inputs to average the gradient over (default 16)",
    )
    erf.add_argument(
        "--input-kind",
        choices=INPUT_KINDS,
        default="auto",
        help="average over Gaussian noise or held-out MNIST digits (default: noise "
        "for random weights, digits for trained ones)",
    )
    erf.add_argument(
        "--steps",
        type=bounded_int(1, MAX_ERF_TRAIN_STEPS),
        default=300,
        metavar="N",
        help="training steps for --weights trained (default 300)",
    )
    erf.add_argument("--seed", type=SEED, default=0, help="random seed (default 0)")
    erf.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="compute device (default: CUDA when available)",
    )
    erf.add_argument(
        "--out",
        metavar="heatmap.png",
        help="write the ERF heat map (viridis, RF box in white) as PNG",
    )
    add_json_flag(erf)
    erf.set_defaults(handler=_run_erf)


def _load(spec: str, input_size: int | None) -> Any:
    from explorer.core.rf import StackError, load_stack

    try:
        return load_stack(spec, input_size)
    except StackError as exc:
        raise CliError(str(exc)) from None


def _run_layers(args: argparse.Namespace) -> int:
    from explorer.core.rf import analyze, misaligned_rows, table_text

    stack = _load(args.stack, args.input_size)
    rows = analyze(stack)
    size = stack.input_size
    if args.json:
        emit_json(
            {
                "arch": args.stack,
                "input_size": size[0] if size[0] == size[1] else list(size),
                "layers": [row.as_dict() for row in rows],
            }
        )
        return 0
    print(f"{stack.name}: input {size[0]}×{size[1]}")
    print(table_text(rows))
    last = rows[-1].geometry
    print(
        f"\nlast layer: {last.size[0]}×{last.size[1]} units, each seeing "
        f"{last.r[0]}×{last.r[1]} input pixels; neighbours are {last.j[0]} px apart"
    )
    for row in misaligned_rows(rows):
        m = row.geometry.misalignment
        print(f"note: the paths of {row.name} are misaligned by {m[0]:g} × {m[1]:g} px")
    return 0


def _run_erf(args: argparse.Namespace) -> int:
    from explorer.core.rf import StackError
    from explorer.core.rf.erf import ErfConfig, compute_erf
    from explorer.core.rf.names import MAX_TRAIN_SIZE, why_not_trained

    stack = _load(args.stack, args.input_size)
    try:
        cfg = ErfConfig(
            layer=args.layer,
            unit=tuple(args.unit) if args.unit else None,
            weights=args.weights,
            n_inputs=args.inputs,
            batch_size=min(4, args.inputs),
            train_steps=args.steps,
            input_kind=args.input_kind,
        )
        result = compute_erf(
            stack,
            cfg,
            seed=args.seed,
            device=args.device,
            arch=args.stack if args.stack in ARCHS else None,
        )
    except (StackError, ValueError) as exc:
        hint = ""
        if args.weights == "trained" and why_not_trained(stack.input_size):
            hint = f" (or --input-size {MAX_TRAIN_SIZE // 2})"
        raise CliError(f"{exc}{hint}") from None
    out = _write_png(args.out, result) if args.out else None
    s = result.stats
    box = result.box
    rf = (box.height, box.width)
    if args.json:
        emit_json(
            {
                "arch": args.stack,
                "input_size": list(stack.input_size),
                "layer": result.layer,
                "unit": list(result.unit),
                "weights": args.weights,
                "input_kind": args.input_kind,
                "n_inputs": args.inputs,
                "rf": list(rf),
                "rf_box": {
                    "top": box.top,
                    "left": box.left,
                    "bottom": box.bottom,
                    "right": box.right,
                },
                "erf": {
                    "mass": s.mass,
                    "area_px": s.area,
                    "side_px": s.side,
                    "std_px": list(s.std),
                    "centroid": list(s.centroid),
                    "theoretical_area_px": s.theoretical_area,
                    "area_ratio": s.ratio,
                },
                "train_accuracy": result.train_accuracy,
                "out": out,
            }
        )
        return 0
    kind = args.input_kind
    if kind == "auto":
        kind = "digits" if args.weights == "trained" else "noise"
    print(
        f"{stack.name}, {args.weights} weights, layer {result.layer}, "
        f"unit {result.unit}, averaged over {args.inputs} {kind} inputs"
    )
    if result.train_accuracy is not None:
        print(f"training accuracy (last batch): {result.train_accuracy:.1%}")
    print(
        f"theoretical RF: {rf[0]}×{rf[1]} px "
        f"(rows {box.top}..{box.bottom}, columns {box.left}..{box.right})"
    )
    print(
        f"effective RF: {s.mass:.0%} of the gradient in {s.area} px "
        f"(≈ {s.side:.1f}² px), std {s.std[0]:.1f} × {s.std[1]:.1f} px; "
        f"{s.ratio:.1%} of the theoretical field inside the image"
    )
    if out:
        print(f"heat map written to {out}")
    return 0


def _write_png(path: str, result: Any) -> str:
    import numpy as np
    from PIL import Image

    from explorer.core.rf.heatmap import heatmap_rgb

    rgb = heatmap_rgb(result.heatmap, result.box)
    # small maps (28×28 digits) are enlarged so that the pixels stay visible
    factor = max(1, 256 // max(rgb.shape[:2]))
    if factor > 1:
        rgb = np.kron(rgb, np.ones((factor, factor, 1), dtype=np.uint8))
    save_png(Image.fromarray(rgb), path)
    return path
