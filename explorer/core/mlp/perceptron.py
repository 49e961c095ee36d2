"""Rosenblatt's perceptron on augmented inputs x̃ = (1, x₁, x₂), and Novikoff's bound.

The rule (Rosenblatt 1958): while some point is misclassified,
``w ← w + η (y − ŷ) x̃``.  A point counts as misclassified when y·wᵀx̃ ≤ 0 (on
the line is wrong, as in Novikoff's proof); then ŷ = −y and the update is
2ηy·x̃.  Points are visited in a fixed (seeded) cyclic order, the classic sweep.

Novikoff (1962): if some unit u has y·uᵀx̃ ≥ γ > 0 for every point and
‖x̃‖ ≤ R, the perceptron started at w = 0 makes at most (R/γ)² mistakes.  Here
x̃ includes the bias coordinate, so R = max ‖(1, x₁, x₂)‖ and γ is the margin of
the best separator through the origin of the augmented space (bias included
in the norm), computed exactly as a hard-margin SVM: min ½‖w‖² s.t.
yᵢ wᵀx̃ᵢ ≥ 1, γ = 1/‖w*‖.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from explorer.core.mlp.config import PerceptronConfig
from explorer.core.mlp.data import FloatArray, Points
from explorer.core.progress import JobControl, Progress


def augment(x: FloatArray) -> FloatArray:
    """Return the points with a leading 1: x̃ = (1, x₁, x₂) (the bias as w₀)."""
    return np.concatenate([np.ones((len(x), 1)), x], axis=1)


@dataclass(frozen=True)
class Margin:
    """The best separator of augmented points: unit ``u``, margin γ, radius R."""

    separable: bool
    gamma: float | None  # None when not separable
    radius: float
    u: FloatArray | None

    @property
    def bound(self) -> float | None:
        """Return Novikoff's bound (R/γ)² on the mistakes, or None."""
        if self.gamma is None:
            return None
        return (self.radius / self.gamma) ** 2


def best_margin(points: Points) -> Margin:
    """Return the hard-margin separator of the augmented points (scipy LP + QP).

    A linear programme first decides separability (some w with yᵢwᵀx̃ᵢ ≥ 1);
    SLSQP then minimises ½‖w‖² from that feasible start.
    """
    from scipy.optimize import (  # type: ignore[import-untyped]
        linprog,
        minimize,
    )

    xt = augment(points.x)
    radius = float(np.linalg.norm(xt, axis=1).max()) if len(xt) else 0.0
    a = points.y[:, None] * xt  # constraint rows: a·w ≥ 1
    lp = linprog(
        np.zeros(3),
        A_ub=-a,
        b_ub=-np.ones(len(a)),
        bounds=[(None, None)] * 3,
        method="highs",
    )
    if lp.status != 0:
        return Margin(False, None, radius, None)
    res = minimize(
        lambda w: 0.5 * float(w @ w),
        np.asarray(lp.x, dtype=np.float64),
        jac=lambda w: w,
        constraints=[
            {"type": "ineq", "fun": lambda w: a @ w - 1.0, "jac": lambda w: a}
        ],
        method="SLSQP",
        options={"ftol": 1e-12, "maxiter": 500},
    )
    w = np.asarray(res.x if res.success else lp.x, dtype=np.float64)
    u = w / np.linalg.norm(w)
    # the margin the separator really has (exact for the solution found)
    gamma = float((a @ u).min())
    return Margin(True, gamma, radius, u)


