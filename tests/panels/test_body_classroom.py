"""The body panel as a lecturer uses it (issue 14): linked split view, presets,
exports that say where they wrote, bad numbers said plainly, no stale readouts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.panels.body.panel import BodyPanel
from tests.core.test_body_synthetic import write_smpl_npz
from tests.panels import test_body_panel as _body

# the body panel's fixtures: anny loaded once into a shared data folder
body_cache = _body.body_cache
panel = _body.panel

_SETTLE_MS = 10_000


def _body_pixels(image: QImage) -> float:
    """Return the share of pixels that are not the (light) plot background."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    raw = np.frombuffer(rgb.constBits(), np.uint8).reshape(height, rgb.bytesPerLine())
    pixels = raw[:, : width * 3].reshape(height, width, 3)
    return float((pixels.min(axis=2) < 200).mean())


def _wait_split(qtbot: Any, panel: BodyPanel) -> None:
    qtbot.waitUntil(
        lambda: panel._last is not None and "dqs" in panel._last.meshes,
        timeout=_SETTLE_MS,
    )


def test_split_views_share_one_camera(qtbot: Any, panel: BodyPanel) -> None:
    panel.split_check.setChecked(True)
    _wait_split(qtbot, panel)
    lbs, dqs = panel.view.view, panel.view_dqs.view
    before = np.asarray(dqs.plotter.camera.position)
    # a drag on the LBS view turns the camera: the DQS view turns with it
    assert lbs._canvas is not None and dqs._canvas is not None
    lbs._canvas.dragged.emit(60.0, 10.0)
    after = np.asarray(dqs.plotter.camera.position)
    assert np.linalg.norm(after - before) > 0.1
    np.testing.assert_allclose(after, lbs.plotter.camera.position)
    # and the DQS view redraws what it now sees
    old = dqs._canvas.image.copy()
    qtbot.waitUntil(lambda: dqs._canvas.image != old, timeout=_SETTLE_MS)
    # the other way round as well
    dqs._canvas.dragged.emit(-30.0, 0.0)
    np.testing.assert_allclose(lbs.plotter.camera.position, dqs.plotter.camera.position)


@pytest.mark.parametrize("split_first", [True, False])
def test_dqs_pane_shows_the_body_after_a_preset(
    qtbot: Any, panel: BodyPanel, split_first: bool
) -> None:
    if split_first:
        panel.split_check.setChecked(True)
        _wait_split(qtbot, panel)
    panel.apply_preset("forearm twisted 180°")
    panel.split_check.setChecked(True)
    qtbot.waitUntil(
        lambda: (
            panel._last is not None
            and panel._last.request is not None
            and not panel._last.request.pose.is_rest()
            and "dqs" in panel._last.meshes
        ),
        timeout=_SETTLE_MS,
    )
    qtbot.wait(200)
    last = panel._last
    assert last is not None
    np.testing.assert_allclose(
        panel.view_dqs.vertices(), last.meshes["dqs"].vertices, atol=1e-5
    )
    for view in (panel.view, panel.view_dqs):
        view.view.render_now()
        image = view.view._canvas.image  # type: ignore[union-attr]
        assert not image.isNull()
        assert _body_pixels(image) > 0.03, "the view shows no body"
    # the twist reads as the turn it is, about the forearm's own y axis
    model = panel.model
    assert model is not None and panel.pose is not None
    panel.select_bone("lowerarm02.L")
    shown = [s.value() for s in panel.angle_sliders]
    np.testing.assert_allclose(shown, [0.0, 180.0, 0.0], atol=0.05)


