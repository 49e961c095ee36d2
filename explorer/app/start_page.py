"""The start page: what each panel teaches (a picture each), shortcuts, recents."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
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

_PICTURE_W = 300


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
            "<p>Each tool on the left lets you see one idea of deep learning at work: "
            "pick one, press <b>Space</b> to start it and click around. "
            "Press <b>F5</b> for presentation mode when you project it in class.</p>"
        )
        hello.setWordWrap(True)
        layout.addWidget(hello)
        grid = QGridLayout()
        grid.setSpacing(16)
        for i, spec in enumerate(panels):
            grid.addWidget(self._card(spec, i), i // 3, i % 3)
        layout.addLayout(grid)
        bottom = QHBoxLayout()
        keys = QLabel(
            "<h3>Keyboard</h3><table>"
            + "".join(
                f"<tr><td><b>{k}</b>&nbsp;&nbsp;</td><td>{v}</td></tr>"
                for k, v in SHORTCUTS[:10]
            )
            + "</table>"
        )
        bottom.addWidget(keys, 1)
        recent_box = QVBoxLayout()
        recent_box.addWidget(QLabel("<h3>Recent sessions</h3>"))
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentSessions")
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

    def _card(self, spec: PanelSpec, index: int) -> QWidget:
        card = QFrame()
        card.setObjectName("formulaCard")
        box = QVBoxLayout(card)
        picture = QLabel()
        picture.setPixmap(panel_picture(spec))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(picture)
        title = QLabel(f"<b>{spec.title}</b>")
        summary = QLabel(spec.summary)
        summary.setWordWrap(True)
        button = QPushButton(f"Open  (Ctrl+{index + 1})")
        button.setToolTip(f"Open the {spec.title} panel")
        button.clicked.connect(lambda: self.panel_requested.emit(spec.id))
        for w in (title, summary, button):
            box.addWidget(w)
        return card

    def _on_recent_activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.session_requested.emit(str(path))
