"""Issue 14 on the Gridworld panel: no stale readout, REINFORCE's forms, wording.

After a reset, a new world, a new algorithm or a restored session the card, the
status line, the curves and the grids show what a fresh panel shows.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from explorer.core.gridworld import ALGOS, RLConfig, load_preset, train
from explorer.panels.base import AppContext
from explorer.panels.gridworld.panel import GridworldPanel
from tests.panels.test_gridworld_panel import choose_preset


def make_panel(qtbot: QtBot, context: AppContext) -> GridworldPanel:
    p = GridworldPanel(context)
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[GridworldPanel]:
    p = make_panel(qtbot, app_context)
    yield p
    p.shutdown()
    p.close()


def readouts(p: GridworldPanel) -> dict[str, object]:
    """Everything the panel shows that a job could have changed."""
    out: dict[str, object] = {
        "status": p.run_bar.status.html(),
        "card": {name: card.values_text() for name, card in p._card_of.items()},
        "last": [side.last for side in (p._a, p._b)],
        "view_last": [side.view.last for side in (p._a, p._b)],
    }
    for name, curve in p._curves.items():
        x, _y = curve.getData()
        out[f"curve {name}"] = 0 if x is None else len(x)
    heat = p._a.view._heat.image
    out["heat"] = None if heat is None else float(np.nanmax(np.abs(heat)))
    out["greedy"] = len(p._a.view._greedy.getData()[0] or [])
    return out


def step_sweeps(qtbot: QtBot, p: GridworldPanel, n: int) -> None:
    for k in range(1, n + 1):
        p.step_episode()
        qtbot.waitUntil(
            lambda k=k: p._a.last is not None and p._a.last.step >= k, timeout=30000
        )


def assert_like_fresh(
    qtbot: QtBot, p: GridworldPanel, context: AppContext, world: str
) -> None:
    fresh = make_panel(qtbot, context)
    choose_preset(fresh, world)
    fresh.restore(p.state())  # the same settings and world, nothing run
    try:
        assert readouts(p) == readouts(fresh)
    finally:
        fresh.shutdown()


def test_reset_and_a_new_world_leave_nothing_of_the_old_run(
    qtbot: QtBot, panel: GridworldPanel, app_context: AppContext
) -> None:
    step_sweeps(qtbot, panel, 3)
    assert "s = (" in panel._card_of["value-iteration"].values_text()
    assert panel._a.view._greedy.getData()[0] is not None
    panel.reset()
    assert_like_fresh(qtbot, panel, app_context, "sb-5x5")

    # the card once kept s = (2, 11) of the cliff on a 4 × 4 world
    choose_preset(panel, "cliff")
    panel.algo_box.compare.setChecked(False)
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("value-iteration"))
    step_sweeps(qtbot, panel, 2)
    assert panel._card_of["value-iteration"].values_text()
    choose_preset(panel, "sb-4x4")
    assert panel._card_of["value-iteration"].values_text() == ""
    assert "ready" in panel.run_bar.status.html()
    assert_like_fresh(qtbot, panel, app_context, "sb-4x4")


def test_a_new_algorithm_or_a_restored_session_clears_the_readouts(
    qtbot: QtBot, panel: GridworldPanel, app_context: AppContext
) -> None:
    state = panel.state()
    step_sweeps(qtbot, panel, 2)
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("policy-evaluation"))
    assert all(not c.values_text() for c in panel._card_of.values())
    step_sweeps(qtbot, panel, 2)
    panel.restore(state)
    assert_like_fresh(qtbot, panel, app_context, "sb-5x5")


def test_policy_evaluation_shows_the_evaluated_policy_not_a_greedy_path(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    choose_preset(panel, "sb-4x4")
    panel.algo_box.algo.setCurrentIndex(ALGOS.index("policy-evaluation"))
    step_sweeps(qtbot, panel, 3)
    last = panel._a.last
    assert last is not None
    np.testing.assert_allclose(last.policy[~np.isnan(last.values)], 0.25)
    assert len(panel._a.view._greedy.getData()[0] or []) == 0
    # one arrow (a shaft and two barbs: 6 points) per action in each live cell
    x, _y = panel._a.view._arrows.getData()
    assert x is not None and len(x) == 14 * 4 * 6
    status = panel.run_bar.status.html()
    assert "A: Policy evaluation: sweep 3, max |Δv|" in status
    assert "evaluation: evaluation" not in status


def test_a_finished_dp_job_says_whether_it_converged(
    qtbot: QtBot, panel: GridworldPanel
) -> None:
    # Example 3.5 with γ = 1 has no terminal: value iteration cannot converge
    cfg = RLConfig(
        world=load_preset("sb-5x5"), algo="value-iteration", gamma=1.0, max_sweeps=30
    )
    *_, last = train(cfg)
    panel._a.cfg, panel._a.last = cfg, last
    panel._show_run_state()
    status = panel.run_bar.status.html()
    assert "did NOT converge after 30 sweeps" in status and "use γ &lt; 1" in status
    cfg = RLConfig(world=load_preset("sb-5x5"), algo="value-iteration")
    *_, last = train(cfg)
    panel._a.cfg, panel._a.last = cfg, last
    panel._show_run_state()
    assert f"converged after {last.step} sweeps" in panel.run_bar.status.html()


@pytest.mark.parametrize("form", ["baseline", "total-return"])
def test_reinforce_runs_in_the_chosen_form(
    qtbot: QtBot, panel: GridworldPanel, form: str
) -> None:
    choose_preset(panel, "sb-4x4")
    box = panel.algo_box
    box.algo.setCurrentIndex(ALGOS.index("reinforce"))
    assert not box.reinforce.isHidden()
    box.reinforce.setCurrentIndex(box.reinforce.findData(form))
    assert panel._config("reinforce").reinforce == form
    card = panel._card_of["reinforce"]
    text = card._formula.text()
    # the course's total-return form first, the one in use marked
    assert text.index("G<sub>0</sub> Σ") < text.index("v̂(S<sub>t</sub>)")
    assert ("<b>in use</b>: total return" in text) == (form == "total-return")
    assert ("<b>in use</b>: with baseline" in text) == (form == "baseline")
    panel.step_episode()
    qtbot.waitUntil(
        lambda: panel._a.last is not None and panel._a.last.episode == 1, timeout=30000
    )
    values = card.values_text()
    assert ("b(s₀)" in values) == (form == "baseline") and "G₀" in values
    last = panel._a.last
    assert last is not None
    assert last.message.startswith("episode 1/") and " done in " in last.message
    assert panel.state()["reinforce"] == form


def test_grids_a_and_b_get_the_same_size(qtbot: QtBot, panel: GridworldPanel) -> None:
    for world in ("sb-4x4", "cliff"):
        choose_preset(panel, world)
        panel.algo_box.compare.setChecked(True)
        qtbot.wait(50)
        a, b = panel._a.view, panel._b.view
        assert abs(a.width() - b.width()) <= 2 and abs(a.height() - b.height()) <= 2


def test_presets_show_the_book_s_names_and_the_size_limit_is_the_core_s(
    panel: GridworldPanel,
) -> None:
    from explorer.core.gridworld.names import MAX_SIDE

    box = panel.world_box
    assert box.preset.currentText() == "Example 3.5 gridworld"
    assert box.preset.itemText(box.preset.findData("cliff")) == (
        "Example 6.6 cliff walking"
    )
    assert box.rows_spin.maximum() == box.cols_spin.maximum() == MAX_SIDE
    assert str(MAX_SIDE) in box.rows_spin.toolTip()


def test_export_of_the_main_view_only(panel: GridworldPanel) -> None:
    from explorer.widgets.export import is_blank

    image = panel.export_image(2.0, main_view_only=True)
    view = panel.main_view()
    assert (image.width(), image.height()) == (2 * view.width(), 2 * view.height())
    assert not is_blank(image)
