"""Image export of widgets: PNG at ×1/×2/×4, SVG of pyqtgraph plots, clipboard.

The same functions serve the File menu, the ``explorer snapshot`` command and the
smoke tests.  3-D views are not grabbed from the GL surface (that comes out black
off-screen); :class:`explorer.widgets.mesh_view.MeshView` paints its plotter's
own screenshot instead, see :func:`grab_widget`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QWidget

from explorer.core.files import atomic_write

SCALES = (1, 2, 4)


class ExportError(OSError):
    """An image could not be written; the message names the file and the reason."""


def grab_widget(widget: QWidget, scale: float = 1.0) -> QImage:
    """Return ``widget`` rendered to an image at ``scale`` × its logical size.

    Children that provide ``render_to_image(scale) -> QImage`` (3-D views) are
    painted from that image over their place, instead of grabbing their GL surface.
    """
    size = widget.size()
    image = QImage(
        int(size.width() * scale),
        int(size.height() * scale),
        QImage.Format.Format_ARGB32,
    )
    image.setDevicePixelRatio(scale)
    image.fill(widget.palette().window().color())
    painter = QPainter(image)
    try:
        # QWidget's overload: QGraphicsView (and pyqtgraph views) shadow ``render``
        # with one that takes rectangles and raises TypeError on a QPoint.
        QWidget.render(widget, painter, QPoint(0, 0))
        for child in widget.findChildren(QWidget):
            render = getattr(child, "render_to_image", None)
            if render is None or not child.isVisible():
                continue
            sub: QImage = render(scale)
            top_left = child.mapTo(widget, QPoint(0, 0))
            sub.setDevicePixelRatio(scale)
            painter.drawImage(top_left, sub)
    finally:
        painter.end()
    return image


def save_png(image: QImage, path: str | Path) -> Path:
    """Write ``image`` as PNG to ``path`` (parents created) and return the path.

    Raises
    ------
    ExportError
        When the file cannot be written.
    """
    out = Path(path)
    if out.suffix.lower() != ".png":
        out = out.with_suffix(".png")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create folder {out.parent}: {exc.strerror}") from exc
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # (PySide takes the format as str at run time; its stubs say bytes)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
        raise ExportError(f"cannot write {out}: the image could not be encoded")
    try:
        atomic_write(out, bytes(data.data()))
    except OSError as exc:
        raise ExportError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return out


def export_svg(widget: QWidget, path: str | Path) -> list[Path]:
    """Write every pyqtgraph plot inside ``widget`` as SVG; return the files written.

    One plot goes to ``path``; several go to ``path`` with ``-1``, ``-2``… suffixes.
    The scene is painted onto a ``QSvgGenerator``, so lines and text stay vectors.
    (pyqtgraph 0.14's own SVGExporter fails on the path syntax Qt 6.11 writes.)
    """
    import pyqtgraph as pg
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtSvg import QSvgGenerator

    views = [w for w in widget.findChildren(pg.GraphicsView) if w.isVisible()]
    if isinstance(widget, pg.GraphicsView):
        views.insert(0, widget)
    out = Path(path).with_suffix(".svg")
    written: list[Path] = []
    for i, view in enumerate(views):
        target = out if len(views) == 1 else out.with_name(f"{out.stem}-{i + 1}.svg")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(
                f"cannot create folder {target.parent}: {exc.strerror}"
            ) from exc
        size = view.viewport().size()
        generator = QSvgGenerator()
        generator.setFileName(str(target))
        generator.setSize(QSize(size.width(), size.height()))
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(view.window().windowTitle() or "Explorer plot")
        painter = QPainter()
        if not painter.begin(generator):
            raise ExportError(f"cannot write {target}")
        cached = [
            (item, item.cacheMode())
            for item in view.scene().items()
            if item.cacheMode() != QGraphicsItem.CacheMode.NoCache
        ]
        try:  # pixmap caches would paint as images: draw vectors instead
            for item, _ in cached:
                item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
            view.render(painter)
        finally:
            painter.end()
            for item, mode in cached:
                item.setCacheMode(mode)
        if not target.exists() or target.stat().st_size == 0:
            raise ExportError(f"cannot write {target}: the folder is not writable")
        written.append(target)
    return written


def copy_to_clipboard(image: QImage) -> None:
    """Put ``image`` on the system clipboard."""
    clipboard = QGuiApplication.clipboard()
    clipboard.setImage(image)


def is_blank(image: QImage, tolerance: int = 8) -> bool:
    """Return True when every sampled pixel of ``image`` has nearly the same colour."""
    if image.isNull() or image.width() == 0 or image.height() == 0:
        return True
    img = image.convertToFormat(QImage.Format.Format_RGB32)
    first = img.pixelColor(0, 0)
    step_x = max(1, img.width() // 64)
    step_y = max(1, img.height() // 64)
    for y in range(0, img.height(), step_y):
        for x in range(0, img.width(), step_x):
            c = img.pixelColor(x, y)
            if (
                abs(c.red() - first.red()) > tolerance
                or abs(c.green() - first.green()) > tolerance
                or abs(c.blue() - first.blue()) > tolerance
            ):
                return False
    return True


__all__ = [
    "SCALES",
    "ExportError",
    "copy_to_clipboard",
    "export_svg",
    "grab_widget",
    "is_blank",
    "save_png",
]
