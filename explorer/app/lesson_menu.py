"""The Lesson menu: open, play and author lessons from the app (issue 15).

Lesson ▸ New lesson / Add this view as a step (the active panel's state, a
caption and an action) / Edit caption / Move step up / down / Delete step /
Save lesson (written atomically).  A lesson made this way plays back to the same
pictures: a step stores the panel's whole state, seed included.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QMessageBox

from explorer.core.lesson import (
    SUFFIX,
    Lesson,
    LessonError,
    Step,
    read_lesson,
    save_lesson,
    validate_states,
)

if TYPE_CHECKING:
    from explorer.app.main_window import MainWindow

RUN_CHOICES = ("Nothing (just show the settings)", "Start the job", "Run N steps")


class LessonMenu:
    """Builds the Lesson menu of ``window`` and carries out its actions."""

    def __init__(self, window: MainWindow, menu: QMenu) -> None:
        self.window = window
        self.player = window.lesson_player
        w = window
        self.open_action = w._action("&Open lesson…", self.open_dialog, "Ctrl+L")
        self.new_action = w._action("&New lesson…", self.new_lesson)
        self.add_action = w._action(
            "&Add this view as a step…",
            self.add_step,
            "Ctrl+Shift+L",
            "Capture the active panel's settings as the next step",
        )
        self.caption_action = w._action("&Edit caption…", self.edit_caption)
        self.up_action = w._action("Move step &up", lambda: self.move(-1))
        self.down_action = w._action("Move step &down", lambda: self.move(1))
        self.delete_action = w._action("De&lete step", self.delete_step)
        self.save_action = w._action("&Save lesson…", self.save_dialog)
        self.close_action = w._action("&Close lesson", self.player.close)
        # The presenter's clicker sends PageDown / PageUp; arrows work too.  The
        # actions are enabled only while a lesson plays, so arrows move sliders
        # otherwise.
        self.next_action = w._action(
            "Next step", self.player.next, QKeySequence("PgDown")
        )
        self.next_action.setShortcuts([QKeySequence("PgDown"), QKeySequence("Right")])
        self.previous_action = w._action(
            "Previous step", self.player.previous, QKeySequence("PgUp")
        )
        self.previous_action.setShortcuts([QKeySequence("PgUp"), QKeySequence("Left")])
        for act in (self.open_action, self.new_action):
            menu.addAction(act)
        menu.addSeparator()
        for act in (self.next_action, self.previous_action):
            menu.addAction(act)
        menu.addSeparator()
        for act in (
            self.add_action,
            self.caption_action,
            self.up_action,
            self.down_action,
            self.delete_action,
        ):
            menu.addAction(act)
        menu.addSeparator()
        menu.addAction(self.save_action)
        menu.addAction(self.close_action)
        self.player.changed.connect(self.update_actions)
        self.update_actions()

    # -- state of the actions ---------------------------------------------------------
    def _steps(self) -> tuple[Step, ...]:
        lesson = self.player.lesson
        return lesson.steps if lesson is not None else ()

    def update_actions(self) -> None:
        """Enable what makes sense for the lesson (if any) and the step shown."""
        has_lesson = self.player.active
        n, i = len(self._steps()), self.player.index
        self.next_action.setEnabled(has_lesson and i < n - 1)
        self.previous_action.setEnabled(has_lesson and i > 0)
        self.add_action.setEnabled(has_lesson)
        for act in (self.caption_action, self.delete_action):
            act.setEnabled(has_lesson and n > 0)
        self.up_action.setEnabled(has_lesson and i > 0)
        self.down_action.setEnabled(has_lesson and 0 <= i < n - 1)
        self.save_action.setEnabled(has_lesson and n > 0)
        self.close_action.setEnabled(has_lesson)

    # -- playing ----------------------------------------------------------------------
    def open_path(self, path: Path) -> bool:
        """Open and play the lesson at ``path``; on failure say why and return False."""
        try:
            lesson = read_lesson(path)
        except LessonError as exc:
            QMessageBox.warning(self.window, "Cannot open lesson", str(exc))
            return False
        known = {spec.id for spec in self.window.specs}
        unknown = sorted({s.panel for s in lesson.steps} - known)
        if unknown:
            QMessageBox.warning(
                self.window,
                "Cannot open lesson",
                f"{path.name}: no panel called {', '.join(unknown)} in this Explorer",
            )
            return False
        # every step's settings are checked now (as `explorer lesson check` does),
        # not when the lecturer reaches the step in front of the class
        errors = validate_states(
            lesson, {spec.id: spec.check_state for spec in self.window.specs}
        )
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            QMessageBox.warning(
                self.window, "Cannot open lesson", f"{path.name}: {errors[0]}{more}"
            )
            return False
        self.player.open(lesson, path)
        return True

    def open_dialog(self) -> None:
        """Ask for a lesson file and play it."""
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open lesson", "", f"Lessons (*{SUFFIX});;JSON (*.json)"
        )
        if path:
            self.open_path(Path(path))

    # -- authoring --------------------------------------------------------------------
    def new_lesson(self) -> None:
        """Start an empty lesson (asks for its title and chapter)."""
        title, ok = QInputDialog.getText(self.window, "New lesson", "Title:")
        if not ok or not title.strip():
            return
        chapter, ok = QInputDialog.getText(
            self.window, "New lesson", "Chapter of the course:"
        )
        if not ok:
            return
        self.player.close()
        self.player.lesson = Lesson(title.strip(), chapter.strip(), ())
        self.player.index = -1
        self.player.changed.emit()
        self.window.statusBar().showMessage(
            "New lesson: show a view, then Lesson ▸ Add this view as a step", 8000
        )

    def _ask_caption(self, title: str, text: str = "") -> str | None:
        caption, ok = QInputDialog.getMultiLineText(
            self.window, title, "Caption (a few sentences; HTML allowed):", text
        )
        return caption.strip() if ok else None

    def add_step(self) -> None:
        """Capture the active panel's state as the step after the current one."""
        lesson = self.player.lesson
        panel = self.window.current_panel()
        if lesson is None:
            return
        if panel is None:
            QMessageBox.information(
                self.window, "Add step", "Open a panel first: a step shows a panel."
            )
            return
        caption = self._ask_caption("Add step")
        if caption is None:
            return
        choice, ok = QInputDialog.getItem(
            self.window,
            "Add step",
            "On entering the step:",
            list(RUN_CHOICES),
            0,
            False,
        )
        if not ok:
            return
        start, run_steps = False, 0
        if choice == RUN_CHOICES[1]:
            start = True
        elif choice == RUN_CHOICES[2]:
            run_steps, ok = QInputDialog.getInt(
                self.window, "Add step", "Steps to run:", 100, 1, 1_000_000
            )
            if not ok:
                return
        step = Step(
            panel=panel.panel_id,
            state=panel.state(),
            caption=caption,
            start=start,
            run_steps=run_steps,
        )
        steps = list(lesson.steps)
        at = self.player.index + 1
        steps.insert(at, step)
        self.player.set_lesson(dataclasses.replace(lesson, steps=tuple(steps)), at)

    def edit_caption(self) -> None:
        """Edit the caption of the step shown."""
        lesson, i = self.player.lesson, self.player.index
        if lesson is None or not 0 <= i < len(lesson.steps):
            return
        caption = self._ask_caption("Edit caption", lesson.steps[i].caption)
        if caption is None:
            return
        steps = list(lesson.steps)
        steps[i] = dataclasses.replace(steps[i], caption=caption)
        self.player.set_lesson(dataclasses.replace(lesson, steps=tuple(steps)), i)

    def move(self, by: int) -> None:
        """Move the step shown up (-1) or down (+1)."""
        lesson, i = self.player.lesson, self.player.index
        if lesson is None or not 0 <= i + by < len(lesson.steps) or i < 0:
            return
        steps = list(lesson.steps)
        steps[i], steps[i + by] = steps[i + by], steps[i]
        self.player.set_lesson(dataclasses.replace(lesson, steps=tuple(steps)), i + by)

    def delete_step(self) -> None:
        """Delete the step shown."""
        lesson, i = self.player.lesson, self.player.index
        if lesson is None or not 0 <= i < len(lesson.steps):
            return
        steps = list(lesson.steps)
        del steps[i]
        self.player.set_lesson(dataclasses.replace(lesson, steps=tuple(steps)), i)

    def save_dialog(self) -> None:
        """Ask where to save the lesson and write it atomically."""
        lesson = self.player.lesson
        if lesson is None:
            return
        start = str(self.player.path) if self.player.path else f"lesson{SUFFIX}"
        path, _ = QFileDialog.getSaveFileName(
            self.window, "Save lesson", start, f"Lessons (*{SUFFIX})"
        )
        if path:
            self.save_to(Path(path))

    def save_to(self, path: Path) -> Path | None:
        """Write the lesson to ``path`` (``.lesson.json`` added); None on failure."""
        lesson = self.player.lesson
        if lesson is None:
            return None
        if not path.name.endswith(SUFFIX):
            path = path.with_name(path.name.removesuffix(".json") + SUFFIX)
        try:
            written = save_lesson(path, lesson)
        except (OSError, ValueError, TypeError) as exc:
            QMessageBox.warning(self.window, "Cannot save lesson", f"{path}: {exc}")
            return None
        self.player.path = written
        self.window.statusBar().showMessage(f"Lesson saved to {written}", 8000)
        return written


def is_lesson_file(path: Path) -> bool:
    """Whether ``path`` names a lesson (by its ``.lesson.json`` suffix)."""
    return path.name.endswith(SUFFIX)
