"""The body panel's formula card (LBS, SMPL's form, DQS) and volume readout."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from explorer.core.body.model import BodyModel
from explorer.core.body.names import SkinningMethod
from explorer.core.body.skinning import PosedMesh

LBS_HTML = (
    "t′<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> G<sub>k</sub>(θ, J) t<sub>i</sub>"
)
DQS_HTML = (
    "t′<sub>i</sub> = q̂<sub>i</sub> t<sub>i</sub> q̂<sub>i</sub><sup>*</sup>,"
    "  q̂<sub>i</sub> = Σ<sub>k</sub> w<sub>ki</sub> q̂<sub>k</sub> /"
    " ‖Σ<sub>k</sub> w<sub>ki</sub> q̂<sub>k</sub>‖"
)
_CHAIN = (
    "G<sub>k</sub> = W<sub>k</sub> P<sub>k</sub><sup>−1</sup>, W<sub>k</sub> ="
    " W<sub>p(k)</sub> P<sub>p(k)</sub><sup>−1</sup> P<sub>k</sub>"
    " R<sub>k</sub>(θ<sub>k</sub>) (the kinematic chain, rest frames P<sub>k</sub>)"
)
_SIGN = (
    "each q̂<sub>k</sub> is the unit dual quaternion of G<sub>k</sub>, flipped to"
    " the sign of the vertex's dominant bone before blending (q̂ and −q̂ are the same"
    " motion)"
)
_SHAPE = "the rest mesh t<sub>i</sub> comes from the body's shape ({kind})"
_CORRECTIVES = (
    "pose correctives: t<sub>i</sub> + p<sub>i</sub>(θ), p(θ) = 𝒫 · vec(R(θ) − I)"
    " (SMPL's pose blend shapes, before skinning)"
)
SOURCES = (
    "LBS: Magnenat-Thalmann et al. 1988; SMPL's form: Loper et al., “SMPL”, "
    "SIGGRAPH Asia 2015, eqs. 2–4, 9.  DQS: Kavan et al., “Skinning with dual "
    "quaternions”, I3D 2007 (the sign choice: Kavan et al., ACM TOG 2008, sec. 4)"
)


def formula_html(
    model: BodyModel,
    method: SkinningMethod = "lbs",
    *,
    split: bool = False,
    correctives: bool = False,
) -> str:
    """Return the card's text: the course's formula(s), then what the code adds.

    ``method`` is the skinning shown (``split``: both, side by side);
    ``correctives``: whether SMPL's pose correctives are applied (ticked and the
    body has them).
    """
    lbs, dqs = split or method == "lbs", split or method == "dqs"
    shown = []
    if lbs:
        shown.append(f"<b>Linear blend skinning (LBS)</b><br>{LBS_HTML}")
    if dqs:
        shown.append(f"<b>Dual-quaternion skinning (DQS)</b><br>{DQS_HTML}")
    adds = [_CHAIN]
    if dqs:
        adds.append(_SIGN)
    space = model.shape_space
    if space is not None:
        kind = "anny's phenotype" if space.kind == "phenotype" else "SMPL's β: + s(β)"
        adds.append(_SHAPE.format(kind=kind))
    if correctives and model.posedirs is not None:
        adds.append(_CORRECTIVES)
    elif model.posedirs is None:
        adds.append("no pose correctives: this body has none")
    else:
        adds.append("pose correctives off (the box is unticked)")
    items = "".join(f"<br>• {a}" for a in adds)
    return "<br>".join(shown) + f"<br><small><b>What the code adds:</b>{items}</small>"


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
