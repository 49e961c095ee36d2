"""``explorer latent``: train an AE / VAE / β-VAE, interpolate, decode a grid.

Torch and the core are imported inside the handlers so ``explorer --help`` stays fast.
"""

from __future__ import annotations

import argparse
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
from explorer.core.latent.config import LIMITS
from explorer.core.latent.names import (
    ARCHS,
    DEFAULT_GRID_N,
    DEFAULT_STRIP_STEPS,
    DEVICES,
    GRID_N_LIMITS,
    METHODS,
    MODEL_KINDS,
    RECON_TITLES,
    RECONS,
    SPACINGS,
    STRIP_STEPS_LIMITS,
)

# Output images stay below ~50 megapixels: 28 px digits × scale × count.
_STRIP_STEPS = bounded_int(*STRIP_STEPS_LIMITS)  # the panel's range too
_GRID_N = bounded_int(*GRID_N_LIMITS)
_SCALE = bounded_int(1, 8)
_GRID_SCALE = bounded_int(1, 4)
_INDEX = bounded_int(0, 10_000_000)


def _int_limit(name: str) -> Any:
    lo, hi = LIMITS[name]
    return bounded_int(int(lo), int(hi))


if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from explorer.core.data import Digits


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``latent`` with its ``train``, ``interpolate`` and ``grid`` actions."""
    p = sub.add_parser(
        "latent",
        help="autoencoder latent spaces: train, interpolate, decode a grid",
        description="Train an AE, VAE or β-VAE on MNIST-5k (or IDX files) and "
        "explore its latent space from the command line.",
    )
    actions = p.add_subparsers(dest="latent_action", metavar="ACTION", required=True)

    t = actions.add_parser("train", help="train a model and print its loss history")
    t.add_argument(
        "--model", choices=MODEL_KINDS, default="vae", help="which autoencoder"
    )
    t.add_argument(
        "--beta",
        type=finite_float(*LIMITS["beta"]),
        help="KL weight β of the β-VAE (default 4)",
    )
    t.add_argument(
        "--latent-dim", type=_int_limit("latent_dim"), default=2, help="code size D"
    )
    t.add_argument(
        "--epochs", type=_int_limit("epochs"), default=10, help="passes over the data"
    )
    t.add_argument(
        "--seed", type=SEED, default=0, help="random seed (same seed, same run)"
    )
    t.add_argument("--arch", choices=ARCHS, default="mlp", help="network type")
    t.add_argument(
        "--recon",
        choices=RECONS,
        default=RECONS[0],
        help="reconstruction loss: "
        + "; ".join(f"{r}: {RECON_TITLES[r]}" for r in RECONS),
    )
    t.add_argument(
        "--noise",
        type=finite_float(*LIMITS["noise"]),
        default=0.0,
        help="std of input noise: > 0 trains a denoising autoencoder",
    )
    t.add_argument(
        "--lr",
        type=finite_float(*LIMITS["lr"], open_low=True),
        default=2e-3,
        help="Adam learning rate",
    )
    t.add_argument(
        "--save", type=Path, metavar="MODEL.pt", help="write the weights here"
    )
    t.add_argument(
        "--limit",
        type=bounded_int(1, 1_000_000),
        metavar="N",
        help="train on N digits (a class-balanced subset) for a quicker run",
    )
    _add_data_args(t)
    _add_device_arg(t)
    add_json_flag(t)
    t.set_defaults(handler=_run_train)

    i = actions.add_parser("interpolate", help="decode a strip between two digits")
    i.add_argument("--load", type=Path, required=True, metavar="MODEL.pt")
    i.add_argument(
        "--from",
        dest="i",
        type=_INDEX,
        required=True,
        metavar="I",
        help="index of the first digit",
    )
    i.add_argument(
        "--to",
        dest="j",
        type=_INDEX,
        required=True,
        metavar="J",
        help="index of the second digit",
    )
    i.add_argument(
        "--steps",
        type=_STRIP_STEPS,
        default=DEFAULT_STRIP_STEPS,
        help="images in the strip, the ends included",
    )
    i.add_argument("--method", choices=METHODS, default="lerp")
    i.add_argument("--out", type=Path, required=True, metavar="STRIP.png")
    i.add_argument("--scale", type=_SCALE, default=4, help="pixels per image pixel")
    _add_data_args(i)
    add_json_flag(i)
    i.set_defaults(handler=_run_interpolate)

    g = actions.add_parser("grid", help="decode a grid over the latent plane")
    g.add_argument("--load", type=Path, required=True, metavar="MODEL.pt")
    g.add_argument("--out", type=Path, required=True, metavar="GRID.png")
    g.add_argument("--n", type=_GRID_N, default=DEFAULT_GRID_N, help="images per side")
    g.add_argument(
        "--spacing",
        choices=SPACINGS,
        default="gaussian",
        help="gaussian: inverse-CDF spacing (Kingma & Welling Fig. 4); linear: even",
    )
    g.add_argument(
        "--range",
        dest="extent",
        type=finite_float(0.0, 100.0, open_low=True),
        default=3.0,
        help="half-width of the linear grid",
    )
    g.add_argument("--scale", type=_SCALE, default=2, help="pixels per image pixel")
    _add_data_args(g)
    add_json_flag(g)
    g.set_defaults(handler=_run_grid)


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--images",
        type=Path,
        metavar="IDX",
        help="images in IDX format (gz or not) instead of MNIST-5k",
    )
    p.add_argument("--labels", type=Path, metavar="IDX", help="labels in IDX format")


def _add_device_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--device",
        choices=DEVICES,
        default="auto",
        help="where to train (auto: CUDA when available)",
    )


def _load_data(args: argparse.Namespace) -> Digits:
    from explorer.core.data import DataFormatError, load_mnist
    from explorer.core.latent import load_idx_digits

    if args.images is None:
        if args.labels is not None:
            raise CliError("--labels needs --images")
        return load_mnist()
    try:
        return load_idx_digits(args.images, args.labels)
    except DataFormatError as exc:
        raise CliError(str(exc)) from exc
    except OSError as exc:
        raise CliError(f"cannot read {exc.filename}: {exc.strerror}") from exc


def _run_train(args: argparse.Namespace) -> int:
    from explorer.core.data import Digits
    from explorer.core.device import resolve_device
    from explorer.core.latent import (
        LatentConfig,
        balanced_subset,
        code_statistics,
        model_from_weights,
        save_checkpoint,
        train,
    )
    from explorer.core.progress import DivergedError, check_finite

    try:
        cfg = LatentConfig(
            model=args.model,
            beta=args.beta,
            latent_dim=args.latent_dim,
            epochs=args.epochs,
            arch=args.arch,
            recon=args.recon,
            noise=args.noise,
            lr=args.lr,
        )
        device = resolve_device(args.device)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    data = _load_data(args)
    if args.limit is not None and args.limit < len(data.images):
        keep = balanced_subset(data.labels, args.limit, args.seed)
        data = Digits(images=data.images[keep], labels=data.labels[keep])
    history: list[dict[str, Any]] = []
    last = None
    if not args.json:
        print(f"{cfg.title}: {_objective(cfg)}")
    try:
        for p in train(cfg, seed=args.seed, device=device, data=data):
            check_finite(p.losses, where=f"epoch {p.epoch:.1f}")
            last = p
            if p.epoch_end:
                row = {"epoch": round(p.epoch), **p.epoch_losses}
                history.append(row)
                if not args.json:
                    print(
                        f"epoch {row['epoch']:3d}  recon {row['recon']:8.2f}  "
                        f"kl {row['kl']:7.3f}  loss {row['loss']:8.2f}"
                    )
    except DivergedError as exc:
        raise CliError(str(exc)) from exc
    assert last is not None
    model = model_from_weights(cfg, last.weights)
    mean, std = code_statistics(model, data.images)
    saved = None
    if args.save is not None:
        try:
            saved = save_checkpoint(args.save, cfg, last.weights)
        except OSError as exc:
            raise CliError(f"cannot write {args.save}: {exc.strerror or exc}") from exc
    if args.json:
        emit_json(
            {
                "model": args.model,
                "beta": cfg.kl_weight,
                "recon": cfg.recon,
                "latent_dim": cfg.latent_dim,
                "seed": args.seed,
                "device": device,
                "history": history,
                "latent_mean": mean,
                "latent_std": std,
                "saved": saved,
            }
        )
    else:
        fmt = ", ".join
        print(f"{cfg.title}: latent μ mean [{fmt(f'{v:.3f}' for v in mean)}]")
        print(f"{' ' * len(cfg.title)}  latent μ std  [{fmt(f'{v:.3f}' for v in std)}]")
        if saved is not None:
            print(f"weights saved to {saved}")
    return 0


def _objective(cfg: Any) -> str:
    """Return the loss the run minimises, in words (the panel's card says the same)."""
    recon = f"recon ({RECON_TITLES[cfg.recon]})"
    if cfg.model == "ae":
        return f"loss = {recon}"
    if cfg.model == "vae":
        nelbo = " = −ELBO" if cfg.recon == "bce" else ""
        return f"loss = {recon} + KL{nelbo}"
    return (
        f"loss = {recon} + β·KL with β = {cfg.kl_weight:g} "
        "(the β-VAE objective, Higgins et al. 2017)"
    )


def _load_model(path: Path) -> tuple[Any, Any]:
    from explorer.core.latent import CheckpointError, load_checkpoint

    try:
        return load_checkpoint(path)
    except CheckpointError as exc:
        raise CliError(str(exc)) from exc


def _save_gray(image: NDArray[np.float32], path: Path, scale: int) -> Path:
    import numpy as np
    from PIL import Image

    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    im = Image.fromarray(pixels, mode="L")
    im = im.resize((im.width * scale, im.height * scale), Image.Resampling.NEAREST)
    if path.suffix.lower() != ".png":
        raise CliError(f"{path.name}: the output must be a .png file")
    return save_png(im, path)


def _run_interpolate(args: argparse.Namespace) -> int:
    import numpy as np

    from explorer.core.latent import decode, encode, interpolate, tile

    _, model = _load_model(args.load)
    data = _load_data(args)
    n = len(data.images)
    for name, idx in (("--from", args.i), ("--to", args.j)):
        if not 0 <= idx < n:
            raise CliError(f"{name} {idx} is out of range: the data holds {n} images")
    if args.steps < 2:
        raise CliError("--steps must be at least 2 (the two ends)")
    mu, _ = encode(model, data.images[[args.i, args.j]])
    try:
        codes = interpolate(mu[0], mu[1], args.steps, args.method)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    images = decode(model, codes)
    out = _save_gray(tile(images[None]), args.out, args.scale)
    norms = np.linalg.norm(codes, axis=1)
    if args.json:
        emit_json(
            {
                "method": args.method,
                "from": args.i,
                "to": args.j,
                "labels": [int(data.labels[args.i]), int(data.labels[args.j])],
                "steps": args.steps,
                "codes": codes,
                "norms": norms,
                "out": out,
            }
        )
    else:
        print(f"{args.method} strip of {args.steps} images written to {out}")
        print("‖z‖ along the strip: " + " ".join(f"{v:.2f}" for v in norms))
    return 0


def _run_grid(args: argparse.Namespace) -> int:
    from explorer.core.latent import encode, fit_projection, manifold_grid, tile

    cfg, model = _load_model(args.load)
    if cfg.latent_dim > 2:
        data = _load_data(args)
        projection = fit_projection(encode(model, data.images)[0])
    else:
        projection = fit_projection(_zeros(1, cfg.latent_dim))
    try:
        images, coords = manifold_grid(
            model, projection, args.n, args.spacing, args.extent
        )
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    out = _save_gray(tile(images), args.out, args.scale)
    if args.json:
        emit_json(
            {
                "n": args.n,
                "spacing": args.spacing,
                "projection": projection.label,
                "coordinates": coords,
                "out": out,
            }
        )
    else:
        print(f"{args.n}×{args.n} {args.spacing} grid ({projection.label}): {out}")
    return 0


def _zeros(n: int, d: int) -> NDArray[np.float32]:
    import numpy as np

    return np.zeros((n, d), np.float32)
