"""The corpus through the GUI's open paths: a one-line message, the state kept.

Each panel that opens a kind of file gets every malformed input of that kind
through ``open_file`` (the call File ▸ Open and drag-and-drop make; the main
window shows a ``ValueError`` / ``OSError`` as a message).  Sessions go through
``MainWindow.load_session_from``.  Anything else raised is a traceback in the
app; no exception at all is a silent acceptance; the panel's ``state()`` must
be what it was before.
"""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from explorer.panels.base import AppContext, PanelBase
from tests.corpus.generate import PWNED, Case, cases, smpl_arrays

WAIT_MS = 60_000


def _state_text(panel: PanelBase) -> str:
    return json.dumps(panel.state(), sort_keys=True, default=_plain)


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    return str(obj)


def _rf(qtbot: Any, context: AppContext, _: Path) -> PanelBase:
    from explorer.panels.rf.panel import RfPanel

    p = RfPanel(context)
    qtbot.waitUntil(p.snapshot_ready, timeout=WAIT_MS)
    return p


def _latent(qtbot: Any, context: AppContext, _: Path) -> PanelBase:
    from explorer.panels.latent.panel import LatentPanel

    p = LatentPanel(context)
    p.controls.cancel_pending()
    return p


def _gridworld(qtbot: Any, context: AppContext, _: Path) -> PanelBase:
    from explorer.panels.gridworld.panel import GridworldPanel

    return GridworldPanel(context)


def _gan(qtbot: Any, context: AppContext, _: Path) -> PanelBase:
    from explorer.panels.gan.panel import GanPanel

    return GanPanel(context)


def _rays(qtbot: Any, context: AppContext, _: Path) -> PanelBase:
    from explorer.panels.rays.panel import RaysPanel

    return RaysPanel(context)


def _body(qtbot: Any, context: AppContext, model: Path) -> PanelBase:
    """A body panel showing the tiny SMPL-format body (anny is not loaded)."""
    from explorer.core.body.loading import load_body
    from explorer.panels.body.panel import BodyPanel

    real = BodyPanel.load_model
    BodyPanel.load_model = lambda self, spec, source=None: None  # type: ignore[method-assign]
    try:
        p = BodyPanel(context)
    finally:
        BodyPanel.load_model = real  # type: ignore[method-assign]
    p.load_model(load_body(model), source=str(model))
    qtbot.waitUntil(lambda: p.model is not None and p.snapshot_ready(), timeout=WAIT_MS)
    return p


PanelMaker = Callable[[Any, AppContext, Path], PanelBase]

# (panel, the kinds it opens)
OPENERS: list[tuple[str, PanelMaker, tuple[str, ...]]] = [
    ("rf", _rf, ("stack", "image")),
    ("latent", _latent, ("checkpoint", "image", "idx")),
    ("gridworld", _gridworld, ("world",)),
    ("gan", _gan, ("csv",)),
    ("rays", _rays, ("mesh",)),
    ("body", _body, ("pose", "smpl")),
]


