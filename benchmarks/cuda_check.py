"""CUDA check of the training workers: each runs briefly on ``cuda`` and on the CPU.

Run on a machine with an NVIDIA GPU::

    python -m benchmarks.cuda_check [--out cuda_check.json] [--anny-cache DIR]

Each headless command (the same code the panels' workers run) trains for a few
hundred steps on CUDA and then on the CPU; the script records wall time, the
final losses / metrics and whether every number is finite, and prints one line
per run plus a JSON report.  The body check poses the anny body (from an Explorer
anny cache folder, so anny itself need not be installed) with the torch skinning
backend on CUDA and compares it with the compiled CPU kernels.

It needs only torch, numpy, scipy and scikit-image besides Explorer: no Qt.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

RUNS: list[tuple[str, list[str]]] = [
    ("gan non-saturating", ["gan", "train", "--loss", "non-saturating"]),
    ("gan minimax", ["gan", "train", "--loss", "minimax"]),
    ("gan unrolled k=5", ["gan", "train", "--loss", "unrolled"]),
    ("gan wgan-gp", ["gan", "train", "--loss", "wgan-gp"]),
    ("rays fit-sdf torus (eikonal)", ["rays", "fit-sdf", "--shape", "torus"]),
    ("rays train-nerf", ["rays", "train-nerf"]),
    ("latent vae", ["latent", "train", "--model", "vae"]),
    (
        "latent conv beta-vae",
        ["latent", "train", "--model", "beta-vae", "--arch", "conv"],
    ),
    ("rf erf resnet18 random", ["rf", "erf", "resnet18", "--inputs", "16"]),
    ("rf erf mnist trained", ["rf", "erf", "mnist_cnn", "--weights", "trained"]),
    ("rl dqn cliff", ["rl", "train", "cliff", "--algo", "dqn"]),
]
LENGTH = {  # short runs: this is a correctness and rough speed check
    "gan": ["--steps", "400", "--report-every", "100"],
    "fit-sdf": ["--steps", "400"],
    "train-nerf": ["--steps", "300"],
    "latent": ["--epochs", "2"],
    "erf-trained": ["--steps", "300"],
    "dqn": ["--episodes", "60"],
}


def _length(argv: list[str]) -> list[str]:
    if argv[0] == "gan":
        return LENGTH["gan"]
    if argv[:2] == ["rays", "fit-sdf"]:
        return LENGTH["fit-sdf"]
    if argv[:2] == ["rays", "train-nerf"]:
        return LENGTH["train-nerf"]
    if argv[0] == "latent":
        return LENGTH["latent"]
    if argv[0] == "rf" and "trained" in argv:
        return LENGTH["erf-trained"]
    if argv[0] == "rl":
        return LENGTH["dqn"]
    return []


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _summary(doc: Any) -> dict[str, Any]:
    """The last history entry (or the top-level numbers) of a CLI JSON document."""
    if not isinstance(doc, dict):
        return {}
    history = doc.get("history")
    if isinstance(history, list) and history:
        last = history[-1]
        return last if isinstance(last, dict) else {}
    return {k: v for k, v in doc.items() if isinstance(v, (int, float, str))}


def run_cli(argv: list[str]) -> dict[str, Any]:
    """Run ``explorer ARGV --json`` in this process; return its outcome."""
    from explorer.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([*argv, "--json"])
    except Exception as exc:  # a report, not a handler
        return {"exit": None, "error": repr(exc), "seconds": time.perf_counter() - t0}
    seconds = time.perf_counter() - t0
    try:
        doc = json.loads(out.getvalue())
    except ValueError:
        doc = None
    return {
        "exit": code,
        "seconds": round(seconds, 2),
        "finite": doc is not None and _finite(doc),
        "last": _summary(doc),
        "stderr": err.getvalue()[-400:],
    }


def body_check(cache: Path | None) -> dict[str, Any]:
    """Pose the anny body on CUDA (torch backend) and on the CPU (kernels)."""
    import numpy as np
    import torch

    from explorer.core.body import anny_adapter
    from explorer.core.body.presets import preset_pose
    from explorer.core.body.skinning import Skinner

    if cache is None or not cache.is_dir():
        return {"skipped": "no anny cache folder given"}
    if not anny_adapter.anny_version():
        # The cache file names carry anny's version; read it off the topology file.
        names = sorted(cache.glob("anny-topology-*.npz"))
        if not names:
            return {"skipped": f"no anny topology in {cache}"}
        version = names[0].stem.rsplit("-", 1)[-1]
        anny_adapter.anny_version = lambda: version  # type: ignore[assignment]
    model = anny_adapter.load_anny(cache)
    pose = preset_pose(model, "bent + twisted")
    out: dict[str, Any] = {"vertices": model.n_vertices}
    cpu = Skinner(model)
    gpu = Skinner(model, device="cuda", backend="torch")
    for method in ("lbs", "dqs"):
        a = cpu.pose(pose, method=method)
        b = gpu.pose(pose, method=method)
        torch.cuda.synchronize()
        times = []
        for _ in range(50):
            t0 = time.perf_counter()
            gpu.pose(pose, method=method)
            times.append(time.perf_counter() - t0)
        cpu_times = []
        for _ in range(50):
            t0 = time.perf_counter()
            cpu.pose(pose, method=method)
            cpu_times.append(time.perf_counter() - t0)
        out[method] = {
            "max_vertex_error_m": float(np.abs(a.vertices - b.vertices).max()),
            "max_normal_error": float(np.abs(a.normals - b.normals).max()),
            "volume_cpu": a.volume,
            "volume_cuda": b.volume,
            "cuda_ms": round(1000 * float(np.median(times)), 3),
            "cpu_kernels_ms": round(1000 * float(np.median(cpu_times)), 3),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--anny-cache", type=Path, default=None)
    parser.add_argument("--only", default="", help="comma-separated name prefixes")
    parser.add_argument("--devices", default="cuda,cpu", help="(cpu alone: a dry run)")
    args = parser.parse_args(argv)
    import torch

    devices = args.devices.split(",")
    if "cuda" in devices and not torch.cuda.is_available():
        print("no CUDA device: nothing to check", file=sys.stderr)
        return 2
    report: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if "cuda" in devices else "cpu",
        "torch": torch.__version__,
        "runs": {},
    }
    print(f"device: {report['device']}, torch {report['torch']}", flush=True)
    wanted = [p for p in args.only.split(",") if p]
    for name, base in RUNS:
        if wanted and not any(name.startswith(p) for p in wanted):
            continue
        argv_run = [*base, *_length(base)]
        for device in devices:
            result = run_cli([*argv_run, "--device", device])
            report["runs"][f"{name} [{device}]"] = result
            print(
                f"{name:32s} {device:4s} exit={result.get('exit')} "
                f"{result.get('seconds', 0):7.2f} s finite={result.get('finite')} "
                f"{json.dumps(result.get('last', result.get('error')))[:160]}",
                flush=True,
            )
    report["body"] = (
        body_check(args.anny_cache) if "cuda" in devices else {"skipped": "no cuda"}
    )
    print("body:", json.dumps(report["body"]), flush=True)
    if args.out is not None:
        args.out.write_text(json.dumps(report, indent=2))
    bad = [
        k
        for k, r in report["runs"].items()
        if r.get("exit") != 0 or not r.get("finite", False)
    ]
    if bad:
        print("FAILED:", ", ".join(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
