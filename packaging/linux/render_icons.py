"""Render ``icons/explorer.svg`` to the PNG sizes of the freedesktop hicolor theme.

Run with the project's environment (it uses Qt's SVG renderer from PySide6)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/linux/render_icons.py

The PNGs land in ``icons/hicolor/<N>x<N>/apps/explorer.png`` so that installing them is
a plain copy into ``~/.local/share/icons/hicolor`` (see ``packaging/README.md``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parent / "icons"
SOURCE = ICONS / "explorer.svg"


def png_path(size: int, root: Path = ICONS / "hicolor") -> Path:
    """Return where the ``size`` x ``size`` PNG of the icon lives under ``root``."""
    return root / f"{size}x{size}" / "apps" / "explorer.png"


def render(size: int, root: Path = ICONS / "hicolor") -> Path:
    """Render the SVG at ``size`` pixels square under ``root``; return the PNG path."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SOURCE} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    out = png_path(size, root)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"render_icons: could not write {out}")
    return out


def main() -> int:
    """Render every size; return the exit code."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    for size in SIZES:
        print(render(size))
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
