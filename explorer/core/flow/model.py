"""A 2-D flow: its layers, exact log p(x), samples, and what the panel shows of it.

The layers are stored in the normalizing order (data x → latent z); sampling
runs them backwards with their exact inverses.  Per-layer readouts — the
stages of a warped grid, each layer's 2 × 2 Jacobian at a point and its
log|det| from the formula and from autograd — are computed here so that the
CLI, the tests and the panel's worker share them.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike, NDArray
from torch import Tensor, nn

from explorer.core.flow.config import Architecture
from explorer.core.flow.layers import ActNorm, AffineCoupling, Layer, Mix2x2, Planar

FloatArray = NDArray[np.float64]
LOG_2PI = math.log(2.0 * math.pi)


def standard_normal_log_prob(z: Tensor) -> Tensor:
    """Return log N(z; 0, I) of each row of ``z`` (n, 2)."""
    return -0.5 * (z * z).sum(dim=1) - LOG_2PI


class FlowModel(nn.Module):
    """The layers of a flow in the normalizing order (see the module docstring)."""

    def __init__(self, arch: Architecture, *, seed: int = 0) -> None:
        super().__init__()
        self.arch = arch
        gen = torch.Generator().manual_seed(seed)
        torch.manual_seed(seed)
        layers: list[Layer] = []
        for k in range(arch.layers):
            if arch.kind == "planar":
                layers.append(Planar(gen))
                continue
            if arch.actnorm:
                layers.append(ActNorm())
            if arch.mix != "alternate":
                angle = float(torch.rand((), generator=gen)) * math.pi
                layers.append(Mix2x2(angle, learned=arch.mix == "learned"))
            layers.append(AffineCoupling(arch.hidden, k % 2 == 1, arch.scale_bound))
        self.layers = nn.ModuleList(layers)

    @property
    def titles(self) -> list[str]:
        """Return each layer's name, in the normalizing order."""
        return [f"{i + 1}. {layer.title}" for i, layer in enumerate(self.layer_list)]

    @property
    def layer_list(self) -> list[Layer]:
        """Return the layers (typed), in the normalizing order."""
        return [layer for layer in self.layers if isinstance(layer, Layer)]

    def initialize(self, x: Tensor) -> None:
        """Initialise each actnorm from the batch ``x`` as it reaches it."""
        with torch.no_grad():
            h = x
            for layer in self.layer_list:
                if isinstance(layer, ActNorm) and not bool(layer.initialized):
                    layer.initialize(h)
                h, _ = layer.to_z(h)

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return z = f⁻¹(x) and Σ_k log|det ∂f_k⁻¹/∂x| for the rows of ``x``."""
        total = torch.zeros(x.shape[0], dtype=x.dtype)
        for layer in self.layer_list:
            x, logdet = layer.to_z(x)
            total = total + logdet
        return x, total

    def to_x(self, z: Tensor) -> Tensor:
        """Return x = f(z): the layers' inverses, last layer first."""
        for layer in reversed(self.layer_list):
            z = layer.to_x(z)
        return z

    def log_prob(self, x: Tensor) -> Tensor:
        """Return log p_X(x) = log p_Z(f⁻¹(x)) + Σ_k log|det ∂f_k⁻¹/∂x|."""
        z, logdet = self.to_z(x)
        return standard_normal_log_prob(z) + logdet

    def stages_to_x(self, z: Tensor) -> list[Tensor]:
        """Return z, then z after each inverse layer (last first), ending at x."""
        out = [z]
        with torch.no_grad():
            for layer in reversed(self.layer_list):
                z = layer.to_x(z)
                out.append(z)
        return out


def log_prob_numpy(model: FlowModel, points: ArrayLike) -> FloatArray:
    """Return log p(x) of the (n, 2) ``points`` (float64 numpy)."""
    x = torch.as_tensor(np.asarray(points, dtype=np.float32).reshape(-1, 2))
    with torch.no_grad():
        return model.log_prob(x).double().numpy()


def grid_axes(
    box: tuple[float, float, float, float], n: int
) -> tuple[FloatArray, FloatArray]:
    """Return the cell centres along x and y of an n × n grid over ``box``."""
    x0, x1, y0, y1 = box
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    return xs, ys


def density_grid(
    model: FlowModel, box: tuple[float, float, float, float], n: int
) -> FloatArray:
    """Return log p(x) at the n × n cell centres of ``box`` (rows: y, bottom up)."""
    xs, ys = grid_axes(box, n)
    gx, gy = np.meshgrid(xs, ys)
    logp = log_prob_numpy(model, np.stack([gx.ravel(), gy.ravel()], axis=1))
    return logp.reshape(n, n)


