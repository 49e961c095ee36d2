"""``explorer body bones`` and ``explorer body pose``: JSON, exports, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explorer.cli import main
from explorer.core.body.model import euler_to_matrix
from tests.core.test_body_synthetic import write_smpl_npz


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    assert main(argv) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_bones_of_anny(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    doc = _json(capsys, ["body", "bones", "--json", "--cache-dir", str(tmp_path)])
    bones = doc["bones"]
    assert isinstance(bones, list) and len(bones) == 104
    assert bones[0] == {"name": "root", "parent": None}
    seen = set()
    for bone in bones:  # every parent is listed before its children
        assert bone["parent"] is None or bone["parent"] in seen
        seen.add(bone["name"])
    names = {b["name"]: b["parent"] for b in bones}
    assert names["lowerarm01.L"] == "upperarm02.L"


def test_pose_smpl_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    model = tmp_path / "tiny.npz"
    arrays = write_smpl_npz(model)
    doc = _json(capsys, ["body", "pose", "--model", str(model), "--json"])
    assert doc["vertices"] == 8 and doc["faces"] == 4 and doc["skinning"] == "lbs"
    np.testing.assert_allclose(
        doc["bbox_min"], arrays["v_template"].min(axis=0), atol=1e-6
    )
    # turning the root turns the whole body about the root joint
    doc = _json(
        capsys,
        [
            "body",
            "pose",
            "--model",
            str(model),
            "--json",
            "--rotate",
            "joint0=0,0,90",
            "--skinning",
            "dqs",
        ],
    )
    j0 = arrays["J_regressor"][0] @ arrays["v_template"]
    turned = (arrays["v_template"] - j0) @ euler_to_matrix([0, 0, 90]).T + j0
    np.testing.assert_allclose(doc["bbox_max"], turned.max(axis=0), atol=1e-5)
    assert doc["skinning"] == "dqs" and doc["correctives"] is True


def test_pose_export_and_pose_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import trimesh

    model = tmp_path / "tiny.npz"
    write_smpl_npz(model)
    out, pose_file = tmp_path / "posed.obj", tmp_path / "pose.json"
    first = _json(
        capsys,
        [
            "body",
            "pose",
            "--model",
            str(model),
            "--json",
            "--rotate",
            "joint1=30,0,0",
            "joint2=0,45,0",
            "--export",
            str(out),
            "--save-pose",
            str(pose_file),
        ],
    )
    mesh: Any = trimesh.load(out, process=False, force="mesh")
    assert len(mesh.vertices) == 8
    np.testing.assert_allclose(mesh.vertices.max(axis=0), first["bbox_max"], atol=1e-5)
    again = _json(
        capsys,
        ["body", "pose", "--model", str(model), "--json", "--pose", str(pose_file)],
    )
    assert again["bbox_max"] == first["bbox_max"]
    assert again["volume"] == first["volume"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--rotate", "elbow=1,2,3"], "unknown bone 'elbow'"),
        (["--rotate", "joint1=1,2"], "three finite angles"),
        (["--phenotype", "beta0=9"], "outside"),
        (["--phenotype", "height"], "key=value"),
        (["--export", "x.stl"], ".obj, .ply, .glb"),
        (["--preset", "moonwalk"], "unknown pose preset"),
        (["--preset", "T-pose"], "pose presets need a human rig"),
    ],
)
def test_pose_bad_input_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: list[str], message: str
) -> None:
    model = tmp_path / "tiny.npz"
    write_smpl_npz(model)
    assert main(["body", "pose", "--model", str(model), *extra]) == 2
    assert message in capsys.readouterr().err


def test_missing_model_file_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["body", "bones", "--model", str(tmp_path / "none.npz")]) == 2
    assert "no such model file" in capsys.readouterr().err
    assert main(["body", "bones", "--model", "smpl.pkl"]) == 2
    assert "unpickling" in capsys.readouterr().err
