"""Gridworld plots read at a glance: whole-number count axes, the lesson's range."""

from __future__ import annotations

from typing import Any

import numpy as np
from pytestqt.qtbot import QtBot

from explorer.core.gridworld import GridProgress
from explorer.panels.gridworld.curves import (
    MOVING_AVERAGE,
    Curves,
    IntegerAxis,
    lesson_range,
    moving_average,
)
from explorer.widgets.theme import ThemeManager


def test_count_axes_tick_only_whole_numbers(qtbot: QtBot) -> None:
    axis = IntegerAxis("bottom")
    for lo, hi in ((0.0, 3.5), (0.6, 1.4), (-2.0, 2.0), (1.0, 40.0), (1.0, 500.0)):
        levels = axis.tickValues(lo, hi, 300)
        values = [v for _spacing, vs in levels for v in vs]
        assert values, (lo, hi)
        assert all(float(v).is_integer() for v in values), (lo, hi, values)
        assert all(spacing >= 1 for spacing, _vs in levels)


def test_the_return_range_is_the_smoothed_curves_not_the_first_episodes() -> None:
    # the cliff: the first episodes take ~2000 steps, later SARSA ≈ −25, Q ≈ −50
    rng = np.random.default_rng(0)
    early = np.array([-1925.0, -800.0, -300.0, -150.0])
    sarsa = np.concatenate([early, -25 + rng.normal(0, 5, 200)])
    qlearn = np.concatenate([early, -50 + rng.normal(0, 5, 200)])
    lo, hi = lesson_range([moving_average(sarsa), moving_average(qlearn)])
    assert -200 < lo < -50 and -25 < hi < 0  # both curves, apart, fill the plot
    # fewer than two windows of episodes: the whole smoothed curve is shown
    short = moving_average(sarsa[: 2 * MOVING_AVERAGE - 1])
    lo2, _hi2 = lesson_range([short])
    assert lo2 < -1925
    assert lesson_range([]) is None


def _progress(returns: np.ndarray) -> GridProgress:
    return GridProgress(
        step=returns.size,
        total=500,
        algo="sarsa",
        values=np.zeros((2, 2)),
        policy=np.zeros((2, 2, 4)),
        returns=returns,
        lengths=-returns,
    )


def test_curves_show_the_lesson_range_without_si_prefixes(qtbot: QtBot) -> None:
    curves = Curves(ThemeManager(), (("A", 0), ("B", 1)))
    holder: Any = __import__("PySide6.QtWidgets", fromlist=["QWidget"]).QWidget()
    holder.setLayout(curves)
    qtbot.addWidget(holder)
    holder.resize(1200, 300)
    holder.show()
    qtbot.waitExposed(holder)
    returns = np.concatenate([[-1925.0, -900.0], np.full(100, -30.0)])
    curves.show_progress("A", _progress(returns))
    (_x0, _x1), (y0, y1) = curves.returns.getPlotItem().vb.viewRange()
    assert -100 < y0 < -30 < y1 < 0  # not −1925
    (_x0, _x1), (l0, l1) = curves.lengths.getPlotItem().vb.viewRange()
    assert l0 == 0.0 and 30 < l1 < 100
    for pane in curves.panes().values():
        for entry in pane.getPlotItem().axes.values():
            assert not entry["item"].autoSIPrefix
    assert isinstance(curves.returns.getPlotItem().getAxis("bottom"), IntegerAxis)
    assert isinstance(curves.lengths.getPlotItem().getAxis("left"), IntegerAxis)
    curves.clear()
    assert curves._means == {}
