"""Does a window fit? Finds text that is cut off and content that scrolls sideways.

Issue 14's presentation check: at 1280 × 720 and 1920 × 1080, ×2, no visible label,
button, check box, combo box or table cell is narrower than its text, and no side
column, table or panel needs horizontal scrolling.  ``fit_problems(window)`` lists
every such place in words ("gan › QPushButton 'Reset': text needs 96 px, has 80").

Run it by hand to look at a panel (it saves a screenshot and prints the problems)::

    Xvfb :99 -screen 0 1920x1080x24 &
    DISPLAY=:99 QT_QPA_PLATFORM=xcb python -m tests.app.fit gan --size 1280x720 \
        --presentation --run 4 --out /tmp/gan.png
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QStyleOptionComboBox,
    QTableView,
    QWidget,
)

# One pixel of slack: Qt rounds font metrics and geometry differently.
SLACK = 1


def _name(w: QWidget) -> str:
    kind = type(w).__name__
    text = ""
    if isinstance(w, (QLabel, QAbstractButton)):
        text = w.text()
    elif isinstance(w, QComboBox):
        text = w.currentText()
    text = " ".join(text.split())
    if len(text) > 40:
        text = text[:37] + "…"
    name = w.objectName()
    return f"{kind}{'#' + name if name else ''} {text!r}"


def _shown(w: QWidget, root: QWidget) -> bool:
    """Visible, inside a non-empty area and not scrolled out of its viewport."""
    if not w.isVisibleTo(root) or not w.isVisible():
        return False
    return w.width() > 0 and w.height() > 0


def _label_problem(w: QLabel) -> str | None:
    if w.pixmap() is not None and not w.pixmap().isNull():
        return None
    if not w.text().strip():
        return None
    rect = w.contentsRect()
    if w.wordWrap():
        need = w.heightForWidth(rect.width()) if w.hasHeightForWidth() else -1
        if need > 0 and need > w.height() + SLACK:
            return f"wrapped text needs {need} px of height, has {w.height()}"
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(w.font())
        if Qt.mightBeRichText(w.text()) or w.textFormat() == Qt.TextFormat.RichText:
            doc.setHtml(w.text())
        else:
            doc.setPlainText(w.text())
        doc.setTextWidth(rect.width())
        widest = math.ceil(doc.idealWidth())
        if widest > rect.width() + SLACK:
            return f"a line that cannot wrap needs {widest} px, has {rect.width()}"
        return None
    hint = w.sizeHint()
    if hint.width() > w.width() + SLACK:
        return f"text needs {hint.width()} px, has {w.width()}"
    if w.fontMetrics().height() > w.height() + SLACK:
        return f"text needs {w.fontMetrics().height()} px of height, has {w.height()}"
    return None


def _button_problem(w: QAbstractButton) -> str | None:
    if not w.text().strip():
        return None
    fm = w.fontMetrics()
    text_w = fm.horizontalAdvance(w.text().replace("&&", "\0").replace("&", ""))
    if isinstance(w, (QCheckBox, QRadioButton)):
        opt = QStyleOptionButton()
        opt.initFrom(w)
        opt.text = w.text()
        element = (
            QStyle.SubElement.SE_CheckBoxContents
            if isinstance(w, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonContents
        )
        have = w.style().subElementRect(element, opt, w).width()
        if text_w > have + SLACK:
            return f"text needs {text_w} px, has {have}"
        return None
    hint = w.sizeHint().width()
    if hint > w.width() + SLACK and text_w + 8 > w.width():
        return f"text needs {hint} px, has {w.width()}"
    return None


def _combo_problem(w: QComboBox) -> str | None:
    text = w.currentText()
    if not text.strip():
        return None
    opt = QStyleOptionComboBox()
    opt.initFrom(w)
    opt.editable = w.isEditable()
    field = w.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox,
        opt,
        QStyle.SubControl.SC_ComboBoxEditField,
        w,
    )
    need = w.fontMetrics().horizontalAdvance(text)
    if w.iconSize().width() > 0 and not w.itemIcon(w.currentIndex()).isNull():
        need += w.iconSize().width() + 4
    if need > field.width() + SLACK:
        return f"current item needs {need} px, has {field.width()}"
    return None


def _table_problems(w: QTableView) -> list[str]:
    model = w.model()
    if model is None:
        return []
    out: list[str] = []
    fm = w.fontMetrics()
    viewport = w.viewport().rect()
    for col in range(model.columnCount()):
        if w.isColumnHidden(col):
            continue
        width = w.columnWidth(col)
        header = model.headerData(col, Qt.Orientation.Horizontal)
        if header is not None and w.horizontalHeader().isVisible():
            hfm = w.horizontalHeader().fontMetrics()
            need = hfm.horizontalAdvance(str(header)) + 8
            if need > width + SLACK:
                out.append(
                    f"column {col} header {str(header)!r} needs {need} px, has {width}"
                )
        for row in range(model.rowCount()):
            if w.isRowHidden(row):
                continue
            rect = w.visualRect(model.index(row, col))
            if not rect.intersects(viewport):
                continue
            text = model.index(row, col).data()
            if text is None:
                continue
            need = fm.horizontalAdvance(str(text)) + 8
            if need > width + SLACK:
                out.append(
                    f"cell ({row}, {col}) {str(text)!r} needs {need} px, has {width}"
                )
                break
    return out


def _scrolls_sideways(w: QAbstractScrollArea) -> bool:
    if w.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
        return False
    bar = w.horizontalScrollBar()
    return bar.maximum() > bar.minimum()


def _outside(w: QWidget, window: QWidget) -> bool:
    """Whether ``w`` reaches past the window's right or bottom edge.

    Inside a vertically scrolled viewport, the viewport's bottom counts: a label
    half scrolled out of a column is scrolled, not cut off.
    """
    top_left = w.mapTo(window, QPoint(0, 0))
    rect = QRect(top_left, w.size())
    scroll = w.parentWidget()
    while scroll is not None and not (
        isinstance(scroll, QAbstractScrollArea) and scroll.viewport().isAncestorOf(w)
    ):
        scroll = scroll.parentWidget()
    if scroll is not None:  # scrolled content: only the part its viewport shows
        vp = scroll.viewport()
        rect = rect.intersected(QRect(vp.mapTo(window, QPoint(0, 0)), vp.size()))
    area = window.rect()
    return rect.right() > area.right() + SLACK or rect.bottom() > area.bottom() + SLACK


def _in_clipped_scroll(w: QWidget, root: QWidget) -> bool:
    """Whether ``w`` lies in a scroll area's viewport but outside what it shows."""
    parent = w.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(
            w
        ):
            vp = parent.viewport()
            top_left = w.mapTo(vp, QPoint(0, 0))
            if not QRect(top_left, w.size()).intersects(vp.rect()):
                return True
        parent = parent.parentWidget()
    return False


