"""Pose files, ``BONE=rx,ry,rz`` parsing and mesh export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explorer.core.body.export import export_mesh
from explorer.core.body.pose import (
    Pose,
    load_pose,
    parse_rotation,
    pose_from_json,
    save_pose,
)
from explorer.core.body.skinning import Skinner
from tests.core.test_body_synthetic import tube_model


def test_pose_file_round_trip(tmp_path: Path) -> None:
    model = tube_model()
    pose = Pose(
        np.array([[0.0, 0.0, 0.0], [10.0, -20.0, 30.5]]), np.array([0.0, 0.1, 0.0])
    )
    path = tmp_path / "pose.json"
    save_pose(path, model, pose)
    doc = json.loads(path.read_text())
    assert doc["rotations"] == {"twist": [10.0, -20.0, 30.5]}  # only rotated bones
    loaded = load_pose(path, model)
    np.testing.assert_array_equal(loaded.euler, pose.euler)
    np.testing.assert_array_equal(loaded.translation, pose.translation)
    assert not loaded.is_rest() and Pose.zeros(2).is_rest()


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"format": "other"}, "not an Explorer pose file"),
        ({"format": "explorer-body-pose", "version": 99}, "version"),
        (
            {
                "format": "explorer-body-pose",
                "version": 1,
                "rotations": {"tail": [1, 2, 3]},
            },
            "unknown bone 'tail'",
        ),
        (
            {
                "format": "explorer-body-pose",
                "version": 1,
                "rotations": {"twist": [1, 2]},
            },
            "three finite numbers",
        ),
        (
            {"format": "explorer-body-pose", "version": 1, "translation": "up"},
            "three finite numbers",
        ),
    ],
)
def test_bad_pose_documents(doc: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pose_from_json(tube_model(), doc)


def test_unreadable_pose_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{ not json")
    with pytest.raises(ValueError, match=r"cannot read pose file broken\.json"):
        load_pose(path, tube_model())


def test_parse_rotation() -> None:
    model = tube_model()
    bone, angles = parse_rotation(model, "twist=90,0,-45.5")
    assert bone == 1
    np.testing.assert_array_equal(angles, [90.0, 0.0, -45.5])
    with pytest.raises(ValueError, match="unknown bone 'elbow'"):
        parse_rotation(model, "elbow=1,2,3")
    with pytest.raises(ValueError, match="three finite angles"):
        parse_rotation(model, "twist=1,2")
    with pytest.raises(ValueError, match="must be numbers"):
        parse_rotation(model, "twist=a,b,c")
    with pytest.raises(ValueError, match="BONE=rx,ry,rz"):
        parse_rotation(model, "twist")


@pytest.mark.parametrize("suffix", [".obj", ".ply", ".glb"])
def test_export_keeps_one_vertex_per_model_vertex(tmp_path: Path, suffix: str) -> None:
    import trimesh

    model = tube_model()
    posed = Skinner(model).pose(Pose.zeros(2).with_bone(1, [90.0, 0.0, 0.0]))
    path = export_mesh(tmp_path / f"posed{suffix}", posed.vertices, model.faces)
    mesh: Any = trimesh.load(path, process=False, force="mesh")
    assert len(mesh.vertices) == model.n_vertices
    np.testing.assert_allclose(mesh.vertices, posed.vertices, atol=1e-5)
    np.testing.assert_array_equal(mesh.faces, model.faces)


def test_export_rejects_unknown_format(tmp_path: Path) -> None:
    model = tube_model()
    with pytest.raises(ValueError, match=r"cannot export a mesh as \.stl"):
        export_mesh(tmp_path / "a.stl", model.rest.vertices, model.faces)
