"""The body panel's formula card (LBS, SMPL's form, DQS) and volume readout."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from explorer.core.body.model import BodyModel
from explorer.core.body.skinning import PosedMesh

LBS_HTML = (
    "t′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> G<sub>k</sub>(θ, J) t<sub>i</sub>,"
    "  G<sub>k</sub> = W<sub>k</sub> P<sub>k</sub><sup>−1</sup>,"
    "  W<sub>k</sub> = W<sub>p(k)</sub> P<sub>p(k)</sub><sup>−1</sup>"
    " P<sub>k</sub> R<sub>k</sub>(θ<sub>k</sub>)"
)
SMPL_HTML = (
    "t′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> G<sub>k</sub>(θ, J(β))"
    " (t<sub>i</sub> + s<sub>i</sub>(β) + p<sub>i</sub>(θ)),"
    "  p(θ) = P · vec(R<sub>k</sub>(θ) − I)"
)
DQS_HTML = (
    "t′<sub>i</sub> = q̂<sub>i</sub> t<sub>i</sub> q̂<sub>i</sub><sup>*</sup>,"
    "  q̂<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> q<sub>k</sub> /"
    " ‖Σ<sub>k</sub> w<sub>ki</sub> q<sub>k</sub>‖ (q<sub>k</sub>: dual quaternion of"
    " G<sub>k</sub>)"
)
SOURCES = (
    "LBS / SMPL: Loper et al., “SMPL”, SIGGRAPH Asia 2015, eqs. 2–4, 9; "
    "DQS: Kavan et al., “Geometric skinning with approximate dual quaternion "
    "blending”, ACM TOG 2008, eq. 5"
)


def formula_html(model: BodyModel, *, dqs: bool) -> str:
    """Return the formula shown: DQS, or LBS (SMPL's form when it has correctives)."""
    if dqs:
        return DQS_HTML
    return SMPL_HTML if model.posedirs is not None else LBS_HTML


def formula_values(
    model: BodyModel,
    bone: int,
    weights: np.ndarray | None,
    posed: PosedMesh | None,
) -> dict[str, object]:
    """Return the card's values: the bone k, its weighted vertices and its G_k."""
    values: dict[str, object] = {"k": f"{bone} ({model.bone_names[bone]})"}
    if weights is not None:
        values["vertices with w_ki > 0"] = int((weights > 0).sum())
    if posed is not None:
        g = posed.transforms[bone]
        for r in range(3):
            row = " ".join(f"{v:+.3f}" for v in g[r, :3])
            values[f"G_k row {r + 1}"] = f"[{row} | {g[r, 3]:+.3f}]"
    return values


def volume_text(volumes: Mapping[str, float], rest: float) -> str:
    """Return the volume readout: each method's posed volume vs the rest volume."""
    parts = [
        f"{m.upper()} {v * 1000:.2f} L ({(v / rest - 1) * 100:+.2f} %)"
        for m, v in volumes.items()
    ]
    return f"Volume vs rest {rest * 1000:.2f} L: " + ", ".join(parts)