def _clipped_by(w: QWidget, window: QWidget) -> str | None:
    """Name the ancestor that cuts ``w`` off (sideways, or below, unscrolled)."""
    parent = w.parentWidget()
    while parent is not None:
        top_left = w.mapTo(parent, QPoint(0, 0))
        rect = QRect(top_left, w.size())
        if rect.right() > parent.width() - 1 + SLACK:
            return f"cut off on the right by {type(parent).__name__}"
        scrolled = isinstance(parent.parentWidget(), QAbstractScrollArea)
        if not scrolled and rect.bottom() > parent.height() - 1 + SLACK:
            return f"cut off at the bottom by {type(parent).__name__}"
        if scrolled:
            break  # inside a scrolled viewport: vertical scrolling is allowed
        if parent is window:
            break
        parent = parent.parentWidget()
    return None


def _plot_label_problems(view: QWidget) -> list[str]:
    """Plot titles and axis labels (pyqtgraph items) narrower than their text."""
    import pyqtgraph as pg

    if not isinstance(view, pg.GraphicsView):
        return []
    out: list[str] = []
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.scene().items():
        if not isinstance(item, pg.LabelItem) or not item.isVisible():
            continue
        text = item.item.toPlainText().strip()
        if not text:
            continue
        need = item.item.boundingRect().width()
        have = item.boundingRect().width()
        box = item.mapRectToScene(item.boundingRect())
        short = text if len(text) <= 30 else text[:27] + "…"
        if need > have + 2 * SLACK + 1:
            out.append(f"plot label {short!r} needs {need:.0f} px, has {have:.0f}")
        elif (
            box.right() > visible.right() + SLACK or box.left() < visible.left() - SLACK
        ):
            out.append(f"plot label {short!r} reaches past its view")
    return out


