"""The house's layout holds: one package per topic, the kit used, no stray timers.

These read the source tree (cheap, no Qt): what the panel-kit issue promised,
kept true as panels are added.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from explorer.app.registry import PANELS

ROOT = Path(__file__).parents[2] / "explorer"
MAX_LINES = 550  # "about 500": a little slack, no 900-line modules


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_core_never_touches_processes_or_shared_memory() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in _modules(ROOT / "core")
        if re.search(r"^\s*(import|from)\s+multiprocessing", p.read_text(), re.M)
    ]
    assert offenders == []


@pytest.mark.parametrize("spec", PANELS, ids=[s.id for s in PANELS])
def test_each_topic_is_a_core_package_with_names_and_a_panel_state(
    spec: object,
) -> None:
    topic = spec.id  # type: ignore[attr-defined]
    core = ROOT / "core" / topic
    assert (core / "__init__.py").is_file(), f"explorer/core/{topic}/ is no package"
    names = core / "names.py"
    assert names.is_file(), f"explorer/core/{topic}/names.py is missing"
    assert not re.search(r"^\s*(import|from)\s+torch", names.read_text(), re.M)
    state = ROOT / "panels" / topic / "state.py"
    assert state.is_file() and "StateBase" in state.read_text()


@pytest.mark.parametrize("spec", PANELS, ids=[s.id for s in PANELS])
def test_each_panel_is_built_from_the_kit(spec: object) -> None:
    topic = spec.id  # type: ignore[attr-defined]
    text = "\n".join(p.read_text() for p in _modules(ROOT / "panels" / topic))
    for piece in ("RunBar", "ControlsColumn", "Binder"):
        assert piece in text, f"the {topic} panel does not use the kit's {piece}"
    assert "QScrollArea(" not in text, f"the {topic} panel builds its own side column"


def test_only_the_body_animation_makes_its_own_timer() -> None:
    found = [
        str(p.relative_to(ROOT))
        for p in _modules(ROOT / "panels")
        if "QTimer(self)" in p.read_text()
    ]
    assert found == ["panels/body/panel.py"] or found == []


def test_no_core_or_panel_module_is_far_over_500_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules(ROOT / "core") + _modules(ROOT / "panels")
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_every_module_parses_without_a_cycle_between_topics() -> None:
    topics = {s.id for s in PANELS}
    for topic in topics:
        for path in _modules(ROOT / "core" / topic):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module:
                    parts = node.module.split(".")
                    if parts[:2] == ["explorer", "core"] and len(parts) > 2:
                        assert parts[2] not in topics - {topic}, (
                            f"{path.relative_to(ROOT)} imports core.{parts[2]}"
                        )
