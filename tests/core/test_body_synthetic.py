"""Synthetic bodies (a twisting tube, an SMPL-format file); SMPL adapter tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.body.model import BodyModel, RestShape, euler_to_matrix
from explorer.core.body.pose import Pose


def tube_model(radius: float = 0.1, rings: int = 5, per_ring: int = 16) -> BodyModel:
    """Return a tube along x: rings at x = −2…2 (×0.1 m) and two bones at the origin.

    Bone 0 (root) and bone 1 both have identity rest frames at the origin.  Ring
    ``i`` is weighted ``1 − s`` on bone 0 and ``s`` on bone 1, with
    s = 0, 0.25, 0.5, 0.75, 1 from the left end: the middle ring is 0.5 / 0.5.
    """
    xs = np.linspace(-0.2, 0.2, rings)
    angles = np.linspace(0.0, 2 * np.pi, per_ring, endpoint=False)
    verts, w1 = [], []
    for i, x in enumerate(xs):
        for a in angles:
            verts.append([x, radius * np.cos(a), radius * np.sin(a)])
            w1.append(i / (rings - 1))
    faces = []
    for i in range(rings - 1):
        for j in range(per_ring):
            a, b = i * per_ring + j, i * per_ring + (j + 1) % per_ring
            c, d = a + per_ring, b + per_ring
            faces += [[a, b, d], [a, d, c]]
    w = np.array(w1)
    weights = np.stack([1.0 - w, w], axis=1)
    indices = np.tile(np.array([0, 1]), (len(w), 1))
    order = np.argsort(-weights, axis=1, kind="stable")
    return BodyModel(
        name="tube",
        faces=np.array(faces, dtype=np.int64),
        bone_names=("root", "twist"),
        bone_parents=np.array([-1, 0]),
        skin_indices=np.take_along_axis(indices, order, axis=1).astype(np.int64),
        skin_weights=np.take_along_axis(weights, order, axis=1),
        rest=RestShape(np.array(verts), np.tile(np.eye(4), (2, 1, 1))),
    )


def write_smpl_npz(
    path: Path, *, seed: int = 0, object_array: bool = False
) -> dict[str, np.ndarray]:
    """Write a tiny SMPL-format model (3 joints in a chain, 8 vertices); return it.

    Vertices 0–3 are weighted fully on joint 0, 4–5 fully on joint 1, 6–7 half
    on joints 1 and 2.  The root's parent is stored as 2**32 − 1, as in SMPL files.
    """
    rng = np.random.default_rng(seed)
    v_template = rng.uniform(-1.0, 1.0, (8, 3))
    k, b = 3, 4
    weights = np.zeros((8, k))
    weights[:4, 0] = 1.0
    weights[4:6, 1] = 1.0
    weights[6:, 1:] = 0.5
    j_regressor = np.zeros((k, 8))
    j_regressor[0, :4] = 0.25
    j_regressor[1, 4:6] = 0.5
    j_regressor[2, 6:] = 0.5
    arrays: dict[str, np.ndarray] = {
        "v_template": v_template,
        "shapedirs": rng.normal(0.0, 0.01, (8, 3, b)),
        "posedirs": rng.normal(0.0, 0.01, (8, 3, 9 * (k - 1))),
        "J_regressor": j_regressor,
        "kintree_table": np.array([[2**32 - 1, 0, 1], [0, 1, 2]], dtype=np.uint32),
        "weights": weights,
        "f": np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [5, 6, 7]], dtype=np.uint32),
    }
    extra: dict[str, object] = {}
    if object_array:
        extra["weights"] = np.array([{"evil": "pickle"}], dtype=object)
    np.savez(path, **{**arrays, **extra})  # type: ignore[arg-type]
    return arrays


# -- the SMPL-format adapter --------------------------------------------------------


def test_smpl_npz_rest_shape_follows_betas(tmp_path: Path) -> None:
    from explorer.core.body.smpl_npz import load_smpl_npz

    path = tmp_path / "tiny_smpl.npz"
    arrays = write_smpl_npz(path)
    betas = {"beta0": 1.5, "beta2": -2.0}
    model = load_smpl_npz(path, betas)
    b = np.array([1.5, 0.0, -2.0, 0.0])
    # SMPL eqs. 8 and 10: v(β) = T + Σ β_b S_b and J(β) = 𝒥 v(β)
    verts = arrays["v_template"] + arrays["shapedirs"] @ b
    np.testing.assert_allclose(model.rest.vertices, verts, atol=1e-12)
    np.testing.assert_allclose(
        model.rest.joints, arrays["J_regressor"] @ verts, atol=1e-12
    )
    assert model.bone_parents.tolist() == [-1, 0, 1]
    assert model.shape_space is not None and model.shape_space.kind == "betas"
    reshaped = model.with_shape({"beta1": 0.5})
    np.testing.assert_allclose(
        reshaped.rest.vertices,
        arrays["v_template"] + arrays["shapedirs"] @ [0.0, 0.5, 0.0, 0.0],
        atol=1e-12,
    )


@pytest.mark.parametrize("backend", ["kernels", "torch"])
def test_smpl_npz_pose_correctives_and_lbs(tmp_path: Path, backend: str) -> None:
    from explorer.core.body.skinning import Skinner
    from explorer.core.body.smpl_npz import load_smpl_npz

    path = tmp_path / "tiny_smpl.npz"
    arrays = write_smpl_npz(path)
    model = load_smpl_npz(path)
    skinner = Skinner(model, dtype=torch.float64, backend=backend)  # type: ignore[arg-type]
    assert skinner.has_correctives
    pose = Pose.zeros(3).with_bone(1, [0.0, 0.0, 90.0])
    rz = euler_to_matrix([0.0, 0.0, 90.0])
    # SMPL eq. 9: p(θ) = Σ_n (vec(R(θ)) − vec(I))_n P_n over joints 1…K−1
    feat = np.concatenate([(rz - np.eye(3)).ravel(), np.zeros(9)])
    offsets = arrays["posedirs"] @ feat
    on = skinner.pose(pose, correctives=True).vertices
    off = skinner.pose(pose, correctives=False).vertices
    # vertices on the root do not move with joint 1: only the corrective shifts them
    np.testing.assert_allclose(on[:4] - off[:4], offsets[:4], atol=1e-12)
    np.testing.assert_allclose(off[:4], arrays["v_template"][:4], atol=1e-12)
    # vertices on joint 1 rotate rigidly about joint 1 (rest frames are world-aligned)
    j1 = model.rest.joints[1]
    rest = arrays["v_template"][4:6] + offsets[4:6]
    np.testing.assert_allclose(on[4:6], (rest - j1) @ rz.T + j1, atol=1e-12)


def test_smpl_npz_is_never_unpickled(tmp_path: Path) -> None:
    from explorer.core.body.smpl_npz import load_smpl_npz
    from explorer.core.data import DataFormatError

    path = tmp_path / "evil.npz"
    write_smpl_npz(path, object_array=True)
    with pytest.raises(DataFormatError, match="never unpickles"):
        load_smpl_npz(path)


def test_smpl_npz_clear_errors(tmp_path: Path) -> None:
    from explorer.core.body.loading import load_body
    from explorer.core.data import DataFormatError

    path = tmp_path / "partial.npz"
    np.savez(path, v_template=np.zeros((3, 3)))
    with pytest.raises(DataFormatError, match="'shapedirs' is missing"):
        load_body(path)
    bad = tmp_path / "bad_shape.npz"
    arrays = write_smpl_npz(tmp_path / "ok.npz")
    np.savez(bad, **{**arrays, "weights": np.ones((8, 2))})  # type: ignore[arg-type]
    with pytest.raises(DataFormatError, match=r"weights must be \(V, K\)"):
        load_body(bad)
    with pytest.raises(DataFormatError, match="unpickling"):
        load_body(tmp_path / "model.pkl")
    with pytest.raises(DataFormatError, match="no such model file"):
        load_body(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(DataFormatError, match="is not a model file"):
        load_body(tmp_path / "junk.npz")
    with pytest.raises(ValueError, match="outside"):
        load_body(tmp_path / "ok.npz", shape={"beta0": 7.0})
    with pytest.raises(ValueError, match="unknown betas parameter"):
        load_body(tmp_path / "ok.npz", shape={"height": 0.5})


def test_smpl_joint_names() -> None:
    from explorer.core.body.smpl_npz import joint_names

    assert joint_names(24)[18] == "left_elbow"
    assert joint_names(55)[22] == "jaw"
    assert len(set(joint_names(52))) == 52
    assert joint_names(3) == ("joint0", "joint1", "joint2")