def test_glb_export_is_y_up_and_says_where_it_wrote(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    import trimesh

    model = panel.model
    assert model is not None
    path = panel.export_mesh_to(tmp_path / "body.glb")
    # the status line names the file written (a zero-width space may follow "/")
    status = panel.run_bar.status.html().replace("\u200b", "")
    assert str(path) in status and "Wrote" in status
    # glTF's JSON chunk: one mesh, its positions an accessor of every vertex
    raw = path.read_bytes()
    assert raw[:4] == b"glTF"
    length = int.from_bytes(raw[12:16], "little")
    doc = json.loads(raw[20 : 20 + length])
    position = doc["meshes"][0]["primitives"][0]["attributes"]["POSITION"]
    assert doc["accessors"][position]["count"] == model.n_vertices
    scene: Any = trimesh.load(path, process=False)
    (mesh,) = scene.geometry.values()
    verts = np.asarray(mesh.vertices)
    rest = model.rest.vertices
    # anny is Z-up with its front along −y: glTF (Y-up, front +Z) reads (x, z, −y)
    np.testing.assert_allclose(
        verts, np.column_stack([rest[:, 0], rest[:, 2], -rest[:, 1]]), atol=1e-5
    )
    head = verts[model.skin_indices[:, 0] == model.bone_index("head")]
    assert head[:, 1].mean() > verts[:, 1].mean() + 0.5, "the head is up (+Y)"
    # OBJ keeps the model's own axes
    obj = panel.export_mesh_to(tmp_path / "body.obj")
    back: Any = trimesh.load(obj, process=False, force="mesh")
    np.testing.assert_allclose(back.vertices, rest, atol=1e-5)


def test_an_overflowing_pose_is_said_plainly_and_the_panel_goes_on(
    qtbot: Any, panel: BodyPanel
) -> None:
    from explorer.core.body.pose import Pose

    model = panel.model
    assert model is not None
    shown = panel.view.vertices().copy()
    huge = Pose(np.zeros((model.n_bones, 3)), np.array([1e308, 0.0, 0.0]))
    panel.set_pose(huge)
    qtbot.waitUntil(lambda: panel.error_banner.isVisible(), timeout=_SETTLE_MS)
    text = panel.error_banner.text
    assert "1e+308" in text and "no finite body" in text
    assert "learning rate" not in text and "diverged" not in text
    np.testing.assert_allclose(panel.view.vertices(), shown)
    # the panel still poses: a preset moves the body
    panel.apply_preset("T-pose")
    qtbot.waitUntil(
        lambda: np.abs(panel.view.vertices() - shown).max() > 0.05, timeout=_SETTLE_MS
    )


def test_a_model_file_with_a_nan_vertex_is_refused_and_anny_stays(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    from explorer.core.body.smpl_npz import load_smpl_npz

    path = tmp_path / "nan.npz"
    write_smpl_npz(path)
    model = load_smpl_npz(path)
    data = dict(np.load(path))
    data["v_template"] = data["v_template"].copy()
    data["v_template"][0, 1] = np.nan
    np.savez(path, **data)
    try:
        panel.open_file(path)  # the reader may refuse it at once (its own check)
    except ValueError as exc:
        assert "nan" in str(exc).lower() or "finite" in str(exc).lower()
        return
    qtbot.waitUntil(
        lambda: (
            panel.error_banner.isVisible()
            and panel.model is not None
            and panel.model.name == "anny"
            and panel.snapshot_ready()
        ),
        timeout=60_000,
    )
    text = panel.error_banner.text
    assert "not finite" in text and "back to anny" in text, text
    assert "learning rate" not in text
    assert model.n_vertices > 0
    # usable again: the sliders pose anny
    qtbot.waitUntil(lambda: panel.angle_sliders[0].isEnabled(), timeout=_SETTLE_MS)


def _readouts(panel: BodyPanel) -> tuple[str, str, str, str]:
    return (
        panel.volume_label.html(),
        panel.formula.values_text(),
        panel.selected_label.text(),
        panel.formula._formula.text(),
    )


def _settled(panel: BodyPanel) -> bool:
    last = panel._last
    return last is not None and last.request is not None


def test_no_readout_outlives_a_reset_or_a_new_body(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    panel.select_bone("lowerarm01.L")
    panel.reset()
    qtbot.waitUntil(
        lambda: _settled(panel) and "lowerarm01.L" in panel.formula.values_text(),
        timeout=_SETTLE_MS,
    )
    qtbot.wait(300)
    fresh = _readouts(panel)
    # a lesson: twist, compare both skinnings, look at DQS
    panel.apply_preset("bent + twisted")
    panel.split_check.setChecked(True)
    panel.dqs_radio.setChecked(True)
    qtbot.waitUntil(
        lambda: panel._last is not None and "dqs" in panel._last.volumes,
        timeout=_SETTLE_MS,
    )
    qtbot.waitUntil(lambda: "DQS" in panel.volume_label.html(), timeout=_SETTLE_MS)
    assert _readouts(panel) != fresh
    # back: split off, LBS, Reset: every readout is the fresh panel's again
    panel.split_check.setChecked(False)
    panel.lbs_radio.setChecked(True)
    panel.reset()
    qtbot.waitUntil(lambda: _readouts(panel) == fresh, timeout=_SETTLE_MS)
    assert "DQS" not in panel.volume_label.html()
    # a new body: nothing of anny's remains in a readout
    anny_rest = panel.volume_label.html().split(":")[0]
    path = tmp_path / "tiny.npz"
    write_smpl_npz(path)
    panel.open_file(path)
    qtbot.waitUntil(
        lambda: (
            panel.model is not None
            and panel.model.n_bones == 3
            and panel.snapshot_ready()
            and _settled(panel)
        ),
        timeout=_SETTLE_MS,
    )
    qtbot.wait(300)
    volume, values, selected, formula = _readouts(panel)
    last = panel._last
    assert last is not None
    from explorer.panels.body.formula import volume_text

    assert volume == volume_text(last.volumes, last.rest_volume)
    assert anny_rest not in volume
    for text in (values, selected):
        assert "lowerarm" not in text, text
    assert "(root)" not in values
    assert "joint0" in selected and "joint0" in values
    assert "anny" not in formula and "s(β)" in formula
    assert panel.shape_box.title() == "Shape β (SMPL)"


def test_an_angle_past_the_sliders_is_wrapped_and_said(
    qtbot: Any, panel: BodyPanel
) -> None:
    from explorer.core.body.model import euler_to_matrix
    from explorer.core.body.pose import Pose

    model = panel.model
    assert model is not None
    k = model.bone_index("head")
    panel.select_bone("head")
    panel.set_pose(Pose.zeros(model.n_bones).with_bone(k, [200.0, 10.0, -300.0]))
    shown = [s.value() for s in panel.angle_sliders]
    np.testing.assert_allclose(shown, [-160.0, 10.0, 60.0])
    note = panel.column.angle_note
    assert note.isVisibleTo(panel)
    assert "x = 200° is shown as -160°" in note.text()
    assert "z = -300° is shown as 60°" in note.text()
    # the same rotation: the pose keeps its turn
    assert panel.pose is not None
    np.testing.assert_allclose(
        euler_to_matrix(panel.pose.euler[k]),
        euler_to_matrix([200.0, 10.0, -300.0]),
        atol=1e-12,
    )
    panel.set_pose(Pose.zeros(model.n_bones))
    assert not note.isVisibleTo(panel)
