"""The flow panel's formula cards and the per-layer Jacobian table (rich text)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from explorer.core.flow.jobs import FlowProgress
from explorer.core.flow.model import LayerJacobian

CHANGE_2D = (
    "p<sub>X</sub>(x) = p<sub>Z</sub>(f<sup>−1</sup>(x)) "
    "|det ∂f<sup>−1</sup>/∂x|<br>"
    "log p(x) = log p<sub>Z</sub>(z) + Σ<sub>k</sub> "
    "log|det ∂f<sub>k</sub><sup>−1</sup>/∂x|<br>"
    "<small>training maximises Σ<sub>i</sub> log p(x<sub>i</sub>); "
    "RealNVP coupling: y<sub>A</sub> = x<sub>A</sub> ⊙ exp(s(x<sub>B</sub>)) + "
    "t(x<sub>B</sub>), y<sub>B</sub> = x<sub>B</sub>; here s = 2·tanh(raw/2) "
    "(bounded for stability)</small>"
)
CHANGE_2D_SOURCE = (
    "Bishop &amp; Bishop, Deep Learning (2024), eq. 18.1–18.6; Dinh et al., "
    "RealNVP (2017), eq. 3–6"
)
CHANGE_1D = (
    "p<sub>x</sub>(x) = p<sub>z</sub>(h(x)) · |h′(x)|, z = h(x) ~ N(0, 1)<br>"
    "<small>the probability mass must be preserved: each shaded band holds the "
    "same mass in x as its image in z</small>"
)
CHANGE_1D_SOURCE = "Bishop &amp; Bishop, Deep Learning (2024), eq. 18.1"
JACOBIAN = (
    "coupling: J = [[e<sup>s</sup>, ∂y<sub>A</sub>/∂x<sub>B</sub>], [0, 1]] — "
    "triangular, so log|det J| = s: O(d) instead of O(d³)<br>"
    "planar: det(A + uvᵀ) = (1 + vᵀA<sup>−1</sup>u) det A, with A = I: "
    "1 + h′·wᵀû"
)
JACOBIAN_SOURCE = (
    "Dinh et al. 2017, eq. 6; Rezende &amp; Mohamed 2015, eq. 12 (matrix "
    "determinant lemma)"
)
GLOW = (
    "<table cellspacing='2'><tr>"
    "<td>x</td><td>→</td><td><b>squeeze</b><br><small>2×2×c → 1×1×4c</small></td>"
    "<td>→</td><td>[ actnorm → 1×1 conv → coupling ] × K</td><td>→</td>"
    "<td><b>split</b><br><small>½ → z<sub>l</sub></small></td><td>→ …</td>"
    "</tr></table>"
    "<small>in this 2-D panel: actnorm → 2×2 matrix (Mixing) → coupling</small>"
)
GLOW_SOURCE = "Glow, Kingma &amp; Dhariwal 2018, Fig. 2"


def _num(v: float) -> str:
    return f"{v:.3g}" if abs(v) >= 1e-3 or v == 0 else f"{v:.1e}"


def check_values(p: FlowProgress) -> dict[str, object]:
    """Return the live numbers of the 2-D card: NLLs and the three checks."""
    values: dict[str, object] = {
        "step": p.step,
        "NLL (batch)": round(p.nll, 3),
        "test NLL": round(p.test_nll, 3),
        "Gaussian's test NLL": round(p.gaussian_test_nll, 3),
        "∫ p over the box": round(p.integral, 4),
        "max ‖f(f⁻¹(x)) − x‖": f"{p.roundtrip:.1e}",
    }
    if p.jacobians:
        formula = sum(j.logdet_formula for j in p.jacobians)
        total = np.eye(2)
        for j in p.jacobians:
            total = j.jacobian @ total
        autograd = float(np.linalg.slogdet(total)[1])
        values["log-det: formula − autograd"] = f"{abs(formula - autograd):.1e}"
    else:
        values["log-det: formula − autograd"] = "— (click the density)"
    return values


def jacobian_table(jacobians: Sequence[LayerJacobian], probe_logp: float | None) -> str:
    """Return the per-layer Jacobians at the probe as an HTML table."""
    if not jacobians:
        return "<i>Click the density plot to see each layer's Jacobian there.</i>"
    x, y = jacobians[0].point
    rows = [
        "<tr><th align='left'>layer (J = ∂y/∂x)</th>"
        "<th>formula</th><th>slogdet</th></tr>"
    ]  # log|det J_k|: the layer's own formula, and torch.linalg.slogdet of J_k
    for i, j in enumerate(jacobians):
        a, b, c, d = (float(v) for v in j.jacobian.ravel())
        rows.append(
            f"<tr><td>{i + 1}. {_short(j.title)}</td>"
            f"<td align='right'>{j.logdet_formula:+.3f}</td>"
            f"<td align='right'>{j.logdet_autograd:+.3f}</td></tr>"
            f"<tr><td colspan='3'><small>&nbsp;&nbsp;J = [{a:.2f}, {b:.2f}; "
            f"{c:.2f}, {d:.2f}]</small></td></tr>"
        )
    total = sum(j.logdet_formula for j in jacobians)
    total_ag = sum(j.logdet_autograd for j in jacobians)
    rows.append(
        "<tr><td><b>Σ = log|det ∂f⁻¹/∂x|</b></td>"
        f"<td align='right'><b>{total:+.4f}</b></td>"
        f"<td align='right'><b>{total_ag:+.4f}</b></td></tr>"
    )
    tail = ""
    if probe_logp is not None and math.isfinite(probe_logp):
        tail = (
            f"<br>at x = ({x:.2f}, {y:.2f}): log p(x) = log p<sub>Z</sub>(z) + Σ = "
            f"{probe_logp - total:.4f} {total:+.4f} = <b>{probe_logp:.4f}</b>"
        )
    head = (
        "log|det J<sub>k</sub>| of each layer: by its own formula, and by "
        "torch.linalg.slogdet of autograd's J<sub>k</sub>"
    )
    return f"{head}<table cellspacing='3'>{''.join(rows)}</table>{tail}"


def _short(title: str) -> str:
    return (
        title.replace("coupling (transforms ", "coupling ")
        .rstrip(")")
        .replace("learned 2×2 (1×1 conv", "learned 2×2")
    )


def stage_title(titles: Sequence[str], stage: int) -> str:
    """Return the warp view's title for ``stage`` (0: z-space, K: x-space)."""
    k = len(titles)
    if stage <= 0:
        return f"0/{k}: z"
    if stage >= k:
        return f"{k}/{k}: x = f(z)"
    return f"{stage}/{k}: f{_sub(k - stage + 1)}⁻¹"


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def band_values(integral: float, bands: int) -> dict[str, object]:
    """Return the 1-D card's numbers."""
    return {
        "∫ p_x dx over [−4, 4]": round(integral, 4),
        "mass of each band": f"1/{bands} = {1 / bands:.3f}",
    }