@pytest.fixture
def model(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    np.savez(path, **smpl_arrays())  # type: ignore[arg-type]
    return path


def _try_open(panel: PanelBase, case: Case, path: Path) -> str | None:
    try:
        panel.open_file(path)
    except (ValueError, OSError) as exc:  # what the main window shows
        message = f"{path.name}: {exc}".strip()
        return None if message and "\n" not in message else f"not one line: {message!r}"
    except Exception as exc:  # a traceback in the app: the bug the corpus finds
        return f"raised {type(exc).__name__}: {str(exc)[:200]}"
    return "accepted in silence"


@pytest.mark.parametrize(
    ("panel_id", "maker", "kinds"), OPENERS, ids=[o[0] for o in OPENERS]
)
def test_panels_refuse_malformed_files_and_keep_their_state(
    qtbot: Any,
    app_context: AppContext,
    tmp_path: Path,
    model: Path,
    panel_id: str,
    maker: PanelMaker,
    kinds: tuple[str, ...],
    capsys: pytest.CaptureFixture[str],
) -> None:
    panel = maker(qtbot, app_context, model)
    qtbot.addWidget(panel)
    before = _state_text(panel)
    problems: list[str] = []
    counted = 0
    try:
        for kind in kinds:
            for i, case in enumerate(cases(kind)):
                folder = tmp_path / f"{kind}-{i}"
                folder.mkdir()
                path = folder / f"input{case.suffix}"
                case.write(path)
                problem = _try_open(panel, case, path)
                counted += 1
                if (folder / PWNED).exists():
                    problem = "a payload in the file ran"
                if problem:
                    problems.append(f"{case.id}: {problem}")
        if _state_text(panel) != before:
            problems.append("the panel's state changed")
    finally:
        panel.shutdown()
    with capsys.disabled():
        print(f"\n{panel_id} panel: {counted} files, {len(problems)} problems")
    assert not problems, "\n".join(problems)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[Any]:
    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import Settings
    from tests.app.counter_panel import SPEC

    reporter = ErrorReporter(tmp_path / "log.txt")
    win = MainWindow(
        AppContext(report_error=reporter.sink), reporter, Settings(), (SPEC,)
    )
    qtbot.addWidget(win)
    yield win
    win.close()


def test_malformed_sessions_give_a_message_and_change_nothing(
    window: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    before = window.collect_session().panels
    problems: list[str] = []
    counted = 0
    for kind in ("session", "session-npz"):
        for i, case in enumerate(cases(kind)):
            folder = tmp_path / f"{kind}-{i}"
            folder.mkdir()
            path = folder / f"s{case.suffix}"
            case.write(path)
            if kind == "session-npz":
                path = path.with_name("s.explorer.json")
                path.write_text(
                    '{"format": "explorer-session", "version": 1, "panels": '
                    '{"counter": {"w": {"__array__": "a0"}}}}'
                )
            counted += 1
            shown.clear()
            if window.load_session_from(path):
                problems.append(f"{case.id}: accepted in silence")
            elif len(shown) != 1 or not shown[0].startswith(
                f"cannot load session {path.name}: "
            ):
                problems.append(f"{case.id}: message {shown!r}")
            if (folder / PWNED).exists():
                problems.append(f"{case.id}: a payload in the file ran")
    assert window.collect_session().panels == before
    with capsys.disabled():
        print(f"\nsessions: {counted} files, {len(problems)} problems")
    assert not problems, "\n".join(problems)


def test_malformed_lessons_give_one_message_and_change_nothing(
    qtbot: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Lesson ▸ Open, drag-and-drop and the start page all go through open_path."""
    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import Settings
    from explorer.core.lesson import read_lesson, validate_states
    from tests.corpus.generate import LESSON

    reporter = ErrorReporter(tmp_path / "log.txt")
    # every real panel is known (lessons name them); none opens unless a lesson plays
    win = MainWindow(AppContext(report_error=reporter.sink), reporter, Settings())
    qtbot.addWidget(win)
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    problems: list[str] = []
    lesson_cases = cases("lesson")
    try:
        for i, case in enumerate(lesson_cases):
            folder = tmp_path / f"lesson-{i}"
            folder.mkdir()
            path = folder / f"input{case.suffix}"
            case.write(path)
            shown.clear()
            try:
                opened = win.lesson_menu.open_path(path)
            except Exception as exc:  # a traceback in the app
                problems.append(f"{case.id}: raised {type(exc).__name__}: {exc}")
                continue
            if opened:
                problems.append(f"{case.id}: accepted in silence")
            elif len(shown) != 1 or "\n" in shown[0].strip() or not shown[0]:
                problems.append(f"{case.id}: message {shown!r}")
            if (folder / PWNED).exists():
                problems.append(f"{case.id}: a payload in the file ran")
        assert win.lesson_player.lesson is None and not win.lesson_bar.isVisible()
        assert win.current_panel() is None  # no panel was opened for a bad lesson
        assert not reporter.records
        # the valid lesson the cases were made from passes every check
        good = tmp_path / "good.lesson.json"
        good.write_text(json.dumps(LESSON))
        checks = {spec.id: spec.check_state for spec in win.specs}
        assert validate_states(read_lesson(good), checks) == []
    finally:
        win.close()
    with capsys.disabled():
        print(f"\nlessons: {len(lesson_cases)} files, {len(problems)} problems")
    assert not problems, "\n".join(problems)


def test_a_pose_file_restores_its_shape_in_the_body_panel(
    qtbot: Any, app_context: AppContext, tmp_path: Path, model: Path
) -> None:
    from tests.corpus.generate import POSE

    panel = _body(qtbot, app_context, model)
    qtbot.addWidget(panel)
    try:
        path = tmp_path / "pose.json"
        path.write_text(json.dumps({**POSE, "shape": {"beta0": 1.5}}))
        panel.open_file(path)
        assert panel.shape_sliders.values()["beta0"] == pytest.approx(1.5, abs=0.01)
        assert panel.pose is not None
        np.testing.assert_allclose(panel.pose.euler[1], [10.0, 0.0, 0.0])
        # a shape outside the body's range changes nothing
        path.write_text(json.dumps({**POSE, "shape": {"beta0": 50}}))
        with pytest.raises(ValueError, match=r"pose\.json: betas beta0 = 50\.0"):
            panel.open_file(path)
        assert panel.shape_sliders.values()["beta0"] == pytest.approx(1.5, abs=0.01)
    finally:
        panel.shutdown()
