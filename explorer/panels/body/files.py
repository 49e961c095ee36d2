"""The body panel's file dialogs: export the mesh, save / load a pose, open a model.

Each asks for a path, then calls the panel's own API (``export_mesh_to``,
``open_file``) or the core's ``save_pose``; a failure shows in the panel's
error banner with a message a student understands.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from explorer.core.body.model import check_shape_values
from explorer.core.body.names import MESH_FILTERS
from explorer.core.body.pose import load_pose, load_pose_shape, save_pose

if TYPE_CHECKING:
    from explorer.panels.body.panel import BodyPanel


def open_pose_file(panel: BodyPanel, path: Path) -> None:
    """Apply the pose file ``path`` to ``panel``'s body, with its saved shape.

    Raises
    ------
    ValueError
        With a message a student understands when the file is unusable.
    """
    model = panel._model
    if model is None:
        raise ValueError("wait until the body is loaded to open a pose")
    pose = load_pose(path, model)
    shape, space = load_pose_shape(path), model.shape_space
    if shape and space is not None:  # the shape saved with the pose
        try:
            shape = check_shape_values(space, shape)
        except ValueError as exc:
            raise ValueError(f"{path.name}: {exc}") from None
        panel.shape_sliders.set_values(shape)
    panel.set_pose(pose)


def breakable(path: str | Path) -> str:
    """Return ``path`` with a zero-width space after each separator.

    A long path in a narrow, word-wrapped status line then wraps at its folders
    instead of being cut off at the column's edge.
    """
    text = html.escape(str(path))  # the status line shows rich text
    for sep in ("/", "\\"):
        text = text.replace(sep, sep + "\u200b")
    return text


def export_posed(panel: BodyPanel, path: Path) -> Path:
    """Write the posed mesh ``panel`` shows to ``path``; say where; return the path.

    A GLB is turned into glTF's Y-up axes (the model's up found from its rig).

    Raises
    ------
    ValueError
        Before a body is shown or for an unknown file type.
    """
    from explorer.core.body.export import export_mesh, gltf_axes

    model, meshes = panel.model, panel.posed_meshes
    if model is None or not meshes:
        raise ValueError("no posed body to export yet")
    method = panel.method if panel.method in meshes else next(iter(meshes))
    written = export_mesh(
        path, meshes[method].vertices, model.faces, gltf_rotation=gltf_axes(model)
    )
    panel.run_bar.set_status(
        f"Wrote the {method.upper()}-posed mesh to {breakable(written.resolve())}"
    )
    return written


def ask_export(panel: BodyPanel) -> None:
    """Ask where to write the posed mesh, then write it."""
    path, _ = QFileDialog.getSaveFileName(
        panel, "Export posed mesh", "posed_body.obj", MESH_FILTERS
    )
    if path:
        try:
            panel.export_mesh_to(Path(path))
        except (ValueError, OSError) as exc:
            panel.show_error(str(exc))


def ask_save_pose(panel: BodyPanel) -> None:
    """Ask where to save the pose shown, then save it as JSON."""
    model, pose = panel.model, panel.pose
    if model is None or pose is None:
        return
    path, _ = QFileDialog.getSaveFileName(
        panel, "Save pose", "pose.json", "Pose files (*.json)"
    )
    if path:
        try:
            save_pose(path, model, pose)
        except OSError as exc:
            panel.show_error(f"cannot save the pose: {exc}")
            return
        panel.run_bar.set_status(f"Saved the pose to {breakable(Path(path).resolve())}")


def ask_load_pose(panel: BodyPanel) -> None:
    """Ask for a pose file and show its pose."""
    _open(panel, "Load pose", "Pose files (*.json)")


def ask_open_model(panel: BodyPanel) -> None:
    """Ask for an SMPL-family model file and load it."""
    _open(panel, "Open an SMPL-family model", "Body models (*.npz)")


def _open(panel: BodyPanel, title: str, filters: str) -> None:
    path, _ = QFileDialog.getOpenFileName(panel, title, "", filters)
    if path:
        try:
            panel.open_file(Path(path))
        except ValueError as exc:
            panel.show_error(str(exc))
