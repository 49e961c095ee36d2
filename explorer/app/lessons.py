"""Playing a lesson: the lesson bar along the window's bottom and its player (issue 15).

Entering a step switches to its panel, resets it, restores the step's state, runs
its action (start the job, or exactly N steps from the state's seed, so the same
picture appears every time) and outlines the highlighted control.  Leaving a step
for another panel stops that panel's job.  PageDown / PageUp (what presenter
clickers send) and → / ← drive it; Space keeps starting and pausing the panel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.core.lesson import Lesson, Step
from explorer.panels.base import PanelBase


class Host(Protocol):
    """What the player needs of the main window."""

    panels: dict[str, PanelBase]  # the panels opened so far

    def panel(self, panel_id: str) -> PanelBase: ...

    def show_panel(self, panel_id: str) -> None: ...


class LessonBar(QFrame):
    """Title, "step k of n", the caption in large type, Previous / Next / Restart."""

    previous_clicked = Signal()
    next_clicked = Signal()
    restart_clicked = Signal()
    close_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonBar")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 6, 10, 6)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("lessonTitle")
        self.position = QLabel()
        self.position.setObjectName("lessonPosition")
        top.addWidget(self.title, 1)
        top.addWidget(self.position)
        self.caption = QLabel()
        self.caption.setObjectName("lessonCaption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        # A long caption scrolls inside the bar: the panel above keeps its room.
        self.caption_scroll = QScrollArea()
        self.caption_scroll.setObjectName("lessonCaptionScroll")
        self.caption_scroll.setWidgetResizable(True)
        self.caption_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.caption_scroll.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        self.caption_scroll.setWidget(self.caption)
        self.problem = QLabel()
        self.problem.setObjectName("lessonProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        buttons = QHBoxLayout()
        self.previous = self._button("◀ Previous", "Previous step (PageUp, ←)")
        self.previous.clicked.connect(self.previous_clicked)
        self.restart = self._button(
            "↺ Restart step", "Show this step again from its start"
        )
        self.restart.clicked.connect(self.restart_clicked)
        self.next = self._button("Next ▶", "Next step (PageDown, →)")
        self.next.clicked.connect(self.next_clicked)
        close = self._button("Close lesson", "Leave the lesson; the panels stay")
        close.clicked.connect(self.close_clicked)
        for b in (self.previous, self.restart, self.next):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(close)
        outer.addLayout(top)
        outer.addWidget(self.caption_scroll, 1)
        outer.addWidget(self.problem)
        outer.addLayout(buttons)
        self.hide()

    def fit_height(self, window_height: int) -> None:
        """Keep the bar to at most a quarter of the window (the caption scrolls)."""
        self.setMaximumHeight(max(window_height // 4, 120))

    @staticmethod
    def _button(text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window
        return button

    def show_step(self, lesson: Lesson, index: int, problem: str = "") -> None:
        """Show step ``index`` (0-based) of ``lesson``."""
        step = lesson.steps[index]
        n = len(lesson.steps)
        self.title.setText(f"<b>{lesson.title}</b>  ·  {lesson.chapter}")
        self.position.setText(f"step {index + 1} of {n}")
        self.caption.setText(step.caption)
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        self.previous.setEnabled(index > 0)
        self.next.setEnabled(index < n - 1)
        self.show()


class _Outline(QFrame):
    """A ring drawn around the highlighted control (mouse clicks pass through)."""

    PAD = 4

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("lessonHighlight")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._target: QWidget | None = None
        self.hide()

    def follow(self, target: QWidget | None) -> None:
        if self._target is not None:
            self._target.removeEventFilter(self)
        self._target = target
        if target is None or target.parentWidget() is None:
            self.setParent(None)
            self.hide()
            return
        self.setParent(target.parentWidget())
        target.installEventFilter(self)
        self._place()
        self.show()
        self.raise_()

    def _place(self) -> None:
        if self._target is not None:
            self.setGeometry(
                self._target.geometry().adjusted(
                    -self.PAD, -self.PAD, self.PAD, self.PAD
                )
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._target and event.type() in (
            QEvent.Type.Move,
            QEvent.Type.Resize,
            QEvent.Type.Show,
            QEvent.Type.Hide,
        ):
            self._place()
            self.setVisible(self._target.isVisible())
        return False


def find_control(panel: PanelBase, name: str) -> QWidget | None:
    """Return the control a step highlights: a state field's widget, or by name."""
    binder = getattr(panel, "binder", None)
    bound = getattr(binder, "bound", None)
    widget = bound.get(name) if isinstance(bound, dict) else None
    if isinstance(widget, QWidget):
        return widget
    found = panel.findChild(QWidget, name)
    return found if isinstance(found, QWidget) else None


