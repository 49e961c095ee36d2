"""The anny body: Explorer's own FK + LBS agree with anny's forward; cache; presets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from explorer.core.body.anny_adapter import load_anny
from explorer.core.body.model import BodyModel, euler_to_matrix
from explorer.core.body.pose import Pose
from explorer.core.body.presets import PRESET_NAMES, preset_pose, world_directions
from explorer.core.body.skinning import SKINNING_METHODS, Skinner

PHENOTYPE = {"gender": 0.2, "age": 0.6, "weight": 0.8, "height": 0.3}


@pytest.fixture(scope="session")
def anny_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder shared by the session's anny bodies."""
    return tmp_path_factory.mktemp("anny-cache")


@pytest.fixture(scope="session")
def anny_reference() -> Iterator[Any]:
    """anny's own model with its default skinning (built once per session)."""
    anny = pytest.importorskip("anny")
    # Build inside no_grad but yield outside it: grad mode is global to the thread,
    # and a session fixture yielding inside the context would switch autograd off
    # for every later test.
    with torch.no_grad():
        model = anny.Anny()
    yield model


@pytest.fixture(scope="session")
def body(anny_cache: Path) -> BodyModel:
    """The anny body with a non-default phenotype."""
    return load_anny(anny_cache, PHENOTYPE)


def _random_pose(model: BodyModel, seed: int) -> Pose:
    rng = np.random.default_rng(seed)
    euler = rng.uniform(-40.0, 40.0, (model.n_bones, 3))
    return Pose(euler, rng.uniform(-0.2, 0.2, 3))


@pytest.mark.parametrize("backend", ["kernels", "torch"])
def test_lbs_matches_anny_forward(
    body: BodyModel, anny_reference: Any, backend: str
) -> None:
    from anny.utils.kinematics import forward_kinematic

    skinner = Skinner(body, backend=backend)  # type: ignore[arg-type]
    pose = _random_pose(body, seed=1)
    world, _ = skinner.kinematics(pose)
    with torch.no_grad():
        out = anny_reference(
            pose_parameters=torch.as_tensor(world)[None],
            phenotype_kwargs=PHENOTYPE,
            pose_parameterization="world",
        )
        # The same local rotations through anny's kinematic chain ("local-bone-world"
        # with the rest frames as reference: W_0 = P_0 D_0, W_c = W_p P_p⁻¹ P_c D_c).
        deltas = torch.eye(4, dtype=torch.float64).repeat(body.n_bones, 1, 1)
        deltas[:, :3, :3] = torch.as_tensor(euler_to_matrix(pose.euler))
        _, anny_world = forward_kinematic(
            (
                anny_reference.kinematic_chain_levels,
                anny_reference.kinematic_chain_indices,
            ),
            torch.as_tensor(body.rest.bone_frames)[None],
            deltas[None],
            "local-bone-world",
            None,
        )
    # same rest shape and bones for the phenotype
    np.testing.assert_allclose(
        body.rest.vertices, out["rest_vertices"][0].numpy(), atol=1e-9
    )
    np.testing.assert_allclose(
        body.rest.bone_frames, out["rest_bone_poses"][0].numpy(), atol=1e-9
    )
    # FK agrees with anny's chain (before the root shift, which anny has no part in)
    shifted = world.copy()
    shifted[:, :3, 3] -= pose.translation
    np.testing.assert_allclose(shifted, anny_world[0].numpy(), atol=1e-9)
    mine = skinner.pose(pose, method="lbs").vertices
    theirs = out["vertices"][0].numpy()
    assert np.abs(mine - theirs).max() <= 1e-4


def test_identity_pose_and_rigid_whole_body_motion(body: BodyModel) -> None:
    skinner = Skinner(body)
    rest = body.rest.vertices
    for method in SKINNING_METHODS:
        posed = skinner.pose(Pose.zeros(body.n_bones), method=method)
        assert np.abs(posed.vertices - rest).max() < 1e-5
    # Rotating the root by D moves every vertex by the root's G = T(t) P_0 D P_0⁻¹.
    d = euler_to_matrix([25.0, -60.0, 110.0])
    t = np.array([0.3, -0.1, 0.5])
    p0 = body.rest.bone_frames[0]
    r = p0[:3, :3] @ d @ p0[:3, :3].T
    expected = (rest - p0[:3, 3]) @ r.T + p0[:3, 3] + t
    pose = Pose(np.zeros((body.n_bones, 3)), t).with_bone(0, [25.0, -60.0, 110.0])
    for method in SKINNING_METHODS:
        posed = skinner.pose(pose, method=method)
        assert np.abs(posed.vertices - expected).max() < 1e-5
        assert posed.volume == pytest.approx(
            skinner.pose(Pose.zeros(body.n_bones)).volume, rel=1e-4
        )