def box_integral(logp: FloatArray, box: tuple[float, float, float, float]) -> float:
    """Return Σ exp(log p)·cell area: ∫ p over ``box`` by the midpoint rule."""
    x0, x1, y0, y1 = box
    ny, nx = logp.shape
    area = (x1 - x0) * (y1 - y0) / (nx * ny)
    return float(np.exp(logp).sum() * area)


def roundtrip_error(model: FlowModel, points: ArrayLike) -> float:
    """Return max ‖f(f⁻¹(x)) − x‖ over the rows of ``points``."""
    x = torch.as_tensor(np.asarray(points, dtype=np.float32).reshape(-1, 2))
    with torch.no_grad():
        z, _ = model.to_z(x)
        back = model.to_x(z)
    return float((back - x).norm(dim=1).max())


@dataclass(frozen=True)
class LayerJacobian:
    """One layer at a point: its 2 × 2 Jacobian ∂y/∂x and two log|det| values."""

    title: str
    point: tuple[float, float]  # the layer's input
    jacobian: FloatArray  # (2, 2)
    logdet_formula: float  # what the layer's own formula says (e.g. s for a coupling)
    logdet_autograd: float  # log|det| of the autograd Jacobian (torch.linalg.slogdet)


def layer_jacobians(model: FlowModel, point: ArrayLike) -> list[LayerJacobian]:
    """Return each layer's Jacobian and log|det| at ``point`` on its way to z.

    The formula log-dets sum to the flow's total log|det ∂f⁻¹/∂x| there.
    """
    h = torch.as_tensor(np.asarray(point, dtype=np.float64).reshape(1, 2))
    out = []
    model64 = copy.deepcopy(model).double()  # the caller's model stays as it is
    for layer in model64.layer_list:

        def fn(v: Tensor, layer: Layer = layer) -> Tensor:
            return layer.to_z(v[None])[0][0]

        jac = torch.autograd.functional.jacobian(fn, h[0])  # type: ignore[no-untyped-call]
        assert isinstance(jac, Tensor)
        with torch.no_grad():
            y, logdet = layer.to_z(h)
        _, slog = torch.linalg.slogdet(jac)
        out.append(
            LayerJacobian(
                title=layer.title,
                point=(float(h[0, 0]), float(h[0, 1])),
                jacobian=jac.detach().numpy().copy(),
                logdet_formula=float(logdet[0]),
                logdet_autograd=float(slog),
            )
        )
        h = y.detach()
    return out


def logdet_error(model: FlowModel, points: ArrayLike) -> float:
    """Return max |formula − autograd log|det J|| of the whole flow at ``points``."""
    worst = 0.0
    for p in np.asarray(points, dtype=np.float64).reshape(-1, 2):
        jacs = layer_jacobians(model, p)
        formula = sum(j.logdet_formula for j in jacs)
        total = np.eye(2)
        for j in jacs:
            total = j.jacobian @ total
        _, autograd = np.linalg.slogdet(total)
        worst = max(worst, abs(formula - float(autograd)))
    return worst


def gaussian_nll(train: ArrayLike, test: ArrayLike) -> float:
    """Return the mean NLL of ``test`` under a full-covariance Gaussian fit on train."""
    tr = np.asarray(train, dtype=np.float64)
    te = np.asarray(test, dtype=np.float64)
    mean = tr.mean(axis=0)
    cov = np.cov(tr, rowvar=False) + 1e-9 * np.eye(2)
    diff = te - mean
    sol = np.linalg.solve(cov, diff.T).T
    _, logdet = np.linalg.slogdet(cov)
    return float(np.mean(0.5 * (diff * sol).sum(axis=1) + 0.5 * logdet + LOG_2PI))


def grid_lines(extent: float = 3.0, lines: int = 13, points: int = 61) -> FloatArray:
    """Return a square grid in z-space as (2·lines, points, 2) polylines."""
    ticks = np.linspace(-extent, extent, lines)
    ts = np.linspace(-extent, extent, points)
    horiz = np.stack(
        [np.broadcast_to(ts, (lines, points)), np.repeat(ticks[:, None], points, 1)], 2
    )
    vert = np.stack(
        [np.repeat(ticks[:, None], points, 1), np.broadcast_to(ts, (lines, points))], 2
    )
    return np.concatenate([horiz, vert]).astype(np.float64)


def warp_stages(model: FlowModel, z_points: ArrayLike) -> FloatArray:
    """Return (K + 1, *shape) arrays: ``z_points`` and their image after each layer.

    Stage 0 is z; stage j has gone through the last j layers' inverses; stage K
    is x = f(z).
    """
    arr = np.asarray(z_points, dtype=np.float32)
    flat = torch.as_tensor(arr.reshape(-1, 2))
    stages = model.stages_to_x(flat)
    return np.stack([s.double().numpy().reshape(arr.shape) for s in stages])
