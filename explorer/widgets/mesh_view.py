"""A 3-D view: pyvistaqt ``QtInteractor`` on a display, an off-screen plotter elsewhere.

A ``QOpenGLWidget`` cannot get a GL context on Qt's ``offscreen`` platform (tests,
``explorer snapshot``), so there the view renders with ``pv.Plotter(off_screen=True)``
into an image and handles mouse drags itself (rotate, zoom).  Panels use one API in
both cases: add actors to :attr:`MeshView.plotter`, call :meth:`request_render`.
Renders are throttled and only the latest state is drawn (a render costs
30–80 ms under Xvfb; rendering on every worker signal builds a backlog).

Off-screen, the plotter is never drawn on the GUI thread: a
:class:`~explorer.widgets.mesh_render.SceneRenderer` copies its scene and draws it
in a thread of its own, without multi-sampling while the scene moves and once
more with it when it has been still for a moment (progressive refinement, as 3-D
apps do); exports draw at full quality and size.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QImage, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from explorer.widgets.mesh_render import SceneRenderer
from explorer.widgets.theme import ThemeManager

_CLICK_SLOP_PX = 4
_RENDER_INTERVAL_MS = 33
# still this long after the last change: draw once more, anti-aliased
_REFINE_MS = 250
# multi-sampling while the scene moves: 4 samples cost 3–4× the render on llvmpipe
_MOVING_SAMPLES = 0


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
        # every pixel is painted here: Qt need not repaint the widgets beneath
        # first (the window, its stack, the panel…) at each new frame
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if self.image.isNull():
            painter.fillRect(self.rect(), self.palette().window())
        else:
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


class _Frames(QObject):
    """Carries a frame drawn in the render thread to the GUI thread (queued)."""

    rendered = Signal(object)


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
            # the scene the panels edit; the render thread draws a copy of it
            self.plotter.suppress_rendering = True
            self._still_samples = int(self.plotter.render_window.GetMultiSamples())
            self._scene = SceneRenderer(self.plotter)
            self._frames = _Frames(self)
            self._frames.rendered.connect(
                self._on_frame_rendered, Qt.ConnectionType.QueuedConnection
            )
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
        self._timer.timeout.connect(self._on_timer_timeout)
        self._serial = 0  # of the newest frame asked for (older ones are dropped)
        self._shown = 0  # of the frame on the canvas
        self._busy = False  # a frame is being drawn in the render thread
        self._dirty = False  # the scene changed since that frame was copied
        self._refine = QTimer(self)
        self._refine.setSingleShot(True)
        self._refine.setInterval(_REFINE_MS)
        self._refine.timeout.connect(self._on_refine_timeout)
        self._cameras_set = False
        theme.changed.connect(self._on_theme_changed)
        self._on_theme_changed()

    # -- rendering -----------------------------------------------------------------
    def request_render(self) -> None:
        """Schedule a render of the latest state (at most one per ~33 ms)."""
        if self._closed:
            return
        self._refine.stop()
        if not self._timer.isActive():
            self._timer.start()

    def render_now(self) -> None:
        """Render immediately, at full quality (tests, export)."""
        if self._closed:
            return
        if self._canvas is None:
            # update() schedules one paint, which renders; render() here would render
            # and then the paint event it causes would render a second time.
            self.plotter.update()
            return
        self._timer.stop()
        self._refine.stop()
        self._serial += 1
        image = self._scene.render(self._size(), self._still_samples, self._serial)
        self._show_frame(image, self._serial)

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
            return array_to_qimage(img)
        self._prepare_cameras()
        self._serial += 1
        return self._scene.render((w, h), self._still_samples, self._serial)

    def _size(self) -> tuple[int, int]:
        """Return the canvas size in px and give it to the GUI plotter (picking)."""
        assert self._canvas is not None
        size = (max(self._canvas.width(), 16), max(self._canvas.height(), 16))
        if tuple(self.plotter.window_size) != size:
            self.plotter.window_size = list(size)
        self._prepare_cameras()
        return size

    def _prepare_cameras(self) -> None:
        # what pyvista does before a plotter's first render: a camera nobody set
        # looks at the whole scene
        if self._cameras_set:
            return
        self._cameras_set = True
        for renderer in self.plotter.renderers:
            if not renderer.camera.is_set:
                renderer.camera_position = renderer.get_default_cam_pos()
                renderer.ResetCamera()

    def _start_frame(self, samples: int) -> None:
        """Copy the scene and draw it in the render thread (one frame at a time)."""
        if self._closed or self._canvas is None:
            return
        if self._busy:
            self._dirty = True
            return
        self._busy, self._dirty = True, False
        self._serial += 1
        self._scene.start(
            self._size(), samples, self._serial, self._frames.rendered.emit
        )

    def _show_frame(self, image: QImage, serial: int) -> None:
        if serial < self._shown or self._canvas is None:
            return  # an older frame than the one shown (render_now overtook it)
        self._shown = serial
        self._canvas.image = image
        self._canvas.update()

    # -- slots (rendering) -----------------------------------------------------------
    def _on_timer_timeout(self) -> None:
        if self._canvas is None:
            self.render_now()
        else:
            self._start_frame(_MOVING_SAMPLES)

    @Slot(object)
    def _on_frame_rendered(self, job: Any) -> None:
        self._busy = False  # only frames started by _start_frame come here
        if self._closed:
            return
        if job.error is not None:
            raise job.error
        assert job.image is not None
        self._show_frame(job.image, job.serial)
        if self._dirty:
            self._start_frame(_MOVING_SAMPLES)
        elif job.samples != self._still_samples:
            self._refine.start()

    def _on_refine_timeout(self) -> None:
        if not self._dirty and not self._timer.isActive():
            self._start_frame(self._still_samples)

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
            # the GUI plotter is never drawn: give its camera the range a render
            # would (the picker looks between the clipping planes)
            self._size()
            self.plotter.renderer.ResetCameraClippingRange()
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
        self._refine.stop()
        if self._canvas is not None:
            self._scene.close()
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
