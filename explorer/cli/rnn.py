"""``explorer rnn``: the gradient through time of a random net; memory-task training."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from explorer.cli.common import (
    SEED,
    CliError,
    add_json_flag,
    bounded_int,
    emit_json,
    finite_float,
)
from explorer.core.rnn.config import LIMITS
from explorer.core.rnn.names import ACTIVATIONS, CELLS, MATRICES, OPTIMIZERS, TASKS


def _int(name: str) -> Any:
    lo, hi = LIMITS[name]
    return bounded_int(int(lo), int(hi))


def _float(name: str, *, open_low: bool = False) -> Any:
    lo, hi = LIMITS[name]
    return finite_float(lo, hi, open_low=open_low)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``rnn`` subcommand (with its ``jacobian`` and ``train`` actions)."""
    rnn = sub.add_parser(
        "rnn", help="recurrent nets: vanishing/exploding gradients, RNN vs LSTM"
    )
    actions = rnn.add_subparsers(dest="rnn_command", metavar="ACTION", required=True)
    j = actions.add_parser(
        "jacobian",
        help="‖∂h^T/∂h^k‖ for k = 0…T of a random recurrent net",
        description=(
            "Print the norms ‖∂h^T/∂h^k‖₂, k = 0…T, of a random net whose recurrent "
            "matrix has a chosen spectrum (Pascanu et al. 2013); for the LSTM and "
            "the naive memory cell the memory path ‖∂c^T/∂c^k‖₂."
        ),
    )
    j.add_argument("--cell", choices=CELLS, default="rnn", help="default rnn")
    j.add_argument("--hidden", type=_int("hidden"), default=64, metavar="N")
    j.add_argument("--steps", type=_int("steps"), default=100, metavar="T")
    j.add_argument(
        "--matrix", choices=MATRICES, default="orthogonal", help="default orthogonal"
    )
    j.add_argument(
        "--scale",
        type=_float("scale"),
        default=0.9,
        metavar="λ",
        help="λ of λQ, or the spectral radius ρ (default 0.9)",
    )
    j.add_argument("--activation", choices=ACTIVATIONS, default="tanh")
    j.add_argument(
        "--input-scale", type=_float("input_scale"), default=1.0, metavar="S"
    )
    j.add_argument(
        "--forget",
        type=_float("forget"),
        default=None,
        metavar="F",
        help="LSTM: hold the forget gate at F",
    )
    j.add_argument(
        "--input-gate",
        type=_float("input_gate"),
        default=None,
        metavar="I",
        help="LSTM: hold the input gate at I",
    )
    j.add_argument("--seed", type=SEED, default=0, metavar="S")
    add_json_flag(j)
    j.set_defaults(handler=_jacobian)

    t = actions.add_parser(
        "train",
        help="train a cell on a memory task; print loss, accuracy, gradient norm",
        description=(
            "Train a vanilla RNN, an LSTM or the naive memory cell with Adam on "
            "'remember the first symbol' (accuracy) or the adding problem (the "
            "fraction within 0.04 of the sum)."
        ),
    )
    t.add_argument("--cell", choices=CELLS, default="lstm", help="default lstm")
    t.add_argument("--task", choices=TASKS, default="first-symbol")
    t.add_argument("--length", type=_int("length"), default=50, metavar="T")
    t.add_argument("--hidden", type=_int("hidden"), default=None, metavar="N")
    t.add_argument("--steps", type=_int("train_steps"), default=None, metavar="N")
    t.add_argument(
        "--clip",
        type=_float("clip", open_low=True),
        default=None,
        metavar="C",
        help="clip the gradient norm at C (g ← c·g/‖g‖)",
    )
    t.add_argument("--lr", type=_float("lr", open_low=True), default=None, metavar="F")
    t.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="adam",
        help="default adam; sgd shows what an exploding gradient does to a step",
    )
    t.add_argument(
        "--init-scale",
        type=_float("init_scale"),
        default=None,
        metavar="λ",
        help="W_hh starts as λ × a random orthogonal matrix",
    )
    t.add_argument("--seed", type=SEED, default=0, metavar="S")
    add_json_flag(t)
    t.set_defaults(handler=_train)


