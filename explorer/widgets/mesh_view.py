"""A 3-D view: pyvistaqt ``QtInteractor`` on a display, an off-screen plotter elsewhere.

A ``QOpenGLWidget`` cannot get a GL context on Qt's ``offscreen`` platform (tests,
``explorer snapshot``), so there the view renders with ``pv.Plotter(off_screen=True)``
into an image and handles mouse drags itself (rotate, zoom).  Panels use one API in
both cases: add actors to :attr:`MeshView.plotter`, call :meth:`request_render`.
Renders are throttled and only the latest state is drawn (a render costs
30–80 ms under Xvfb; rendering on every worker signal builds a backlog).
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from explorer.widgets.theme import ThemeManager

_CLICK_SLOP_PX = 4
_RENDER_INTERVAL_MS = 33


def interactive_platform() -> bool:
    """Return True when Qt can show a real GL window (not offscreen/minimal)."""
    return QGuiApplication.platformName() not in ("offscreen", "minimal")


def array_to_qimage(rgb: NDArray[np.uint8]) -> QImage:
    """Return a deep-copied QImage of an (H, W, 3|4) uint8 array."""
    arr = np.ascontiguousarray(rgb)
    h, w = arr.shape[:2]
    fmt = (
        QImage.Format.Format_RGBA8888
        if arr.shape[2] == 4
        else QImage.Format.Format_RGB888
    )
    return QImage(arr.data, w, h, arr.strides[0], fmt).copy()


class _ImageCanvas(QWidget):
    """Shows the off-screen plotter's latest image; turns drags into camera moves."""

    dragged = Signal(float, float)
    wheeled = Signal(float)
    clicked = Signal(float, float)
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = QImage()
        self._press: QPointF | None = None
        self._last: QPointF | None = None
        self._dragging = False
        self.setMinimumSize(160, 120)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if not self.image.isNull():
            painter.drawImage(self.rect(), self.image)
        painter.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = self._last = event.position()
            self._dragging = False

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or self._last is None:
            return
        pos = event.position()
        if (pos - self._press).manhattanLength() > _CLICK_SLOP_PX:
            self._dragging = True
        if self._dragging:
            delta = pos - self._last
            self.dragged.emit(delta.x(), delta.y())
        self._last = pos

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and not self._dragging:
            pos = event.position()
            self.clicked.emit(pos.x(), pos.y())
        self._press = self._last = None
        self._dragging = False

    def wheelEvent(self, event: Any) -> None:
        self.wheeled.emit(event.angleDelta().y() / 120.0)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        self.resized.emit()


class DragHandler(Protocol):
    """Something in a 3-D view the mouse can grab (a gizmo): positions in widget px."""

    def press(self, x: float, y: float) -> bool:
        """Return True to take this left-button drag (the camera stays still)."""

    def move(self, x: float, y: float) -> None:
        """Follow the mouse while the drag is taken."""

    def release(self, x: float, y: float) -> None:
        """End the drag."""


class _DragFilter(QObject):
    """Gives left-button drags to the view's :class:`DragHandler` when it takes them.

    Installed on the interactor and on the off-screen canvas alike, before their own
    handlers, so a grabbed drag neither turns the camera nor reads as a click.
    """

    def __init__(self, view: MeshView) -> None:
        super().__init__(view)
        self._view = view
        self._taken = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        handler = self._view.drag_handler
        if handler is None or not isinstance(event, QMouseEvent):
            return False
        kind, pos = event.type(), event.position()
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() == Qt.MouseButton.LeftButton:
                self._taken = handler.press(pos.x(), pos.y())
            return self._taken
        if not self._taken:
            return False
        if kind == QEvent.Type.MouseMove:
            handler.move(pos.x(), pos.y())
        elif kind == QEvent.Type.MouseButtonRelease:
            self._taken = False
            handler.release(pos.x(), pos.y())
        return True


