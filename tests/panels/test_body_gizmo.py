"""The body panel's rotation rings and vertex readout, driven with the mouse."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from PySide6.QtCore import QPoint, Qt

from explorer.core.body.gizmo import drag_angle, screen_tangent
from explorer.panels.body.panel import BodyPanel
from tests.panels import test_body_panel as _body

body_cache = _body.body_cache
panel = _body.panel

_SETTLE_MS = 10_000


def _shown_pose_is(panel: BodyPanel, bone: int, angles: np.ndarray) -> bool:
    last = panel._last
    return (
        last is not None
        and last.request is not None
        and bool(np.allclose(last.request.pose.euler[bone], angles))
    )


def test_projection_is_vtks(panel: BodyPanel) -> None:
    from explorer.core.body.gizmo import project

    view = panel.view.view
    view.render_now()
    point = np.asarray(panel.posed_meshes["lbs"].joints[5], dtype=float)
    matrix, w, h = view.projection()
    ((x, y),) = project(point[None], matrix, w, h)
    renderer = view.plotter.renderer
    renderer.SetWorldPoint(*point, 1.0)
    renderer.WorldToDisplay()
    dx, dy, _ = renderer.GetDisplayPoint()
    assert x == np.float64(dx) or abs(x - dx) < 0.5
    assert abs(y - (h - dy)) < 0.5  # VTK counts rows from the bottom


def test_dragging_a_ring_turns_its_slider_and_the_joint(
    qtbot: Any, panel: BodyPanel
) -> None:
    model = panel.model
    assert model is not None
    k = model.bone_index("lowerarm01.L")
    panel.select_bone(k)
    panel.angle_sliders[0].set_value(20.0)  # a bent start: the rings are tilted
    panel._on_angle_changed(0)
    qtbot.waitUntil(
        lambda: _shown_pose_is(panel, k, np.array([20.0, 0, 0])), timeout=_SETTLE_MS
    )
    qtbot.wait(100)
    view, rings = panel.view.view, panel.view.rings
    view.render_now()
    camera_before = np.asarray(view.plotter.camera.position).copy()
    screen, matrix, w, h = rings.screen_points()
    # grab the y ring (green) away from the other two, where it is seen most broadside
    others = np.delete(screen.reshape(-1, 2), np.s_[72 : 2 * 72], axis=0)
    tangents = [
        screen_tangent(rings.centre, rings.axes[1], p, matrix, w, h)
        for p in rings.points[1]
    ]
    alone = [np.linalg.norm(others - p, axis=1).min() > 4.0 for p in screen[1]]
    j = int(
        np.argmax([np.linalg.norm(t) * a for t, a in zip(tangents, alone, strict=True)])
    )
    assert alone[j]
    start = screen[1, j]
    step = 30.0 * tangents[j] / np.linalg.norm(tangents[j])
    canvas = view._canvas
    assert canvas is not None
    press = QPoint(round(start[0]), round(start[1]))
    end = QPoint(round(start[0] + step[0]), round(start[1] + step[1]))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=press)
    qtbot.mouseMove(canvas, pos=end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    expected = drag_angle((end.x() - press.x(), end.y() - press.y()), tangents[j])
    assert abs(expected) > 5.0
    # the y slider took the angle, x and z kept theirs; the pose is the sliders'
    y = panel.angle_sliders[1].value()
    # (the grabbed point is the ring sample nearest the press: within 1 %)
    assert abs(y - expected) < 0.01 * abs(expected) + 0.06
    assert panel.angle_sliders[0].value() == 20.0
    assert panel.angle_sliders[2].value() == 0.0
    assert panel.pose is not None
    np.testing.assert_allclose(panel.pose.euler[k], [20.0, y, 0.0])
    # the drag was the gizmo's: the camera did not turn, no vertex was picked
    np.testing.assert_allclose(view.plotter.camera.position, camera_before)
    assert panel.picked_vertex is None
    qtbot.waitUntil(
        lambda: _shown_pose_is(panel, k, np.array([20.0, y, 0.0])), timeout=_SETTLE_MS
    )
    # the rings follow: the z ring's axis is now F R_x R_y e_z of the new angles
    qtbot.wait(100)
    from explorer.core.body.gizmo import gimbal_axes

    posed = panel.posed_meshes["lbs"]
    np.testing.assert_allclose(
        rings.axes, gimbal_axes(posed.bone_frames[k], np.array([20.0, y, 0.0]))
    )
    np.testing.assert_allclose(rings.centre, posed.joints[k])
    # a drag away from the rings still turns the camera
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=QPoint(10, 10))
    qtbot.mouseMove(canvas, pos=QPoint(60, 12))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=QPoint(60, 12))
    assert np.linalg.norm(view.plotter.camera.position - camera_before) > 1e-3


def _vector(text: str, key: str) -> np.ndarray:
    line = next(row for row in text.splitlines() if row.startswith(key))
    return np.array([float(v) for v in re.findall(r"[-+]\d+\.\d+", line)])


def test_clicked_vertex_shows_t_w_and_its_posed_place_live(
    qtbot: Any, panel: BodyPanel
) -> None:
    model = panel.model
    assert model is not None
    view = panel.view.view
    canvas = view._canvas
    assert canvas is not None
    view.render_now()
    qtbot.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        pos=QPoint(canvas.width() // 2, canvas.height() // 2),
    )
    v = panel.picked_vertex
    assert v is not None
    bone = int(model.skin_indices[v, 0])
    panel.angle_sliders[2].set_value(-50.0)
    panel._on_angle_changed(2)
    qtbot.waitUntil(
        lambda: _shown_pose_is(panel, bone, np.array([0, 0, -50.0])), timeout=_SETTLE_MS
    )
    qtbot.wait(400)  # the card updates at ≤ 5 Hz
    panel._update_readouts()
    text = panel.formula.values_text()
    assert f"vertex i = {v}" in text
    np.testing.assert_allclose(_vector(text, "t_i"), model.rest.vertices[v], atol=6e-4)
    # the weights: every non-zero w_ki, by bone name
    dense = model.dense_weights()[v]
    for b in np.flatnonzero(dense):
        assert f"{model.bone_names[b]} {dense[b]:.3f}" in text
    # t′_i = Σ_k w_ki G_k t_i, computed here from the dense weights
    g = panel.posed_meshes["lbs"].transforms
    blend = np.einsum("k,kij->ij", dense, g)
    expected = blend[:3, :3] @ model.rest.vertices[v] + blend[:3, 3]
    np.testing.assert_allclose(_vector(text, "t′_i (LBS"), expected, atol=6e-4)
    assert np.linalg.norm(expected - model.rest.vertices[v]) > 1e-3  # it moved
    # and it is where the mesh on screen has that vertex (this body: no correctives)
    if model.posedirs is None:
        np.testing.assert_allclose(expected, panel.view.vertices()[v], atol=1e-4)
