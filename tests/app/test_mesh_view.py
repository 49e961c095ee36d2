"""MeshView: off-screen rendering and picking; the real QtInteractor under Xvfb."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from explorer.widgets.export import grab_widget, is_blank
from explorer.widgets.mesh_view import MeshView
from explorer.widgets.theme import ThemeManager


def _sphere_view(qtbot: Any, interactive: bool | None) -> MeshView:
    import pyvista as pv

    view = MeshView(ThemeManager(), interactive=interactive)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.plotter.add_mesh(pv.Sphere(radius=0.5), color="orange")
    view.plotter.view_xy()
    view.plotter.reset_camera()
    view.render_now()
    return view


def _check(view: MeshView) -> None:
    image = view.render_to_image(2.0)
    assert (image.width(), image.height()) == (800, 600)
    assert not is_blank(image)
    centre = image.pixelColor(400, 300)
    corner = image.pixelColor(5, 5)
    assert centre.red() > 150 and centre.blue() < 100  # orange sphere in the middle
    assert corner.red() > 200 and corner.green() > 200 and corner.blue() > 200  # ground
    hit = view.pick(view.width() / 2, view.height() / 2)
    assert hit is not None
    np.testing.assert_allclose(np.linalg.norm(hit), 0.5, atol=0.02)
    assert hit[2] > 0.4  # the near side of the sphere, facing the +z camera
    assert view.pick(3, 3) is None
    grabbed = grab_widget(view, 1.0)
    assert not is_blank(grabbed)  # painted from the plotter, not a black GL grab


def test_offscreen_view_renders_and_picks(qtbot: Any) -> None:
    view = _sphere_view(qtbot, interactive=False)
    try:
        _check(view)
    finally:
        view.close_view()


def test_dragging_rotates_the_offscreen_camera(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, Qt

    view = _sphere_view(qtbot, interactive=False)
    try:
        before = np.array(view.plotter.camera.position)
        canvas = view._canvas
        assert canvas is not None
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(100, 100))
        for x in range(110, 200, 10):
            qtbot.mouseMove(canvas, QPoint(x, 100))
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(200, 100))
        after = np.array(view.plotter.camera.position)
        assert np.linalg.norm(after - before) > 0.1
    finally:
        view.close_view()


def test_click_without_drag_emits_clicked(qtbot: Any) -> None:
    from PySide6.QtCore import QPoint, Qt

    view = _sphere_view(qtbot, interactive=False)
    try:
        canvas = view._canvas
        assert canvas is not None
        with qtbot.waitSignal(view.clicked, timeout=1000) as blocker:
            qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(50, 60))
        assert blocker.args == [50.0, 60.0]
    finally:
        view.close_view()


@pytest.mark.gl
def test_interactor_renders_and_picks_under_a_real_display(qtbot: Any) -> None:
    view = _sphere_view(qtbot, interactive=True)
    try:
        _check(view)
    finally:
        view.close_view()


@pytest.mark.gl
def test_vtk_keys_do_not_reach_the_interactor(qtbot: Any) -> None:
    """VTK's own keys (w: wire frame, s: surface, p: pick, e/q: exit) are off."""
    from PySide6.QtCore import Qt

    view = _sphere_view(qtbot, interactive=True)
    try:
        actor = next(iter(view.plotter.renderer.actors.values()))
        surface = actor.GetProperty().GetRepresentation()
        interactor = view.plotter
        interactor.setFocus()
        for key in (Qt.Key.Key_W, Qt.Key.Key_P, Qt.Key.Key_3, Qt.Key.Key_E):
            qtbot.keyClick(interactor, key)
        assert actor.GetProperty().GetRepresentation() == surface
        assert not view.plotter._closed
        _check(view)  # still renders and picks
    finally:
        view.close_view()


class _LeftHalf:
    """A drag handler that takes presses on the left half of the view."""

    def __init__(self, view: MeshView) -> None:
        self.view = view
        self.calls: list[tuple[str, float, float]] = []

    def press(self, x: float, y: float) -> bool:
        taken = x < self.view.width() / 2
        if taken:
            self.calls.append(("press", x, y))
        return taken

    def move(self, x: float, y: float) -> None:
        self.calls.append(("move", x, y))

    def release(self, x: float, y: float) -> None:
        self.calls.append(("release", x, y))


