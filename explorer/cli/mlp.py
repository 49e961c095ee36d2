"""``explorer mlp``: the perceptron rule, a 2-D MLP playground, bumps in 1-D."""

from __future__ import annotations

import argparse
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
from explorer.core.mlp.config import LIMITS
from explorer.core.mlp.names import (
    ACTIVATIONS,
    BUILTIN_DATA,
    BUILTIN_TARGETS,
    FEATURES,
    LOSS_NAMES,
    PERCEPTRON_DATA,
)


def _int(name: str) -> Any:
    lo, hi = LIMITS[name]
    return bounded_int(int(lo), int(hi))


def _float(name: str) -> Any:
    return finite_float(*LIMITS[name])


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``mlp`` subcommand with its ``perceptron``, ``train``, ``approx``."""
    mlp = sub.add_parser("mlp", help="perceptrons and MLPs on 2-D data; bumps in 1-D")
    actions = mlp.add_subparsers(dest="mlp_command", metavar="ACTION", required=True)

    p = actions.add_parser(
        "perceptron",
        help="run the perceptron rule; compare its mistakes with Novikoff's bound",
        description=(
            "Run w ← w + η(y − ŷ)x̃ on x̃ = (1, x1, x2) until no point is "
            "misclassified or --max-updates; print the mistakes and Novikoff's "
            "bound (R/γ)² (R = max‖x̃‖, γ the exact margin of the best separator)."
        ),
    )
    p.add_argument(
        "--data",
        default="separable",
        metavar="|".join((*PERCEPTRON_DATA, "FILE.csv")),
        help="a preset or a CSV of 'x1,x2,label' rows (default separable)",
    )
    p.add_argument("--eta", type=_float("eta"), default=1.0, help="learning rate η")
    p.add_argument(
        "--max-updates",
        type=_int("max_updates"),
        default=1000,
        metavar="N",
        help="stop after N updates (default 1000)",
    )
    p.add_argument("--seed", type=SEED, default=0, metavar="S", help="random seed")
    add_json_flag(p)
    p.set_defaults(handler=_perceptron)

    t = actions.add_parser(
        "train",
        help="train an MLP classifier on 2-D data",
        description="Train x⁽ˡ⁾ = σ(W⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾) by gradient descent "
        "(30 % of the points held out for the test loss).",
    )
    t.add_argument(
        "--data",
        default="xor",
        metavar="|".join((*BUILTIN_DATA, "FILE.csv")),
        help="a preset or a CSV of 'x1,x2,label' rows (default xor)",
    )
    t.add_argument(
        "--hidden",
        default="4,4",
        metavar="W1,W2,…",
        help="widths of the hidden layers, e.g. 4,4 (empty: logistic regression)",
    )
    t.add_argument("--activation", default="tanh", choices=ACTIVATIONS)
    t.add_argument(
        "--features",
        default="x1,x2",
        metavar=",".join(FEATURES),
        help="input features (default x1,x2)",
    )
    t.add_argument("--loss", default="ce", choices=LOSS_NAMES)
    t.add_argument(
        "--batch",
        default="full",
        metavar="N|full",
        help="mini-batch size (1: SGD; full: full-batch GD, the default)",
    )
    t.add_argument("--lr", type=_float("lr"), default=0.1, help="learning rate")
    t.add_argument("--l2", type=_float("l2"), default=0.0, help="L2 penalty λ")
    t.add_argument("--steps", type=_int("steps"), default=500, metavar="N")
    t.add_argument("--report-every", type=_int("report_every"), default=None)
    t.add_argument("--seed", type=SEED, default=0, metavar="S", help="random seed")
    t.add_argument(
        "--save",
        type=Path,
        default=None,
        metavar="model.pt",
        help="save the trained network (torch.load(..., weights_only=True) reads it)",
    )
    add_json_flag(t)
    t.set_defaults(handler=_train)

    a = actions.add_parser(
        "approx",
        help="fit a 1-D target with N sigmoid units; print the sup error",
        description="Fit g(x) = c + Σ vᵢσ(wᵢx + bᵢ) to f on [0, 1] (400 samples).",
    )
    a.add_argument(
        "--target",
        default="nielsen",
        metavar="|".join((*BUILTIN_TARGETS, "FILE.csv")),
        help="a preset or a CSV of 'x,y' rows (default nielsen)",
    )
    a.add_argument("--units", type=_int("units"), default=10, metavar="N")
    a.add_argument("--steps", type=_int("approx_steps"), default=2000, metavar="N")
    a.add_argument("--seed", type=SEED, default=0, metavar="S", help="random seed")
    add_json_flag(a)
    a.set_defaults(handler=_approx)


def _points(name: str, choices: tuple[str, ...], seed: int) -> Any:
    from explorer.core.mlp.data import make_points, read_points_csv

    if name in choices:
        return make_points(name, 200, seed=seed)
    path = Path(name)
    if path.suffix.lower() != ".csv" and not path.exists():
        raise CliError(
            f"unknown data set {name!r}: use one of {', '.join(choices)} or a CSV "
            "file of 'x1,x2,label' rows"
        )
    try:
        return read_points_csv(path)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _perceptron(args: argparse.Namespace) -> int:
    from explorer.core.mlp.config import PerceptronConfig
    from explorer.core.mlp.perceptron import best_margin, run

    pts = _points(args.data, PERCEPTRON_DATA, args.seed)
    cfg = PerceptronConfig(eta=args.eta, max_updates=args.max_updates)
    *_, last = run(pts, cfg, seed=args.seed)
    margin = best_margin(pts)
    result = {
        "converged": last.converged,
        "updates": last.step,
        "mistakes": last.step,
        "errors": last.errors,
        "bound": margin.bound,
        "R": margin.radius,
        "margin": margin.gamma,
        "w": last.w,
        "cycle": list(last.cycle) if last.cycle else None,
    }
    if args.json:
        emit_json(result)
        return 0
    state = "converged" if last.converged else "did NOT converge"
    print(f"perceptron on {args.data}: {state} after {last.step} updates")
    print(f"w = (w0, w1, w2) = ({', '.join(f'{v:.4g}' for v in last.w)})")
    if margin.bound is None:
        print("not linearly separable: no margin, no bound (the rule never stops)")
    else:
        print(
            f"Novikoff: mistakes {last.step} ≤ (R/γ)² = ({margin.radius:.4g}/"
            f"{margin.gamma:.4g})² = {margin.bound:.4g}"
        )
    return 0


def _csv_list(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _train(args: argparse.Namespace) -> int:
    from explorer.core.mlp.config import MlpConfig
    from explorer.core.mlp.model import save_model
    from explorer.core.mlp.train import train
    from explorer.core.progress import DivergedError, check_finite

    try:
        hidden = tuple(int(h) for h in _csv_list(args.hidden))
    except ValueError:
        raise CliError(
            "--hidden must be widths separated by commas, e.g. 4,4; "
            f"got {args.hidden!r}"
        ) from None
    if args.batch == "full":
        batch = 0
    else:
        try:
            batch = int(args.batch)
        except ValueError:
            raise CliError(
                f"--batch must be a number or 'full', got {args.batch!r}"
            ) from None
        if batch < 1:
            raise CliError(f"--batch must be at least 1 (or 'full'), got {batch}")
    if args.save is not None and args.save.suffix.lower() != ".pt":
        raise CliError(f"--save must name a .pt file, got {args.save}")
    try:
        cfg = MlpConfig(
            hidden=hidden,
            activation=args.activation,
            features=tuple(_csv_list(args.features)),
            loss=args.loss,
            batch=min(batch, int(LIMITS["batch"][1])),
            lr=args.lr,
            l2=args.l2,
            steps=args.steps,
            report_every=args.report_every or max(1, args.steps // 20),
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    pts = _points(args.data, BUILTIN_DATA, args.seed)
    history = []
    last = None
    try:
        for snap in train(pts, cfg, seed=args.seed):
            check_finite(snap.losses, where=f"step {snap.step}")
            last = snap
            history.append(
                {
                    "step": snap.step,
                    "train_loss": snap.train_loss,
                    "test_loss": snap.test_loss,
                    "train_accuracy": snap.train_accuracy,
                    "test_accuracy": snap.test_accuracy,
                }
            )
    except DivergedError as exc:
        raise CliError(str(exc), code=1) from None
    assert last is not None and last.weights is not None
    n_params = sum(w.size + b.size for w, b in last.weights)
    if args.save is not None:
        try:
            save_model(args.save, cfg, last.weights)
        except OSError as exc:
            raise CliError(f"cannot write {args.save}: {exc.strerror or exc}") from None
    if args.json:
        out: dict[str, Any] = {"history": history, "parameters": n_params}
        if args.save is not None:
            out["saved"] = str(args.save)
        emit_json(out)
        return 0
    arch = " × ".join(map(str, hidden)) or "none (logistic regression)"
    print(f"MLP on {args.data}: hidden {arch}, {cfg.activation}, {n_params} parameters")
    print(
        f"step {last.step}: train loss {last.train_loss:.4f}, test loss "
        f"{last.test_loss:.4f}, train accuracy {100 * last.train_accuracy:.1f} %, "
        f"test accuracy {100 * last.test_accuracy:.1f} %"
    )
    if args.save is not None:
        print(f"saved {args.save}")
    return 0


def _approx(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.mlp.approx import fit, xs
    from explorer.core.mlp.config import ApproxConfig
    from explorer.core.mlp.data import read_target_csv, sampled_target, target_values

    if args.target in BUILTIN_TARGETS:
        f = target_values(args.target, xs())
    else:
        path = Path(args.target)
        if path.suffix.lower() != ".csv" and not path.exists():
            raise CliError(
                f"unknown target {args.target!r}: use one of "
                f"{', '.join(BUILTIN_TARGETS)} or a CSV file of 'x,y' rows"
            )
        try:
            tx, ty = read_target_csv(path)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        # the samples are mapped onto [0, 1]: the fit's domain
        lo, hi = float(tx.min()), float(tx.max())
        f = sampled_target((tx - lo) / (hi - lo), ty, xs())
    *_, last = fit(np.asarray(f), ApproxConfig(units=args.units, steps=args.steps))
    result = {
        "units": args.units,
        "max_error": last.max_error,
        "mean_error": last.mean_error,
    }
    if args.json:
        emit_json(result)
        return 0
    print(
        f"{args.units} sigmoid units, {args.steps} Adam steps: max |g − f| = "
        f"{last.max_error:.4g}, mean |g − f| = {last.mean_error:.4g}"
    )
    return 0
