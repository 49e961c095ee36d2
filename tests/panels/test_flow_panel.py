"""Flow panel, driven like a user: drag knots, train, scrub layers, click, draw."""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot
from scipy.stats import norm

from explorer.core.flow.spline import MonotoneMap
from explorer.core.state import StateError
from explorer.panels.base import AppContext
from explorer.panels.flow.panel import FlowPanel
from explorer.panels.flow.views import DensityView
from explorer.widgets.export import is_blank

WAIT_MS = 30_000


def _panel(qtbot: QtBot, context: AppContext) -> FlowPanel:
    panel = FlowPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1400, 900)
    # a small flow keeps the test fast; the maths is the same
    panel.model_box.layers.setValue(2)  # each edit resets the flow
    panel.model_box.hidden.setValue(8)
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    return panel


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[FlowPanel]:
    made = _panel(qtbot, app_context)
    yield made
    made.shutdown()


def _click(qtbot: QtBot, view: DensityView, x: float, y: float) -> None:
    vb = view.getPlotItem().getViewBox()
    pos = view.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _count(item: Any) -> int:
    data = item.getData()[0]
    return 0 if data is None else len(data)


def _step(panel: FlowPanel) -> int:
    assert panel._latest is not None
    return panel._latest.step


def test_dragging_a_knot_changes_the_density(qtbot: QtBot, panel: FlowPanel) -> None:
    panel.tabs.setCurrentIndex(0)
    assert panel.side_1d.isVisibleTo(panel) and not panel.side_2d.isVisibleTo(panel)
    before = panel.mass_x.curve.getData()[1].copy()
    view = panel.spline
    vb = view.getPlotItem().getViewBox()
    panel.show()
    qtbot.waitExposed(panel)
    k = panel.knots[2]
    assert view.knot_at(vb.mapViewToScene(QPointF(*k))) == 2  # the drag would grab it
    view.move_knot(2, k[0] + 0.3, k[1] + 1.0)  # what that drag ends with
    knots = panel.knots
    assert knots[2, 0] == pytest.approx(k[0] + 0.3)
    xs, after = panel.mass_x.curve.getData()
    assert not np.allclose(before, after)
    h = MonotoneMap.from_knots(knots)
    assert np.allclose(after, norm.pdf(h.h(xs)) * h.dh(xs))  # p_x = p_z(h(x))·h′(x)
    text = panel.card_1d.values_text()
    integral = float(text.split("= ", 1)[1].split("\n")[0])
    assert integral == pytest.approx(norm.cdf(h.h(4.0)) - norm.cdf(h.h(-4.0)), abs=1e-3)
    # a knot dragged below its left neighbour stops there: h stays increasing
    view.move_knot(3, knots[3, 0], -10.0)
    assert np.all(np.diff(panel.knots[:, 1]) > 0)
    panel.oned_box.bands.setValue(4)
    shaded = [b for b in panel.mass_x.bands if _count(b)]
    assert len(shaded) == 4


def test_train_scrub_layers_and_click_a_point(qtbot: QtBot, panel: FlowPanel) -> None:
    assert _step(panel) == 0
    assert panel.run_bar.step is not None
    qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    speed = panel.run_bar.speed_value
    qtbot.waitUntil(lambda: _step(panel) == speed, timeout=WAIT_MS)  # one chunk
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _step(panel) >= 3 * speed, timeout=WAIT_MS)
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    assert panel.run_bar.start.text() == "Resume"
    panel.draws.flush()
    p = panel._latest
    assert p is not None
    n_layers = len(p.titles)
    assert n_layers == 4  # actnorm + coupling, twice
    assert panel.stage.slider.maximum() == n_layers
    # scrub to z-space: the samples shown are z itself
    panel.stage.slider.setValue(0)
    shown = np.column_stack(panel.warp.samples.getData())
    assert np.allclose(shown, panel._latest.stage_samples[0])
    assert panel.warp.getPlotItem().titleLabel.text.startswith("0/")
    panel.stage.slider.setValue(n_layers)
    last = np.column_stack(panel.warp.samples.getData())
    assert np.allclose(last, panel._latest.stage_samples[-1])
    assert not np.allclose(last, shown)

    panel.show()
    qtbot.waitExposed(panel)
    _click(qtbot, panel.density, 0.5, 0.25)
    qtbot.waitUntil(
        lambda: panel._latest is not None and bool(panel._latest.jacobians),
        timeout=WAIT_MS,
    )
    panel.draws.flush()
    q = panel._latest
    assert q.probe is not None
    assert q.probe[0] == pytest.approx(0.5, abs=0.1)
    assert len(q.jacobians) == n_layers
    # the table's total is the flow's log-det, and log p = log N(z) + Σ
    total = sum(j.logdet_formula for j in q.jacobians)
    assert f"{total:+.4f}" in panel.jac_text.html()
    assert q.probe_logp is not None
    values = panel.card_2d.values_text()
    assert "log-det: formula − autograd" in values and "click" not in values
    assert not is_blank(panel.export_image(1.0, main_view_only=True))


