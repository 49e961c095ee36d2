"""Skinning math on synthetic bodies: closed forms for LBS, DQS, FK, correctives."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from explorer.core.body.model import (
    axis_angle_matrix,
    euler_to_matrix,
    matrix_to_euler,
    rotation_between,
)
from explorer.core.body.pose import Pose
from explorer.core.body.skinning import (
    SKINNING_METHODS,
    Skinner,
    forward_kinematics,
    mesh_volume,
    rigid_inverse,
    rigid_to_dual_quat,
)
from tests.core.test_body_synthetic import tube_model


def _radius(points: np.ndarray) -> np.ndarray:
    out: np.ndarray = np.hypot(points[:, 1], points[:, 2])
    return out


BACKENDS = ("kernels", "torch")


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("theta", [60.0, 120.0, 180.0])
def test_candy_wrapper_closed_form(theta: float, backend: str) -> None:
    # A vertex weighted 0.5/0.5 on two bones twisted θ apart about the tube axis:
    # LBS averages p and R(θ)p, radius r·|cos(θ/2)|; DQS rotates it by θ/2, radius r.
    r = 0.1
    model = tube_model(radius=r)
    skinner = Skinner(model, dtype=torch.float64, backend=backend)  # type: ignore[arg-type]
    pose = Pose.zeros(2).with_bone(1, [theta, 0.0, 0.0])
    middle = slice(2 * 16, 3 * 16)
    lbs = skinner.pose(pose, method="lbs").vertices[middle]
    dqs = skinner.pose(pose, method="dqs").vertices[middle]
    np.testing.assert_allclose(
        _radius(lbs), r * abs(np.cos(np.deg2rad(theta) / 2)), atol=1e-9
    )
    np.testing.assert_allclose(_radius(dqs), r, atol=1e-9)
    # the unblended ends are rigid under both methods
    for method in SKINNING_METHODS:
        end = skinner.pose(pose, method=method).vertices[-16:]
        np.testing.assert_allclose(_radius(end), r, atol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_identity_pose_returns_rest_mesh(backend: str) -> None:
    model = tube_model()
    skinner = Skinner(model, backend=backend)  # type: ignore[arg-type]
    for method in SKINNING_METHODS:
        posed = skinner.pose(Pose.zeros(2), method=method)
        np.testing.assert_allclose(posed.vertices, model.rest.vertices, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_dqs_equals_lbs_when_bones_share_a_transform(backend: str) -> None:
    # Rotating only the root moves both bones by the same G: every vertex's bones
    # share one transform, so the blends agree (and equal that rigid motion).
    model = tube_model()
    skinner = Skinner(model, backend=backend)  # type: ignore[arg-type]
    pose = Pose(
        np.array([[20.0, -35.0, 50.0], [0.0, 0.0, 0.0]]), np.array([0.1, 0.2, 0.3])
    )
    lbs = skinner.pose(pose, method="lbs").vertices
    dqs = skinner.pose(pose, method="dqs").vertices
    np.testing.assert_allclose(dqs, lbs, atol=1e-5)
    r = euler_to_matrix([20.0, -35.0, 50.0])
    np.testing.assert_allclose(
        lbs, model.rest.vertices @ r.T + [0.1, 0.2, 0.3], atol=1e-5
    )


def test_forward_kinematics_chain_by_hand() -> None:
    # Two bones: root at the origin, child head at (1, 0, 0).  Rotating the root 90°
    # about z carries the child's head to (0, 1, 0); the child's own extra 90° about z
    # makes its world rotation 180° about z.
    rest = np.tile(np.eye(4), (2, 1, 1))
    rest[1, :3, 3] = [1.0, 0.0, 0.0]
    rz90 = axis_angle_matrix([0, 0, 1], 90.0)
    world, g = forward_kinematics(rest, np.array([-1, 0]), np.stack([rz90, rz90]))
    np.testing.assert_allclose(world[1, :3, 3], [0.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(
        world[1, :3, :3], axis_angle_matrix([0, 0, 1], 180.0), atol=1e-12
    )
    # G maps the child's rest head onto its posed head
    np.testing.assert_allclose(
        g[1] @ [1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], atol=1e-12
    )


def test_volume_of_unit_cube_and_rotations() -> None:
    import trimesh

    box = trimesh.creation.box(extents=[1.0, 2.0, 3.0])
    assert mesh_volume(box.vertices, box.faces) == pytest.approx(6.0)
    r = euler_to_matrix([10.0, 20.0, 30.0])
    assert mesh_volume(box.vertices @ r.T + 5.0, box.faces) == pytest.approx(6.0)


def test_euler_round_trip_and_helpers() -> None:
    rng = np.random.default_rng(3)
    # within ±85° the angles are the smaller decomposition: they come back as is
    for angles in rng.uniform(-85, 85, (20, 3)):
        r = euler_to_matrix(angles)
        np.testing.assert_allclose(matrix_to_euler(r), angles, atol=1e-9)
    # R_x(90) takes y to z (right-handed)
    np.testing.assert_allclose(
        euler_to_matrix([90.0, 0.0, 0.0]) @ [0, 1, 0], [0, 0, 1], atol=1e-12
    )
    a, b = np.array([1.0, 2.0, 3.0]), np.array([-2.0, 0.5, 1.0])
    rot = rotation_between(a, b)
    np.testing.assert_allclose(
        rot @ a / np.linalg.norm(a), b / np.linalg.norm(b), atol=1e-12
    )
    np.testing.assert_allclose(rotation_between(a, -a) @ a, -a, atol=1e-12)


def test_dual_quaternion_of_a_rigid_transform() -> None:
    # A rotation by 90° about z then a shift t: q_r = (cos 45°, 0, 0, sin 45°) and the
    # translation recovered from 2 q_d q_r* is t.
    m = np.eye(4)
    m[:3, :3] = axis_angle_matrix([0, 0, 1], 90.0)
    m[:3, 3] = [1.0, 2.0, 3.0]
    dq = rigid_to_dual_quat(m[None])[0]
    c = np.cos(np.pi / 4)
    np.testing.assert_allclose(dq[:4], [c, 0.0, 0.0, c], atol=1e-12)
    w, v, dw, dv = dq[0], dq[1:4], dq[4], dq[5:]
    t = 2.0 * (w * dv - dw * v + np.cross(v, dv))
    np.testing.assert_allclose(t, [1.0, 2.0, 3.0], atol=1e-12)
    np.testing.assert_allclose(rigid_inverse(m[None])[0] @ m, np.eye(4), atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_weights_of_bone_and_bad_inputs(backend: str) -> None:
    model = tube_model()
    skinner = Skinner(model, backend=backend)  # type: ignore[arg-type]
    np.testing.assert_allclose(skinner.weights_of(1)[2 * 16 : 3 * 16], 0.5)
    np.testing.assert_allclose(model.dense_weights().sum(axis=1), 1.0)
    with pytest.raises(ValueError, match="bones"):
        skinner.pose(Pose.zeros(3))
    with pytest.raises(ValueError, match="lbs or dqs"):
        skinner.pose(Pose.zeros(2), method="blend")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="finite"):
        Pose(np.full((2, 3), np.nan))


def test_compiled_kinematics_match_the_reference_chain() -> None:
    # The compiled FK walks the same tree as forward_kinematics (numpy, by hand).
    model = tube_model()
    rng = np.random.default_rng(7)
    pose = Pose(rng.uniform(-90, 90, (2, 3)), rng.uniform(-1, 1, 3))
    compiled = Skinner(model, backend="kernels").kinematics(pose)
    reference = Skinner(model, backend="torch").kinematics(pose)
    for a, b in zip(compiled, reference, strict=True):
        np.testing.assert_allclose(a, b, atol=1e-12)


def test_kernels_skip_zero_weights_in_any_order() -> None:
    # A model whose weight rows are not sorted (a zero first) still skins right:
    # the kernels sort each row and stop at its non-zero entries.
    model = tube_model()
    shuffled = dataclasses.replace(
        model,
        skin_indices=np.concatenate(
            [np.zeros_like(model.skin_indices[:, :1]), model.skin_indices], axis=1
        ),
        skin_weights=np.concatenate(
            [np.zeros_like(model.skin_weights[:, :1]), model.skin_weights], axis=1
        ),
    )
    pose = Pose.zeros(2).with_bone(1, [90.0, 20.0, 0.0])
    for method in SKINNING_METHODS:
        expected = Skinner(model, backend="torch").pose(pose, method=method)
        got = Skinner(shuffled, backend="kernels").pose(pose, method=method)
        np.testing.assert_allclose(got.vertices, expected.vertices, atol=1e-5)


def test_backend_choice() -> None:
    model = tube_model()
    assert Skinner(model).backend == "kernels"  # numba is a dependency
    assert Skinner(model, backend="torch").backend == "torch"
    with pytest.raises(ValueError, match="unknown backend"):
        Skinner(model, backend="gpu")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="CPU"):
        Skinner(model, device="meta", backend="kernels")


def test_warm_up_falls_back_to_torch_when_the_kernels_fail(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = tube_model()
    skinner = Skinner(model)
    assert skinner.backend == "kernels"

    def broken(*args: object) -> None:
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(skinner._kernels, "lbs", broken)
    skinner.warm_up()
    assert skinner.backend == "torch" and "no compiler here" in skinner.fallback_reason
    pose = Pose.zeros(2).with_bone(1, [90.0, 0.0, 0.0])
    expected = Skinner(model, backend="torch").pose(pose).vertices
    np.testing.assert_allclose(skinner.pose(pose).vertices, expected, atol=1e-6)


def test_matrix_to_euler_gives_the_smaller_of_the_two_decompositions() -> None:
    from explorer.core.body.model import (
        axis_angle_matrix,
        euler_to_matrix,
        matrix_to_euler,
    )

    # a half turn about y is (0, 180, 0), not the equivalent (180, 0, 180)
    half_y = axis_angle_matrix([0.0, 1.0, 0.0], 180.0)
    np.testing.assert_allclose(matrix_to_euler(half_y), [0.0, 180.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(euler_to_matrix([180.0, 0.0, 180.0]), half_y, atol=1e-12)
    # small angles come back as they went in; every result rebuilds its matrix
    np.testing.assert_allclose(
        matrix_to_euler(euler_to_matrix([10.0, -20.0, 30.0])), [10.0, -20.0, 30.0]
    )
    rng = np.random.default_rng(3)
    for angles in rng.uniform(-180.0, 180.0, (200, 3)):
        r = euler_to_matrix(angles)
        back = matrix_to_euler(r)
        np.testing.assert_allclose(euler_to_matrix(back), r, atol=1e-9)
        assert np.abs(back).sum() <= np.abs(angles).sum() + 1e-6
        assert np.all(np.abs(back) <= 180.0 + 1e-9)
