"""``explorer lesson check``: exit 0 for a playable lesson, 2 naming step and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from explorer.cli import main
from explorer.panels.gan.state import GanState
from explorer.panels.gridworld.state import GridState


def _write(tmp_path: Path, steps: list[dict[str, Any]], **top: Any) -> Path:
    doc = {"format": "explorer-lesson", "version": 1, "title": "T", "chapter": "C"}
    doc.update(top)
    doc["steps"] = steps
    path = tmp_path / "t.lesson.json"
    path.write_text(json.dumps(doc, default=lambda a: a.tolist()), encoding="utf-8")
    return path


def test_a_lesson_of_real_panel_states_checks_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    steps = [
        {"panel": "gan", "state": GanState().to_dict(), "caption": "a"},
        {"panel": "gridworld", "state": GridState().to_dict(), "caption": "b"},
        {"panel": "gan", "state": {}, "caption": "c", "run": {"steps": 5}},
    ]
    path = _write(tmp_path, steps)
    assert main(["lesson", "check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["steps"] == 3
    assert out["panels"] == ["gan", "gridworld"]
    assert out["errors"] == []


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ({"panel": "nope", "state": {}}, "step 1: panel: no panel 'nope'"),
        ({"panel": "gan", "state": {"seed": "fast"}}, "step 1: state: seed:"),
        ({"panel": "gan", "state": {"version": 99}}, "step 1: state: version 99"),
        ({"panel": "gan", "state": {}, "run": {"steps": -1}}, "run.steps: -1"),
    ],
)
def test_bad_steps_exit_2_with_the_step_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], step: dict[str, Any], words: str
) -> None:
    path = _write(tmp_path, [{**step, "caption": "x"}])
    assert main(["lesson", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and err.count("\n") == 1


def test_bad_json_and_unknown_version_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.lesson.json"
    broken.write_text('{"format": "explorer-lesson", ', encoding="utf-8")
    assert main(["lesson", "check", str(broken)]) == 2
    assert "broken.lesson.json" in capsys.readouterr().err
    path = _write(tmp_path, [{"panel": "gan", "caption": "x"}], version=7)
    assert main(["lesson", "check", str(path), "--json"]) == 2
    out = json.loads(capsys.readouterr().out)
    assert "version 7 is not supported" in out["errors"][0]


def test_a_saved_lesson_restores_the_same_panel_state(tmp_path: Path) -> None:
    from explorer.core.lesson import Lesson, Step, read_lesson, save_lesson

    state = GanState().replace(seed=11)
    path = save_lesson(
        tmp_path / "g.lesson.json",
        Lesson("GAN", "GANs", (Step("gan", state.to_dict(), "seed 11"),)),
    )
    assert main(["lesson", "check", str(path)]) == 0
    again = GanState.from_dict(read_lesson(path).steps[0].state)
    assert again.to_dict().keys() == state.to_dict().keys()
    assert again.seed == 11 and repr(again) == repr(state)


SHIPPED = sorted(
    (Path(__file__).parents[2] / "assets" / "lessons").glob("*.lesson.json")
)


def test_every_panel_ships_a_lesson() -> None:
    from explorer.panels.registry import COURSE, PANELS

    have = {p.name for p in SHIPPED}
    for spec in PANELS:
        chapter = next(c for c in COURSE if spec.id in c.panels)
        assert chapter.lesson in have, spec.id


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_lessons_check_out(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lesson", "check", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["errors"] == [] and 4 <= out["steps"] <= 8