def test_drawn_points_become_the_data(qtbot: QtBot, panel: FlowPanel) -> None:
    panel.show()
    qtbot.waitExposed(panel)
    panel.data_box.draw.setChecked(True)
    _click(qtbot, panel.density, -1.0, 1.0)
    assert panel.binder.state().data == "points"
    assert len(panel.points) == 1
    # one point is no density: the message says so, in the banner
    qtbot.waitUntil(lambda: "at least two points" in panel.error_banner.text)
    _click(qtbot, panel.density, 1.0, -1.0)
    _click(qtbot, panel.density, 1.5, 0.5)
    assert len(panel.points) == 3
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    assert panel.error_banner.text == ""
    assert np.allclose(panel.points[0], (-1.0, 1.0), atol=0.1)
    xy = np.column_stack(panel.density.data.getData())
    # the data shown are bumps around the three points
    near = np.min(np.linalg.norm(xy[:, None] - panel.points[None], axis=2), axis=1)
    assert np.all(near < 0.6)


def test_no_stale_readouts_after_reset_or_new_data(
    qtbot: QtBot, panel: FlowPanel
) -> None:
    panel.step()
    speed = panel.run_bar.speed_value
    qtbot.waitUntil(lambda: _step(panel) == speed, timeout=WAIT_MS)
    panel.draws.flush()
    assert f"step = {speed}" in panel.card_2d.values_text()
    panel.data_box.data.setCurrentIndex(panel.data_box.data.findData("ring"))
    # at once, before the new flow reports: nothing of the old run is shown
    assert panel._latest is None
    assert panel.card_2d.values_text() == "step = — (starting)"
    assert "Click the density" in panel.jac_text.html()
    assert _count(panel.nll.train) == 0
    assert panel.density.heat.image is None
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    assert _step(panel) == 0 and "step = 0" in panel.card_2d.values_text()


def test_bad_files_and_states(qtbot: QtBot, panel: FlowPanel, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("0.5,0.5\n")
    with pytest.raises(ValueError, match="at least two"):
        panel.open_file(one)
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (8, 8), 255).save(blank)
    with pytest.raises(ValueError, match="blank"):
        panel.open_file(blank)
    image = tmp_path / "dot.png"
    im = Image.new("L", (20, 20), 255)
    im.paste(0, (2, 2, 6, 6))  # a dark square near the top left
    im.save(image)
    panel.open_file(image)
    assert panel.binder.state().data == "points"
    assert np.all(panel.points[:, 0] < -1.0) and np.all(panel.points[:, 1] > 1.0)
    with pytest.raises(StateError, match="layers"):
        panel.restore({"layers": 0})
    with pytest.raises(ValueError, match="increasing"):
        panel.restore({"knots": [[0, 0], [1, -1], [2, 1]]})
    state = panel.state()
    assert state["data"] == "points" and len(state["points"]) == len(panel.points)


def test_save_model_writes_the_flow_the_panel_shows(
    qtbot: QtBot, panel: FlowPanel, tmp_path: Path
) -> None:
    from explorer.core.flow.checkpoint import load_model
    from explorer.core.flow.model import density_grid

    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    speed = panel.run_bar.speed_value
    qtbot.waitUntil(lambda: _step(panel) >= 2 * speed, timeout=WAIT_MS)
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)  # pause
    qtbot.waitUntil(lambda: panel.runner.is_paused, timeout=WAIT_MS)
    assert panel.model_box.save_model.isEnabled()
    p = panel._latest
    assert p is not None and p.step > 0
    out = panel.save_model(tmp_path / "flow.pt")
    model = load_model(out)  # weights_only=True, checked like any file
    # the loaded flow's density is the one the heat map shows, not a fresh flow's
    logp = density_grid(model, p.box, p.logp.shape[0])
    assert np.allclose(logp, p.logp, atol=1e-4)
    panel.reset()
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    fresh = panel._latest
    assert fresh is not None and fresh.step == 0
    assert not np.allclose(fresh.logp, p.logp, atol=1e-3)  # training moved it
    with pytest.raises(OSError):  # a file where a folder should be
        panel.save_model(out / "flow.pt")
