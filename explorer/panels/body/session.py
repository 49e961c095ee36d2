"""The body panel's session state: read it from the panel, apply a saved pose or preset.

Helpers of :class:`~explorer.panels.body.panel.BodyPanel` (they read its private
fields: the body shown, its pose, a restore waiting for a body to load).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.panels.body.state import BodyState, PoseAngles

if TYPE_CHECKING:
    from explorer.panels.body.panel import BodyPanel


def current_state(panel: BodyPanel) -> BodyState:
    """Return ``panel``'s :class:`BodyState` (body, pose, shape, display).

    While a body loads, the pose, shape and joint are those a restore is waiting
    to apply (or none).
    """
    model, pose, pending = panel._model, panel._pose, panel._pending
    if panel._loading or model is None or pose is None:
        angles = pending.pose if pending else None
        shape = pending.shape if pending else None
        selected = pending.selected if pending else None
    else:
        angles = PoseAngles.of(model, pose)
        shape = panel.shape_sliders.values()
        selected = model.bone_names[panel._selected]
    panel.binder.set_extra(
        model=panel._spec,
        method=panel.method,
        correctives=panel.column.correctives_wanted,
        pose=angles,
        shape=shape,
        selected=selected,
    )
    return panel.binder.state()


def apply_pose(panel: BodyPanel, state: BodyState) -> None:
    """Show ``state``'s shape, pose and selected joint on the body ``panel`` shows."""
    if state.shape is not None:
        panel.shape_sliders.set_values(state.shape)
    model = panel._model
    if model is not None and state.pose is not None:
        try:
            panel.set_pose(state.pose.to_pose(model))
            if state.selected is not None:
                panel.select_bone(state.selected)
        except (ValueError, KeyError) as exc:
            panel.show_error(f"the saved pose does not fit this body: {exc}")
    panel._post()


def apply_preset_at(panel: BodyPanel, index: int) -> None:
    """Pose the body by the preset at ``index`` of the preset list (0: the prompt)."""
    from explorer.core.body.presets import preset_pose

    if index <= 0 or panel._model is None:
        return
    try:
        panel.set_pose(preset_pose(panel._model, panel.preset_combo.itemText(index)))
    except ValueError as exc:
        panel.show_error(str(exc))
    panel.preset_combo.setCurrentIndex(0)
