"""The README keeps its promises: CI test command, shortcuts, panels, top level."""

from __future__ import annotations

import re
from pathlib import Path

from explorer.app import registry
from explorer.app.shortcuts import SHORTCUTS

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", README, flags=re.S)


def test_readme_starts_with_install_and_test_commands_and_ci_runs_the_latter() -> None:
    install, test = _code_blocks()[:2]
    assert "pip install" in install and "explorer" in install
    assert "pytest" in test
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test.strip() in ci


def test_readme_lists_every_shortcut_and_panel() -> None:
    for keys, _ in SHORTCUTS:
        assert keys in README, keys
    for spec in registry.PANELS:
        assert spec.title in README, spec.title


def test_top_level_is_as_agreed() -> None:
    allowed = {
        "pyproject.toml",
        "README.md",
        "explorer",
        "assets",
        "tests",
        "packaging",
        ".ci",
        "benchmarks",
        "docs",
    }
    tracked = {p.name for p in ROOT.iterdir() if not p.name.startswith(".")}
    tracked |= {".ci"} if (ROOT / ".ci").exists() else set()
    ignored_build_dirs = {"shots", "build", "dist"}
    assert tracked - ignored_build_dirs <= allowed


def test_window_icon_is_the_desktop_icon() -> None:
    shipped = ROOT / "assets" / "icons" / "explorer.svg"
    desktop = ROOT / "packaging" / "linux" / "icons" / "explorer.svg"
    assert shipped.read_bytes() == desktop.read_bytes()
