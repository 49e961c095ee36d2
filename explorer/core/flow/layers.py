"""The invertible layers of a 2-D flow, each with its exact inverse and log-det.

Every layer maps data towards the latent ("normalizing") direction with
``to_z(x) -> (y, log|det ∂y/∂x|)`` and back with ``to_x(y) -> x``: the names
say the direction, so forward and inverse cannot be confused.  A flow's
density is then (Bishop & Bishop eq. 18.6; Dinh et al. 2017 eq. 3)::

    log p_X(x) = log p_Z(f⁻¹(x)) + Σ_k log |det ∂f_k⁻¹/∂x|

* :class:`AffineCoupling` — RealNVP (Dinh et al. 2017, eq. 4):
  ``y_A = x_A ⊙ exp(s(x_B)) + t(x_B)``, ``y_B = x_B``; its Jacobian is
  triangular with diagonal (exp s, 1), so log|det| = s — O(d), not O(d³).
* :class:`ActNorm` — Glow (Kingma & Dhariwal 2018, Table 1): a per-coordinate
  affine map, initialised from the first batch to zero mean and unit variance.
* :class:`Mix2x2` — Glow's invertible 1×1 convolution in 2-D: a fixed rotation,
  or a learned W = R·L·U (LU form, log|det W| = Σ log|sᵢ|).
* :class:`Planar` — Rezende & Mohamed 2015 (eq. 10–12), here in the
  normalizing direction: ``y = x + û tanh(wᵀx + b)``, whose Jacobian
  I + h′ û wᵀ has det 1 + h′ wᵀû by the matrix determinant lemma.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class Layer(nn.Module):
    """One invertible map of the plane (see the module docstring)."""

    title: str = "layer"

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return (y, log|det ∂y/∂x|) for the rows of ``x`` (n, 2)."""
        raise NotImplementedError

    def to_x(self, y: Tensor) -> Tensor:
        """Return x with ``to_z(x)[0] == y`` (the exact inverse)."""
        raise NotImplementedError


