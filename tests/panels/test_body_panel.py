"""The body panel, driven like a user: pick a joint, drag a slider, export, split."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from explorer.panels.base import AppContext
from explorer.panels.body.panel import BodyPanel
from tests.core.test_body_synthetic import write_smpl_npz

_LOAD_MS = 90_000


@pytest.fixture(scope="module")
def body_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder shared by this module's panels (anny's rest shape cached once)."""
    return tmp_path_factory.mktemp("body-data")


@pytest.fixture
def panel(qtbot: Any, app_context: AppContext, body_cache: Path) -> Iterator[BodyPanel]:
    """A body panel with anny loaded."""
    app_context.data_dir = body_cache
    p = BodyPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1200, 800)
    p.show()
    qtbot.waitUntil(p.snapshot_ready, timeout=_LOAD_MS)
    yield p
    p.shutdown()
    p.close()


def _tree_item(panel: BodyPanel, name: str) -> Any:
    items = panel.bone_tree.findItems(
        name, Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive
    )
    assert len(items) == 1
    return items[0]


def test_select_joint_and_drag_slider_moves_the_mesh(
    qtbot: Any, panel: BodyPanel
) -> None:
    model = panel._model
    assert model is not None
    rest = panel.view.vertices().copy()
    np.testing.assert_allclose(rest, model.rest.vertices, atol=1e-5)
    # pick the left forearm in the bone tree, as a user clicks it
    item = _tree_item(panel, "lowerarm01.L")
    panel.bone_tree.scrollToItem(item)
    rect = panel.bone_tree.visualItemRect(item)
    qtbot.mouseClick(
        panel.bone_tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center()
    )
    assert "lowerarm01.L" in panel.selected_label.text()
    # drag the x slider: press End jumps to +180°, then step down with PageDown
    slider = panel.angle_sliders[0].slider
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)
    angle = panel.angle_sliders[0].value()
    assert 100.0 <= angle < 180.0
    qtbot.waitUntil(
        lambda: np.abs(panel.view.vertices() - rest).max() > 0.05, timeout=10_000
    )
    posed = panel.view.vertices()
    # vertices with no weight on the forearm chain stay where they were
    k = model.bone_index("lowerarm01.L")
    chain = {k}
    for b in range(model.n_bones):
        if model.bone_parents[b] in chain:
            chain.add(b)
    still = ~(np.isin(model.skin_indices, list(chain)) & (model.skin_weights > 0)).any(
        1
    )
    assert np.abs(posed[still] - rest[still]).max() < 1e-5
    assert panel._pose is not None
    np.testing.assert_allclose(panel._pose.euler[k], [angle, 0.0, 0.0])
    # the formula card shows the selected bone's G_k
    assert "lowerarm01.L" in panel.formula.values_text()
    # reset all returns to the rest mesh
    qtbot.mouseClick(panel.reset_all_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: np.abs(panel.view.vertices() - rest).max() < 1e-5, timeout=10_000
    )


