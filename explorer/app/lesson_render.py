"""Render a lesson headless: one PNG per step and a PDF handout (issue 15).

Each step is played as the lesson bar plays it — the panel reset, the step's
state restored, its action run (exactly N steps, or the job started and, here,
paused after ``run_seconds``) — and the panel is rendered once nothing computes.
The PDF has one page per step: the lesson's title and step number, the picture
and the caption (QPdfWriter; no new dependency).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from explorer.app import registry
from explorer.app.errors import ErrorReporter
from explorer.app.settings import Settings
from explorer.core.lesson import Lesson
from explorer.panels.base import AppContext
from explorer.widgets.export import is_blank, save_png

RENDER_SIZE = (1400, 900)


class RenderError(RuntimeError):
    """A step could not be rendered (not ready in time, a failed job, blank)."""


def _pump(seconds: float) -> None:
    end = time.monotonic() + seconds
    while True:
        QCoreApplication.processEvents()
        if time.monotonic() >= end:
            return
        time.sleep(0.01)


def _wait(what: str, ready: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    stable = 0
    while stable < 3:  # settled three polls in a row: the last results are drawn
        QCoreApplication.processEvents()
        stable = stable + 1 if ready() else 0
        if time.monotonic() > deadline:
            raise RenderError(f"{what}: not ready after {timeout_s:.0f} s")
        time.sleep(0.05)


def render_lesson(
    lesson: Lesson,
    out_dir: Path,
    *,
    scale: float = 1.0,
    pdf: Path | None = None,
    run_seconds: float = 3.0,
    timeout_s: float = 180.0,
    panels: tuple[registry.PanelSpec, ...] | None = None,
) -> list[Path]:
    """Render every step of ``lesson`` to ``out_dir/01.png`` …; optionally a PDF.

    Raises
    ------
    RenderError
        When a step's state cannot be applied, its job fails, or it is not ready
        within ``timeout_s`` (the message names the step).
    """
    from explorer.app.main_window import MainWindow

    reporter = ErrorReporter()
    # Jobs on threads: a worker process's last yield can still be on its way to
    # the window when the job already holds, and a picture must be the same every
    # time (seen in CI).  The cost: four GAN runs share one core here.
    context = AppContext(
        report_error=reporter.sink, device="auto", training_backend="thread"
    )
    window = MainWindow(context, reporter, Settings(), panels=panels)
    window.resize(*RENDER_SIZE)
    window.show()
    written: list[Path] = []
    images: list[QImage] = []
    player = window.lesson_player
    try:
        player.lesson = lesson  # stepped below, one picture at a time
        for i, step in enumerate(lesson.steps):
            where = f"step {i + 1} ({step.panel})"
            player.go(i)
            if player.problem and not player.problem.startswith("(no control"):
                raise RenderError(f"{where}: {player.problem}")
            panel = window.panel(step.panel)
            _wait(where, panel.snapshot_ready, timeout_s)
            if step.start:
                _pump(run_seconds)
                if not panel.is_settled():
                    panel.start_pause()  # hold it: the picture must stand still
            _wait(where, panel.is_settled, timeout_s)
            banner = panel.error_banner.text
            if banner:
                raise RenderError(f"{where}: {banner}")
            image = panel.export_image(scale)
            if is_blank(image):
                raise RenderError(f"{where}: the rendered image is blank")
            images.append(image)
            written.append(save_png(image, out_dir / f"{i + 1:02d}.png"))
            panel.reset()
    finally:
        for p in window.panels.values():
            p.shutdown()
        window.close()
        window.deleteLater()
        QCoreApplication.processEvents()
    if pdf is not None:
        written.append(write_handout(lesson, images, pdf))
    return written


def write_handout(lesson: Lesson, images: list[QImage], pdf: Path) -> Path:
    """Write one A4 landscape page per step: title, step number, picture, caption."""
    pdf.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".tmp", dir=pdf.parent)
    os.close(fd)
    try:
        writer = QPdfWriter(tmp)
        writer.setResolution(150)
        writer.setTitle(lesson.title)
        writer.setCreator("Explorer")
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Landscape,
                QMarginsF(12, 12, 12, 12),
            )
        )
        painter = QPainter(writer)
        try:
            n = len(images)
            for i, (step, image) in enumerate(zip(lesson.steps, images, strict=True)):
                if i:
                    writer.newPage()
                _page(painter, writer, lesson, i, n, step.caption, image)
        finally:
            painter.end()
        os.replace(tmp, pdf)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return pdf


def _page(
    painter: QPainter,
    writer: QPdfWriter,
    lesson: Lesson,
    i: int,
    n: int,
    caption: str,
    image: QImage,
) -> None:
    page = QRectF(0, 0, writer.width(), writer.height())
    head = QTextDocument()
    head.setDefaultStyleSheet("body { font-family: 'DejaVu Sans'; }")
    head.setHtml(
        f"<span style='font-size:16pt'><b>{lesson.title}</b></span>"
        f"<span style='font-size:11pt; color:#555'> &nbsp; {lesson.chapter} · "
        f"step {i + 1} of {n}</span>"
    )
    # the document is laid out in points at 72 dpi; the writer draws at 150 dpi
    k = writer.resolution() / 72.0
    painter.save()
    painter.scale(k, k)
    head.setTextWidth(page.width() / k)
    head.drawContents(painter)
    head_h = head.size().height() * k
    body = QTextDocument()
    body.setHtml(f"<div style='font-size:13pt'>{caption}</div>")
    body.setTextWidth(page.width() / k)
    caption_h = body.size().height() * k
    painter.restore()
    gap = 0.03 * page.height()
    room = page.height() - head_h - caption_h - 2 * gap
    box = QRectF(0, head_h + gap, page.width(), room)
    size = QSizeF(image.width(), image.height())
    size.scale(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
    left = box.left() + (box.width() - size.width()) / 2
    target = QRectF(left, box.top(), size.width(), size.height())
    painter.drawImage(target, image)
    painter.save()
    painter.translate(0, target.bottom() + gap)
    painter.scale(k, k)
    body.drawContents(painter)
    painter.restore()
