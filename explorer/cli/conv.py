"""``explorer conv …``: one convolution layer forwards and backwards, pooling,
upsampling, the U-Net size walker and the FCN-vs-U-Net segmentation run."""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from explorer.cli.common import SEED, CliError, add_json_flag, bounded_int, emit_json
from explorer.core.conv.config import LIMITS
from explorer.core.conv.names import (
    ARCHS,
    KERNEL_NAMES,
    MODES,
    PATTERN_NAMES,
    UNET_PADDINGS,
    UPSAMPLERS,
)

INPUT_HELP = (
    "digit:N (a bundled MNIST digit), pattern:NAME[:SIZE] ("
    + ", ".join(PATTERN_NAMES)
    + "), a literal matrix '1,2;3,4', or an image file (grey, ≤ 64 × 64)"
)
KERNEL_HELP = (
    "a preset (" + ", ".join(KERNEL_NAMES) + "; box, gaussian, identity take :SIZE) "
    "or rows like '1,0;0,-1'"
)
EPOCH_LIMIT = 50


def _lim(name: str) -> Any:
    return bounded_int(*LIMITS[name])


def _add_layer(p: argparse.ArgumentParser, *, kernel: str = "sobel-x") -> None:
    p.add_argument("--input", default="digit:0", metavar="INPUT", help=INPUT_HELP)
    p.add_argument(
        "--kernel",
        default=kernel,
        metavar="K",
        help=KERNEL_HELP + f" (default {kernel})",
    )
    p.add_argument(
        "--mode",
        default="corr",
        choices=MODES,
        help="corr: Σ K(m,n) I(i+m, j+n); conv: Σ K(m,n) I(i−m, j−n) (default corr)",
    )
    p.add_argument("--stride", type=_lim("stride"), default=1, metavar="S")
    p.add_argument("--padding", type=_lim("padding"), default=0, metavar="P")
    p.add_argument("--dilation", type=_lim("dilation"), default=1, metavar="D")
    add_json_flag(p)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conv`` subcommand and its actions."""
    conv = sub.add_parser(
        "conv", help="convolution and upsampling: one layer forwards and backwards"
    )
    actions = conv.add_subparsers(dest="conv_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "apply", help="apply one kernel (correlation or convolution) to an input"
    )
    _add_layer(p)
    p.set_defaults(handler=_apply)

    p = actions.add_parser(
        "matrix", help="the band matrix C with vec(output) = C · vec(input)"
    )
    p.add_argument(
        "--size",
        default="6",
        metavar="N|HxW",
        help="N: a 1-D input of N (1 × N); HxW: a 2-D input (at most 256 pixels)",
    )
    _add_layer(p, kernel="1,2,1")
    p.set_defaults(handler=_matrix, input=None)

    p = actions.add_parser(
        "backward",
        help="δ^(l−1) for L = ½‖I′‖² three ways: autograd, Cᵀ·δ, δ * ROT180(w)",
    )
    _add_layer(p)
    p.set_defaults(handler=_backward)

    p = actions.add_parser("pool", help="max-pool forwards and backwards")
    p.add_argument("--input", default="1,2,3,4;5,6,7,8;9,10,11,12;13,14,15,16")
    p.add_argument("--size", type=_lim("pool"), default=2, metavar="N")
    p.add_argument("--stride", type=_lim("pool"), default=2, metavar="S")
    add_json_flag(p)
    p.set_defaults(handler=_pool)

    p = actions.add_parser(
        "upsample",
        help="nearest, bed-of-nails, max-unpool (of the input's own 2×2 max-pool) "
        "or transposed convolution",
    )
    p.add_argument("--method", required=True, choices=UPSAMPLERS)
    p.add_argument("--input", default="1,2;3,4", metavar="INPUT", help=INPUT_HELP)
    p.add_argument(
        "--kernel",
        default="1,1,1;1,1,1;1,1,1",
        metavar="K",
        help="the transposed convolution's kernel (default a 3 × 3 of ones)",
    )
    p.add_argument(
        "--stride",
        type=_lim("up_stride"),
        default=2,
        metavar="S",
        help="the upsampling factor (the transposed convolution's stride)",
    )
    add_json_flag(p)
    p.set_defaults(handler=_upsample)

    p = actions.add_parser("unet", help="the U-Net size walker (572 → 388)")
    p.add_argument("--input-size", type=_lim("unet_input"), default=572, metavar="N")
    p.add_argument("--depth", type=_lim("unet_depth"), default=4, metavar="D")
    p.add_argument("--padding", default="valid", choices=UNET_PADDINGS)
    add_json_flag(p)
    p.set_defaults(handler=_unet)

    p = actions.add_parser(
        "segment",
        help="train a small FCN or U-Net to segment MNIST digits; IoU per epoch",
    )
    p.add_argument("--arch", default="unet", choices=ARCHS)
    p.add_argument("--epochs", type=bounded_int(1, EPOCH_LIMIT), default=3, metavar="N")
    p.add_argument(
        "--train-digits",
        type=bounded_int(16, 4800),
        default=1000,
        metavar="N",
        help="training digits (default 1000; 64 more are held out for the IoU)",
    )
    p.add_argument("--seed", type=SEED, default=0, metavar="S")
    add_json_flag(p)
    p.set_defaults(handler=_segment)


def _read(text: str, what: str = "input") -> Any:
    from explorer.core.conv import read_input

    try:
        return read_input(text)
    except ValueError as exc:
        raise CliError(f"--{what}: {exc}") from None


def _layer(args: argparse.Namespace) -> tuple[Any, Any]:
    from explorer.core.conv import LayerConfig, parse_kernel

    try:
        kernel = parse_kernel(args.kernel)
    except ValueError as exc:
        raise CliError(f"--kernel: {exc}") from None
    cfg = LayerConfig(
        mode=args.mode, stride=args.stride, padding=args.padding, dilation=args.dilation
    )
    return kernel, cfg


def _geometry(shape: tuple[int, int], kernel: Any, cfg: Any) -> tuple[int, int]:
    from explorer.core.conv import check_geometry

    try:
        return check_geometry(shape, kernel.shape, cfg)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _print_matrix(name: str, a: Any) -> None:
    print(f"{name} ({a.shape[0]} × {a.shape[1]}):")
    for row in a:
        print("  " + " ".join(f"{v:8.3f}" for v in row))


def _apply(args: argparse.Namespace) -> int:
    from explorer.core.conv import apply

    x = _read(args.input)
    kernel, cfg = _layer(args)
    size = _geometry(x.shape, kernel, cfg)
    out = apply(x, kernel, cfg)
    result = {"output": out, "output_size": list(size), "input_size": list(x.shape)}
    if args.json:
        emit_json(result)
    else:
        _print_matrix("output", out)
    return 0


def _size(text: str) -> tuple[int, int]:
    h, sep, w = text.lower().partition("x")
    if len(text) > 12:
        raise CliError(f"--size: expected N or HxW, got {text[:12]!r}…")
    try:
        shape = (int(h), int(w)) if sep else (1, int(h))
    except ValueError:
        raise CliError(f"--size: expected N or HxW, got {text!r}") from None
    if min(shape) < 1:
        raise CliError(f"--size: sides must be positive, got {text!r}")
    limit = LIMITS["matrix_pixels"][1]
    if shape[0] * shape[1] > limit:
        raise CliError(
            f"--size {text} is {shape[0] * shape[1]:,} pixels; the matrix is built "
            f"for at most {limit} (e.g. 16x16)"
        )
    return shape


def _matrix(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.conv import apply, conv_matrix

    kernel, cfg = _layer(args)
    if args.input is not None:
        x = _read(args.input)
        _size(f"{x.shape[0]}x{x.shape[1]}")
    else:
        x = np.ones(_size(args.size))
    _geometry(x.shape, kernel, cfg)
    c = conv_matrix(x.shape, kernel, cfg)
    out = apply(x, kernel, cfg)
    result = {
        "matrix": c,
        "shape": list(c.shape),
        "input_shape": list(x.shape),
        "output": out,
        "max_difference": float(np.abs(c @ x.ravel() - out.ravel()).max()),
    }
    if args.json:
        emit_json(result)
    else:
        _print_matrix("C", c)
        print(f"max |C·vec(I) − layer output| = {result['max_difference']:.3g}")
    return 0


def _backward(args: argparse.Namespace) -> int:
    from explorer.core.conv import backward

    x = _read(args.input)
    kernel, cfg = _layer(args)
    _geometry(x.shape, kernel, cfg)
    b = backward(x, kernel, cfg)
    result = {
        "loss": b.loss,
        "autograd": b.autograd,
        "matrix": b.matrix,
        "flipped": b.flipped,
        "max_difference": b.max_difference,
        "kernel_gradient": {
            "autograd": b.w_autograd,
            "matrix": b.w_matrix,
            "correlation": b.w_flipped,
            "max_difference": b.w_max_difference,
        },
    }
    if args.json:
        emit_json(result)
    else:
        print(f"L = ½‖I′‖² = {b.loss:.6g}")
        print(f"δ^(l−1): max difference of the three ways = {b.max_difference:.3g}")
        print(f"∂L/∂w:   max difference of the three ways = {b.w_max_difference:.3g}")
        _print_matrix("∂L/∂w (autograd)", b.w_autograd)
    return 0


def _pool(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.conv import max_pool, max_pool_backward

    x = _read(args.input)
    try:
        pooled = max_pool(x, args.size, args.stride)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    grad = max_pool_backward(np.ones_like(pooled.output), pooled)
    rows, cols = np.divmod(pooled.argmax, x.shape[1])
    result = {
        "output": pooled.output,
        "argmax": np.stack([rows, cols], axis=-1),
        "gradient": grad,
    }
    if args.json:
        emit_json(result)
    else:
        _print_matrix("max-pool", pooled.output)
        _print_matrix("gradient of Σ outputs (1 at each max)", grad)
    return 0


def _upsample(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.conv import max_pool, parse_kernel, transposed_upsample, upsample

    x = _read(args.input)
    s = args.stride
    result: dict[str, Any] = {"method": args.method}
    try:
        if args.method == "max-unpool":
            pooled = max_pool(x, s, s)
            out = upsample("max-unpool", pooled.output, pooled)
            result["pooled"] = pooled.output
            result["overlap"] = None
        elif args.method == "transposed":
            try:
                kernel = parse_kernel(args.kernel)
            except ValueError as exc:
                raise CliError(f"--kernel: {exc}") from None
            out = transposed_upsample(x, kernel, s)
            result["overlap"] = transposed_upsample(
                np.ones_like(x), np.ones_like(kernel), s
            )
        else:
            out = upsample(args.method, x, stride=s)
            result["overlap"] = None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    result["output"] = out
    if args.json:
        emit_json(result)
    else:
        _print_matrix(args.method, out)
        if result["overlap"] is not None:
            _print_matrix("overlap count", result["overlap"])
    return 0


def _unet(args: argparse.Namespace) -> int:
    from explorer.core.conv import unet_sizes

    try:
        stages = unet_sizes(args.input_size, args.depth, args.padding)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    result = {
        "stages": [s.to_dict() for s in stages],
        "output_size": stages[-1].size,
    }
    if args.json:
        emit_json(result)
    else:
        for s in stages:
            crop = f"  (crop {s.crop[0]} → {s.crop[1]})" if s.crop else ""
            print(f"{s.name:36s} {s.size:5d} × {s.size:<5d} × {s.channels}{crop}")
    return 0


def _segment(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.conv import SegmentConfig, train

    torch.set_num_threads(1)  # tiny networks: extra threads only add overhead
    per_epoch = math.ceil(args.train_digits / SegmentConfig().batch)
    cfg = SegmentConfig(
        archs=(args.arch,),
        steps=per_epoch * args.epochs,
        eval_every=per_epoch,
        train_digits=args.train_digits,
    )
    history = []
    for snap in train(cfg, seed=args.seed, device="cpu"):
        history.append(
            {
                "epoch": snap.step // per_epoch,
                "step": snap.step,
                "iou": snap.iou[args.arch],
                "loss": snap.losses.get(f"{args.arch}_loss"),
            }
        )
        if not args.json:
            print(f"\r{snap.message}", end="", file=sys.stderr, flush=True)
    if not args.json:
        print(file=sys.stderr)
    result = {"arch": args.arch, "seed": args.seed, "history": history}
    if args.json:
        emit_json(result)
    else:
        for h in history:
            print(f"epoch {h['epoch']:3d}  IoU {h['iou']:.3f}")
    return 0
