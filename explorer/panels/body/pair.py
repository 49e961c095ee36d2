"""The body panel's two 3-D views side by side: LBS (or the method chosen) and DQS.

The DQS view is built only when the split view is first shown.  Both views
share one camera (turning or zooming one turns the other, as a lecturer comparing
the two expects), and a click on either picks a vertex.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from explorer.core.body.model import BodyModel
from explorer.core.body.names import ColourMode
from explorer.core.body.skinning import PosedMesh
from explorer.panels.body.views import BodyView
from explorer.widgets.theme import ThemeManager


class BodyViews(QWidget):
    """The main body view and the split view's DQS view; emits ``vertex_picked``."""

    vertex_picked = Signal(int)
    joint_grabbed = Signal(int)
    joint_turned = Signal(int, float)

    def __init__(self, theme: ThemeManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.view = BodyView(theme, "LBS")
        self.view_dqs = BodyView(theme, "DQS")
        self.view_dqs.hide()
        row.addWidget(self.view, 1)
        row.addWidget(self.view_dqs, 1)
        self.view.view.clicked.connect(self._on_view_clicked)
        self.view_dqs.view.clicked.connect(self._on_dqs_view_clicked)
        for side in (self.view, self.view_dqs):
            side.rings.grabbed.connect(self.joint_grabbed)
            side.rings.turned.connect(self.joint_turned)
        self._dqs_model: BodyModel | None = None
        self._camera_seen: tuple[float, ...] = ()
        camera = self.view.view.plotter.renderer.camera
        # one camera for both views; the DQS view redraws when the LBS one moves it
        self.view_dqs.view.plotter.renderer.camera = camera
        self.view_dqs.sync_camera()
        self._observer = camera.AddObserver("ModifiedEvent", self._on_camera_modified)

    def set_model(self, model: BodyModel, posed: PosedMesh, *, split: bool) -> None:
        """Create the actors for a new ``model`` showing ``posed``."""
        self.view.set_model(model, posed)
        self._dqs_model = None
        if split:
            self._prepare_dqs(model, posed)

    def set_split(
        self, on: bool, model: BodyModel | None, posed: PosedMesh | None
    ) -> None:
        """Show or hide the DQS view (built on first use from ``posed``)."""
        self.view_dqs.setVisible(on)
        if on and model is not None and posed is not None:
            self._prepare_dqs(model, posed)

    def _prepare_dqs(self, model: BodyModel, posed: PosedMesh) -> None:
        if self._dqs_model is None or self._dqs_model.faces is not model.faces:
            self.view_dqs.set_model(model, posed, keep_camera=True)
            self._dqs_model = model
        # the shared camera is fitted again once the two views have their widths
        QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        if self.view.fits_whole_body:
            self.view.whole_body()
        self.view_dqs.view.request_render()

    def _on_camera_modified(self, camera: Any, _event: str) -> None:
        # only a move of the camera; a new clipping range (set at each render)
        # must not ask for another render
        seen = (*camera.GetPosition(), *camera.GetFocalPoint(), *camera.GetViewUp())
        seen = (*seen, camera.GetViewAngle(), camera.GetParallelScale())
        if seen != self._camera_seen:
            self._camera_seen = seen
            self.view.view.request_render()
            if self.view_dqs.isVisible():
                self.view_dqs.view.request_render()

    def show_meshes(
        self,
        meshes: Mapping[str, PosedMesh],
        first: str,
        *,
        split: bool,
        selected: int,
        weights: np.ndarray | None,
        euler: np.ndarray | None = None,
    ) -> None:
        """Move the views' points to ``meshes[first]`` (and ``meshes["dqs"]``).

        ``euler``: the selected joint's angles in these meshes (for the rings).
        """
        self.view.update_pose(meshes[first], selected, weights, euler)
        if self.view.caption.text() != first.upper():
            self.view.caption.setText(first.upper())
        if split and "dqs" in meshes:
            self.view_dqs.update_pose(meshes["dqs"], selected, weights, euler)

    def restyle(self, mode: ColourMode, *, skeleton: bool) -> None:
        """Colour both views by ``mode``, with or without the skeleton."""
        for view in (self.view, self.view_dqs):
            view.colour_mode = mode
            view.show_skeleton = skeleton
            view.restyle()

    def frame(self, point: np.ndarray, distance: float) -> None:
        """Aim the shared camera at ``point`` from ``distance``."""
        self.view.frame(point, distance)
        self.view_dqs.hold_camera()

    def whole_body(self) -> None:
        """Fit the whole body in both views again (the shared camera)."""
        self.view.whole_body()
        self.view_dqs.fit_on_resize()

    def close_views(self) -> None:
        """Close both 3-D views (their plotters)."""
        self.view.view.plotter.renderer.camera.RemoveObserver(self._observer)
        self.view.close_view()
        self.view_dqs.close_view()

    def _on_view_clicked(self, x: float, y: float) -> None:
        self._pick(self.view, x, y)

    def _on_dqs_view_clicked(self, x: float, y: float) -> None:
        self._pick(self.view_dqs, x, y)

    def _pick(self, view: BodyView, x: float, y: float) -> None:
        point = view.view.pick(x, y)
        if point is None:
            return
        verts = view.vertices()
        self.vertex_picked.emit(int(np.argmin(((verts - point) ** 2).sum(axis=1))))