def test_dqs_equals_lbs_where_bones_share_a_transform(body: BodyModel) -> None:
    # Bend the left forearm: vertices with no weight on it or its descendants have all
    # their bones moving with the identity, so DQS = LBS there; the elbow differs.
    skinner = Skinner(body)
    k = body.bone_index("lowerarm01.L")
    pose = Pose.zeros(body.n_bones).with_bone(k, [70.0, 40.0, 0.0])
    moved = {k}
    for b in range(body.n_bones):
        if body.bone_parents[b] in moved:
            moved.add(b)
    touched = np.isin(body.skin_indices, list(moved)) & (body.skin_weights > 0)
    same = ~touched.any(axis=1)
    lbs = skinner.pose(pose, method="lbs").vertices
    dqs = skinner.pose(pose, method="dqs").vertices
    assert same.sum() > 10_000
    assert np.abs(lbs[same] - dqs[same]).max() < 1e-6
    assert np.abs(lbs[~same] - dqs[~same]).max() > 1e-3


def test_compiled_kernels_agree_with_torch(body: BodyModel) -> None:
    # Same vertices, normals and volume from both backends, for both methods.
    pose = _random_pose(body, seed=4)
    compiled = Skinner(body, backend="kernels")
    reference = Skinner(body, backend="torch")
    for method in SKINNING_METHODS:
        a = compiled.pose(pose, method=method)
        b = reference.pose(pose, method=method)
        assert np.abs(a.vertices - b.vertices).max() < 1e-5
        # unit normals of tiny or sliver triangles are the most sensitive part
        assert np.abs(a.normals - b.normals).max() < 1e-3
        assert np.linalg.norm(a.normals, axis=1) == pytest.approx(1.0, abs=1e-5)
        assert a.volume == pytest.approx(b.volume, rel=1e-5)


def test_rest_shapes_are_cached_on_disk(tmp_path: Path, body: BodyModel) -> None:
    first = load_anny(tmp_path, PHENOTYPE)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert any(f.startswith("anny-rest-") for f in files)
    assert any(f.startswith("anny-topology-") for f in files)
    again = load_anny(tmp_path, PHENOTYPE)
    np.testing.assert_array_equal(again.rest.vertices, first.rest.vertices)
    np.testing.assert_array_equal(again.skin_indices, body.skin_indices)
    assert again.bone_names == body.bone_names
    # another phenotype changes the body, and its joints move with it
    tall = again.with_shape({**PHENOTYPE, "height": 1.0})
    assert np.ptp(tall.rest.vertices[:, 2]) > np.ptp(again.rest.vertices[:, 2]) + 0.05
    assert np.ptp(tall.rest.joints[:, 2]) > np.ptp(again.rest.joints[:, 2]) + 0.05
    with pytest.raises(ValueError, match="outside"):
        again.with_shape({"height": 1.5})
    with pytest.raises(ValueError, match="unknown phenotype parameter 'hair'"):
        again.with_shape({"hair": 0.5})


def test_presets_point_limbs_where_they_say(body: BodyModel) -> None:
    dirs = world_directions(body)
    skinner = Skinner(body)
    shoulder, elbow, wrist = (
        body.bone_index(n) for n in ("upperarm01.L", "lowerarm01.L", "wrist.L")
    )

    def unit(v: np.ndarray) -> np.ndarray:
        out: np.ndarray = v / np.linalg.norm(v)
        return out

    j = skinner.pose(preset_pose(body, "T-pose")).joints
    assert np.dot(unit(j[wrist] - j[shoulder]), dirs["left"]) > 0.999
    j = skinner.pose(preset_pose(body, "elbow bent")).joints
    assert np.dot(unit(j[wrist] - j[elbow]), dirs["front"]) > 0.999
    j = skinner.pose(preset_pose(body, "arm raised")).joints
    assert np.dot(unit(j[wrist] - j[shoulder]), dirs["up"]) > 0.95
    # a 180° twist is a half turn about the forearm bone's own y axis: the angles
    # read (0, 180, 0), not an equivalent (180, 0, −180), and the wrist, within a
    # tenth of a degree of that axis, stays where the T-pose put it (< 1 mm)
    t_pose = skinner.pose(preset_pose(body, "T-pose")).joints
    twisted = preset_pose(body, "forearm twisted 180°")
    twist_bone = body.bone_index("lowerarm02.L")
    np.testing.assert_allclose(twisted.euler[twist_bone], [0.0, 180.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(
        np.delete(twisted.euler, twist_bone, axis=0),
        np.delete(preset_pose(body, "T-pose").euler, twist_bone, axis=0),
    )
    moved = np.linalg.norm(skinner.pose(twisted).joints[wrist] - t_pose[wrist])
    assert moved < 1e-3
    # and it collapses the forearm under LBS, not under DQS
    lbs = skinner.pose(twisted, method="lbs")
    dqs = skinner.pose(twisted, method="dqs")
    assert lbs.volume < dqs.volume
    for name in PRESET_NAMES:
        assert preset_pose(body, name).n_bones == body.n_bones
    with pytest.raises(ValueError, match="unknown pose preset"):
        preset_pose(body, "moonwalk")