class AffineCoupling(Layer):
    """RealNVP affine coupling: coordinate A scaled and shifted by β(x_B).

    ``flip`` chooses which coordinate is A (0: x₀ is transformed, x₁ passes);
    the flow alternates it, so every coordinate is transformed in turn.  The
    log-scale is bounded, s = S·tanh(raw/S), which keeps exp(s) from exploding
    early in training (the β network itself need not be invertible).
    """

    def __init__(self, hidden: int, flip: bool, scale_bound: float = 2.0) -> None:
        super().__init__()
        self.a = 1 if flip else 0
        self.b = 1 - self.a
        self.title = f"coupling (transforms x{'₁' if flip else '₀'})"
        self.scale_bound = float(scale_bound)
        self.net = nn.Sequential(
            nn.Linear(1, hidden),
            nn.Tanh(),
            nn.Linear(hidden, hidden),
            nn.Tanh(),
            nn.Linear(hidden, 2),
        )
        last = self.net[-1]
        assert isinstance(last, nn.Linear)
        nn.init.zeros_(last.weight)  # start as the identity: a calm first step
        nn.init.zeros_(last.bias)

    def _st(self, cond: Tensor) -> tuple[Tensor, Tensor]:
        out = self.net(cond)
        bound = self.scale_bound
        return bound * torch.tanh(out[:, 0] / bound), out[:, 1]

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return y (y_A = x_A·exp(s) + t, y_B = x_B) and log|det| = s."""
        s, t = self._st(x[:, self.b : self.b + 1])
        y = x.clone()
        y[:, self.a] = x[:, self.a] * torch.exp(s) + t
        return y, s

    def to_x(self, y: Tensor) -> Tensor:
        """Return x_A = (y_A − t(y_B))·exp(−s(y_B)), x_B = y_B."""
        s, t = self._st(y[:, self.b : self.b + 1])
        x = y.clone()
        x[:, self.a] = (y[:, self.a] - t) * torch.exp(-s)
        return x


class ActNorm(Layer):
    """y = (x − loc) ⊙ exp(log_scale); log|det| = Σ log_scale (Glow's actnorm)."""

    title = "actnorm"

    def __init__(self) -> None:
        super().__init__()
        self.loc = nn.Parameter(torch.zeros(2))
        self.log_scale = nn.Parameter(torch.zeros(2))
        self.register_buffer("initialized", torch.tensor(False))

    def initialize(self, x: Tensor) -> None:
        """Set loc and scale so that ``x`` comes out with zero mean, unit variance."""
        with torch.no_grad():
            self.loc.copy_(x.mean(dim=0))
            self.log_scale.copy_(-torch.log(x.std(dim=0).clamp_min(1e-3)))
            flag = self.initialized
            assert isinstance(flag, Tensor)
            flag.fill_(True)

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return y = (x − loc)·exp(log_scale) and log|det| = Σ log_scale."""
        y = (x - self.loc) * torch.exp(self.log_scale)
        return y, self.log_scale.sum().expand(x.shape[0])

    def to_x(self, y: Tensor) -> Tensor:
        """Return x = y·exp(−log_scale) + loc."""
        return y * torch.exp(-self.log_scale) + self.loc


def rotation(angle: Tensor) -> Tensor:
    """Return the 2 × 2 rotation by ``angle`` radians (in ``angle``'s dtype)."""
    c, s = torch.cos(angle), torch.sin(angle)
    return torch.stack([torch.stack([c, -s]), torch.stack([s, c])])


class Mix2x2(Layer):
    """y = W x: Glow's invertible 1×1 convolution for two channels.

    ``learned=False``: W is a fixed rotation (log|det| = 0).  ``learned=True``:
    W = R·L·U with R that rotation, L unit lower-triangular, U upper-triangular
    with diagonal exp(log_s) — so log|det W| = Σ log_s (Glow §3.2, LU form).
    """

    def __init__(self, angle: float, learned: bool) -> None:
        super().__init__()
        self.learned = learned
        self.title = "learned 2×2 (1×1 conv)" if learned else "fixed rotation"
        self.register_buffer("angle", torch.tensor(float(angle)))
        self.lower = nn.Parameter(torch.zeros(()), requires_grad=learned)
        self.upper = nn.Parameter(torch.zeros(()), requires_grad=learned)
        self.log_s = nn.Parameter(torch.zeros(2), requires_grad=learned)

    def weight(self) -> Tensor:
        """Return W (2 × 2)."""
        if not self.learned:
            return self._rot()
        one = torch.ones((), dtype=self.lower.dtype)
        zero = torch.zeros((), dtype=self.lower.dtype)
        lower = torch.stack([torch.stack([one, zero]), torch.stack([self.lower, one])])
        s = torch.exp(self.log_s)
        upper = torch.stack(
            [torch.stack([s[0], self.upper]), torch.stack([zero, s[1]])]
        )
        w: Tensor = self._rot() @ lower @ upper
        return w

    def _rot(self) -> Tensor:
        angle = self.angle
        assert isinstance(angle, Tensor)
        return rotation(angle)

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return y = W x and log|det W| (Σ log_s, or 0 for a rotation)."""
        logdet = self.log_s.sum() if self.learned else x.new_zeros(())
        return x @ self.weight().T, logdet.expand(x.shape[0])

    def to_x(self, y: Tensor) -> Tensor:
        """Return x = W⁻¹ y."""
        out: Tensor = torch.linalg.solve(self.weight(), y.T).T
        return out


class Planar(Layer):
    """y = x + û·tanh(wᵀx + b), with wᵀû > −1 so that it is invertible.

    û = u + (m(wᵀu) − wᵀu)·w/‖w‖², m(a) = −1 + softplus(a) (Rezende & Mohamed
    2015, appendix A).  log|det ∂y/∂x| = log|1 + tanh′(wᵀx + b)·wᵀû| (matrix
    determinant lemma with A = I).  The inverse solves the scalar equation
    wᵀy = α + wᵀû·tanh(α + b) for α = wᵀx by bisection (it is increasing in α).
    """

    title = "planar"

    def __init__(self, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.w = nn.Parameter(0.5 * torch.randn(2, generator=generator))
        self.u = nn.Parameter(0.5 * torch.randn(2, generator=generator))
        self.b = nn.Parameter(torch.zeros(()))

    def u_hat(self) -> Tensor:
        """Return û, the u that keeps the layer invertible."""
        wu = self.w @ self.u
        m = -1.0 + nn.functional.softplus(wu)
        return self.u + (m - wu) * self.w / (self.w @ self.w).clamp_min(1e-9)

    def to_z(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Return y = x + û tanh(wᵀx + b) and log|1 + tanh′(·)·wᵀû|."""
        u = self.u_hat()
        a = x @ self.w + self.b
        h = torch.tanh(a)
        y = x + h[:, None] * u
        det = 1.0 + (1.0 - h * h) * (self.w @ u)
        return y, torch.log(det.abs())

    def to_x(self, y: Tensor, iterations: int = 80) -> Tensor:
        """Return x with y = x + û tanh(wᵀx + b) (bisection on α = wᵀx)."""
        with torch.no_grad():
            u = self.u_hat().double()
            w, b = self.w.double(), self.b.double()
            c = w @ u
            target = y.double() @ w
            lo = target - c.abs() - 1.0
            hi = target + c.abs() + 1.0
            for _ in range(iterations):
                mid = 0.5 * (lo + hi)
                below = mid + c * torch.tanh(mid + b) < target
                lo = torch.where(below, mid, lo)
                hi = torch.where(below, hi, mid)
            alpha = 0.5 * (lo + hi)
            x = y.double() - torch.tanh(alpha + b)[:, None] * u
        return x.to(y.dtype)


def determinant_lemma(a: Tensor, u: Tensor, v: Tensor) -> Tensor:
    """Return det(A + u vᵀ) as (1 + vᵀA⁻¹u)·det A (the matrix determinant lemma)."""
    out: Tensor = (1.0 + v @ torch.linalg.solve(a, u)) * torch.linalg.det(a)
    return out
