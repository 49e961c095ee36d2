"""The playground's network: input features, the MLP x⁽ˡ⁾ = σ(W⁽ˡ⁾x⁽ˡ⁻¹⁾ + b⁽ˡ⁾), files.

Depth 0 is one affine map and a sigmoid: logistic regression.  With the linear
activation every depth is one affine map too (:func:`affine_collapse`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn

from explorer.core.files import atomic_open
from explorer.core.mlp.config import MlpConfig
from explorer.core.mlp.data import FloatArray
from explorer.core.reading import read_torch

MAX_MODEL_BYTES = 20 * 1024 * 1024
FORMAT = "explorer-mlp"

Weights = tuple[tuple[FloatArray, FloatArray], ...]  # (W (out, in), b (out,)) per layer


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one torch thread (tiny nets: more only add contention)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def feature_matrix(
    x: FloatArray | torch.Tensor, names: tuple[str, ...]
) -> torch.Tensor:
    """Return the chosen input features φ(x) of 2-D points, one column each."""
    t = torch.as_tensor(x, dtype=torch.float32)
    x1, x2 = t[:, 0], t[:, 1]
    table = {
        "x1": lambda: x1,
        "x2": lambda: x2,
        "x1^2": lambda: x1 * x1,
        "x2^2": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2,
        "sin(x1)": lambda: torch.sin(x1),
        "sin(x2)": lambda: torch.sin(x2),
    }
    return torch.stack([table[n]() for n in names], dim=1)


def activation(name: str) -> nn.Module:
    """Return the activation module ``name`` (``linear`` is the identity)."""
    return {
        "tanh": nn.Tanh(),
        "relu": nn.ReLU(),
        "sigmoid": nn.Sigmoid(),
        "linear": nn.Identity(),
    }[name]


class Mlp(nn.Module):
    """Hidden layers of ``cfg.hidden`` units, then one output logit z (p = σ(z))."""

    def __init__(self, n_in: int, hidden: tuple[int, ...], act: str) -> None:
        super().__init__()
        sizes = (n_in, *hidden, 1)
        self.layers = nn.ModuleList(
            nn.Linear(a, b) for a, b in itertools.pairwise(sizes)
        )
        self.act = activation(act)

    def linears(self) -> list[nn.Linear]:
        """Return the affine layers, input side first (the last one gives z)."""
        return [m for m in self.layers if isinstance(m, nn.Linear)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Return the logits z, shape (n,)."""
        *hidden, last = self.linears()
        for layer in hidden:
            x = self.act(layer(x))
        out: torch.Tensor = last(x)
        return out[:, 0]

    def hidden_outputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Return each hidden layer's activations x⁽ˡ⁾ (n, width)."""
        outs = []
        for layer in self.linears()[:-1]:
            x = self.act(layer(x))
            outs.append(x)
        return outs

    def weights(self) -> Weights:
        """Return (W, b) of every layer as float64 numpy copies."""
        return tuple(
            (
                layer.weight.detach().double().numpy().copy(),
                layer.bias.detach().double().numpy().copy(),
            )
            for layer in self.linears()
        )


def build(cfg: MlpConfig, *, seed: int) -> Mlp:
    """Return a freshly initialised network for ``cfg`` (torch's default init)."""
    torch.manual_seed(seed)
    return Mlp(len(cfg.features), cfg.hidden, cfg.activation)


def affine_collapse(weights: Weights) -> tuple[FloatArray, float]:
    """Return (a, c) with z = aᵀφ + c for a network whose activations are linear.

    The composition W_L(…(W_1 φ + b_1)…) + b_L is the product of the affine
    maps: a = (W_L ⋯ W_1)ᵀ, c = W_L(⋯(W_2 b_1 + b_2)⋯) + b_L.
    """
    a, c = weights[0][0].copy(), weights[0][1].copy()
    for w, b in weights[1:]:
        a, c = w @ a, w @ c + b
    return a[0], float(c[0])


def save_model(path: str | Path, cfg: MlpConfig, model_weights: Weights) -> Path:
    """Write the network (architecture + state_dict) as a ``.pt`` file, atomically.

    The file holds only tensors, strings, numbers and lists, so
    ``torch.load(path, weights_only=True)`` reads it (see :func:`load_model`).
    """
    state = {}
    for i, (w, b) in enumerate(model_weights):
        state[f"layers.{i}.weight"] = torch.as_tensor(w, dtype=torch.float32)
        state[f"layers.{i}.bias"] = torch.as_tensor(b, dtype=torch.float32)
    doc = {
        "format": FORMAT,
        "hidden": list(cfg.hidden),
        "activation": cfg.activation,
        "features": list(cfg.features),
        "state_dict": state,
    }
    with atomic_open(path) as fh:
        torch.save(doc, fh)
    return Path(path)


def load_model(path: str | Path) -> tuple[Mlp, dict[str, Any]]:
    """Return the network saved by :func:`save_model` and its architecture.

    Raises
    ------
    ValueError
        Naming the file when it is not such a model.
    """
    p = Path(path)
    doc = read_torch(p, MAX_MODEL_BYTES)  # a FileError (ValueError) names p
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{p.name}: not an Explorer MLP model")
    try:
        cfg = MlpConfig(
            hidden=tuple(int(h) for h in doc["hidden"]),
            activation=str(doc["activation"]),
            features=tuple(str(f) for f in doc["features"]),
        )
        arch: dict[str, Any] = {
            "hidden": cfg.hidden,
            "activation": cfg.activation,
            "features": cfg.features,
        }
        net = Mlp(len(cfg.features), cfg.hidden, cfg.activation)
        net.load_state_dict(doc["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ValueError(
            f"{p.name}: the model does not fit its architecture ({exc})"
        ) from None
    return net, arch