def _drag(qtbot: Any, widget: Any, start: Any, end: Any) -> None:
    from PySide6.QtCore import Qt

    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, pos=end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


@pytest.mark.parametrize(
    "interactive", [False, pytest.param(True, marks=pytest.mark.gl)]
)
def test_a_drag_handler_takes_its_drags_from_the_camera(
    qtbot: Any, interactive: bool
) -> None:
    """The body's rotation rings grab drags this way, on both backends."""
    from PySide6.QtCore import QPoint

    view = _sphere_view(qtbot, interactive=interactive)
    try:
        handler = _LeftHalf(view)
        view.drag_handler = handler
        clicks: list[tuple[float, float]] = []
        view.clicked.connect(lambda x, y: clicks.append((x, y)))
        surface = view._canvas if view._canvas is not None else view.plotter
        before = np.asarray(view.plotter.camera.position).copy()
        _drag(qtbot, surface, QPoint(50, 150), QPoint(90, 160))
        kinds = [c[0] for c in handler.calls]
        assert kinds[0] == "press" and kinds[-1] == "release" and "move" in kinds
        assert handler.calls[-1][1:] == (90.0, 160.0)
        np.testing.assert_allclose(view.plotter.camera.position, before)
        assert clicks == []  # a grabbed press is no click either
        # a press the handler does not take is the view's own: the camera turns
        handler.calls.clear()
        _drag(qtbot, surface, QPoint(300, 150), QPoint(360, 150))
        assert handler.calls == []
        if not interactive:
            assert np.linalg.norm(view.plotter.camera.position - before) > 1e-3
    finally:
        view.close_view()


def _orange_columns(image: Any) -> list[int]:
    """Return the x of every pixel column with orange in the middle row."""
    y = image.height() // 2
    return [
        x
        for x in range(image.width())
        if image.pixelColor(x, y).red() > 150 and image.pixelColor(x, y).blue() < 100
    ]


def test_a_camera_moved_after_the_first_frame_is_drawn_moved(qtbot: Any) -> None:
    """The render thread's copy of the camera follows it (the GL camera kept the
    first frame's matrices once: a view reset later drew 2× too close)."""
    view = _sphere_view(qtbot, interactive=False)
    try:
        near = _orange_columns(view._canvas.image)  # type: ignore[union-attr]
        view.plotter.camera.Dolly(0.5)  # twice as far
        view.plotter.reset_camera_clipping_range()
        view.render_now()
        far = _orange_columns(view._canvas.image)  # type: ignore[union-attr]
        assert near and far
        assert len(far) == pytest.approx(len(near) / 2, rel=0.15)
    finally:
        view.close_view()


def test_frames_are_drawn_off_the_gui_thread_then_refined(qtbot: Any) -> None:
    """A requested frame comes back drawn without multi-sampling; once the scene is
    still a full-quality one follows; an edit made after a frame started is drawn
    by the next one."""
    import pyvista as pv

    view = _sphere_view(qtbot, interactive=False)
    try:
        shown = view._shown
        samples: list[int] = []
        original = view._on_frame_rendered

        def record(job: Any) -> None:
            samples.append(job.samples)
            original(job)

        view._frames.rendered.disconnect(original)
        view._frames.rendered.connect(record)
        cube = pv.Cube(center=(0.0, 0.0, 0.0), x_length=2.0, y_length=2.0)
        view.plotter.add_mesh(cube, color="blue", name="cube")
        view.request_render()
        qtbot.waitUntil(lambda: len(samples) >= 2, timeout=5000)
        assert samples[0] == 0 and samples[-1] == view._still_samples > 0
        assert view._shown > shown
        centre = view._canvas.image.pixelColor(200, 150)  # type: ignore[union-attr]
        assert centre.blue() > 150 and centre.red() < 100  # the cube hides the sphere
    finally:
        view.close_view()
