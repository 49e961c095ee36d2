"""The rotation gizmo's maths and the one-vertex readout, without Qt or GL."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from explorer.core.body.gizmo import (
    drag_angle,
    gimbal_axes,
    pick_ring,
    project,
    ring_points,
    screen_tangent,
)
from explorer.core.body.model import BodyModel, axis_angle_matrix, euler_to_matrix
from explorer.core.body.pose import Pose
from explorer.core.body.skinning import Skinner
from explorer.core.body.smpl_npz import load_smpl_npz
from explorer.core.body.vertex import vertex_readout
from tests.core.test_body_synthetic import write_smpl_npz


def _pinhole(
    distance: float, focal_px: float, width: float, height: float
) -> np.ndarray:
    """A camera on +z looking at the origin, as a world → NDC matrix (by hand)."""
    # x_ndc = f x / (d − z) / (w/2), y likewise; w_clip = d − z
    return np.array(
        [
            [2.0 * focal_px / width, 0.0, 0.0, 0.0],
            [0.0, 2.0 * focal_px / height, 0.0, 0.0],
            [0.0, 0.0, 0.0, 1.0],
            [0.0, 0.0, -1.0, distance],
        ]
    )


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> BodyModel:
    path = tmp_path_factory.mktemp("gizmo") / "tiny_smpl.npz"
    write_smpl_npz(path, seed=3)
    return load_smpl_npz(path)


def test_each_ring_turns_one_euler_angle_through_forward_kinematics(
    tiny_model: BodyModel,
) -> None:
    skinner = Skinner(tiny_model, dtype=torch.float64, backend="torch")
    rng = np.random.default_rng(1)
    euler = rng.uniform(-120.0, 120.0, (3, 3))
    pose = Pose(euler)
    frames, _ = skinner.kinematics(pose)
    for bone in (1, 2):
        axes = gimbal_axes(frames[bone], euler[bone])
        for i in range(3):
            turned = euler.copy()
            turned[bone, i] += 37.0
            after, _ = skinner.kinematics(Pose(turned))
            # the bone's frame turned 37° about ring i's axis, nothing else
            expected = axis_angle_matrix(axes[i], 37.0) @ frames[bone][:3, :3]
            np.testing.assert_allclose(after[bone][:3, :3], expected, atol=1e-10)
            np.testing.assert_allclose(after[bone][:3, 3], frames[bone][:3, 3])


def test_a_ring_facing_the_camera_turns_by_arc_length_over_radius() -> None:
    width, height, focal, distance = 800.0, 600.0, 500.0, 5.0
    matrix = _pinhole(distance, focal, width, height)
    centre, axis, radius = np.zeros(3), np.array([0.0, 0.0, 1.0]), 1.0
    ring = ring_points(centre, axis, radius, 360)
    grab = ring[0]
    tangent = screen_tangent(centre, axis, grab, matrix, width, height)
    radius_px = focal * radius / distance  # 100 px on screen
    # a 10 px motion along the drawn tangent is 10/100 rad
    step = 10.0 * tangent / np.linalg.norm(tangent)
    angle = drag_angle((float(step[0]), float(step[1])), tangent)
    assert angle == pytest.approx(np.rad2deg(10.0 / radius_px), rel=1e-6)
    # and against the opposite direction
    assert drag_angle((-float(step[0]), -float(step[1])), tangent) == pytest.approx(
        -angle
    )


@pytest.mark.parametrize("axis", [(1.0, 0.2, 0.1), (0.3, 1.0, 0.5), (0.1, 0.4, 1.0)])
def test_moving_the_mouse_to_a_turned_ring_point_reads_that_angle(
    axis: tuple[float, float, float],
) -> None:
    width, height = 800.0, 600.0
    matrix = _pinhole(4.0, 600.0, width, height)
    centre, a, radius = np.array([0.2, -0.1, 0.3]), np.asarray(axis), 0.8
    a = a / np.linalg.norm(a)
    ring = ring_points(centre, a, radius, 72)
    for grab in ring[::9]:
        tangent = screen_tangent(centre, a, grab, matrix, width, height)
        if np.linalg.norm(tangent) < 60.0:
            continue  # nearly edge-on there: the floor, tested below, applies
        # where the grabbed point goes when the ring turns ½° (Rodrigues), on
        # screen (the reading is first order: perspective bends larger turns)
        moved = axis_angle_matrix(a, 0.5) @ (grab - centre) + centre
        before, after = project(np.stack([grab, moved]), matrix, width, height)
        delta = after - before
        assert drag_angle((float(delta[0]), float(delta[1])), tangent) == pytest.approx(
            0.5, rel=0.02
        )


def test_an_edge_on_ring_turns_at_a_bounded_rate() -> None:
    # the grab point's tangent points at the camera: no screen motion per radian
    tangent = np.array([1e-3, 0.0])
    assert abs(drag_angle((5.0, 0.0), tangent)) <= np.rad2deg(5.0 / 20.0) + 1e-9
    assert drag_angle((5.0, 0.0), np.zeros(2)) == 0.0


def test_pick_ring_finds_the_nearest_drawn_ring_within_tolerance() -> None:
    width, height = 800.0, 600.0
    matrix = _pinhole(5.0, 500.0, width, height)
    centre = np.zeros(3)
    axes = np.eye(3) + np.array([[0.0, 0.3, 0.2], [0.1, 0.0, 0.4], [0.2, 0.3, 0.0]])
    rings = np.stack(
        [ring_points(centre, ax, 1.0 + 0.2 * i) for i, ax in enumerate(axes)]
    )
    screen = project(rings.reshape(-1, 3), matrix, width, height).reshape(3, -1, 2)
    # halfway between two samples of ring 2, 3 px off: on the drawn segment
    mid = (screen[2, 10] + screen[2, 11]) / 2.0 + np.array([0.0, 3.0])
    hit = pick_ring(screen, (float(mid[0]), float(mid[1])))
    assert hit is not None and hit[0] == 2 and hit[1] in (10, 11)
    assert pick_ring(screen, (5.0, 5.0)) is None


@pytest.mark.parametrize("method", ["lbs", "dqs"])
def test_vertex_readout_matches_the_skinner(tiny_model: BodyModel, method: str) -> None:
    model = tiny_model
    skinner = Skinner(model, dtype=torch.float64, backend="torch")
    pose = Pose(np.random.default_rng(2).uniform(-150.0, 150.0, (3, 3)))
    posed = skinner.pose(pose, method=method, correctives=False)  # type: ignore[arg-type]
    for i in range(model.n_vertices):
        out = vertex_readout(model, posed.transforms, i, method)  # type: ignore[arg-type]
        np.testing.assert_allclose(out.posed, posed.vertices[i], atol=1e-9)
        np.testing.assert_allclose(out.rest, model.rest.vertices[i])


def test_vertex_readout_weights_and_a_rigid_vertex_by_hand(
    tiny_model: BodyModel,
) -> None:
    model = tiny_model
    skinner = Skinner(model, dtype=torch.float64, backend="torch")
    out = vertex_readout(model, skinner.pose(Pose.zeros(3)).transforms, 6)
    names = model.bone_names
    assert [(b, n) for b, n, _ in out.weights] == [(1, names[1]), (2, names[2])]
    np.testing.assert_allclose([w for *_, w in out.weights], [0.5, 0.5])
    # vertex 4 hangs on joint 1 alone: it turns rigidly about joint 1
    pose = Pose.zeros(3).with_bone(1, [0.0, 0.0, 90.0])
    transforms = skinner.pose(pose, correctives=False).transforms
    j1 = model.rest.joints[1]
    t = model.rest.vertices[4]
    expected = euler_to_matrix([0.0, 0.0, 90.0]) @ (t - j1) + j1
    got = vertex_readout(model, transforms, 4)
    np.testing.assert_allclose(got.posed, expected, atol=1e-12)
    assert [n for _, n, _ in got.weights] == [names[1]]
    with pytest.raises(ValueError, match="vertex 99"):
        vertex_readout(model, transforms, 99)
