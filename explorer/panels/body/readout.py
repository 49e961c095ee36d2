"""The body panel's formula card: the formula, the bone's numbers, a clicked vertex.

A click on the body picks vertex i; the card then shows its rest position t_i,
its non-zero weights w_ki (with the bones' names) and t′_i by the formula shown
(both methods in the split view), from the pose on screen — so it follows every
pose change, and a new body clears it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.core.body.names import SkinningMethod
from explorer.core.body.vertex import vertex_readout
from explorer.panels.body.formula import formula_html, formula_values

if TYPE_CHECKING:
    from explorer.panels.body.panel import BodyPanel


def _vec(v: object) -> str:
    x, y, z = (float(c) for c in v)  # type: ignore[attr-defined]
    return f"({x:+.3f}, {y:+.3f}, {z:+.3f}) m"


def vertex_values(panel: BodyPanel) -> dict[str, object]:
    """Return the card rows of the clicked vertex (none before a click)."""
    model, vertex, last = panel.model, panel.picked_vertex, panel.posed_meshes
    if model is None or vertex is None or not last:
        return {}
    posed = next(iter(last.values()))
    split = panel.split_check.isChecked()
    methods: tuple[SkinningMethod, ...] = ("lbs", "dqs") if split else (panel.method,)
    first = vertex_readout(model, posed.transforms, vertex, methods[0])
    weights = ", ".join(f"{name} {w:.3f}" for _, name, w in first.weights)
    values: dict[str, object] = {
        "vertex i": vertex,
        "t_i (rest)": _vec(first.rest),
        "w_ki ≠ 0": weights,
    }
    late = model.posedirs is not None and panel.correctives_check.isChecked()
    note = ", before correctives" if late else ""
    for method in methods:
        out = vertex_readout(model, posed.transforms, vertex, method)
        values[f"t′_i ({method.upper()}{note})"] = _vec(out.posed)
    return values


def update_formula(panel: BodyPanel) -> None:
    """Show the formula for the method(s) shown and the live numbers under it."""
    model = panel.model
    if model is None:
        return
    split, on = panel.split_check.isChecked(), panel.correctives_check.isChecked()
    panel.formula.set_formula(
        formula_html(model, panel.method, split=split, correctives=on)
    )
    meshes = panel.posed_meshes
    posed = next(iter(meshes.values())) if meshes else None
    values = formula_values(model, panel._selected, panel._weights, posed)
    values.update(vertex_values(panel))
    panel.formula.set_values(values)