class LessonPlayer(QObject):
    """Steps through a :class:`Lesson` in a window; tells the bar what to show."""

    changed = Signal()

    def __init__(
        self, host: Host, bar: LessonBar, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._host = host
        self.bar = bar
        self.lesson: Lesson | None = None
        self.path: Path | None = None
        self.index = -1
        self.problem = ""
        self._outline = _Outline()
        self.on_step_entered: Callable[[Step, PanelBase], None] | None = None
        bar.previous_clicked.connect(self.previous)
        bar.next_clicked.connect(self.next)
        bar.restart_clicked.connect(self.restart)
        bar.close_clicked.connect(self.close)

    @property
    def active(self) -> bool:
        """Whether a lesson is open."""
        return self.lesson is not None

    def open(self, lesson: Lesson, path: Path | None = None, index: int = 0) -> None:
        """Show ``lesson`` from step ``index``."""
        self.lesson, self.path, self.index = lesson, path, -1
        self.go(index)

    def set_lesson(self, lesson: Lesson, index: int) -> None:
        """Replace the lesson being edited; show step ``index`` without running it."""
        self.lesson = lesson
        if not lesson.steps:
            self.index = -1
            self.bar.hide()
        else:
            self.index = min(max(index, 0), len(lesson.steps) - 1)
            self.bar.show_step(lesson, self.index, self.problem)
        self.changed.emit()

    def go(self, index: int) -> None:
        """Enter step ``index``: its panel, its state, its action, its highlight."""
        lesson = self.lesson
        if lesson is None or not lesson.steps:
            return
        index = min(max(index, 0), len(lesson.steps) - 1)
        step = lesson.steps[index]
        if 0 <= self.index < len(lesson.steps):
            leaving = lesson.steps[self.index].panel
            opened = self._host.panels.get(leaving)
            if leaving != step.panel and opened is not None:
                opened.reset()  # its job stops with the step
        self.index = index
        self._host.show_panel(step.panel)
        panel = self._host.panel(step.panel)
        panel.reset()
        self.problem = ""
        try:
            panel.restore(dict(step.state))
        except ValueError as exc:
            self.problem = f"This step's settings could not be applied: {exc}"
        if not self.problem:
            if step.run_steps:
                panel.run_steps(step.run_steps)
            elif step.start:
                panel.start_pause()
        control = find_control(panel, step.highlight) if step.highlight else None
        if step.highlight and control is None and not self.problem:
            self.problem = f"(no control called {step.highlight!r} to highlight)"
        self._outline.follow(control)
        self.bar.show_step(lesson, index, self.problem)
        if self.on_step_entered is not None:
            self.on_step_entered(step, panel)
        self.changed.emit()

    def next(self) -> None:
        """Go to the next step (PageDown, →)."""
        if self.lesson is not None and self.index < len(self.lesson.steps) - 1:
            self.go(self.index + 1)

    def previous(self) -> None:
        """Go back one step (PageUp, ←): the same picture as the first time."""
        if self.lesson is not None and self.index > 0:
            self.go(self.index - 1)

    def restart(self) -> None:
        """Show the current step again from its start."""
        if self.lesson is not None:
            self.go(self.index)

    def close(self) -> None:
        """Leave the lesson (the panels keep what they show)."""
        self.lesson, self.path, self.index = None, None, -1
        self._outline.follow(None)
        self.bar.hide()
        self.changed.emit()
