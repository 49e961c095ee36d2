"""PlotPane's axes read at a glance: no SI prefixes, whole-number ticks on integer
axes, a stated range while empty, and legends at the presentation scale."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pyqtgraph as pg
import pytest

from explorer.widgets.plot_pane import AXES, PlotPane
from explorer.widgets.theme import ThemeManager


def test_no_axis_gets_an_si_prefix_unless_asked(qtbot: Any) -> None:
    plain, prefixed = PlotPane(), PlotPane(si_prefix=True)
    for pane in (plain, prefixed):
        qtbot.addWidget(pane)
        pane.resize(400, 300)
        pane.add_curve().setData([0.0, 1.0], [4.4e-4, 5.3e-4])  # "‖z‖ (×0.001)"
        pane.getPlotItem().setLabel("left", "norm")
        pane.show()
    qtbot.wait(50)
    for name in AXES:
        assert not plain.getPlotItem().getAxis(name).autoSIPrefix
    assert plain.getPlotItem().getAxis("left").autoSIPrefixScale == 1.0
    assert prefixed.getPlotItem().getAxis("left").autoSIPrefixScale != 1.0
    # a colour bar's axis too
    bar = plain.add_colorbar(plain.add_image(), values=(0.0, 2e-3))
    assert not bar.axis.autoSIPrefix


def test_an_integer_axis_ticks_whole_numbers_only(qtbot: Any) -> None:
    pane = PlotPane(x_label="step")
    qtbot.addWidget(pane)
    pane.set_integer_axis("bottom")
    axis = pane.getPlotItem().getAxis("bottom")
    values = [v for _sp, vs in axis.tickValues(0.0, 3.0, 600.0) for v in vs]
    assert values and all(float(v).is_integer() for v in values)
    assert axis.tickStrings([1.0, 2.0], 1.0, 1.0) == ["1", "2"]
    # a plain axis over the same range would tick halves: the test can tell
    plain = PlotPane().getPlotItem().getAxis("bottom")
    halves = [v for _sp, vs in plain.tickValues(0.0, 3.0, 600.0) for v in vs]
    assert not all(float(v).is_integer() for v in halves)
    # the label and the theme survive the swap
    assert "step" in axis.labelText


def test_an_empty_log_pane_shows_its_stated_range_until_data_and_after_a_reset(
    qtbot: Any,
) -> None:
    pane = PlotPane()
    qtbot.addWidget(pane)
    pane.getPlotItem().setLogMode(y=True)
    curve = pane.add_curve()
    pane.set_empty_range(x=(0.0, 100.0), y=(1e-3, 10.0))
    box = pane.getPlotItem().getViewBox()
    (x0, x1), (y0, y1) = box.viewRange()
    assert (x0, x1) == pytest.approx((0.0, 100.0))
    assert (y0, y1) == pytest.approx((-3.0, 1.0))  # four decades, not one
    curve.setData(np.arange(1, 501), np.geomspace(1.0, 1e-5, 500))
    box.updateAutoRange()
    (x0, x1), (y0, y1) = box.viewRange()
    assert x1 > 400.0 and y0 < -4.5  # the data's range now
    curve.setData([], [])
    (x0, x1), (y0, y1) = box.viewRange()
    assert (x0, x1, y0, y1) == pytest.approx((0.0, 100.0, -3.0, 1.0))


def test_a_legend_added_in_presentation_mode_has_presentation_text(qtbot: Any) -> None:
    theme = ThemeManager(scale=2.0)
    pane = PlotPane(theme)
    qtbot.addWidget(pane)
    pane.add_legend()
    pane.add_curve("total")
    label = pane.getPlotItem().legend.items[0][1]
    assert label.opts["size"] == "18pt"
    theme.set_scale(1.0)
    assert label.opts["size"] == "9pt"


def _major_gap_px(axis: Any) -> float:
    lo, hi = sorted(axis.range)
    spacing, _values = axis.tickValues(lo, hi, axis.height())[0]
    return float(spacing * axis.height() / (hi - lo))


def test_vertical_tick_numbers_stay_apart_on_a_short_pane(qtbot: Any) -> None:
    from PySide6.QtGui import QFontMetricsF

    theme = ThemeManager(scale=2.0)
    pane = PlotPane(theme)
    qtbot.addWidget(pane)
    pane.resize(300, 130)
    pane.setYRange(0.0, 8.0, padding=0.0)
    pane.show()
    qtbot.waitExposed(pane)
    axis = pane.getPlotItem().getAxis("left")
    tall = QFontMetricsF(axis.style["tickFont"]).height()
    assert _major_gap_px(axis) >= tall
    # pyqtgraph's own axis there puts its numbers closer than one text height
    import pyqtgraph as pg

    plain = pg.AxisItem("left")
    plain.setStyle(tickFont=axis.style["tickFont"])
    lo, hi = sorted(axis.range)
    spacing, _ = plain.tickValues(lo, hi, axis.height())[0]
    assert spacing * axis.height() / (hi - lo) < tall


def test_the_fit_checker_sees_cut_and_crowded_tick_numbers(qtbot: Any) -> None:
    from tests.app.fit import _axis_tick_problems

    theme = ThemeManager(scale=2.0)
    pane = PlotPane(theme)
    qtbot.addWidget(pane)
    bar = pane.add_colorbar(pane.add_image(), values=(-0.25, 0.25))
    pane.resize(400, 300)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.wait(100)  # pyqtgraph widens its axes for their numbers at the first paint
    assert not _axis_tick_problems(pane)
    bar.getAxis("right").setWidth(12)  # the numbers no longer fit: pyqtgraph drops them
    qtbot.wait(20)
    assert any("tick numbers need" in p for p in _axis_tick_problems(pane))


def test_a_live_range_steps_up_and_is_applied_once(qtbot: Any) -> None:
    from explorer.widgets.plot_pane import step_above

    assert [step_above(v) for v in (0.9, 1.0, 1.2, 2.5, 7.0, 81.0)] == [
        1.0,
        1.0,
        1.5,
        3.0,
        8.0,
        100.0,
    ]
    pane = PlotPane()
    qtbot.addWidget(pane)
    pane.resize(400, 300)
    curve = pane.add_curve()
    pane.show()
    qtbot.waitExposed(pane)
    curve.setData([0.0, 70.0], [0.0, 0.5])
    assert pane.set_live_range((0.0, step_above(70.0)), (0.0, 1.0), padding=0.0)
    assert not pane.set_live_range((0.0, 80.0), (0.0, 1.0), padding=0.0)  # same
    box = pane.getPlotItem().getViewBox()
    assert not any(box.autoRangeEnabled())  # new data does not re-range it
    curve.setData([0.0, 75.0], [0.0, 0.9])
    qtbot.wait(50)
    (x0, x1), (y0, y1) = box.viewRange()
    assert (x0, x1, y0, y1) == pytest.approx((0.0, 80.0, 0.0, 1.0))


def test_a_stepped_span_holds_the_values_in_round_steps() -> None:
    from explorer.widgets.plot_pane import stepped_span

    assert stepped_span(0.93, 2.71) == pytest.approx((0.5, 3.0))  # step 0.5
    assert stepped_span(-1.3, 4.2) == pytest.approx((-2.0, 6.0))  # step 2
    lo, hi = stepped_span(3.0, 3.0)  # one value: a range around it
    assert lo <= 3.0 < hi
    assert stepped_span(float("nan"), 1.0) == (0.0, 1.0)


def _rendered(pane: PlotPane) -> np.ndarray:
    from PySide6.QtGui import QImage, QPainter

    image = QImage(pane.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    pane.render(painter)
    painter.end()
    bits = image.constBits()
    return np.frombuffer(bits, np.uint8).reshape(image.height(), -1).copy()


def test_a_scatter_moved_in_place_draws_what_a_fresh_one_draws(qtbot: Any) -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 300, 2))
    panes = [PlotPane(), PlotPane()]
    items = []
    for pane in panes:
        qtbot.addWidget(pane)
        pane.resize(300, 300)
        pane.setRange(xRange=(-3, 3), yRange=(-3, 3), padding=0)
        items.append(pane.add_scatter("pts", size=5.0))
        pane.show()
    moved, fresh = items
    moved.setData(x=a[:, 0], y=a[:, 1])
    records = moved.data
    moved.setData(x=b[:, 0], y=b[:, 1])  # same count: the records are kept
    assert moved.data is records
    fresh.setData(x=b[:, 0], y=b[:, 1])
    qtbot.wait(20)
    x, y = moved.getData()
    np.testing.assert_array_equal(x, b[:, 0])
    np.testing.assert_array_equal(y, b[:, 1])
    assert moved.dataBounds(0) == pytest.approx(fresh.dataBounds(0))
    np.testing.assert_array_equal(_rendered(panes[0]), _rendered(panes[1]))
    # the old positions would have drawn something else: the comparison can fail
    fresh.setData(x=a[:, 0], y=a[:, 1])
    assert not np.array_equal(_rendered(panes[0]), _rendered(panes[1]))


def test_a_scatter_with_another_count_or_style_of_its_own_is_rebuilt(
    qtbot: Any,
) -> None:
    pane = PlotPane()
    qtbot.addWidget(pane)
    item = pane.add_scatter()
    item.setData(x=[0.0, 1.0], y=[0.0, 1.0])
    records = item.data
    item.setData(x=[0.0, 1.0, 2.0], y=[0.0, 1.0, 2.0])  # another count
    assert item.data is not records and len(item.data) == 3
    brushes = [pg.mkBrush(c) for c in ("r", "g", "b")]
    item.setData(x=[0.0, 1.0, 2.0], y=[2.0, 1.0, 0.0], brush=brushes)
    records = item.data
    item.setData(x=[5.0, 6.0, 7.0], y=[0.0, 0.0, 0.0])  # after per-point brushes
    assert item.data is not records  # rebuilt: the brushes are not kept silently
    assert all(b is None for b in item.data["brush"])
    assert list(item.getData()[0]) == [5.0, 6.0, 7.0]


def test_a_short_log_axis_thins_its_in_between_numbers_to_fit(qtbot: Any) -> None:
    """The rays' loss pane printed 0.6 0.7 0.8 0.9 over each other."""
    from PySide6.QtGui import QFontMetricsF

    pane = PlotPane()
    qtbot.addWidget(pane)
    pane.getPlotItem().setLogMode(y=True)
    axis = pane.getPlotItem().getAxis("left")
    lo, hi, size = np.log10(0.02), np.log10(0.9), 150.0  # 1.65 decades in 150 px
    height = QFontMetricsF(axis.style["tickFont"] or axis.font()).height()
    need = 1.2 * height * (hi - lo) / size

    def gaps(levels: list[tuple[Any, list[float]]]) -> list[float]:
        shown = sorted(float(v) for _sp, vs in levels for v in vs)
        return [b - a for a, b in itertools.pairwise(shown)]

    levels = axis.tickValues(lo, hi, size)
    assert min(gaps(levels)) >= need
    minor = [
        round(10 ** (v - np.floor(v))) for sp, vs in levels if sp is None for v in vs
    ]
    assert minor and set(minor) < set(range(2, 10))  # some kept, some dropped
    # pyqtgraph's own axis crowds them (the test can tell)
    plain = pg.AxisItem("left")
    plain.setLogMode(False, True)
    assert min(gaps(plain.tickValues(lo, hi, size))) < need
    # a tall axis keeps every one
    tall = axis.tickValues(lo, hi, 2000.0)
    assert len([v for sp, vs in tall if sp is None for v in vs]) > len(minor)


def test_a_live_plot_repaints_without_repainting_the_widgets_under_it(
    qtbot: Any,
) -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from explorer.widgets.theme import stylesheet

    app = pg.mkQApp()
    app.setStyleSheet(stylesheet(ThemeManager().palette, 1.0))  # as the app does
    holder = QWidget()
    qtbot.addWidget(holder)
    pane = PlotPane()
    QVBoxLayout(holder).addWidget(pane)
    curve = pane.add_curve()
    holder.resize(500, 400)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(50)
    painted: dict[str, int] = {"holder": 0, "plot": 0}

    class Count(QObject):
        def eventFilter(self, obj: Any, event: Any) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted["holder" if obj is holder else "plot"] += 1
            return False

    counter = Count()
    holder.installEventFilter(counter)
    pane.viewport().installEventFilter(counter)
    try:
        for i in range(5):
            curve.setData(np.arange(10.0), np.arange(10.0) * (i + 1))
            qtbot.wait(30)
    finally:
        app.setStyleSheet("")
    assert painted["plot"] >= 3
    # the viewport paints all of itself: the holder under it is left alone
    assert painted["holder"] == 0
