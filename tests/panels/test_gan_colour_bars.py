"""The GAN fields' colour bars keep their numbers at 1280 × 720, ×2 (issue 14)."""

from __future__ import annotations

from typing import Any

import pytest

from explorer.panels.gan.views import FieldView
from explorer.widgets.theme import ThemeManager
from tests.app.fit import _axis_tick_problems, _plot_label_problems


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