@dataclass
class PerceptronState:
    """Where a perceptron run stands (the panel steps it directly, the job loops)."""

    w: FloatArray = field(default_factory=lambda: np.zeros(3))
    position: int = 0  # index into the sweep order of the next point to test
    updates: int = 0
    sweep_mistakes: int = 0
    sweep_history: list[int] = field(default_factory=list)
    converged: bool = False
    cycle: tuple[int, int] | None = None  # (first update, period) once w repeats
    last_used: int = -1
    _seen: dict[tuple[bytes, int], int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class PerceptronStep(Progress):
    """One perceptron update: w after it and the point it used."""

    w: FloatArray
    used: int  # index of the misclassified point used; −1 for none
    errors: int  # points misclassified by w now
    converged: bool
    sweep_history: tuple[int, ...]  # mistakes in each finished sweep
    cycle: tuple[int, int] | None


def sweep_order(n: int, seed: int) -> NDArray[np.int64]:
    """Return the fixed cyclic order in which the sweep visits the points."""
    return np.random.default_rng(seed).permutation(n).astype(np.int64)


def errors(points: Points, w: FloatArray) -> int:
    """Return how many points w misclassifies (y·wᵀx̃ ≤ 0)."""
    return int(np.sum(points.y * (augment(points.x) @ w) <= 0))


def update(
    state: PerceptronState,
    points: Points,
    order: NDArray[np.int64],
    cfg: PerceptronConfig,
) -> bool:
    """Make the next update of the sweep in place; return False once converged.

    Scans at most one full sweep from ``state.position`` for a misclassified
    point; none found means every point is right: converged.
    """
    if state.converged:
        return False
    n = len(order)
    xt = augment(points.x)
    for k in range(n):
        pos = (state.position + k) % n
        if pos == 0 and k > 0:  # the scan wrapped: a sweep ended
            _close_sweep(state)
        i = int(order[pos])
        if points.y[i] * float(xt[i] @ state.w) <= 0:
            y_hat = -points.y[i]
            state.w = state.w + cfg.eta * (points.y[i] - y_hat) * xt[i]
            state.updates += 1
            state.sweep_mistakes += 1
            state.position = (pos + 1) % n
            if state.position == 0:
                _close_sweep(state)
            state.last_used = i
            key = (state.w.tobytes(), state.position)
            if state.cycle is None:
                if key in state._seen:
                    first = state._seen[key]
                    state.cycle = (first, state.updates - first)
                else:
                    state._seen[key] = state.updates
            return True
    state.converged = True
    state.sweep_history.append(0)  # a whole sweep without a mistake
    state.last_used = -1
    return False


def _close_sweep(state: PerceptronState) -> None:
    state.sweep_history.append(state.sweep_mistakes)
    state.sweep_mistakes = 0


def snapshot(state: PerceptronState, points: Points, total: int) -> PerceptronStep:
    """Return the report of ``state`` (copies: the state goes on changing)."""
    errs = errors(points, state.w)
    return PerceptronStep(
        step=state.updates,
        total=total,
        w=state.w.copy(),
        used=state.last_used,
        errors=errs,
        converged=state.converged,
        sweep_history=tuple(state.sweep_history),
        cycle=state.cycle,
        losses={"errors": float(errs)},
        message=f"update {state.updates}: {errs} misclassified",
    )


def run(
    points: Points,
    cfg: PerceptronConfig,
    *,
    seed: int = 0,
    start: PerceptronState | None = None,
    pace_s: float = 0.0,
    control: JobControl | None = None,
) -> Iterator[PerceptronStep]:
    """Yield the perceptron's state after every ``control.speed`` updates.

    Starts from ``start`` (or w = 0; it is updated in place) and stops when
    converged or after ``cfg.max_updates`` updates.  The first yield is the
    starting state.  ``pace_s`` waits before each later yield (an animation a
    class can follow; the updates themselves take microseconds).
    """
    points.check_two_classes()
    state = start if start is not None else PerceptronState()
    order = sweep_order(len(points), seed)
    yield snapshot(state, points, cfg.max_updates)
    while state.updates < cfg.max_updates and not state.converged:
        if pace_s > 0:
            time.sleep(pace_s)
        for _ in range(control.speed if control is not None else 1):
            if state.updates >= cfg.max_updates or not update(
                state, points, order, cfg
            ):
                break
        yield snapshot(state, points, cfg.max_updates)
