"""The posing job on the one job control, the torch-free names, atomic pose files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from explorer.core import files as files_module
from explorer.core.body.pose import Pose, load_pose, save_pose
from explorer.core.body.service import (
    REQUEST_KEY,
    BodyProgress,
    PoseRequest,
    pose_service,
)
from explorer.core.progress import LocalControl
from tests.core.test_body_synthetic import tube_model


def _answers(items: list[BodyProgress]) -> list[BodyProgress]:
    return [i for i in items if i.meshes]


def _twist(degrees: float) -> Pose:
    return Pose.zeros(2).with_bone(1, [degrees, 0.0, 0.0])


def test_the_newest_request_wins_and_stopping_ends_the_service() -> None:
    control = LocalControl()
    service = pose_service(tube_model(), control=control, device="cpu")
    first = next(i for i in service if i.meshes)  # the rest pose
    assert first.request is not None and first.request.pose.is_rest()
    # three requests before the job looks: only the newest is served (no backlog)
    for degrees in (10.0, 20.0, 90.0):
        control.post(PoseRequest(_twist(degrees)), REQUEST_KEY)
    answer = next(service)
    assert answer.request is not None
    np.testing.assert_allclose(answer.request.pose.euler[1], [90.0, 0.0, 0.0])
    control.post(PoseRequest(_twist(45.0), "dqs", compare=True), REQUEST_KEY)
    answer = next(service)
    assert answer.request is not None and answer.request.pose.euler[1, 0] == 45.0
    assert set(answer.meshes) == {"lbs", "dqs"}
    # a 90° twist moves the far ring: the posed mesh is not the rest mesh
    assert np.abs(answer.meshes["dqs"].vertices - first.meshes["lbs"].vertices).max()
    control.stop_requested = True
    assert list(service) == []


def test_without_a_control_the_service_ends_after_the_rest_pose() -> None:
    items = list(pose_service(tube_model(), device="cpu"))
    answers = _answers(items)
    assert len(answers) == 1
    assert answers[0].request is not None and answers[0].request.pose.is_rest()


def test_names_import_without_torch() -> None:
    code = (
        "import sys, explorer.core.body.names as n; "
        "assert 'torch' not in sys.modules, 'torch'; "
        "assert n.SKINNING_METHODS == ('lbs', 'dqs'); print(len(n.PRESET_NAMES))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "7"


def test_a_failed_pose_save_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tube_model()
    path = tmp_path / "pose.json"
    save_pose(path, model, _twist(30.0))
    before = path.read_text()

    def broken(_fd: int) -> None:
        raise OSError("disk full")

    # the new content is written, then the disk fails before it is safe
    monkeypatch.setattr(files_module.os, "fsync", broken)
    with pytest.raises(OSError, match="disk full"):
        save_pose(path, model, _twist(60.0))
    monkeypatch.undo()
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pose.json"]
    assert json.loads(before)["rotations"]
    np.testing.assert_allclose(load_pose(path, model).euler, _twist(30.0).euler)
