"""Atomic writes: a failed write never damages the file that was there."""

from __future__ import annotations

from pathlib import Path
from typing import IO

import pytest

from explorer.core.files import atomic_open, atomic_write, atomic_write_all


def test_atomic_write_replaces_the_content(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.json"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_a_failure_inside_the_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half")
        raise RuntimeError("disk full")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_all_or_nothing_for_several_files(tmp_path: Path) -> None:
    first, second = tmp_path / "s.json", tmp_path / "s.npz"
    first.write_text("old json")
    second.write_text("old npz")

    def good(fh: IO[bytes]) -> None:
        fh.write(b"new")

    def bad(fh: IO[bytes]) -> None:
        fh.write(b"partial")
        raise ValueError("cannot encode")

    with pytest.raises(ValueError):
        atomic_write_all([(first, good), (second, bad)])
    assert first.read_text() == "old json" and second.read_text() == "old npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json", "s.npz"]
    atomic_write_all([(first, good), (second, good)])
    assert first.read_text() == "new" == second.read_text()


def test_written_files_get_the_usual_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    one = atomic_write(tmp_path / "a.png", b"x")
    (two,) = atomic_write_all([(tmp_path / "b.json", lambda fh: fh.write(b"{}"))])
    for path in (one, two):
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
