"""``explorer ar …``: blind spots, WaveNet fields, attention, cost, train, sample."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from explorer.cli.common import (
    SEED,
    CliError,
    add_json_flag,
    bounded_int,
    emit_json,
    save_png,
)
from explorer.core.ar.config import DEFAULTS, LIMITS
from explorer.core.ar.names import ARCH_NAMES, MAX_LENGTH, MODEL_NAMES

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]


def _int(name: str, lo: int | None = None) -> Any:
    low, high = LIMITS[name]
    return bounded_int(low if lo is None else lo, high)


def _int_list(text: str) -> tuple[int, ...]:
    """Parse "1,2,4" (argparse ``type=``); an empty list is refused later."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if len(parts) > 64:
        raise argparse.ArgumentTypeError(f"at most 64 values, got {len(parts)}")
    out = []
    for p in parts:
        if len(p) > 10 or not p.lstrip("+-").isdigit():
            raise argparse.ArgumentTypeError(f"not a whole number: {p[:12]!r}")
        out.append(int(p))
    return tuple(out)


def register(sub: SubParsers) -> None:
    """Add the ``ar`` subcommand and its actions."""
    ar = sub.add_parser(
        "ar", help="autoregressive models: blind spots, dilations, attention, NADE"
    )
    actions = ar.add_subparsers(dest="ar_command", metavar="ACTION", required=True)
    _register_blindspot(actions)
    _register_wavenet(actions)
    _register_attention(actions)
    _register_train(actions)


def _register_blindspot(actions: SubParsers) -> None:
    p = actions.add_parser(
        "blindspot",
        help="the input pixels one output of a masked stack depends on, and its "
        "blind spot",
        description="Offsets (dy, dx) of the input pixels one output pixel depends "
        "on (non-zero gradient through the real stack; dy < 0 is above, dx > 0 to "
        "the right) and of the earlier pixels inside that field's bounding box it "
        "misses (the blind spot).",
    )
    # the layer count is checked by the core: 0 or negative gets its own message
    p.add_argument(
        "--layers",
        type=bounded_int(-(10**6), LIMITS["layers"][1]),
        required=True,
        metavar="L",
        help="masked layers (1 … 12)",
    )
    p.add_argument(
        "--kernel",
        type=bounded_int(-(10**6), 10**6),
        default=3,
        metavar="K",
        help="odd kernel size k (3 … 9, default 3)",
    )
    p.add_argument(
        "--arch",
        choices=ARCH_NAMES,
        default="pixelcnn",
        help="pixelcnn (mask A then B) or gated (two stacks)",
    )
    add_json_flag(p)
    p.set_defaults(handler=_blindspot)