def _axis_tick_problems(view: QWidget) -> list[str]:
    """Tick numbers an axis cannot fit, which pyqtgraph drops without a word.

    A vertical axis of fixed width (a colour bar's) drops every label wider than
    its room: at ×2 the GAN's colour bars lost their numbers.  Each major tick's
    text is measured in the axis's tick font against the room beside the ticks.
    """
    import pyqtgraph as pg
    from PySide6.QtGui import QFontMetricsF

    if not isinstance(view, pg.GraphicsView):
        return []
    out: list[str] = []
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.scene().items():
        if not isinstance(item, pg.AxisItem) or not item.isVisible():
            continue
        if not item.style.get("showValues", True) or item.orientation not in (
            "left",
            "right",
        ):
            continue
        lo, hi = sorted(item.range)
        size = item.height()
        if size <= 1 or not hi > lo:
            continue
        fixed = item._tickLevels  # ticks a panel set itself (setTicks)
        if fixed:
            pairs = sorted((v, t) for v, t in fixed[0] if lo <= v <= hi)
            values, strings = [v for v, _ in pairs], [t for _, t in pairs]
            gaps = [b - a for a, b in itertools.pairwise(values)]
            spacing = min(gaps, default=hi - lo)
        else:
            levels = item.tickValues(lo, hi, size)
            if not levels:
                continue
            spacing, values = levels[0]
            values = sorted(v for v in values if lo <= v <= hi)
            if spacing is None:  # a log axis: pyqtgraph thins its labels itself
                spacing = hi - lo
            scale = item.autoSIPrefixScale * item.scale
            strings = item.tickStrings(values, scale, spacing)
        font = item.style["tickFont"] or item.font()
        metrics = QFontMetricsF(font)
        tick = max(0.0, float(item.style["tickLength"]))
        room = item.width() - tick - float(item.style["tickTextOffset"][0])
        widest = max((metrics.horizontalAdvance(t) for t in strings), default=0.0)
        label = item.labelText or item.orientation
        if widest > room + SLACK:
            out.append(
                f"axis {label!r}: tick numbers need {widest:.0f} px, have {room:.0f}"
            )
        step_px = spacing * size / (hi - lo)
        if len(values) > 1 and step_px < metrics.height() - SLACK:
            out.append(
                f"axis {label!r}: tick numbers overlap ({step_px:.0f} px apart, "
                f"{metrics.height():.0f} px tall)"
            )
        box = item.mapRectToScene(item.boundingRect())
        if box.right() > visible.right() + SLACK or box.left() < visible.left() - SLACK:
            out.append(f"axis {label!r}: its tick numbers reach past the view")
    return out


def fit_problems(root: QWidget, prefix: str = "") -> list[str]:
    """Return each place under ``root`` where text is cut or scrolls sideways."""
    problems: list[str] = []
    window = root.window()
    for w in root.findChildren(QWidget):
        if not _shown(w, root):
            continue
        if isinstance(w, QAbstractScrollArea) and _scrolls_sideways(w):
            problems.append(f"{prefix}{_name(w)}: scrolls sideways")
        # Vertically scrolled content is allowed: check what the viewport shows.
        if _in_clipped_scroll(w, root):
            continue
        problem: str | None = None
        if isinstance(w, QLabel):
            problem = _label_problem(w)
        elif isinstance(w, QAbstractButton) and not isinstance(
            w.parentWidget(), QAbstractItemView
        ):
            problem = _button_problem(w)
        elif isinstance(w, QComboBox):
            problem = _combo_problem(w)
        if isinstance(w, QTableView):
            problems.extend(f"{prefix}{_name(w)}: {p}" for p in _table_problems(w))
        problems.extend(f"{prefix}{p}" for p in _plot_label_problems(w))
        problems.extend(f"{prefix}{p}" for p in _axis_tick_problems(w))
        if problem is None and isinstance(w, (QLabel, QAbstractButton, QComboBox)):
            if _outside(w, window):
                problem = "lies past the window's edge"
            else:
                problem = _clipped_by(w, window)
        if problem is not None:
            problems.append(f"{prefix}{_name(w)}: {problem}")
    return problems