def test_export_writes_a_mesh_trimesh_reads(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    import trimesh

    panel.apply_preset("elbow bent")
    qtbot.waitUntil(
        lambda: (
            panel._last is not None
            and panel._last.request is not None
            and not panel._last.request.pose.is_rest()
        ),
        timeout=10_000,
    )
    path = panel.export_mesh_to(tmp_path / "posed.ply")
    mesh: Any = trimesh.load(path, process=False, force="mesh")
    assert panel._model is not None
    assert len(mesh.vertices) == panel._model.n_vertices
    np.testing.assert_allclose(mesh.vertices, panel.view.vertices(), atol=1e-5)


def test_split_view_and_candy_wrapper_volume(qtbot: Any, panel: BodyPanel) -> None:
    panel.apply_preset("forearm twisted 180°")
    box = panel.split_check
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert panel.view_dqs.isVisibleTo(panel)
    qtbot.waitUntil(
        lambda: panel._last is not None and "dqs" in panel._last.volumes, timeout=10_000
    )
    last = panel._last
    assert last is not None
    # LBS loses volume under a 180° twist, DQS keeps it
    assert last.volumes["lbs"] < last.volumes["dqs"]
    qtbot.waitUntil(lambda: "DQS" in panel.volume_label.html(), timeout=5_000)
    assert "LBS" in panel.volume_label.html()
    assert np.abs(panel.view.vertices() - panel.view_dqs.vertices()).max() > 0.005


def test_weight_heat_map_and_click_selection(qtbot: Any, panel: BodyPanel) -> None:
    panel.colour_combo.setCurrentText("Weight of the selected bone")
    panel.select_bone("head")
    model = panel._model
    assert model is not None
    k = model.bone_index("head")
    expected = np.where(model.skin_indices == k, model.skin_weights, 0.0).sum(1)
    shown = np.asarray(panel.view._mesh.point_data["weight"])
    np.testing.assert_allclose(shown, expected, atol=1e-6)
    assert shown.max() == pytest.approx(1.0)
    panel.select_bone("root")
    canvas = panel.view.view._canvas
    assert canvas is not None
    panel.view.view.render_now()
    # the middle of the view is the body's trunk: a spine or pelvis bone
    qtbot.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        pos=QPoint(canvas.width() // 2, canvas.height() // 2),
    )
    assert panel._model is not None
    name = panel._model.bone_names[panel._selected]
    assert name.startswith(("spine", "pelvis")), name


def test_state_round_trip_and_smpl_file(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    panel.apply_preset("arm raised")
    panel.select_bone("wrist.L")
    panel.dqs_radio.setChecked(True)
    state = panel.state()
    assert state["method"] == "dqs" and state["selected"] == "wrist.L"
    path = tmp_path / "tiny.npz"
    write_smpl_npz(path)
    panel.open_file(path)
    qtbot.waitUntil(
        lambda: (
            panel._model is not None
            and panel._model.n_bones == 3
            and panel.snapshot_ready()
        ),
        timeout=10_000,
    )
    assert panel.correctives_check.isEnabled()
    assert panel.shape_box.title() == "Shape β (SMPL)"
    with pytest.raises(ValueError, match="not an SMPL-family model"):
        bad = tmp_path / "bad.npz"
        np.savez(bad, x=np.zeros(3))
        panel.open_file(bad)
    # back to anny through the session state
    panel.restore(state)
    qtbot.waitUntil(
        lambda: (
            panel._model is not None
            and panel._model.name == "anny"
            and panel._pose is not None
            and not panel._pose.is_rest()
        ),
        timeout=_LOAD_MS,
    )
    assert panel.method == "dqs"
    assert panel._model is not None
    assert panel._model.bone_names[panel._selected] == "wrist.L"
    image = panel.export_image(1.0, main_view_only=True)
    assert not image.isNull() and image.width() > 100


def test_phenotype_slider_reshapes_body_and_joints(
    qtbot: Any, panel: BodyPanel, tmp_path: Path
) -> None:
    from explorer.core.body.pose import Pose, save_pose

    model = panel._model
    assert model is not None
    head = model.bone_index("head")
    joints0 = panel._last.meshes["lbs"].joints.copy()  # type: ignore[union-attr]
    height0 = np.ptp(panel.view.vertices()[:, 2])
    slider = panel.shape_sliders.slider("height")
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)  # height = 1: the tallest body
    qtbot.waitUntil(
        lambda: (
            panel._model is not None
            and panel._model.shape_values.get("height") == 1.0
            and np.ptp(panel.view.vertices()[:, 2]) > height0 + 0.05
        ),
        timeout=_LOAD_MS,
    )
    last = panel._last
    assert last is not None
    assert last.meshes["lbs"].joints[head, 2] > joints0[head, 2] + 0.05
    # a pose file opened from disk is applied to the reshaped body
    pose = Pose.zeros(model.n_bones).with_bone(model.bone_index("neck01"), [0, 0, 40])
    path = tmp_path / "turn.json"
    save_pose(path, model, pose)
    panel.open_file(path)
    qtbot.waitUntil(
        lambda: (
            panel._last is not None
            and panel._last.request is not None
            and not panel._last.request.pose.is_rest()
        ),
        timeout=10_000,
    )
    assert panel._pose is not None
    np.testing.assert_allclose(panel._pose.euler, pose.euler)


def test_state_round_trips_and_a_bad_state_names_the_field(
    qtbot: Any, panel: BodyPanel
) -> None:
    panel.apply_preset("elbow bent")
    panel.select_bone("head")
    panel.colour_combo.setCurrentText("Dominant bone")
    panel.skeleton_check.setChecked(False)
    saved = panel.state()
    assert saved["version"] == 1 and saved["selected"] == "head"
    assert saved["colour"] == "Dominant bone" and saved["skeleton"] is False
    assert saved["pose"]["rotations"], "the bent elbow is in the state"
    # a bad state is refused before anything changes, naming the field
    with pytest.raises(ValueError, match=r"pose\.rotations\['head'\]"):
        panel.restore({**saved, "pose": {"rotations": {"head": [1.0, 2.0]}}})
    with pytest.raises(ValueError, match="colour"):
        panel.restore({**saved, "colour": "pink"})
    with pytest.raises(ValueError, match="method"):
        panel.restore({**saved, "method": "blend"})
    assert panel.state() == saved
    # back to the rest look, then the saved state restores every part of it
    panel.reset()
    panel.colour_combo.setCurrentText("Skin")
    panel.skeleton_check.setChecked(True)
    panel.select_bone("root")
    assert panel.state() != saved
    panel.restore(saved)
    assert panel.state() == saved
    assert panel.colour_combo.currentText() == "Dominant bone"
    assert not panel.skeleton_check.isChecked()
    assert panel.view.colour_mode == "dominant"
    assert "head" in panel.selected_label.text()


def test_run_bar_sweeps_the_selected_joint(qtbot: Any, panel: BodyPanel) -> None:
    panel.select_bone("lowerarm01.L")
    start = panel.run_bar.start
    assert start.text() == "Start"
    panel.step()
    assert start.text() == "Resume"
    assert panel.angle_sliders[0].value() != 0.0
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert start.text() == "Pause"
    qtbot.waitUntil(lambda: panel._phase > 3, timeout=5_000)
    qtbot.mouseClick(start, Qt.MouseButton.LeftButton)
    assert start.text() == "Resume"
    phase = panel._phase
    qtbot.wait(200)
    assert panel._phase == phase, "a paused sweep holds"
    qtbot.mouseClick(panel.reset_all_button, Qt.MouseButton.LeftButton)
    assert start.text() == "Start"
    assert panel._pose is not None and panel._pose.is_rest()