def _blindspot(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.ar.masks import offsets

    torch.set_num_threads(1)
    try:
        field, blind = offsets(args.arch, args.layers, args.kernel)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        emit_json({"receptive_field": field, "blind": blind})
    else:
        print(
            f"{args.arch}, L = {args.layers}, k = {args.kernel}: the output sees "
            f"{len(field)} input pixels; {len(blind)} earlier pixels are blind"
        )
        if blind:
            print("blind (dy, dx): " + ", ".join(f"({y}, {x})" for y, x in blind))
    return 0


def _register_wavenet(actions: SubParsers) -> None:
    p = actions.add_parser(
        "wavenet",
        help="receptive field of a causal dilated stack: 1 + Σ (k − 1)·d",
    )
    p.add_argument(
        "--dilations",
        type=_int_list,
        required=True,
        metavar="1,2,4,…",
        help="comma-separated dilations, one per layer",
    )
    p.add_argument(
        "--kernel",
        type=_int("wave_kernel"),
        default=2,
        metavar="K",
        help="kernel size k (2 … 8, default 2)",
    )
    p.add_argument(
        "--sample-rate",
        type=_int("sample_rate"),
        default=16_000,
        metavar="HZ",
        help="samples per second (default 16000)",
    )
    add_json_flag(p)
    p.set_defaults(handler=_wavenet)


def _wavenet(args: argparse.Namespace) -> int:
    from explorer.core.ar.wavenet import check_dilations, milliseconds, receptive_field

    try:
        ds = check_dilations(args.dilations, args.kernel)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    n = receptive_field(ds, args.kernel)
    ms = milliseconds(n, args.sample_rate)
    if args.json:
        emit_json({"receptive_field": n, "milliseconds": ms})
    else:
        print(
            f"receptive field: {n:,} samples = {ms:.4g} ms at {args.sample_rate:,} Hz"
        )
    return 0


def _register_attention(actions: SubParsers) -> None:
    p = actions.add_parser(
        "attention", help="α = softmax(QKᵀ/√D + M) of a random sequence"
    )
    p.add_argument(
        "--length",
        type=bounded_int(1, 10**9),
        required=True,
        metavar="T",
        help=f"sequence length T (at most {MAX_LENGTH:,})",
    )
    p.add_argument(
        "--dim",
        type=_int("cost_dim"),
        default=8,
        metavar="D",
        help="model width D (default 8)",
    )
    p.add_argument("--causal", action="store_true", help="mask the future (M)")
    p.add_argument(
        "--seed", type=SEED, default=0, metavar="S", help="seed of X and W (default 0)"
    )
    add_json_flag(p)
    p.set_defaults(handler=_attention)

    c = actions.add_parser(
        "cost", help="measured seconds per layer: attention, RNN, convolution"
    )
    c.add_argument(
        "--lengths",
        type=_int_list,
        default=(16, 64, 256, 1024),
        metavar="16,64,…",
        help="sequence lengths T (each 2 … 4,096)",
    )
    c.add_argument(
        "--dim",
        type=_int("cost_dim"),
        default=DEFAULTS["cost_dim"],
        metavar="D",
        help="model width D (default 64)",
    )
    add_json_flag(c)
    c.set_defaults(handler=_cost)


def _attention(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.ar.attention import attention, random_inputs

    if args.length > MAX_LENGTH:
        raise CliError(f"T must be at most {MAX_LENGTH:,}, got {args.length:,}")
    x = random_inputs(args.length, args.dim, args.seed)
    att = attention(x, causal=args.causal, seed=args.seed)
    if args.json:
        emit_json({"alpha": att.alpha})
    else:
        with np.printoptions(precision=3, suppress=True, linewidth=120):
            print(att.alpha)
    return 0


def _cost(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.ar.attention import check_lengths, measure_costs

    torch.set_num_threads(1)
    try:
        lengths = check_lengths(args.lengths)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    last = None
    for last in measure_costs(lengths, args.dim):
        if not args.json:
            print(f"\r{last.message}", end="", file=sys.stderr, flush=True)
    assert last is not None
    if args.json:
        emit_json({"lengths": last.lengths, "dim": args.dim, "seconds": last.seconds})
    else:
        print(file=sys.stderr)
        print(f"{'T':>6}  attention      RNN     conv  (s per layer, D = {args.dim})")
        for i, n in enumerate(last.lengths):
            row = "  ".join(
                f"{last.seconds[k][i]:.2e}" for k in ("attention", "rnn", "conv")
            )
            print(f"{n:>6}  {row}")
    return 0


def _register_train(actions: SubParsers) -> None:
    p = actions.add_parser(
        "train", help="train FVSBN, NADE or a tiny PixelCNN on binarised MNIST"
    )
    p.add_argument("--model", choices=MODEL_NAMES, default="nade")
    p.add_argument(
        "--epochs",
        type=_int("epochs"),
        default=DEFAULTS["epochs"],
        metavar="N",
        help="epochs (default 3)",
    )
    p.add_argument(
        "--digits",
        type=_int("train_digits"),
        default=DEFAULTS["train_digits"],
        metavar="N",
        help="training digits (default 1000)",
    )
    p.add_argument("--seed", type=SEED, default=0, metavar="S")
    p.add_argument(
        "--save",
        type=Path,
        default=None,
        metavar="FILE",
        help="save the trained weights (torch file)",
    )
    add_json_flag(p)
    p.set_defaults(handler=_train)

    s = actions.add_parser(
        "sample", help="draw digits pixel by pixel from saved weights"
    )
    s.add_argument("--load", type=Path, required=True, metavar="FILE")
    s.add_argument("--out", type=Path, required=True, metavar="PNG")
    s.add_argument("--seed", type=SEED, default=0, metavar="S")
    add_json_flag(s)
    s.set_defaults(handler=_sample)


def _train(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.ar.config import TrainConfig
    from explorer.core.ar.jobs import save_checkpoint, train
    from explorer.core.progress import DivergedError

    torch.set_num_threads(1)
    cfg = TrainConfig(model=args.model, epochs=args.epochs, train_digits=args.digits)
    last = None
    try:
        for last in train(cfg, seed=args.seed, draw=False):
            if not args.json:
                print(f"\r{last.message}", end="", file=sys.stderr, flush=True)
    except DivergedError as exc:
        raise CliError(str(exc), code=1) from None
    assert last is not None and last.weights is not None
    if args.save is not None:
        try:
            save_checkpoint(args.save, cfg, last.weights)
        except OSError as exc:
            raise CliError(f"cannot write {args.save}: {exc.strerror or exc}") from None
    history = [{"epoch": e, "bits_per_pixel": b} for e, b in last.history]
    if args.json:
        emit_json(
            {
                "model": cfg.model,
                "history": history,
                "independent_bits_per_pixel": last.baseline,
                "saved": str(args.save) if args.save else None,
            }
        )
    else:
        print(file=sys.stderr)
        for h in history:
            print(f"epoch {h['epoch']}: {h['bits_per_pixel']:.4f} bits per pixel")
        print(f"independent pixels: {last.baseline:.4f} bits per pixel")
    return 0


def _sample(args: argparse.Namespace) -> int:
    import numpy as np
    import torch
    from PIL import Image

    from explorer.core.ar.jobs import CheckpointError, load_checkpoint, sample

    torch.set_num_threads(1)
    if args.out.suffix.lower() != ".png":
        raise CliError(f"--out must name a .png file, got {args.out}")
    try:
        cfg, weights = load_checkpoint(args.load)
    except CheckpointError as exc:
        raise CliError(str(exc)) from None
    last = None
    for item in sample(cfg, weights, seed=args.seed):
        last = item
    assert last is not None and last.samples is not None
    tiles = np.concatenate(list(1.0 - last.samples), axis=1)  # ink dark on white
    img = Image.fromarray((tiles * 255).astype(np.uint8)).resize(
        (tiles.shape[1] * 4, tiles.shape[0] * 4), Image.Resampling.NEAREST
    )
    save_png(img, args.out)
    if args.json:
        emit_json({"model": cfg.model, "samples": len(last.samples), "out": args.out})
    else:
        print(f"{len(last.samples)} {cfg.model} samples written to {args.out}")
    return 0
