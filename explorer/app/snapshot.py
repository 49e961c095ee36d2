"""Render panels headless to PNG: the ``explorer snapshot`` command and smoke tests."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QImage

from explorer.app import registry
from explorer.panels.base import AppContext
from explorer.widgets.export import is_blank, save_png

SNAPSHOT_SIZE = (1400, 900)


class SnapshotError(RuntimeError):
    """A panel could not be rendered (not ready in time, blank image)."""


def render_panel(
    panel_id: str, context: AppContext, scale: float = 1.0, timeout_s: float = 120.0
) -> QImage:
    """Build panel ``panel_id``, wait until it is ready, return its image at ``scale``.

    Raises
    ------
    SnapshotError
        When the panel is not ready within ``timeout_s`` or renders blank.
    """
    spec = registry.find(panel_id)
    panel = spec.load()(context)
    try:
        panel.resize(*SNAPSHOT_SIZE)
        panel.show()
        deadline = time.monotonic() + timeout_s
        while not panel.snapshot_ready():
            if time.monotonic() > deadline:
                raise SnapshotError(f"{panel_id}: not ready after {timeout_s:.0f} s")
            QCoreApplication.processEvents()
            time.sleep(0.01)
        for _ in range(5):  # let the last results paint
            QCoreApplication.processEvents()
        image = panel.export_image(scale)
        if is_blank(image):
            raise SnapshotError(f"{panel_id}: the rendered image is blank")
        return image
    finally:
        panel.shutdown()
        panel.close()
        panel.deleteLater()
        QCoreApplication.processEvents()


def snapshot(
    panel_ids: list[str], out: Path, scale: float = 1.0, theme: str = "light"
) -> list[Path]:
    """Render ``panel_ids`` to PNG. One id: ``out`` is the file; several: a folder."""
    from explorer.widgets.plot_pane import apply_pyqtgraph_defaults
    from explorer.widgets.theme import ThemeManager, stylesheet

    theme_manager = ThemeManager()
    theme_manager.set_palette(theme)
    app = QCoreApplication.instance()
    if app is not None and hasattr(app, "setStyleSheet"):
        app.setStyleSheet(stylesheet(theme_manager.palette, 1.0))
    apply_pyqtgraph_defaults(theme_manager.palette)
    context = AppContext(theme=theme_manager, device="auto")
    written = []
    for panel_id in panel_ids:
        target = (
            out
            if len(panel_ids) == 1 and out.suffix == ".png"
            else out / f"{panel_id}.png"
        )
        written.append(save_png(render_panel(panel_id, context, scale), target))
    return written
