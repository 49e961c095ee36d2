"""``explorer gan train``: train a GAN on 2-D data and report its mode coverage."""

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
    finite_float,
    save_png,
)
from explorer.core.gan.config import LIMITS
from explorer.core.gan.names import BUILTIN_DATA, EVAL_SAMPLES, LOSS_NAMES

if TYPE_CHECKING:
    from explorer.core.gan import GanProgress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gan`` subcommand (with its ``train`` action)."""
    gan = sub.add_parser("gan", help="GANs on 2-D data: mode collapse and its remedies")
    actions = gan.add_subparsers(dest="gan_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "train",
        help="train G and D on 2-D data; print modes captured (VEEGAN, 2,500 samples)",
        description=(
            "Train a GAN on a 2-D mixture of Gaussians and report the VEEGAN mode "
            "metrics on 2,500 samples (a sample is high quality within 3σ of its "
            "nearest mode; a mode is captured when a high-quality sample is nearest "
            "to it) and the reverse KL on a 50×50 grid."
        ),
    )
    p.add_argument(
        "--data",
        default="ring8",
        metavar="|".join((*BUILTIN_DATA, "POINTS.csv")),
        help="a built-in dataset or a CSV file of 'x,y' mode centres (default ring8)",
    )
    p.add_argument(
        "--points-std",
        type=finite_float(*LIMITS["points_std"], open_low=True),
        default=0.05,
        metavar="SIGMA",
        help="σ of each mode of a CSV point set (default 0.05)",
    )
    p.add_argument(
        "--loss",
        default="non-saturating",
        choices=LOSS_NAMES,
        help="the objective (default non-saturating)",
    )
    p.add_argument(
        "--unroll",
        type=bounded_int(*map(int, LIMITS["unroll"])),
        default=5,
        metavar="K",
        help="unrolled D steps k for --loss unrolled (default 5)",
    )
    p.add_argument(
        "--steps",
        type=bounded_int(*map(int, LIMITS["steps"])),
        default=2000,
        metavar="N",
        help="generator steps (default 2000)",
    )
    p.add_argument(
        "--report-every",
        type=bounded_int(*map(int, LIMITS["report_every"])),
        default=None,
        metavar="N",
        help="history entry every N steps (default steps/40)",
    )
    p.add_argument(
        "--seed", type=SEED, default=0, metavar="S", help="random seed (default 0)"
    )
    p.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cpu", "cuda"),
        help="compute device (default auto: the CPU, faster for these small MLPs)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="final.png",
        help="save the final samples over D's heatmap as a PNG",
    )
    add_json_flag(p)
    p.set_defaults(handler=_train)


def _config(args: argparse.Namespace) -> Any:
    from explorer.core.gan import GanConfig, read_points_csv

    points: tuple[tuple[float, float], ...] = ()
    data = args.data
    if data not in BUILTIN_DATA:
        path = Path(data)
        if path.suffix.lower() != ".csv" and not path.exists():
            raise CliError(
                f"unknown dataset {data!r}: use one of {', '.join(BUILTIN_DATA)} "
                "or a CSV file of 'x,y' points"
            )
        try:
            arr = read_points_csv(path)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        points = tuple((float(x), float(y)) for x, y in arr)
        data = "points"
    report = args.report_every or max(1, args.steps // 40)
    try:
        return GanConfig(
            data=data,
            points=points,
            points_std=args.points_std,
            loss=args.loss,
            unroll=args.unroll,
            steps=args.steps,
            report_every=report,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _train(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.device import resolve_device
    from explorer.core.gan import train
    from explorer.core.progress import DivergedError

    # these MLPs are far too small to gain from intra-op threads, and spinning
    # OpenMP workers slow everything down on a busy machine
    torch.set_num_threads(1)
    cfg = _config(args)
    try:
        resolve_device(args.device)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.out is not None and args.out.suffix.lower() != ".png":
        raise CliError(f"--out must name a .png file, got {args.out}")
    history: list[dict[str, Any]] = []
    last: GanProgress | None = None
    try:
        for snap in train(cfg, seed=args.seed, device=args.device):
            last = snap
            history.append(
                {
                    "step": snap.step,
                    "d_loss": snap.losses.get("d_loss"),
                    "g_loss": snap.losses.get("g_loss"),
                    "modes_captured": snap.modes_captured,
                    "high_quality_fraction": snap.high_quality_fraction,
                    "reverse_kl": snap.reverse_kl,
                }
            )
            if not args.json:
                print(f"\r{snap.message}", end="", file=sys.stderr, flush=True)
    except DivergedError as exc:
        raise CliError(str(exc), code=1) from None
    finally:
        if not args.json:
            print(file=sys.stderr)
    assert last is not None
    if args.out is not None:
        _save_png(last, args.out)
    result = {
        "data": args.data,
        "loss": cfg.loss,
        "steps": last.step,
        "seed": args.seed,
        "unroll": cfg.unroll if cfg.loss == "unrolled" else None,
        "eval_samples": EVAL_SAMPLES,
        "modes_total": last.modes_total,
        "modes_captured": last.modes_captured,
        "capture_threshold": last.capture_threshold,
        "high_quality_fraction": last.high_quality_fraction,
        "reverse_kl": last.reverse_kl,
        "jsd": last.jsd,
        "criterion": last.criterion,
        "history": history,
    }
    if args.out is not None:
        result["out"] = str(args.out)
    if args.json:
        emit_json(result)
    else:
        print(f"{cfg.loss} GAN on {args.data}, seed {args.seed}, {last.step} G steps")
        print(
            f"modes captured:      {last.modes_captured} / {last.modes_total} "
            f"(≥ {last.capture_threshold} of {EVAL_SAMPLES:,} samples within 3σ "
            "each, PacGAN)"
        )
        print(
            f"high-quality samples: {100 * last.high_quality_fraction:.1f} % "
            "(within 3σ of a mode, 2,500 samples)"
        )
        print(f"reverse KL:          {last.reverse_kl:.3f} nats")
        print(
            f"C(G) = −log 4 + 2·JSD: {last.criterion:.3f} (optimum −1.386; "
            "Goodfellow et al. 2014)"
        )
        if args.out is not None:
            print(f"image:               {args.out}")
    return 0


def _save_png(snap: GanProgress, path: Path, size: int = 512) -> None:
    """Write the samples over D's heatmap (blue: fake, red: real) as a PNG."""
    import numpy as np
    from PIL import Image, ImageDraw

    heat = snap.heat.astype(np.float64)
    if not snap.heat_is_probability:  # a critic: scale to [0, 1] around its mean
        span = float(np.abs(heat).max()) or 1.0
        heat = 0.5 + 0.5 * heat / span
    # blue - white - red diverging ramp (the ends of colorcet CET-D1)
    blue, white, red = (
        np.array(c, dtype=np.float64)
        for c in ((33, 81, 214), (242, 242, 242), (196, 36, 36))
    )
    t = heat[::-1, :, None]  # image rows run top-down, heat rows bottom-up
    rgb = np.where(
        t < 0.5, blue + (white - blue) * (2 * t), white + (red - white) * (2 * t - 1)
    )
    img = Image.fromarray(rgb.clip(0, 255).astype(np.uint8)).resize((size, size))
    draw = ImageDraw.Draw(img)
    x0, x1, y0, y1 = snap.extent

    def px(x: float, y: float) -> tuple[float, float]:
        return (x - x0) / (x1 - x0) * size, (1 - (y - y0) / (y1 - y0)) * size

    for mx, my in snap.means:
        u, v = px(mx, my)
        draw.ellipse([u - 6, v - 6, u + 6, v + 6], outline=(0, 120, 80), width=2)
    for sx, sy in snap.samples:
        u, v = px(float(sx), float(sy))
        draw.ellipse([u - 1.5, v - 1.5, u + 1.5, v + 1.5], fill=(0, 0, 0))
    draw.text(
        (6, 6),
        f"{snap.loss_name}  step {snap.step}  modes "
        f"{snap.modes_captured}/{snap.modes_total}",
        fill=(0, 0, 0),
    )
    save_png(img, path)
