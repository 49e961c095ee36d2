"""Pose files on the command line: their shape comes back, another body's is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.cli import main
from tests.corpus.generate import POSE, smpl_arrays


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    np.savez(path, **smpl_arrays())  # type: ignore[arg-type]
    return path


def _pose(tmp_path: Path, **changes: object) -> Path:
    path = tmp_path / "pose.json"
    path.write_text(json.dumps({**POSE, **changes}))
    return path


def test_the_shape_saved_with_a_pose_is_restored(
    tmp_path: Path, model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pose = _pose(tmp_path, shape={"beta0": 1.5, "beta2": -0.5})
    assert (
        main(["body", "pose", "--model", str(model), "--pose", str(pose), "--json"])
        == 0
    )
    shape = json.loads(capsys.readouterr().out)["shape"]
    assert shape["beta0"] == 1.5 and shape["beta2"] == -0.5 and shape["beta1"] == 0.0
    # --phenotype on the command line wins over the file
    argv = ["body", "pose", "--model", str(model), "--pose", str(pose), "--json"]
    assert main([*argv, "--phenotype", "beta0=0.25"]) == 0
    shape = json.loads(capsys.readouterr().out)["shape"]
    assert shape["beta0"] == 0.25 and shape["beta2"] == -0.5


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"model": "anny"}, "unknown \"model\" 'anny'"),
        ({"model": 3}, '"model" must name a body'),
        ({"version": -1}, "no valid version number"),
        ({"rotations": {"joint1": [1e308, 0, 0]}}, "within ±360°"),
        ({"translation": [0, 1e308, 0]}, "within ±100 m"),
        ({"shape": {"beta0": 50}}, r"beta0 = 50.0 is outside \[-3, 3\]"),
    ],
)
def test_a_pose_for_another_body_or_with_absurd_values_is_refused(
    tmp_path: Path,
    model: Path,
    capsys: pytest.CaptureFixture[str],
    changes: dict[str, object],
    message: str,
) -> None:
    pose = _pose(tmp_path, **changes)
    assert main(["body", "pose", "--model", str(model), "--pose", str(pose)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    import re

    assert re.search(message, err), err
