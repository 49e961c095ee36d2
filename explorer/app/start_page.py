"""The start page is the course map: its chapters in order, each with its panels
and its lesson (issue 15), then the shortcuts and recent sessions."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from explorer.app.registry import PanelSpec
from explorer.app.shortcuts import SHORTCUTS
from explorer.core.data import asset_path
from explorer.panels.registry import COURSE, Chapter

_PICTURE_W = 200


def panel_picture(spec: PanelSpec, width: int = _PICTURE_W) -> QPixmap:
    """Return the panel's thumbnail (``assets/thumbnails/<id>.png``) or its icon."""
    for name in (f"thumbnails/{spec.id}.png", f"icons/{spec.icon}"):
        try:
            pix = QPixmap(str(asset_path(name)))
        except FileNotFoundError:
            continue
        if not pix.isNull():
            return pix.scaledToWidth(width, Qt.TransformationMode.SmoothTransformation)
    return QPixmap()


class StartPage(QScrollArea):
    """Greets a newcomer; emits ``panel_requested`` / ``session_requested``."""

    panel_requested = Signal(str)
    session_requested = Signal(str)
    lesson_requested = Signal(str)

    def __init__(
        self,
        panels: tuple[PanelSpec, ...],
        recent: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        inner = QWidget()
        layout = QVBoxLayout(inner)
        layout.setContentsMargins(24, 16, 24, 16)
        hello = QLabel(
            "<h1>Welcome to Explorer</h1>"
            "<p>The course, chapter by chapter: open a chapter's panel, press "
            "<b>Space</b> to start it and click around — or play its lesson, a "
            "guided walk through the chapter's argument (<b>PageDown</b> / "
            "<b>PageUp</b> step through it). Press <b>F5</b> for presentation mode "
            "when you project it in class.</p>"
        )
        hello.setWordWrap(True)
        layout.addWidget(hello)
        rows = QVBoxLayout()
        rows.setSpacing(10)
        index = {spec.id: i for i, spec in enumerate(panels)}
        by_id = {spec.id: spec for spec in panels}
        placed: set[str] = set()
        for number, chapter in enumerate(COURSE, start=1):
            rows.addWidget(self._chapter(number, chapter, by_id, index))
            placed.update(chapter.panels)
        for spec in panels:  # a registered panel outside the course map
            if spec.id not in placed:
                rows.addWidget(self._row(spec.title, [spec], index))
        layout.addLayout(rows)
        bottom = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._bottom = bottom
        keys = QLabel(
            "<h3>Keyboard</h3><table>"
            + "".join(
                f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                for k, v in SHORTCUTS[:10]
            )
            + "</table>"
        )
        self._keys = keys
        bottom.addWidget(keys, 1)
        recent_box = QVBoxLayout()
        recent_box.addWidget(QLabel("<h3>Recent sessions</h3>"))
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentSessions")
        self.recent_list.setWordWrap(True)
        self.recent_list.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        for path in recent:
            item = QListWidgetItem(Path(path).name)
            item.setToolTip(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent_list.addItem(item)
        if not recent:
            self.recent_list.addItem("No saved sessions yet (File ▸ Save session…)")
        self.recent_list.itemActivated.connect(self._on_recent_activated)
        self.recent_list.itemClicked.connect(self._on_recent_activated)
        recent_box.addWidget(self.recent_list)
        bottom.addLayout(recent_box, 1)
        layout.addLayout(bottom)
        layout.addStretch(1)
        self.setWidget(inner)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Put the shortcuts beside the recent sessions, or above them when narrow."""
        super().resizeEvent(event)
        room = self.viewport().width() - 48
        side_by_side = room >= self._keys.sizeHint().width() + 320
        self._bottom.setDirection(
            QBoxLayout.Direction.LeftToRight
            if side_by_side
            else QBoxLayout.Direction.TopToBottom
        )

    def _chapter(
        self,
        number: int,
        chapter: Chapter,
        by_id: dict[str, PanelSpec],
        index: dict[str, int],
    ) -> QWidget:
        specs = [by_id[p] for p in chapter.panels if p in by_id]
        lesson: Path | None = None
        if chapter.lesson:
            try:
                lesson = asset_path(f"lessons/{chapter.lesson}")
            except FileNotFoundError:
                lesson = None
        return self._row(f"{number}. {chapter.title}", specs, index, lesson)

    def _row(
        self,
        heading: str,
        specs: list[PanelSpec],
        index: dict[str, int],
        lesson: Path | None = None,
    ) -> QWidget:
        """One chapter: a picture, its title and summary, Open and Play buttons."""
        row = QFrame()
        row.setObjectName("formulaCard")
        line = QHBoxLayout(row)
        picture = QLabel()
        picture.setFixedWidth(_PICTURE_W)
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        if specs:
            picture.setPixmap(panel_picture(specs[0]))
        line.addWidget(picture)
        text = QVBoxLayout()
        title = QLabel(f"<b>{heading}</b>")
        title.setWordWrap(True)
        text.addWidget(title)
        summary = QLabel(
            " ".join(s.summary for s in specs)
            if specs
            else "<i>Its panel is being built.</i>"
        )
        summary.setWordWrap(True)
        summary.setEnabled(bool(specs))
        text.addWidget(summary)
        text.addStretch(1)
        line.addLayout(text, 1)
        buttons = QVBoxLayout()
        for spec in specs:
            buttons.addWidget(self._open_button(spec, index[spec.id]))
        if lesson is not None and specs:
            play = QPushButton("▶  Play the lesson")
            play.setObjectName(f"lesson-{specs[0].id}")
            play.setToolTip(f"Step through the lesson of {heading} ({lesson.name})")
            play.clicked.connect(lambda: self.lesson_requested.emit(str(lesson)))
            buttons.addWidget(play)
        buttons.addStretch(1)
        line.addLayout(buttons)
        return row

    def _open_button(self, spec: PanelSpec, index: int) -> QPushButton:
        shortcut = f"  (Ctrl+{index + 1})" if index < 9 else ""
        button = QPushButton(f"Open{shortcut}")
        button.setToolTip(f"Open the {spec.title} panel")
        button.clicked.connect(lambda: self.panel_requested.emit(spec.id))
        return button

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.session_requested.emit(str(path))
