"""Choice of the torch compute device ("auto" means CUDA when it is available)."""

from __future__ import annotations

import importlib.util
from typing import Literal

DeviceName = Literal["auto", "cpu", "cuda"]


def resolve_device(requested: str = "auto", *, tiny: bool = False) -> str:
    """Return the torch device string to use for ``requested`` ("auto", "cpu", "cuda").

    ``tiny`` marks work too small for a GPU to pay off: "auto" then means the CPU.
    Measured on an H100 machine (``benchmarks/cuda_check.py``): the 2-D GANs' MLPs
    train 1.6–2.3× slower on CUDA than on its CPU, DQN's 1.8× slower; posing the
    body costs about the same on both (launch overhead dominates).  An explicit
    "cuda" is still honoured.

    Raises
    ------
    ValueError
        For an unknown name, or "cuda" on a machine without CUDA.
    """
    import torch

    name = requested.lower()
    if name == "auto":
        return "cuda" if not tiny and torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ValueError(
                "CUDA was requested but this machine has no usable CUDA GPU"
            )
        return name
    raise ValueError(f"unknown device {requested!r}: use auto, cpu or cuda")


def describe_device(requested: str = "auto") -> str:
    """Return a label of the device ``requested`` resolves to ("CPU", "CUDA: H100")."""
    if importlib.util.find_spec("torch") is None:
        return "CPU (torch missing)"
    import torch

    dev = resolve_device(requested)
    if dev.startswith("cuda"):
        return f"CUDA: {torch.cuda.get_device_name(torch.device(dev))}"
    n = torch.get_num_threads()
    return f"CPU ({n} thread{'' if n == 1 else 's'})"
