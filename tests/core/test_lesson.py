"""Lesson files: schema, round trip, and messages that name the step and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from explorer.core.lesson import (
    MAX_CAPTION,
    Lesson,
    LessonError,
    Step,
    parse_lesson,
    read_lesson,
    save_lesson,
    validate_states,
)


def _doc(**step: Any) -> dict[str, Any]:
    base = {"panel": "gan", "state": {"seed": 3}, "caption": "Minimax stalls."}
    base.update(step)
    return {
        "format": "explorer-lesson",
        "version": 1,
        "title": "Mode collapse",
        "chapter": "GANs",
        "steps": [base, {"panel": "rf", "state": {}, "caption": "RF grows."}],
    }


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    lesson = Lesson(
        title="Mode collapse",
        chapter="GANs",
        steps=(
            Step("gan", {"seed": 3, "k": 5}, "Unrolled k = 5.", run_steps=200),
            Step("gan", {"seed": 3}, "Let it run.", start=True, highlight="loss"),
            Step("rf", {}, "r_l = r_{l−1} + (k_l − 1) j_{l−1}"),
        ),
    )
    path = save_lesson(tmp_path / "x.lesson.json", lesson)
    assert read_lesson(path) == lesson
    assert lesson.panels == ["gan", "rf"]
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["steps"][0]["run"] == {"steps": 200}
    assert doc["steps"][1]["run"] == {"start": True}
    assert "run" not in doc["steps"][2]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"run": {"steps": -3}}, "step 1: run.steps: -3 is out of range"),
        ({"run": {"steps": 0}}, "step 1: run.steps: 0 is out of range"),
        ({"run": {"steps": True}}, "step 1: run.steps: expected a whole number"),
        ({"run": {"steps": 2, "start": True}}, "step 1: run: expected exactly one"),
        ({"run": "go"}, "step 1: run: expected"),
        ({"caption": "x" * (MAX_CAPTION + 1)}, "step 1: caption: 2,001 characters"),
        ({"caption": 5}, "step 1: caption: expected text, got int"),
        ({"panel": ""}, "step 1: panel: expected a panel id"),
        ({"state": [1, 2]}, "step 1: state: expected an object"),
    ],
)
def test_bad_steps_are_named(change: dict[str, Any], words: str) -> None:
    with pytest.raises(LessonError) as info:
        parse_lesson(_doc(**change))
    assert words in str(info.value)


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ({"format": "explorer-session"}, "not a lesson"),
        ([], "not a lesson"),
        ({**_doc(), "version": 2}, "version 2 is not supported"),
        ({**_doc(), "version": -1}, "version -1 is not supported"),
        ({**_doc(), "version": "1"}, "version: expected a whole number"),
        ({**_doc(), "title": " "}, "title: a lesson needs a title"),
        ({**_doc(), "steps": []}, "steps: expected a non-empty list"),
        ({**_doc(), "steps": [3]}, "step 1: expected an object, got int"),
    ],
)
def test_bad_lessons_are_refused(doc: Any, words: str) -> None:
    with pytest.raises(LessonError) as info:
        parse_lesson(doc)
    assert words in str(info.value)


def test_files_go_through_the_guarded_reader(tmp_path: Path) -> None:
    deep = tmp_path / "deep.lesson.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    huge = tmp_path / "huge.lesson.json"
    with huge.open("wb") as fh:  # a 100 MB caption, sparse on disk
        fh.seek(100 * 1024 * 1024)
        fh.write(b"\n")
    digits = tmp_path / "digits.lesson.json"
    digits.write_text(json.dumps(_doc()).replace('"seed": 3', '"seed": ' + "9" * 5000))
    for path in (deep, huge, digits, tmp_path / "missing.lesson.json"):
        with pytest.raises(LessonError) as info:
            read_lesson(path)
        assert path.name in str(info.value)


def test_validate_states_names_unknown_panels_and_bad_fields() -> None:
    lesson = parse_lesson(_doc())

    def gan_check(state: Any) -> object:
        if not isinstance(state.get("seed"), int):
            raise ValueError("seed: expected a whole number")
        return state

    assert validate_states(lesson, {"gan": gan_check, "rf": dict}) == []
    bad = parse_lesson(_doc(state={"seed": "fast"}, panel="gann"))
    errors = validate_states(bad, {"gan": gan_check, "rf": dict})
    assert errors == ["step 1: panel: no panel 'gann' (known: gan, rf)"]
    bad = parse_lesson(_doc(state={"seed": "fast"}))
    assert validate_states(bad, {"gan": gan_check, "rf": dict}) == [
        "step 1: state: seed: expected a whole number"
    ]
