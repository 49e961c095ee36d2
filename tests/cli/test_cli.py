"""The ``explorer`` command: version, list, snapshot, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from explorer import __version__
from explorer.app import registry
from explorer.cli import main
from tests.app.counter_panel import SPEC


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"explorer {__version__}"


def test_list_prints_one_id_per_line_and_json(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registry, "PANELS", (SPEC,))
    assert main(["list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["counter"]
    assert main(["list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"id": "counter", "title": "Counter"}
    ]


def test_registered_panels_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in listed] == [s.id for s in registry.PANELS]


def test_snapshot_unknown_panel_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["snapshot", "no-such-panel", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown panel 'no-such-panel'" in err


def test_snapshot_all_to_a_png_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["snapshot", "all", "--out", str(tmp_path / "x.png")]) == 2
    assert "must be a folder" in capsys.readouterr().err


def test_snapshot_writes_a_non_blank_png(
    qapp: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from PySide6.QtGui import QImage

    from explorer.widgets.export import is_blank

    monkeypatch.setattr(registry, "PANELS", (SPEC,))
    assert (
        main(["snapshot", "all", "--out", str(tmp_path), "--scale", "2", "--json"]) == 0
    )
    files = json.loads(capsys.readouterr().out)["files"]
    assert files == [str(tmp_path / "counter.png")]
    image = QImage(files[0])
    assert image.width() == 2 * 1400 and not is_blank(image)


def test_bad_arguments_exit_2_with_one_line() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "snapshot"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""
    assert "error: the following arguments are required" in proc.stderr
    assert "(see explorer snapshot --help)" in proc.stderr


def test_python_dash_m_runs_the_same_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "explorer", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0
    assert isinstance(json.loads(proc.stdout), list)


def test_unknown_panel_for_the_gui_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--panel", "nope"]) == 2
    assert "unknown panel 'nope'" in capsys.readouterr().err


def test_spawned_children_do_not_start_another_explorer() -> None:
    import runpy

    # multiprocessing's spawn re-runs the parent's main module as "__mp_main__"
    namespace = runpy.run_module("explorer", run_name="__mp_main__")
    assert "main" in namespace  # imported, not run (running it would raise SystemExit)
