"""Root finding on a ray: sphere tracing and DVR's coarse march + secant.

Both find the first t in [near, far] where the signed distance f(o + t d) = 0
and return every step they took, so the panel can draw them.

* Sphere tracing (Hart 1996): t ← t + f(r(t)); safe because |f| never exceeds the
  distance to the surface for an SDF (1-Lipschitz).
* DVR (Niemeyer et al. 2020, sec. 3.5): evaluate f at n uniform points, take the
  first sign change from outside (+) to inside (−), then refine inside that
  interval with the secant method t ← t_a − f_a (t_b − t_a)/(f_b − f_a).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from explorer.core.rays.camera import normalize

FloatArray = NDArray[np.floating[Any]]
ScalarField = Callable[[FloatArray], FloatArray]
Method = Literal["sphere", "secant"]
METHODS: tuple[Method, ...] = ("sphere", "secant")


@dataclass(frozen=True)
class Step:
    """One evaluation: distance t along the ray, f(r(t)), and what produced it."""

    t: float
    value: float
    kind: str  # "sphere" | "march" | "secant"


@dataclass(frozen=True)
class TraceResult:
    """Whether and where the ray hit the zero level set, with every step."""

    hit: bool
    t: float | None
    point: FloatArray | None
    steps: list[Step] = field(default_factory=list)
    method: str = "sphere"

    def to_dict(self) -> dict[str, object]:
        """Return the JSON document of ``explorer rays trace``."""
        return {
            "method": self.method,
            "hit": self.hit,
            "t": self.t,
            "point": None if self.point is None else self.point.tolist(),
            "steps": [{"t": s.t, "value": s.value, "kind": s.kind} for s in self.steps],
        }


def _eval(f: ScalarField, o: FloatArray, d: FloatArray, t: float) -> float:
    return float(np.asarray(f((o + t * d)[None, :])).reshape(-1)[0])


def _check(
    origin: FloatArray, direction: FloatArray, near: float, far: float
) -> tuple[FloatArray, FloatArray]:
    o = np.asarray(origin, dtype=np.float64).reshape(3)
    if not np.all(np.isfinite(o)):
        raise ValueError("the ray origin must be finite")
    d = normalize(np.asarray(direction, dtype=np.float64).reshape(3))
    if not (np.isfinite(near) and np.isfinite(far)) or near < 0.0 or near >= far:
        raise ValueError(f"need 0 ≤ near < far, got near={near}, far={far}")
    return o, d


def sphere_trace(
    f: ScalarField,
    origin: FloatArray,
    direction: FloatArray,
    *,
    near: float = 0.0,
    far: float = 10.0,
    eps: float = 1e-5,
    max_steps: int = 256,
) -> TraceResult:
    """Return the first hit of the zero level set of the SDF ``f`` by sphere tracing.

    Starting at t = near, each step moves by the SDF value (the radius of a ball
    around r(t) that contains no surface) until |f| < ``eps`` (hit), t > far or
    ``max_steps`` (miss).  Each step records (t, f).
    """
    o, d = _check(origin, direction, near, far)
    if max_steps < 1 or eps <= 0.0:
        raise ValueError("max_steps must be ≥ 1 and eps > 0")
    t = near
    steps: list[Step] = []
    for _ in range(max_steps):
        value = _eval(f, o, d, t)
        steps.append(Step(t, value, "sphere"))
        if abs(value) < eps:
            return TraceResult(True, t, o + t * d, steps, "sphere")
        t += value
        if t > far or t < near:
            break
    return TraceResult(False, None, None, steps, "sphere")


def secant_trace(
    f: ScalarField,
    origin: FloatArray,
    direction: FloatArray,
    *,
    near: float = 0.0,
    far: float = 10.0,
    n_march: int = 64,
    n_secant: int = 8,
    tol: float = 1e-10,
) -> TraceResult:
    """Return the first + → − crossing of ``f`` by DVR's coarse march and secant.

    ``n_march`` uniform evaluations on [near, far] find the first interval with
    f(t_a) > 0 ≥ f(t_b); ``n_secant`` secant steps then refine the root, keeping
    the bracket (regula falsi) so the step never leaves the interval.
    """
    o, d = _check(origin, direction, near, far)
    if n_march < 2 or n_secant < 0:
        raise ValueError("n_march must be ≥ 2 and n_secant ≥ 0")
    ts = np.linspace(near, far, n_march)
    values = np.asarray(f(o + ts[:, None] * d), dtype=np.float64).reshape(-1)
    steps = [Step(float(t), float(v), "march") for t, v in zip(ts, values, strict=True)]
    crossing = np.nonzero((values[:-1] > 0.0) & (values[1:] <= 0.0))[0]
    if crossing.size == 0:
        return TraceResult(False, None, None, steps, "secant")
    i = int(crossing[0])
    ta, fa, tb, fb = (
        float(ts[i]),
        float(values[i]),
        float(ts[i + 1]),
        float(values[i + 1]),
    )
    t = tb
    for _ in range(n_secant):
        if fb == fa:
            break
        t = ta - fa * (tb - ta) / (fb - fa)
        value = _eval(f, o, d, t)
        steps.append(Step(t, value, "secant"))
        if abs(value) <= tol:
            break
        if value > 0.0:
            ta, fa = t, value
        else:
            tb, fb = t, value
    return TraceResult(True, t, o + t * d, steps, "secant")


def trace(
    f: ScalarField,
    origin: FloatArray,
    direction: FloatArray,
    method: Method,
    *,
    near: float = 0.0,
    far: float = 10.0,
) -> TraceResult:
    """Return :func:`sphere_trace` or :func:`secant_trace` by ``method`` name."""
    if method == "sphere":
        return sphere_trace(f, origin, direction, near=near, far=far)
    if method == "secant":
        return secant_trace(f, origin, direction, near=near, far=far)
    raise ValueError(f"unknown method {method!r}: use sphere or secant")


def sphere_trace_image(
    f: ScalarField,
    origins: FloatArray,
    dirs: FloatArray,
    *,
    near: float,
    far: float,
    eps: float = 1e-4,
    max_steps: int = 96,
) -> FloatArray:
    """Return the hit distance of many rays (R,) by sphere tracing (NaN for misses)."""
    t = np.full(origins.shape[0], float(near))
    active = np.ones(origins.shape[0], dtype=bool)
    hit = np.zeros(origins.shape[0], dtype=bool)
    for _ in range(max_steps):
        idx = np.nonzero(active)[0]
        if idx.size == 0:
            break
        value = np.asarray(f(origins[idx] + t[idx, None] * dirs[idx]), dtype=np.float64)
        done = np.abs(value) < eps
        hit[idx[done]] = True
        t[idx] += np.where(done, 0.0, value)
        active[idx[done | (t[idx] > far)]] = False
    out: FloatArray = np.where(hit, t, np.nan)
    return out


@dataclass(frozen=True)
class StepInfo:
    """Step ``index`` (0-based) of ``total``: where it is and how far it moves.

    ``size`` is t_{k+1} − t_k, the move to the next evaluation (for sphere
    tracing exactly f(t_k)); ``None`` at the last step (hit or stop).
    """

    index: int
    total: int
    t: float
    value: float
    size: float | None
    kind: str


def step_info(result: TraceResult, index: int) -> StepInfo:
    """Return step ``index`` of ``result`` (clamped to the steps it has)."""
    if not result.steps:
        raise ValueError("the trace has no steps")
    k = min(max(int(index), 0), len(result.steps) - 1)
    s = result.steps[k]
    size = result.steps[k + 1].t - s.t if k + 1 < len(result.steps) else None
    return StepInfo(k, len(result.steps), s.t, s.value, size, s.kind)


def first_steps(result: TraceResult, index: int) -> TraceResult:
    """Return ``result`` cut after step ``index`` (a hit once its last step shows)."""
    k = min(max(int(index), 0), len(result.steps) - 1)
    if k >= len(result.steps) - 1:
        return result
    return TraceResult(False, None, None, result.steps[: k + 1], result.method)
