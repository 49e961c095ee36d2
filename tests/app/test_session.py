"""Session files: round trip with arrays, atomic writes, clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.app.session import (
    VERSION,
    Session,
    SessionError,
    load_session,
    save_session,
)


def test_round_trip_keeps_values_and_arrays(tmp_path: Path) -> None:
    weights = np.arange(12, dtype=np.float32).reshape(3, 4)
    session = Session(
        panels={
            "gan": {"lr": 1e-3, "objective": "wgan-gp", "nested": {"w": weights}},
            "rays": {"points": [np.array([1, 2, 3])], "flag": True},
        },
        active="gan",
    )
    written = save_session(tmp_path / "lecture", session)
    assert written.name == "lecture.explorer.json"
    assert (tmp_path / "lecture.explorer.npz").exists()
    back = load_session(written)
    assert back.active == "gan"
    assert back.panels["gan"]["lr"] == 1e-3
    np.testing.assert_array_equal(back.panels["gan"]["nested"]["w"], weights)
    assert back.panels["gan"]["nested"]["w"].dtype == np.float32
    np.testing.assert_array_equal(back.panels["rays"]["points"][0], [1, 2, 3])
    doc = json.loads(written.read_text())
    assert doc["version"] == VERSION and doc["format"] == "explorer-session"


def test_save_leaves_no_temporary_files(tmp_path: Path) -> None:
    save_session(tmp_path / "s.explorer.json", Session(panels={"a": {"x": 1}}))
    save_session(tmp_path / "s.explorer.json", Session(panels={"a": {"x": 2}}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.explorer.json"]
    assert load_session(tmp_path / "s.explorer.json").panels["a"]["x"] == 2


def test_failed_save_keeps_the_previous_file(tmp_path: Path) -> None:
    path = save_session(tmp_path / "s", Session(panels={"a": {"x": 1}}))
    with pytest.raises(ValueError):  # NaN is not JSON
        save_session(path, Session(panels={"a": {"x": float("nan")}}))
    assert load_session(path).panels["a"]["x"] == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        (
            '{"format": "something-else", "version": 1, "panels": {}}',
            "not an Explorer session",
        ),
        (
            '{"format": "explorer-session", "version": 99, "panels": {}}',
            "newer Explorer",
        ),
        (
            '{"format": "explorer-session", "version": "1", "panels": {}}',
            "no valid version",
        ),
        ('{"format": "explorer-session", "version": 1, "panels": [1]}', "damaged"),
        (
            '{"format": "explorer-session", "version": 1, "panels": {"a": '
            '{"w": {"__array__": "a0"}}}}',
            "lacks",
        ),
    ],
)
def test_bad_files_give_clear_messages(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.explorer.json"
    path.write_text(content)
    with pytest.raises(SessionError, match=message):
        load_session(path)


def test_missing_file_is_a_session_error(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="no such file"):
        load_session(tmp_path / "nope.explorer.json")


def test_arrays_file_is_never_unpickled(tmp_path: Path) -> None:
    path = save_session(tmp_path / "s", Session(panels={"a": {"w": np.zeros(2)}}))
    npz = tmp_path / "s.explorer.npz"
    np.savez(npz, a0=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(SessionError, match="damaged"):
        load_session(path)


def test_a_failed_save_leaves_the_previous_session_whole(tmp_path: Path) -> None:
    import numpy as np

    from explorer.app.session import Session, load_session, save_session

    path = save_session(
        tmp_path / "s", Session(panels={"gan": {"lr": 0.1, "pts": np.ones(3)}})
    )
    before = (path.read_bytes(), path.with_name("s.explorer.npz").read_bytes())
    with pytest.raises(SessionError, match=r"gan\.lr is not a finite number"):
        save_session(
            path, Session(panels={"gan": {"lr": float("nan"), "pts": np.zeros(3)}})
        )
    after = (path.read_bytes(), path.with_name("s.explorer.npz").read_bytes())
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "s.explorer.json",
        "s.explorer.npz",
    ]
    np.testing.assert_array_equal(load_session(path).panels["gan"]["pts"], np.ones(3))
