"""The GAN fields' colour bars keep their numbers at 1280 × 720, ×2 (issue 14)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from explorer.panels.gan.views import FieldView
from explorer.widgets.theme import ThemeManager
from tests.app.fit import _axis_tick_problems, _plot_label_problems
from tests.panels.test_gan_history import _snapshot


@pytest.mark.parametrize("title", ["minimax", "non-saturating"])
def test_a_quarter_field_at_x2_shows_every_colour_bar_number(
    qtbot: Any, title: str
) -> None:
    theme = ThemeManager(scale=2.0)
    view = FieldView(theme)
    qtbot.addWidget(view)
    view.set_title(title, 1)
    view.resize(326, 200)  # one of four fields in the 1280 × 720 window at ×2
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(100)
    plot = view.getPlotItem()
    # the plot fits its pane (a long title once widened it by 100 px) …
    assert plot.width() <= view.width() + 1
    # … so nothing is cut, and the bar has its three numbers: ends and middle
    assert _axis_tick_problems(view) == []
    assert _plot_label_problems(view) == []
    ticks = view.colorbar.getAxis("right")
    assert [t for _v, t in ticks._tickLevels[0]] == ["0", "0.5", "1"]


def _critic(peak: float) -> Any:
    heat = np.linspace(-peak, peak, 16 * 16, dtype=np.float32).reshape(16, 16)
    return replace(_snapshot(1, 16), heat=heat, heat_is_probability=False)


def test_a_critic_bar_keeps_its_range_while_the_values_fill_half_of_it(
    qtbot: Any,
) -> None:
    view = FieldView(ThemeManager())
    qtbot.addWidget(view)
    view.show()

    def shown() -> tuple[float, float]:
        low, high = view.colorbar.levels()
        assert view.heat.levels is not None
        np.testing.assert_allclose(view.heat.levels, (low, high))  # map and bar agree
        return (round(low, 9), round(high, 9))

    view.show_progress(_critic(0.34))
    assert shown() == (-0.4, 0.4)  # rounded up: every value has its colour
    view.show_progress(_critic(0.25))  # fills more than half: kept
    assert shown() == (-0.4, 0.4)
    view.show_progress(_critic(0.41))  # beyond it: a new end
    assert shown() == (-0.5, 0.5)
    view.show_progress(_critic(0.2))  # less than half: the range follows it down
    assert shown() == (-0.2, 0.2)
    view.show_progress(_critic(2.3))
    assert shown() == (-2.5, 2.5)
