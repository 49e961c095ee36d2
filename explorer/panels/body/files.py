"""The body panel's file dialogs: export the mesh, save / load a pose, open a model.

Each asks for a path, then calls the panel's own API (``export_mesh_to``,
``open_file``) or the core's ``save_pose``; a failure shows in the panel's
error banner with a message a student understands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from explorer.core.body.names import MESH_FILTERS
from explorer.core.body.pose import save_pose

if TYPE_CHECKING:
    from explorer.panels.body.panel import BodyPanel


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
