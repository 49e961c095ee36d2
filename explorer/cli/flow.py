"""``explorer flow``: train a 2-D normalizing flow, check its density, sample, eval."""

from __future__ import annotations

import argparse
import math
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
)
from explorer.core.flow.config import LIMITS
from explorer.core.flow.names import BUILTIN_DATA

if TYPE_CHECKING:
    from explorer.core.flow.model import FlowModel

MAX_EVAL_POINTS = 10_000
MAX_SAMPLES = 100_000


def _int(name: str) -> Any:
    lo, hi = LIMITS[name]
    return bounded_int(int(lo), int(hi))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``flow`` subcommand (``train``, ``density``, ``sample``, ``eval``)."""
    flow = sub.add_parser(
        "flow", help="normalizing flows on 2-D data: exact likelihood you can check"
    )
    actions = flow.add_subparsers(dest="flow_command", metavar="ACTION", required=True)
    p = actions.add_parser(
        "train",
        help="train a RealNVP-style flow by maximum likelihood; compare to a Gaussian",
        description=(
            "Train K affine coupling layers (with actnorm) on 2-D data by maximising "
            "Σ log p_z(f⁻¹(x)) + Σ_k log|det ∂f_k⁻¹/∂x|; report the NLL history, the "
            "test NLL and that of a full-covariance Gaussian fitted to the same data."
        ),
    )
    p.add_argument(
        "--data",
        default="moons",
        metavar="|".join((*BUILTIN_DATA, "FILE.csv")),
        help="a built-in dataset or a CSV file of 'x,y' points (default moons)",
    )
    p.add_argument("--layers", type=_int("layers"), default=6, metavar="K")
    p.add_argument("--hidden", type=_int("hidden"), default=64, metavar="N")
    p.add_argument("--steps", type=_int("steps"), default=1500, metavar="N")
    p.add_argument(
        "--lr", type=finite_float(*LIMITS["lr"]), default=5e-3, help="Adam step size"
    )
    p.add_argument(
        "--mix",
        default="alternate",
        choices=("alternate", "rotation", "learned"),
        help="between couplings: only alternate halves, a fixed rotation, or a "
        "learned 2×2 (Glow's 1×1 conv)",
    )
    p.add_argument("--planar", action="store_true", help="planar layers instead")
    p.add_argument("--seed", type=SEED, default=0, metavar="S")
    p.add_argument("--save", type=Path, default=None, metavar="model.pt")
    add_json_flag(p)
    p.set_defaults(handler=_train)

    d = actions.add_parser(
        "density",
        help="check a model: ∫p over a box, round trip, formula vs autograd log-det",
    )
    d.add_argument("--load", type=Path, required=True, metavar="model.pt")
    d.add_argument("--box", default="-4,4,-4,4", metavar="x0,x1,y0,y1")
    d.add_argument("--grid", type=bounded_int(8, 1000), default=200, metavar="N")
    add_json_flag(d)
    d.set_defaults(handler=_density)

    s = actions.add_parser("sample", help="draw samples x = f(z), z ~ N(0, I)")
    s.add_argument("--load", type=Path, required=True, metavar="model.pt")
    s.add_argument("--n", type=bounded_int(1, MAX_SAMPLES), default=100)
    s.add_argument("--seed", type=SEED, default=0, metavar="S")
    add_json_flag(s)
    s.set_defaults(handler=_sample)

    e = actions.add_parser("eval", help="log p(x) at given points")
    e.add_argument("--load", type=Path, required=True, metavar="model.pt")
    e.add_argument("--points", required=True, metavar="x,y;x,y")
    add_json_flag(e)
    e.set_defaults(handler=_eval)


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise CliError(
            f"{what}: expected numbers separated by commas, got {text!r}"
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise CliError(f"{what}: NaN or infinite values are not allowed ({text!r})")
    return values


def _config(args: argparse.Namespace) -> Any:
    from explorer.core.flow.config import Architecture, FlowConfig
    from explorer.core.flow.data import read_points_csv

    data = args.data
    points: tuple[tuple[float, float], ...] = ()
    if data not in BUILTIN_DATA:
        path = Path(data)
        if path.suffix.lower() != ".csv" and not path.exists():
            raise CliError(
                f"unknown dataset {data!r}: use one of {', '.join(BUILTIN_DATA)} "
                "or a CSV file of 'x,y' points"
            )
        try:
            points = tuple((float(x), float(y)) for x, y in read_points_csv(path))
        except ValueError as exc:
            raise CliError(str(exc)) from None
        data = "points"
    try:
        arch = Architecture(
            layers=args.layers,
            hidden=args.hidden,
            kind="planar" if args.planar else "coupling",
            mix=args.mix,
        )
        return FlowConfig(
            data=data,
            points=points,
            arch=arch,
            steps=args.steps,
            lr=args.lr,
            report_every=max(1, args.steps // 40),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _train(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.flow.checkpoint import save_model
    from explorer.core.flow.jobs import FlowTrainer
    from explorer.core.progress import DivergedError

    torch.set_num_threads(1)  # small MLPs: threads only spin
    cfg = _config(args)
    if args.save is not None and args.save.suffix.lower() != ".pt":
        raise CliError(f"--save must name a .pt file, got {args.save}")
    trainer = FlowTrainer(cfg, seed=args.seed)
    history: list[dict[str, Any]] = []
    try:
        while trainer.steps < args.steps:
            nll = trainer.step()
            if trainer.steps % cfg.report_every == 0 or trainer.steps == args.steps:
                history.append({"step": trainer.steps, "nll": nll})
                if not args.json:
                    print(
                        f"\rstep {trainer.steps}: NLL {nll:.3f}",
                        end="",
                        file=sys.stderr,
                    )
    except DivergedError as exc:
        raise CliError(str(exc), code=1) from None
    finally:
        if not args.json:
            print(file=sys.stderr)
    result: dict[str, Any] = {
        "data": args.data,
        "architecture": cfg.arch.to_dict(),
        "seed": args.seed,
        "history": history,
        "test_nll": trainer.test_nll(),
        "gaussian_test_nll": trainer.gaussian,
    }
    if args.save is not None:
        try:
            save_model(args.save, trainer.model)
        except OSError as exc:
            raise CliError(str(exc)) from None
        result["saved"] = str(args.save)
    if args.json:
        emit_json(result)
    else:
        print(f"flow of {cfg.arch.layers} layers on {args.data}, {args.steps} steps")
        print(f"test NLL:            {result['test_nll']:.3f} nats per point")
        print(
            f"Gaussian's test NLL: {result['gaussian_test_nll']:.3f} (full covariance)"
        )
    return 0


def _load(path: Path) -> FlowModel:
    from explorer.core.flow.checkpoint import CheckpointError, load_model

    try:
        return load_model(path)
    except CheckpointError as exc:
        raise CliError(str(exc)) from None


def _density(args: argparse.Namespace) -> int:
    import numpy as np
    import torch

    from explorer.core.flow.model import (
        box_integral,
        density_grid,
        grid_axes,
        logdet_error,
        roundtrip_error,
    )

    torch.set_num_threads(1)
    box_values = _numbers(args.box, "--box")
    if len(box_values) != 4:
        raise CliError(f"--box: expected x0,x1,y0,y1, got {args.box!r}")
    x0, x1, y0, y1 = box_values
    if not (x0 < x1 and y0 < y1):
        raise CliError(f"--box: need x0 < x1 and y0 < y1, got {args.box!r}")
    if max(abs(v) for v in box_values) > 1e3:
        raise CliError("--box: keep the box within ±1000")
    box = (x0, x1, y0, y1)
    model = _load(args.load)
    logp = density_grid(model, box, args.grid)
    xs, ys = grid_axes(box, 12)  # a coarse grid of check points
    gx, gy = np.meshgrid(xs, ys)
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    result = {
        "box": list(box),
        "grid": args.grid,
        "integral": box_integral(logp, box),
        "roundtrip_error": roundtrip_error(model, pts),
        "logdet_error": logdet_error(model, pts),
        "check_points": len(pts),
    }
    if args.json:
        emit_json(result)
    else:
        print(f"∫ p over the box:            {result['integral']:.4f}")
        print(f"max ‖f(f⁻¹(x)) − x‖:         {result['roundtrip_error']:.2e}")
        print(f"max |log-det formula − autograd|: {result['logdet_error']:.2e}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    import torch

    torch.set_num_threads(1)
    model = _load(args.load)
    gen = torch.Generator().manual_seed(args.seed)
    with torch.no_grad():
        x = model.to_x(torch.randn(args.n, 2, generator=gen))
    samples = x.double().numpy()
    if args.json:
        emit_json({"samples": samples})
    else:
        for sx, sy in samples:
            print(f"{sx:.6g},{sy:.6g}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from explorer.core.flow.model import log_prob_numpy

    parts = [p for p in args.points.split(";") if p.strip()]
    if not parts:
        raise CliError("--points: give at least one point as 'x,y' (';' between)")
    if len(parts) > MAX_EVAL_POINTS:
        raise CliError(f"--points: at most {MAX_EVAL_POINTS:,} points")
    points = []
    for part in parts:
        values = _numbers(part, "--points")
        if len(values) != 2:
            raise CliError(f"--points: each point is 'x,y', got {part!r}")
        points.append(values)
    model = _load(args.load)
    logp = log_prob_numpy(model, points)
    if args.json:
        emit_json({"log_prob": logp})
    else:
        for (x, y), lp in zip(points, logp, strict=True):
            print(f"log p({x:g}, {y:g}) = {lp:.4f}")
    return 0