# -- by hand -------------------------------------------------------------------------
def _pump(seconds: float) -> None:
    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    """Show one panel at a size, optionally run it, save a PNG and print problems."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("panel", help="panel id, or 'all'")
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--run", type=float, default=0.0, help="seconds to train")
    parser.add_argument("--out", type=Path, help="PNG file (or folder for 'all')")
    parser.add_argument(
        "--state", type=Path, help="a panel state (JSON: the panel's state()) first"
    )
    parser.add_argument("--tab", type=int, help="show the panel's tab N (1-based)")
    args = parser.parse_args(argv)

    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import MainWindow
    from explorer.app.registry import PANELS
    from explorer.app.settings import Settings
    from explorer.panels.base import AppContext
    from explorer.widgets.run_bar import PAUSE_TEXT

    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    reporter = ErrorReporter()
    win = MainWindow(AppContext(report_error=reporter.sink), reporter, Settings())
    width, height = (int(v) for v in args.size.lower().split("x"))
    ids = [s.id for s in PANELS] if args.panel == "all" else [args.panel]
    found = 0
    for panel_id in ids:
        show_at(win, panel_id, width, height, presentation=args.presentation)
        if args.state is not None:
            win.panel(panel_id).restore(json.loads(args.state.read_text()))
            _pump(0.5)
        if args.tab is not None:
            win.show_panel_tab(args.tab - 1)
            _pump(0.3)
        if args.run > 0:
            panel = win.panel(panel_id)
            panel.start_pause()
            _pump(args.run)
            # pause only a job still running: on an ended one Start began a new run
            # (a fast job — the MLP's 5,000 steps in 6 s — was shot freshly restarted)
            bar = getattr(panel, "run_bar", None)
            if bar is None or bar.start.text() == PAUSE_TEXT:
                panel.start_pause()
            _pump(0.5)
        problems = fit_problems(win, f"{panel_id} › ")
        found += len(problems)
        print(f"{panel_id} at {width}×{height}: {len(problems)} problem(s)")
        for p in problems:
            print("   ", p)
        if args.out is not None:
            out = args.out / f"{panel_id}.png" if args.panel == "all" else args.out
            out.parent.mkdir(parents=True, exist_ok=True)
            win.grab().save(str(out))
            print("    saved", out)
    for panel in win.panels.values():
        panel.shutdown()
    win.close()
    return 1 if found else 0


def show_at(
    win: QWidget, panel_id: str, width: int, height: int, *, presentation: bool
) -> None:
    """Show ``panel_id`` in ``win`` at ``width`` × ``height`` (presentation or not)."""
    from explorer.app.main_window import MainWindow

    assert isinstance(win, MainWindow)
    win.show()
    if presentation and not win.presentation:
        win.set_presentation(True)
    win.showNormal()  # the window's size is the projector's, not the test screen's
    win.setFixedSize(width, height)
    win.show_panel(panel_id)
    win.panel(panel_id)
    _pump(0.4)


MAX_IDLE_PAINTS = 6  # in a second: a late draw or a cursor, not a loop (30+/s)


class _PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.painted: Counter[str] = Counter()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget):
            self.painted[f"{type(obj).__name__} {obj.objectName()!r}"] += 1
        return False


def idle_repaints(
    qtbot: Any, qapp: Any, panel: Any, where: str = "", tries: int = 8
) -> list[str]:
    """Return the widgets that kept repainting once ``panel`` settled.

    An aspect-locked plot whose axis narrowed and widened as its tick labels
    changed repainted the idle rays panel 30 times a second at 1920 × 1080 ×2.
    Paints are counted over one second, up to ``tries`` times: a job still
    finishing (a loaded machine) quietens, a loop repaints in every second.
    """
    for _ in range(100):  # a service job (the body's posing worker) never settles
        if panel.is_settled():
            break
        qtbot.wait(100)
    qtbot.wait(500)  # the last draws, fonts, the layout after a scale change
    found: list[str] = []
    for _ in range(tries):
        counter = _PaintCounter()
        qapp.installEventFilter(counter)
        try:
            qtbot.wait(1000)
        finally:
            qapp.removeEventFilter(counter)
        found = [
            f"{where}{name} repainted {n} times in 1 s while idle"
            for name, n in counter.painted.items()
            if n > MAX_IDLE_PAINTS
        ]
        if not found:
            break
    return found


if __name__ == "__main__":
    sys.exit(main())
