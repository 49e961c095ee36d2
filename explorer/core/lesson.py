"""Lessons: a lecture as an ordered list of panel states with captions (issue 15).

A ``*.lesson.json`` file holds a title, the chapter it belongs to and its steps.
A step names a panel, that panel's state (the dict ``panel.state()`` returns and
sessions store), a caption, and optionally what to run on entering it and which
control to outline::

    {"format": "explorer-lesson", "version": 1,
     "title": "Mode collapse", "chapter": "GANs",
     "steps": [{"panel": "gan", "state": {...},
                "caption": "Minimax: D wins, G's gradient vanishes.",
                "run": {"steps": 200}, "highlight": "objective"}]}

``run`` is ``{"start": true}`` (start the job and let it run) or
``{"steps": N}`` (run exactly N steps with the state's seed: the same picture
every time).  Reading goes through :mod:`explorer.core.reading` (size, depth and
number limits); every problem is a :class:`LessonError` naming the step and the
field.  The panels' own state checks are the caller's (``validate_states``):
core knows no panel.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from explorer.core.files import atomic_write
from explorer.core.reading import FileError, MiB, read_json

FORMAT = "explorer-lesson"
VERSION = 1
MAX_BYTES = 4 * MiB
MAX_STEPS = 200
MAX_CAPTION = 2_000  # characters: a few sentences, read aloud in class
MAX_TITLE = 200
MAX_RUN_STEPS = 1_000_000
SUFFIX = ".lesson.json"


class LessonError(ValueError):
    """A lesson cannot be used; the message names the step and the field."""


@dataclass(frozen=True)
class Step:
    """One picture of a lesson: a panel, its state, a caption and what to run."""

    panel: str
    state: Mapping[str, Any]
    caption: str
    start: bool = False  # start the job on entering the step and let it run
    run_steps: int = 0  # or run exactly this many steps (0: none)
    highlight: str = ""  # the object name / state field of a control to outline

    def to_dict(self) -> dict[str, Any]:
        """Return the step as stored in the file."""
        out: dict[str, Any] = {
            "panel": self.panel,
            "state": dict(self.state),
            "caption": self.caption,
        }
        if self.start:
            out["run"] = {"start": True}
        elif self.run_steps:
            out["run"] = {"steps": self.run_steps}
        if self.highlight:
            out["highlight"] = self.highlight
        return out


@dataclass(frozen=True)
class Lesson:
    """A titled, ordered list of steps belonging to one chapter of the course."""

    title: str
    chapter: str
    steps: tuple[Step, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """Return the lesson as stored in the file."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "title": self.title,
            "chapter": self.chapter,
            "steps": [s.to_dict() for s in self.steps],
        }

    @property
    def panels(self) -> list[str]:
        """The panels the lesson visits, in order of first visit."""
        seen: list[str] = []
        for s in self.steps:
            if s.panel not in seen:
                seen.append(s.panel)
        return seen


def _text(doc: Mapping[str, Any], key: str, where: str, limit: int) -> str:
    value = doc.get(key, "")
    if not isinstance(value, str):
        raise LessonError(f"{where}{key}: expected text, got {type(value).__name__}")
    if len(value) > limit:
        raise LessonError(
            f"{where}{key}: {len(value):,} characters is too long (at most {limit:,})"
        )
    return value


def _run(step: Mapping[str, Any], where: str) -> tuple[bool, int]:
    run = step.get("run")
    if run is None:
        return False, 0
    if not isinstance(run, Mapping):
        raise LessonError(f"{where}run: expected {{'start': true}} or {{'steps': N}}")
    unknown = set(run) - {"start", "steps"}
    if unknown or len(run) != 1:
        raise LessonError(
            f"{where}run: expected exactly one of 'start' or 'steps', got {sorted(run)}"
        )
    if "start" in run:
        if not isinstance(run["start"], bool):
            raise LessonError(f"{where}run.start: expected true or false")
        return run["start"], 0
    n = run["steps"]
    if isinstance(n, bool) or not isinstance(n, int):
        raise LessonError(f"{where}run.steps: expected a whole number, got {n!r}")
    if not 1 <= n <= MAX_RUN_STEPS:
        raise LessonError(
            f"{where}run.steps: {n} is out of range (1 to {MAX_RUN_STEPS:,})"
        )
    return False, n