class _NoVtkKeys(QObject):
    """Keeps keys away from VTK: its own keys would turn the body into a wire frame
    (w), pick (p), fly (f), go stereo (3) or end the interactor (e, q) — in front of
    a class.  The app's shortcuts (Space, S, R, …) fire before a key press arrives.
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease)


class _ClickFilter(QObject):
    """Reports a left click without drag on the interactor (its own drags rotate)."""

    def __init__(self, view: MeshView) -> None:
        super().__init__(view)
        self._view = view
        self._press: QPointF | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if event.button() == Qt.MouseButton.LeftButton:
                self._press = event.position()
        elif kind == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            if self._press is not None:
                pos = event.position()
                if (pos - self._press).manhattanLength() <= _CLICK_SLOP_PX:
                    self._view.clicked.emit(pos.x(), pos.y())
            self._press = None
        return False


class MeshView(QWidget):
    """A themed 3-D view with one plotter API on real and off-screen platforms."""

    clicked = Signal(float, float)

    def __init__(
        self,
        theme: ThemeManager,
        parent: QWidget | None = None,
        *,
        interactive: bool | None = None,
    ) -> None:
        super().__init__(parent)
        import pyvista as pv

        self._theme = theme
        self._closed = False
        self.interactive = (
            interactive_platform() if interactive is None else interactive
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._canvas: _ImageCanvas | None = None
        self.drag_handler: DragHandler | None = None
        drags = _DragFilter(self)
        if self.interactive:
            from pyvistaqt import QtInteractor

            # multi_samples=1: measured 28–32 ms a render vs 65–85 ms with MSAA.
            interactor = QtInteractor(self, multi_samples=1)
            layout.addWidget(interactor)
            interactor.installEventFilter(_ClickFilter(self))
            interactor.installEventFilter(drags)  # the last installed filters first
            self._no_keys = _NoVtkKeys(self)
            interactor.installEventFilter(self._no_keys)
            self.plotter: Any = interactor
        else:
            self.plotter = pv.Plotter(off_screen=True, window_size=[640, 480])
            canvas = _ImageCanvas(self)
            canvas.dragged.connect(self._on_canvas_dragged)
            canvas.wheeled.connect(self._on_canvas_wheeled)
            canvas.clicked.connect(self.clicked)
            canvas.resized.connect(self.request_render)
            canvas.installEventFilter(drags)
            layout.addWidget(canvas)
            self._canvas = canvas
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_RENDER_INTERVAL_MS)
        self._timer.timeout.connect(self.render_now)
        theme.changed.connect(self._on_theme_changed)
        self._on_theme_changed()

    # -- rendering -----------------------------------------------------------------
    def request_render(self) -> None:
        """Schedule a render of the latest state (at most one per ~33 ms)."""
        if not self._closed and not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        """Render immediately (tests, export)."""
        if self._closed:
            return
        if self._canvas is None:
            # update() schedules one paint, which renders; render() here would render
            # and then the paint event it causes would render a second time.
            self.plotter.update()
            return
        size = [max(self._canvas.width(), 16), max(self._canvas.height(), 16)]
        if list(self.plotter.window_size) != size:
            self.plotter.window_size = size
        # pyvista's screenshot reads the last frame and renders only the first
        # time: without this render a camera move or new points never showed
        self.plotter.render()
        img = self.plotter.screenshot(return_img=True)
        self._canvas.image = array_to_qimage(img)
        self._canvas.update()

    def render_to_image(self, scale: float = 1.0) -> QImage:
        """Return the 3-D view rendered by the plotter itself at ``scale`` × size."""
        w = max(int(self.width() * scale), 16)
        h = max(int(self.height() * scale), 16)
        if self._closed:
            image = QImage(w, h, QImage.Format.Format_RGB888)
            image.fill(Qt.GlobalColor.black)
            return image
        if self.interactive:
            # The on-screen window cannot grow; VTK renders it in tiles instead.
            img = self.plotter.screenshot(return_img=True, scale=max(1, round(scale)))
        else:
            img = self.plotter.screenshot(return_img=True, window_size=[w, h])
        return array_to_qimage(img)

    # -- picking ---------------------------------------------------------------------
    def projection(self) -> tuple[NDArray[np.float64], float, float]:
        """Return (world → normalised-device matrix (4, 4), width, height in px).

        With :func:`explorer.core.body.gizmo.project` this maps world points to the
        widget pixels that mouse events report.
        """
        surface = self._canvas if self._canvas is not None else self.plotter
        w, h = float(max(surface.width(), 1)), float(max(surface.height(), 1))
        camera = self.plotter.renderer.GetActiveCamera()
        vtk_matrix = camera.GetCompositeProjectionTransformMatrix(w / h, -1.0, 1.0)
        matrix = np.array(
            [[vtk_matrix.GetElement(r, c) for c in range(4)] for r in range(4)]
        )
        return matrix, w, h

    def pick(self, x: float, y: float) -> NDArray[np.float64] | None:
        """Return the surface point under widget position (x, y), if any."""
        from vtkmodules.vtkRenderingCore import vtkCellPicker

        if self._closed:
            return None
        if self._canvas is not None:
            self.render_now()
            ratio = 1.0
            height = max(self._canvas.height(), 16)
        else:
            ratio = self.devicePixelRatioF()
            height = self.plotter.height()
        picker = vtkCellPicker()
        picker.SetTolerance(0.002)
        hit = picker.Pick(
            x * ratio, height * ratio - y * ratio, 0, self.plotter.renderer
        )
        if not hit or picker.GetCellId() < 0:
            return None
        return np.asarray(picker.GetPickPosition(), dtype=float)

    # -- life cycle ------------------------------------------------------------------
    def close_view(self) -> None:
        """Release the plotter and its render window (call in ``shutdown``)."""
        if self._closed:
            return
        self._closed = True
        self._timer.stop()
        self.plotter.close()

    # -- slots -----------------------------------------------------------------------
    def _on_theme_changed(self) -> None:
        if self._closed:
            return
        self.plotter.set_background(self._theme.palette.plot_bg)
        self.request_render()

    def _on_canvas_dragged(self, dx: float, dy: float) -> None:
        camera = self.plotter.camera
        camera.Azimuth(-dx * 0.5)
        camera.Elevation(dy * 0.5)
        camera.OrthogonalizeViewUp()
        self.request_render()

    def _on_canvas_wheeled(self, steps: float) -> None:
        self.plotter.camera.Zoom(1.1**steps)
        self.request_render()
