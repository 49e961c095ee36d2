"""Shared widgets: themed plots follow presentation scale, formula card, banner."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.widgets.error_banner import ErrorBanner
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import PALETTES, ThemeManager


def test_plot_pane_scales_lines_markers_and_legend(qtbot: Any) -> None:
    theme = ThemeManager()
    pane = PlotPane(theme, title="loss")
    qtbot.addWidget(pane)
    pane.add_legend()
    curve = pane.add_curve("train", width=2.0)
    dots = pane.add_scatter("samples", size=6.0)
    assert curve.opts["pen"].widthF() == 2.0 and dots.opts["size"] == 6.0
    theme.set_palette("high-contrast")
    theme.set_scale(2.5)
    assert curve.opts["pen"].widthF() == 5.0 and dots.opts["size"] == 15.0
    assert curve.opts["pen"].color().name() == PALETTES["high-contrast"].series[0]
    legend_label = pane.getPlotItem().legend.items[0][1]
    assert legend_label.opts["size"] == "22pt"


def test_theme_scale_is_clamped_and_changes_are_signalled(qtbot: Any) -> None:
    theme = ThemeManager()
    with qtbot.waitSignal(theme.changed, timeout=100):
        theme.set_scale(10)
    assert theme.scale == 3.0
    theme.set_scale(0.1)
    assert theme.scale == 1.0
    with pytest.raises(KeyError):
        theme.set_palette("neon")


def test_formula_card_shows_values(qtbot: Any) -> None:
    card = FormulaCard(
        "KL", "½Σ(1 + log σ² − μ² − σ²)", "Kingma & Welling 2014, App. B"
    )
    qtbot.addWidget(card)
    card.set_values({"KL": 0.123456, "β": 4})
    text = card.values_text()
    assert "KL = 0.1235" in text and "β = 4" in text


def test_error_banner_shows_and_dismisses(qtbot: Any) -> None:
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    banner.show()
    banner.show_message("training diverged")
    assert banner.text == "training diverged"
    banner.clear()
    assert banner.text == "" and banner.isHidden()


def test_axes_paint_from_a_cache_but_export_to_svg_as_text(
    qtbot: Any, tmp_path: Any
) -> None:
    from PySide6.QtWidgets import QGraphicsItem

    from explorer.widgets.export import export_svg

    pane = PlotPane(x_label="step", y_label="loss")
    qtbot.addWidget(pane)
    pane.resize(400, 300)
    pane.add_curve().setData([0.0, 1.0, 2.0], [3.0, 1.0, 2.0])
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.wait(50)  # laid out and painted once: the axis caches are filled
    axes = [a["item"] for a in pane.getPlotItem().axes.values()]
    cached = QGraphicsItem.CacheMode.DeviceCoordinateCache
    assert all(a.cacheMode() == cached for a in axes)
    (svg,) = export_svg(pane, tmp_path / "plot.svg")
    text = svg.read_text()
    # tick labels and axis titles as vector text, not a cached pixmap
    assert ">1.0</text>" in text.replace("\n", "").replace(" >", ">")
    assert "<image" not in text
    assert all(a.cacheMode() == cached for a in axes)


def test_live_values_relayout_only_when_their_height_changes(qtbot: Any) -> None:
    # A QLabel's setText makes every enclosing layout run again (tens of ms in a
    # panel); the card's values ask for a layout only when they grow or shrink.
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from explorer.widgets.export import is_blank

    class Count(QObject):
        n = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.LayoutRequest:
                Count.n += 1
            return False

    holder = QWidget()
    qtbot.addWidget(holder)
    card = FormulaCard("TD(0)", "V(s) ← V(s) + α δ")
    QVBoxLayout(holder).addWidget(card)
    holder.resize(300, 200)
    holder.show()
    qtbot.waitExposed(holder)
    card.set_values({"α": 0.1, "δ": 0.5})
    qtbot.wait(20)
    counter = Count()
    holder.installEventFilter(counter)
    tall = card._values.height()
    for i in range(20):  # same rows, new numbers: repaint only
        card.set_values({"α": 0.1, "δ": 0.01 * i})
        qtbot.wait(1)
    assert Count.n == 0
    assert "δ = 0.19" in card.values_text()
    card.set_values({"α": 0.1, "δ": 0.5, "γ": 0.9, "V(s)": 1.25})  # two more rows
    qtbot.waitUntil(lambda: card._values.height() > tall, timeout=2000)
    assert Count.n >= 1
    assert not is_blank(card._values.grab().toImage())


def test_controls_column_refits_slider_numbers_after_a_font_change(qtbot: Any) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QLineEdit
    from superqt import QLabeledDoubleSlider

    from explorer.widgets.controls_column import ControlsColumn

    slider = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
    slider.setRange(0.0, 100.0)
    slider.setValue(42.5)
    scroll = ControlsColumn(None, min_width=200)
    scroll.add(slider)
    content = scroll.content
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    content.setStyleSheet("QWidget { font-size: 28pt; }")  # presentation ×3
    scroll.refit()
    (box,) = [b for b in content.findChildren(QLineEdit) if b.isVisible()]

    def fits() -> bool:
        need = QFontMetrics(box.font()).horizontalAdvance(box.text())
        return bool(box.text()) and box.width() >= need

    qtbot.waitUntil(fits, timeout=2000)
    assert "42.5" in box.text()
    assert scroll.minimumWidth() >= content.minimumSizeHint().width()


def test_check_box_radio_and_combo_indicators_scale_with_presentation(
    qtbot: Any,
) -> None:
    """At ×2 the check-box / radio indicators and the drop-down arrow are ×2 too."""
    import numpy as np
    from PySide6.QtGui import QImage
    from PySide6.QtWidgets import (
        QApplication,
        QCheckBox,
        QComboBox,
        QRadioButton,
        QStyle,
        QStyleOptionButton,
    )

    from explorer.widgets.theme import PALETTES, stylesheet

    def sizes(scale: float) -> tuple[int, int, int]:
        # as the app does it: one application-wide stylesheet
        app.setStyleSheet(stylesheet(PALETTES["high-contrast"], scale))
        box, radio, combo = QCheckBox("a"), QRadioButton("b"), QComboBox()
        combo.addItem("Ring of 8 Gaussians")
        out = []
        for w, element in (
            (box, QStyle.SubElement.SE_CheckBoxIndicator),
            (radio, QStyle.SubElement.SE_RadioButtonIndicator),
        ):
            qtbot.addWidget(w)
            w.ensurePolished()
            opt = QStyleOptionButton()
            opt.initFrom(w)
            out.append(w.style().subElementRect(element, opt, w).width())
        qtbot.addWidget(combo)
        combo.clear()
        combo.addItem("x")  # short: the right half holds only the arrow
        combo.resize(200 * int(scale), combo.sizeHint().height())
        image = combo.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        rows = np.array(image.constBits(), np.uint8).reshape(
            image.height(), image.bytesPerLine()
        )[:, image.width() // 2 : image.width() - 3]
        out.append(int((rows[3:-3] < 100).sum()))  # the arrow's dark pixels
        return out[0], out[1], out[2]

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    try:
        small, large = sizes(1.0), sizes(2.0)
    finally:
        app.setStyleSheet(before)
    for a, b in zip(small, large, strict=True):
        assert b >= 1.8 * a, (small, large)


def test_disabled_controls_look_disabled_in_every_theme(qtbot: Any) -> None:
    """The stylesheet gives every widget the text colour; disabled ones get another."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication, QCheckBox

    from explorer.widgets.theme import PALETTES, stylesheet

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    try:
        for palette in PALETTES.values():
            app.setStyleSheet(stylesheet(palette, 1.0))
            on, off = QCheckBox("on"), QCheckBox("off")
            off.setEnabled(False)
            for w in (on, off):
                qtbot.addWidget(w)
                w.ensurePolished()
            role = QPalette.ColorRole.WindowText
            assert on.palette().color(role).name() == palette.text
            assert off.palette().color(QPalette.ColorGroup.Disabled, role).name() == (
                palette.disabled
            )
    finally:
        app.setStyleSheet(before)