def parse_lesson(doc: Any) -> Lesson:
    """Return the lesson in the parsed JSON ``doc``.

    Raises
    ------
    LessonError
        For a document that is not a lesson of a known version, or a step with a
        missing or wrong field (the message names the step and the field).
    """
    if not isinstance(doc, Mapping) or doc.get("format") != FORMAT:
        raise LessonError(f'not a lesson (expected "format": "{FORMAT}")')
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise LessonError(f"version: expected a whole number, got {version!r}")
    if version != VERSION:
        raise LessonError(
            f"version {version} is not supported (this Explorer reads version "
            f"{VERSION})"
        )
    title = _text(doc, "title", "", MAX_TITLE)
    if not title.strip():
        raise LessonError("title: a lesson needs a title")
    chapter = _text(doc, "chapter", "", MAX_TITLE)
    raw_steps = doc.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError("steps: expected a non-empty list of steps")
    if len(raw_steps) > MAX_STEPS:
        raise LessonError(f"steps: {len(raw_steps)} steps (at most {MAX_STEPS})")
    steps: list[Step] = []
    for i, raw in enumerate(raw_steps, start=1):
        where = f"step {i}: "
        if not isinstance(raw, Mapping):
            raise LessonError(f"{where}expected an object, got {type(raw).__name__}")
        panel = raw.get("panel")
        if not isinstance(panel, str) or not panel:
            raise LessonError(f'{where}panel: expected a panel id such as "gan"')
        state = raw.get("state", {})
        if not isinstance(state, Mapping):
            raise LessonError(f"{where}state: expected an object of settings")
        start, run_steps = _run(raw, where)
        steps.append(
            Step(
                panel=panel,
                state=dict(state),
                caption=_text(raw, "caption", where, MAX_CAPTION),
                start=start,
                run_steps=run_steps,
                highlight=_text(raw, "highlight", where, MAX_TITLE),
            )
        )
    return Lesson(title=title, chapter=chapter, steps=tuple(steps))


def read_lesson(path: str | Path) -> Lesson:
    """Read and check the lesson file ``path``.

    Raises
    ------
    LessonError
        For an unreadable file or a malformed lesson; the message names the file.
    """
    try:
        doc = read_json(path, MAX_BYTES)
    except FileError as exc:
        raise LessonError(str(exc)) from None
    try:
        return parse_lesson(doc)
    except LessonError as exc:
        raise LessonError(f"{Path(path).name}: {exc}") from None


def save_lesson(path: str | Path, lesson: Lesson) -> Path:
    """Write ``lesson`` to ``path`` atomically (the previous file stays if it fails)."""
    import json

    def plain(obj: Any) -> Any:  # numpy arrays and scalars in panel states
        if hasattr(obj, "tolist"):
            return obj.tolist()
        raise TypeError(f"cannot store {type(obj).__name__} in a lesson")

    text = json.dumps(
        lesson.to_dict(), indent=2, ensure_ascii=False, allow_nan=False, default=plain
    )
    atomic_write(path, (text + "\n").encode("utf-8"))
    return Path(path)


StateCheck = Callable[[Mapping[str, Any]], object]


def validate_states(lesson: Lesson, checks: Mapping[str, StateCheck]) -> list[str]:
    """Return a message for each step whose panel is unknown or whose state is bad.

    ``checks`` maps each known panel id to a function that raises ``ValueError``
    (for example a state class's ``from_dict``) for a state it cannot use.
    """
    errors: list[str] = []
    for i, step in enumerate(lesson.steps, start=1):
        check = checks.get(step.panel)
        if check is None:
            known = ", ".join(sorted(checks))
            errors.append(f"step {i}: panel: no panel {step.panel!r} (known: {known})")
            continue
        try:
            check(step.state)
        except ValueError as exc:
            errors.append(f"step {i}: state: {exc}")
    return errors