def _jacobian(args: argparse.Namespace) -> int:
    from explorer.core.rnn.config import JacobianConfig
    from explorer.core.rnn.jacobian import jacobian_norms

    try:
        cfg = JacobianConfig(
            cell=args.cell,
            hidden=args.hidden,
            steps=args.steps,
            matrix=args.matrix,
            scale=args.scale,
            activation=args.activation,
            input_scale=args.input_scale,
            forget=args.forget,
            input_gate=args.input_gate,
        )
        if cfg.cell != "lstm" and (
            cfg.forget is not None or cfg.input_gate is not None
        ):
            raise ValueError("--forget and --input-gate apply to --cell lstm only")
        result = jacobian_norms(cfg, seed=args.seed)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    q = result.quantity
    doc = {
        "cell": cfg.cell,
        "matrix": cfg.matrix,
        "scale": cfg.scale,
        "steps": cfg.steps,
        "hidden": cfg.hidden,
        "quantity": f"‖∂{q}^T/∂{q}^k‖₂, k = 0…T",
        "norms": result.norms,
        "log10_norms": result.log10_norms,
        "bound": result.bound,
        "eta": result.eta,
        "spectral_radius": result.spectral_radius,
        "max_singular_value": result.max_singular_value,
    }
    if args.json:
        emit_json(doc)
        return 0
    print(
        f"{cfg.cell}, {cfg.matrix} W (scale {cfg.scale:g}), T = {cfg.steps}, "
        f"hidden {cfg.hidden}"
    )
    print(
        f"spectral radius {result.spectral_radius:.4g}, largest singular value "
        f"{result.max_singular_value:.4g}"
    )
    for k in sorted({0, cfg.steps // 4, cfg.steps // 2, 3 * cfg.steps // 4, cfg.steps}):
        print(f"  k = {k:4d}: ‖∂{q}^T/∂{q}^k‖ = 10^{result.log10_norms[k]:.3f}")
    return 0


def _train(args: argparse.Namespace) -> int:
    import torch

    from explorer.core.progress import DivergedError
    from explorer.core.rnn.config import TrainConfig
    from explorer.core.rnn.train import train

    torch.set_num_threads(1)  # far too small to gain from intra-op threads
    overrides = {
        k: v
        for k, v in {
            "hidden": args.hidden,
            "steps": args.steps,
            "lr": args.lr,
            "init_scale": args.init_scale,
        }.items()
        if v is not None
    }
    try:
        cfg = TrainConfig(
            cell=args.cell,
            task=args.task,
            length=args.length,
            optimizer=args.optimizer,
            clip=args.clip,
            **overrides,
        )
    except ValueError as exc:
        raise CliError(str(exc)) from None
    history: list[dict[str, Any]] = []
    try:
        for p in train(cfg, seed=args.seed):
            for s, loss, acc, g in zip(
                p.steps, p.loss, p.accuracy, p.grad_norm, strict=True
            ):
                history.append(
                    {
                        "step": int(s),
                        "loss": float(loss),
                        "accuracy": float(acc),
                        "grad_norm": float(g),
                    }
                )
            if not args.json:
                print(f"\r{p.message}", end="", file=sys.stderr, flush=True)
    except DivergedError as exc:
        raise CliError(str(exc), code=1) from None
    finally:
        if not args.json:
            print(file=sys.stderr)
    doc = {
        "cell": cfg.cell,
        "task": cfg.task,
        "length": cfg.length,
        "hidden": cfg.hidden,
        "lr": cfg.lr,
        "optimizer": cfg.optimizer,
        "clip": cfg.clip,
        "seed": args.seed,
        "accuracy_meaning": (
            "fraction of sequences whose first symbol is named"
            if cfg.task == "first-symbol"
            else "fraction of predictions within 0.04 of the sum"
        ),
        "history": history,
    }
    if args.json:
        emit_json(doc)
        return 0
    tail = history[-50:]
    acc = sum(h["accuracy"] for h in tail) / max(1, len(tail))
    loss = sum(h["loss"] for h in tail) / max(1, len(tail))
    print(
        f"{cfg.cell} on {cfg.task}, T = {cfg.length}: after {cfg.steps} steps, "
        f"loss {loss:.4f}, accuracy {acc:.3f} (mean of the last {len(tail)} steps)"
    )
    return 0
