"""One 3-D body view: the skinned mesh, its skeleton and the selected joint."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from explorer.core.body.model import BodyModel
from explorer.core.body.names import ColourMode
from explorer.core.body.skinning import PosedMesh
from explorer.panels.body.rings import JointRings
from explorer.widgets.mesh_view import MeshView
from explorer.widgets.theme import CATEGORICAL_10, ThemeManager

_SKIN = "#d9b38c"


class BodyView(QWidget):
    """A :class:`MeshView` with a caption, showing one posed body.

    Actors are created once per model; each pose only updates point arrays in
    place (``mesh.points[:] = ...``) and asks for a throttled render.
    """

    def __init__(
        self, theme: ThemeManager, caption: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.caption = QLabel(caption)
        self.caption.setObjectName("bodyViewCaption")
        layout.addWidget(self.caption)
        self.view = MeshView(theme, self)
        layout.addWidget(self.view, 1)
        self._mesh: Any = None
        self._skeleton: Any = None
        self._selected: Any = None
        self._mesh_actor: Any = None
        self._parents = np.zeros(0, dtype=np.int64)
        self.colour_mode: ColourMode = "skin"
        self._fit_whole = True
        self.show_skeleton = True
        self.view.installEventFilter(self)
        self.rings = JointRings(self.view, theme)
        self._extent = 0.0
        self._first_child = np.zeros(0, dtype=np.int64)
        # The skeleton lives in a second renderer layer drawn over the body (like
        # Blender's "in front" bones), so the mesh can stay opaque.
        from vtkmodules.vtkRenderingCore import vtkRenderer

        self._overlay = vtkRenderer()
        self._overlay.SetLayer(1)
        self._overlay.InteractiveOff()
        window = self.view.plotter.render_window
        window.SetNumberOfLayers(2)
        window.AddRenderer(self._overlay)
        self.sync_camera()

    def sync_camera(self) -> None:
        """Make the skeleton layer use the view's current camera."""
        self._overlay.SetActiveCamera(self.view.plotter.renderer.GetActiveCamera())

    def set_model(
        self, model: BodyModel, posed: PosedMesh, *, keep_camera: bool = False
    ) -> None:
        """Create the actors for ``model`` (a new topology) showing ``posed``.

        ``keep_camera``: leave the camera as it is (one shared with another view).
        """
        import pyvista as pv

        plotter = self.view.plotter
        plotter.clear_actors()
        plotter.scalar_bars.clear()
        self._overlay.RemoveAllViewProps()
        faces = np.hstack([np.full((model.faces.shape[0], 1), 3), model.faces]).ravel()
        # copies: each view owns its arrays (points are updated in place)
        mesh = pv.PolyData(np.array(posed.vertices, dtype=np.float32), faces)
        mesh.point_data["Normals"] = np.array(posed.normals)
        mesh.point_data.active_normals_name = "Normals"
        mesh.point_data["weight"] = np.zeros(model.n_vertices, dtype=np.float32)
        mesh.point_data["dominant"] = (
            model.dominant_bone() % len(CATEGORICAL_10)
        ).astype(np.float32)
        self._mesh = mesh
        self._parents = model.bone_parents
        self._extent = float(np.ptp(model.rest.vertices, axis=0).max())
        first = np.full(model.n_bones, -1, dtype=np.int64)
        for child in range(model.n_bones - 1, 0, -1):
            first[model.bone_parents[child]] = child
        self._first_child = first
        children = np.flatnonzero(model.bone_parents >= 0)
        lines = np.column_stack(
            [np.full(children.size, 2), model.bone_parents[children], children]
        ).ravel()
        self._skeleton = pv.PolyData(
            np.array(posed.joints, dtype=np.float32), lines=lines
        )
        self._selected = pv.PolyData(posed.joints[:1].astype(np.float32))
        self._add_actors()
        if keep_camera:
            self.view.request_render()
            return
        plotter.renderer.reset_camera(render=False)
        self._front_camera(model)
        self.whole_body()

    def _front_camera(self, model: BodyModel) -> None:
        from explorer.core.body.presets import world_directions

        try:
            dirs = world_directions(model)
        except ValueError:
            return  # an unknown rig: keep pyvista's default view
        camera = self.view.plotter.camera
        focal = np.asarray(camera.focal_point)
        distance = float(np.linalg.norm(np.asarray(camera.position) - focal))
        # a three-quarter view from the body's left front: the posed left arm and
        # its forearm (bent towards the viewer in the presets) are seen from the side
        view_dir = dirs["front"] + 0.9 * dirs["left"] + 0.3 * dirs["up"]
        view_dir /= np.linalg.norm(view_dir)
        self.view.plotter.camera_position = [
            tuple(focal + distance * view_dir),
            tuple(focal),
            tuple(dirs["up"]),
        ]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # refit when the 3-D view itself changes size (split view, presentation
        # fonts, window resize), unless the user zoomed to a joint
        if (
            watched is self.view
            and event.type() == QEvent.Type.Resize
            and self._fit_whole
        ):
            QTimer.singleShot(0, self.whole_body)
        return False

    @property
    def fits_whole_body(self) -> bool:
        """Whether the view keeps the whole body in sight (not zoomed to a joint)."""
        return self._fit_whole

    def hold_camera(self) -> None:
        """Stop refitting the body on resize (the shared camera was aimed)."""
        self._fit_whole = False

    def fit_on_resize(self) -> None:
        """Refit the body on resize again (the shared camera shows it whole)."""
        self._fit_whole = True

    def whole_body(self) -> None:
        """Fit the whole body in the view, keeping the viewing direction.

        The view keeps fitting the body when it is resized, until :meth:`frame`.
        """
        self._fit_whole = True
        if self._mesh is None:
            return
        camera = self.view.plotter.camera
        pts = np.asarray(self._mesh.points, dtype=np.float64)
        focal = (pts.min(axis=0) + pts.max(axis=0)) / 2.0
        back = np.asarray(camera.position) - np.asarray(camera.focal_point)
        back /= np.linalg.norm(back)
        up = np.asarray(camera.up, dtype=np.float64)
        up -= np.dot(up, back) * back
        up /= np.linalg.norm(up)
        right = np.cross(up, back)
        # the nearest camera distance at which every vertex is in view, perspective
        # included: vertex p needs d ≥ p·back + |p·right| / tan(h/2) (and likewise
        # vertically); 10 % margin
        tan_v = np.tan(np.deg2rad(camera.view_angle) / 2.0)
        tan_h = tan_v * self.view.width() / max(self.view.height(), 1)
        rel = pts - focal
        need = rel @ back + 1.1 * np.maximum(
            np.abs(rel @ right) / tan_h, np.abs(rel @ up) / tan_v
        )
        distance = float(need.max())
        camera.focal_point = tuple(focal)
        camera.position = tuple(focal + distance * back)
        camera.up = tuple(up)
        self.view.plotter.reset_camera_clipping_range()
        self.view.request_render()

    def frame(self, point: np.ndarray, distance: float) -> None:
        """Point the camera at ``point`` from ``distance`` metres, same direction."""
        self._fit_whole = False
        camera = self.view.plotter.camera
        focal = np.asarray(camera.focal_point)
        direction = np.asarray(camera.position) - focal
        direction /= np.linalg.norm(direction)
        camera.focal_point = tuple(point)
        camera.position = tuple(np.asarray(point) + distance * direction)
        self.view.plotter.reset_camera_clipping_range()
        self.view.request_render()

    def _add_actors(self) -> None:
        plotter = self.view.plotter
        palette = self._theme.palette
        scale = self._theme.scale
        kwargs: dict[str, Any] = {
            "render": False,  # one throttled render later, not one per actor
            "smooth_shading": True,
            "name": "body",
            "show_scalar_bar": False,
        }
        if self.colour_mode == "weight":
            kwargs.update(
                scalars="weight", cmap=palette.sequential_cmap, clim=[0.0, 1.0]
            )
        elif self.colour_mode == "dominant":
            kwargs.update(
                scalars="dominant",
                cmap=list(CATEGORICAL_10),
                clim=[0.0, len(CATEGORICAL_10) - 1.0],
                n_colors=len(CATEGORICAL_10),
            )
        else:
            kwargs.update(color=_SKIN)
        self._mesh_actor = plotter.add_mesh(self._mesh, **kwargs)
        if self.colour_mode == "weight":
            plotter.add_scalar_bar(  # upright at the right edge: clear of the feet
                title="weight w_ki",
                n_labels=3,
                color=palette.plot_fg,
                fmt="%.1f",
                vertical=True,
                position_x=0.86,
                position_y=0.25,
                width=0.06,
                height=0.5,
            )
        overlays = (
            plotter.add_mesh(
                self._skeleton,
                color=palette.series_color(0),
                line_width=3 * scale,
                render_lines_as_tubes=True,
                name="skeleton",
                show_scalar_bar=False,
                render=False,
            ),
            plotter.add_mesh(
                self._selected,
                color=palette.series_color(1),
                point_size=14 * scale,
                render_points_as_spheres=True,
                name="selected",
                show_scalar_bar=False,
                render=False,
            ),
        )
        for actor in overlays:
            plotter.renderer.RemoveActor(actor)
            actor.SetVisibility(self.show_skeleton)
            self._overlay.AddActor(actor)
        self.rings.visible = self.show_skeleton
        self.rings.add_to(self._overlay)

    def restyle(self) -> None:
        """Re-create the actors after a colour-mode, skeleton or theme change."""
        if self._mesh is None:
            return
        self.view.plotter.clear_actors()
        self.view.plotter.scalar_bars.clear()
        self._overlay.RemoveAllViewProps()
        self._add_actors()
        self.view.request_render()

    def update_pose(
        self,
        posed: PosedMesh,
        selected: int,
        weights: np.ndarray | None,
        euler: np.ndarray | None = None,
    ) -> None:
        """Move the mesh and skeleton to ``posed``; highlight joint ``selected``.

        ``euler``: the joint's angles in ``posed`` (degrees), for the rings.
        """
        if self._mesh is None:
            return
        self._place_rings(posed, selected, euler)
        self._mesh.points[:] = posed.vertices
        self._mesh.point_data["Normals"][:] = posed.normals
        if weights is not None:
            self._mesh.point_data["weight"][:] = weights
        self._skeleton.points[:] = posed.joints
        self._selected.points[:] = posed.joints[selected]
        self.view.request_render()

    def _place_rings(
        self, posed: PosedMesh, selected: int, euler: np.ndarray | None
    ) -> None:
        joint = posed.joints[selected]
        child = int(self._first_child[selected]) if self._first_child.size else -1
        bone = float(np.linalg.norm(posed.joints[child] - joint)) if child > 0 else 0.0
        # about the bone's size, but always grabbable and never hiding the body
        radius = float(np.clip(0.8 * bone, 0.04 * self._extent, 0.12 * self._extent))
        angles = np.zeros(3) if euler is None else np.asarray(euler, dtype=float)
        self.rings.place(posed.bone_frames[selected], angles, joint, radius)

    def close_view(self) -> None:
        """Release the 3-D view (the panel's ``shutdown``)."""
        self._fit_whole = False
        self._mesh = None
        self.view.close_view()

    def vertices(self) -> np.ndarray:
        """Return the vertices shown (V, 3), or an empty array before a model."""
        if self._mesh is None:
            return np.zeros((0, 3))
        out: np.ndarray = np.asarray(self._mesh.points)
        return out
