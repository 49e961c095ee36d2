"""``lesson render``: one non-blank PNG per step, the same twice, and a PDF handout."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.app.lesson_render import RenderError, render_lesson
from explorer.cli import main
from explorer.core.lesson import Lesson, Step, save_lesson
from explorer.widgets.export import is_blank
from tests.app.counter_panel import SPEC


def _pixels(path: Path) -> np.ndarray:
    from PIL import Image

    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def _pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


LESSON = Lesson(
    "Counting",
    "Chapter 0",
    (
        Step("counter", {"steps": 400}, "Forty values.", run_steps=40),
        Step("counter", {"steps": 400}, "Ten: <i>sin</i>(i / 5).", run_steps=10),
        Step("counter", {"steps": 30}, "Runs a moment.", start=True),
    ),
)


def test_render_writes_a_png_per_step_the_same_twice_and_a_pdf(
    qapp: Any, tmp_path: Path
) -> None:
    first = render_lesson(
        LESSON, tmp_path / "a", pdf=tmp_path / "h.pdf", panels=(SPEC,), run_seconds=0.5
    )
    assert [p.name for p in first] == ["01.png", "02.png", "03.png", "h.pdf"]
    for png in first[:3]:
        assert not is_blank(QImage(str(png)))
    assert _pages(tmp_path / "h.pdf") == 3
    again = render_lesson(LESSON, tmp_path / "b", panels=(SPEC,), run_seconds=0.5)
    for a, b in zip(first[:2], again[:2], strict=True):  # the N-step pictures
        np.testing.assert_array_equal(_pixels(a), _pixels(b))
    # forty steps and ten steps are different pictures
    assert not np.array_equal(_pixels(first[0]), _pixels(first[1]))


def test_a_step_that_cannot_be_applied_names_the_step(
    qapp: Any, tmp_path: Path
) -> None:
    bad = Lesson(
        "Bad", "C", (Step("counter", {}, "ok"), Step("counter", {"steps": -4}, "x"))
    )
    with pytest.raises(RenderError, match=r"step 2 \(counter\).*steps"):
        render_lesson(bad, tmp_path / "out", panels=(SPEC,))


def test_cli_renders_a_real_panel_and_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from explorer.panels.gridworld.state import GridState

    path = save_lesson(
        tmp_path / "rl.lesson.json",
        Lesson(
            "RL", "MDPs", (Step("gridworld", GridState().to_dict(), "VI", run_steps=3),)
        ),
    )
    out = tmp_path / "out"
    code = main(["lesson", "render", str(path), "--out", str(out), "--json"])
    assert code == 0, capsys.readouterr().err
    files = json.loads(capsys.readouterr().out)["files"]
    assert files == [str(out / "01.png")] and not is_blank(QImage(files[0]))
    bad = tmp_path / "bad.lesson.json"
    bad.write_text(json.dumps({"format": "explorer-lesson", "version": 1}))
    assert main(["lesson", "render", str(bad), "--out", str(out)]) == 2
    assert (
        main(["lesson", "render", str(path), "--out", str(out), "--seconds", "nan"])
        == 2
    )
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("explorer: error:") == 2
