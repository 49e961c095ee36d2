"""The receptive-field panel's formula cards: the course's formulas and their values."""

from __future__ import annotations

from typing import Any

from explorer.core.rf import Row
from explorer.panels.rf.controls import fmt_pair

RF_TEXTBOOK = (
    "r<sub>l</sub> = r<sub>l−1</sub> + (k<sub>l</sub> − 1)·j<sub>l−1</sub>, &nbsp; "
    "j<sub>l</sub> = j<sub>l−1</sub>·s<sub>l</sub>, &nbsp; "
    "r<sub>0</sub> = j<sub>0</sub> = 1"
)
FLOOR = "n<sub>out</sub> = ⌊(n<sub>in</sub> + 2p − d(k−1) − 1) / s⌋ + 1"
CEIL = "n<sub>out</sub> = ⌈(n<sub>in</sub> + 2p − d(k−1) − 1) / s⌉ + 1"
RF_ADDS = (
    "<br><small>The code adds: dilation d (k − 1 → d(k − 1)); effective padding "
    "P<sub>l</sub> = P<sub>l−1</sub> + p<sub>l</sub>·j<sub>l−1</sub>, so unit i "
    "sees pixels i·j − P … i·j − P + r − 1; the output size {out}; a block of "
    "paths counts as one layer.</small>"
)
CEIL_NOTE = " (this pool has ceil_mode: it rounds up)"


def rf_formula(row: Row | None = None) -> str:
    """Return the RF card's formula: the textbook recurrence, then what is added."""
    out = CEIL + CEIL_NOTE if row is not None and row.rounds_up else FLOOR
    return RF_TEXTBOOK + RF_ADDS.format(out=out)


RF_FORMULA = rf_formula()
RF_SOURCE = (
    "Araujo, Norris & Sim, “Computing Receptive Fields of CNNs”, Distill 2019, "
    "eqs. 1–2 (r, j) and 5–9 (P, boxes); output size: PyTorch Conv2d / MaxPool2d "
    "documentation"
)
ERF_FORMULA = (
    "ERF(x) = E<sub>inputs</sub> |∂y<sub>unit</sub> / ∂x|<br>"
    "n layers: σ<sub>ERF</sub> ∝ √n, while r ∝ n"
)
ERF_SOURCE = (
    "Luo, Li, Urtasun & Zemel, “Understanding the Effective Receptive Field "
    "in Deep CNNs”, NeurIPS 2016, sec. 2"
)


def prev_rf(row: Row) -> tuple[int, int]:
    """Return r of the map ``row`` reads, inverting r = r_prev + d(k−1)·j_prev."""
    g = row.geometry
    out = []
    for a in (0, 1):
        j_prev = g.j[a] // row.stride[a]
        out.append(g.r[a] - row.dilation[a] * (row.kernel[a] - 1) * j_prev)
    return out[0], out[1]


def rf_values(row: Row, unit: tuple[int, int]) -> dict[str, str]:
    """Return the RF card's values for unit ``unit`` of ``row`` (numbers put in)."""
    g = row.geometry
    i, j = unit
    box = g.box(i, j)
    r_prev = prev_rf(row)
    j_prev = (g.j[0] // row.stride[0], g.j[1] // row.stride[1])
    square = all(
        v[0] == v[1]
        for v in (row.input_size, row.kernel, row.stride, row.padding, row.dilation)
    )
    if square:
        n, k, s, p, d = (
            v[0]
            for v in (row.input_size, row.kernel, row.stride, row.padding, row.dilation)
        )
        lo, hi = ("⌈", "⌉") if row.rounds_up else ("⌊", "⌋")
        dk = f"{d}·({k}−1)" if d != 1 else f"({k}−1)"
        n_out = f"{lo}({n} + 2·{p} − {dk} − 1) / {s}{hi} + 1 = {g.size[0]}"
        r_text = f"{r_prev[0]} + {dk}·{j_prev[0]} = {g.r[0]}"
    else:
        n_out = fmt_pair(g.size)
        r_text = f"{fmt_pair(r_prev)} → {fmt_pair(g.r)}"
    return {
        "layer": f"{row.name} ({row.kind})",
        "n<sub>in</sub>, k, s, p, d": (
            f"{fmt_pair(row.input_size)}, {fmt_pair(row.kernel)}, "
            f"{fmt_pair(row.stride)}, "
            f"{fmt_pair(row.padding)}, "
            f"{fmt_pair(row.dilation)}"
        ),
        "n<sub>out</sub>": n_out,
        "r<sub>l</sub>": r_text,
        "j<sub>l</sub>, P<sub>l</sub>": f"{fmt_pair(g.j)}, {fmt_pair(g.p)}",
        f"unit ({i}, {j}) sees": (
            f"rows {box.top}…{box.bottom}, columns {box.left}…{box.right}"
        ),
    }


def erf_values(p: Any, weights: str) -> dict[str, str]:
    """Return the ERF card's values for an ERF report ``p`` (with its statistics)."""
    s = p.stats
    return {
        "unit": f"{p.layer} {tuple(p.unit)}",
        "weights": weights,
        "theoretical RF": f"{p.box.height}×{p.box.width} px "
        f"({s.theoretical_area} px inside the image)",
        f"{s.mass:.0%} of |∂y/∂x| within": f"{s.area} px ≈ {s.side:.1f}² "
        f"({s.ratio:.0%} of the RF)",
        "σ (rows, columns)": f"{s.std[0]:.1f}, {s.std[1]:.1f} px",
    }
