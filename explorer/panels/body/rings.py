"""The rotation gizmo: three rings (x, y, z) around the selected joint in a 3-D view.

Drawn in the skeleton's layer (in front of the body).  A left-button press on a
ring takes the drag from the camera; the mouse motion along the ring's tangent
on screen is the angle (:mod:`explorer.core.body.gizmo`).  The rings only report
``turned(axis, degrees from the press)``; the panel turns the slider, so the
sliders and the rings show one state (the pose).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCursor

from explorer.core.body.gizmo import (
    RING_SAMPLES,
    drag_angle,
    gimbal_axes,
    pick_ring,
    project,
    ring_points,
    screen_tangent,
)
from explorer.widgets.mesh_view import MeshView
from explorer.widgets.theme import OKABE_ITO, ThemeManager

# x, y, z: vermillion, bluish green, sky blue (Okabe-Ito, told apart by colour-blind
# eyes; the skeleton has the darker blue)
AXIS_COLOURS = (OKABE_ITO[5], OKABE_ITO[2], OKABE_ITO[4])
_LINE_PX = 3.0
_GRABBED_PX = 6.0


class JointRings(QObject):
    """The gizmo of one view; a :class:`~explorer.widgets.mesh_view.DragHandler`.

    Signals: ``grabbed(axis)`` at the press, ``turned(axis, degrees)`` (the angle
    since the press) while dragging, ``released(axis)``.
    """

    grabbed = Signal(int)
    turned = Signal(int, float)
    released = Signal(int)

    def __init__(self, view: MeshView, theme: ThemeManager) -> None:
        super().__init__(view)
        import pyvista as pv

        self._view = view
        self._theme = theme
        self.visible = True
        self.centre = np.zeros(3)
        self.axes = np.eye(3)
        self.radius = 0.0
        self.points = np.zeros((3, RING_SAMPLES, 3))
        lines = np.concatenate(
            [[RING_SAMPLES + 1], np.arange(RING_SAMPLES), [0]]
        ).astype(np.int64)
        self.meshes = [
            pv.PolyData(np.zeros((RING_SAMPLES, 3), np.float32), lines=lines)
            for _ in range(3)
        ]
        self.actors: list[Any] = []
        self._grab: tuple[int, float, float, np.ndarray] | None = None
        view.drag_handler = self

    def add_to(self, renderer: Any) -> None:
        """Create the ring actors in ``renderer`` (the overlay layer)."""
        import pyvista as pv

        scale = self._theme.scale
        self.actors = []
        for i, mesh in enumerate(self.meshes):
            actor = pv.Actor(mapper=pv.DataSetMapper(mesh))
            actor.prop.color = AXIS_COLOURS[i]
            actor.prop.line_width = _LINE_PX * scale
            actor.prop.render_lines_as_tubes = True
            actor.SetVisibility(self.visible and self.radius > 0.0)
            actor.SetPickable(False)
            renderer.AddActor(actor)
            self.actors.append(actor)

    def set_visible(self, on: bool) -> None:
        """Show or hide the rings (they follow the skeleton's check box)."""
        self.visible = on
        for actor in self.actors:
            actor.SetVisibility(on and self.radius > 0.0)

    def place(
        self,
        bone_frame: np.ndarray,
        euler: np.ndarray,
        centre: np.ndarray,
        radius: float,
    ) -> None:
        """Put the rings at joint ``centre`` of a bone posed with ``euler`` (°)."""
        self.centre = np.asarray(centre, dtype=np.float64)
        self.axes = gimbal_axes(bone_frame, euler)
        self.radius = float(radius)
        for i, mesh in enumerate(self.meshes):
            # a little apart in size, so crossing rings can be told apart and grabbed
            self.points[i] = ring_points(
                self.centre, self.axes[i], radius * (1.0 - 0.1 * i)
            )
            mesh.points = self.points[i].astype(np.float32)
        self.set_visible(self.visible)

    def screen_points(self) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Return the rings' points on screen (3, n, 2), the projection and its size."""
        matrix, w, h = self._view.projection()
        flat = project(self.points.reshape(-1, 3), matrix, w, h)
        return flat.reshape(3, -1, 2), matrix, w, h

    # -- the DragHandler ------------------------------------------------------------
    def press(self, x: float, y: float) -> bool:
        """Take the drag when (x, y) is on a ring."""
        if not self.visible or self.radius <= 0.0:
            return False
        screen, matrix, w, h = self.screen_points()
        hit = pick_ring(screen, (x, y), self._pick_tolerance())
        if hit is None:
            return False
        axis, sample = hit
        tangent = screen_tangent(
            self.centre, self.axes[axis], self.points[axis, sample], matrix, w, h
        )
        self._grab = (axis, x, y, tangent)
        self._style(axis)
        self._view.setCursor(QCursor(Qt.CursorShape.ClosedHandCursor))
        self.grabbed.emit(axis)
        return True

    def move(self, x: float, y: float) -> None:
        """Report the angle the drag has turned ring ``axis`` since the press."""
        if self._grab is not None:
            axis, x0, y0, tangent = self._grab
            self.turned.emit(axis, drag_angle((x - x0, y - y0), tangent))

    def release(self, x: float, y: float) -> None:
        """End the drag (its last position counts)."""
        if self._grab is None:
            return
        self.move(x, y)
        axis = self._grab[0]
        self._grab = None
        self._style(None)
        self._view.unsetCursor()
        self.released.emit(axis)

    def _pick_tolerance(self) -> float:
        return 8.0 * self._theme.scale

    def _style(self, grabbed: int | None) -> None:
        scale = self._theme.scale
        for i, actor in enumerate(self.actors):
            width = _GRABBED_PX if i == grabbed else _LINE_PX
            actor.prop.line_width = width * scale
        self._view.request_render()
