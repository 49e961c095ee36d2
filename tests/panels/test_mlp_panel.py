"""Perceptrons & MLPs panel: click points, step the rule, train, export, bumps."""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from explorer.core.mlp import augment, read_points_csv
from explorer.core.mlp.approx import bumps_sum, sup_error, xs
from explorer.core.mlp.model import load_model
from explorer.panels.base import AppContext
from explorer.panels.mlp.panel import MlpPanel
from explorer.panels.mlp.views import PointsView

WAIT_MS = 20_000


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[MlpPanel]:
    p = MlpPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.perceptron.margin is not None, timeout=WAIT_MS)
    yield p
    p.shutdown()


def _click(
    qtbot: QtBot,
    view: PointsView,
    x: float,
    y: float,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
    modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> None:
    vb = view.getPlotItem().getViewBox()
    pos = view.mapFromScene(vb.mapViewToScene(QPointF(x, y)))
    qtbot.mouseClick(view.viewport(), button, modifier, pos=pos)


def test_click_adds_points_and_right_click_switches_class(
    qtbot: QtBot, panel: MlpPanel
) -> None:
    view = panel.perceptron.view
    n = len(panel.perceptron.points)
    _click(qtbot, view, 0.2, -0.9)
    _click(qtbot, view, -0.9, 0.9, modifier=Qt.KeyboardModifier.ShiftModifier)
    state = panel.binder.state()
    assert state.p_data == "points" and len(state.points) == n + 2
    assert state.points[-2][2] == 1 and state.points[-1][2] == -1
    np.testing.assert_allclose(state.points[-1][:2], (-0.9, 0.9), atol=0.03)
    _click(qtbot, view, -0.9, 0.9, button=Qt.MouseButton.RightButton)
    assert panel.binder.state().points[-1][2] == 1
    assert len(panel.perceptron.points) == n + 2  # the rule sees the new points


def test_step_makes_one_perceptron_update_on_a_misclassified_point(
    qtbot: QtBot, panel: MlpPanel
) -> None:
    assert panel.run_bar.step is not None
    sec = panel.perceptron
    before = sec.last
    assert before is not None and before.step == 0
    qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    after = sec.last
    assert after is not None and after.step == 2
    i = after.used
    assert i >= 0 and len(sec.view.used.data) == 1
    # the line drawn is w's: both ends satisfy w0 + w1 x1 + w2 x2 = 0
    lx, ly = sec.view.line.getData()
    np.testing.assert_allclose(
        after.w[0] + after.w[1] * lx + after.w[2] * ly, 0, atol=1e-9
    )
    assert "mistakes (updates) = 2" in panel.cards[0].values_text()
    bound = sec.margin.bound if sec.margin is not None else None
    assert bound is not None and f"{bound:.4g}" in panel.cards[0].values_text()
    panel._show_status()
    assert "2 updates" in panel.run_bar.status.html()


def test_run_on_xor_stops_at_the_cap_and_says_it_never_converges(
    qtbot: QtBot, panel: MlpPanel
) -> None:
    panel.boxes[0].max_updates.setValue(20)
    panel.boxes[0].data.setCurrentIndex(panel.boxes[0].data.findData("xor"))
    qtbot.waitUntil(lambda: panel.perceptron.margin is not None, timeout=WAIT_MS)
    panel.run_bar.set_speed_value(50)
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.perceptron.runner.is_running, timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: "never converges" in panel.run_bar.status.html(), timeout=WAIT_MS
    )
    last = panel.perceptron.last
    assert last is not None and last.step == 20 and not last.converged
    assert "not separable" in panel.cards[0].values_text()


def _train_steps(qtbot: QtBot, panel: MlpPanel, reports: int) -> None:
    panel.tabs.setCurrentIndex(1)
    assert panel.run_bar.step is not None
    for _ in range(reports + 1):  # the first Step shows step 0 and holds
        qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: len(panel.playground.history) == reports + 1 and panel.is_settled(),
        timeout=WAIT_MS,
    )
    panel.draws.flush()


def test_train_a_few_steps_export_then_reset_leaves_nothing_stale(
    qtbot: QtBot, panel: MlpPanel, tmp_path: Path
) -> None:
    panel.boxes[1].width_box.setValue(5)
    _train_steps(qtbot, panel, 2)
    sec = panel.playground
    steps = [h[0] for h in sec.history]
    assert steps == [0, 10, 20]  # speed 1 × 10 steps per report
    assert sec.neurons.image(1, 4).image is not None
    assert "σ′ = σ(1 − σ)" in panel.cards[1].values_text()
    panel._show_status()
    assert "step 20" in panel.run_bar.status.html()

    model = panel.export_model(tmp_path / "m.pt")
    doc = torch.load(model, weights_only=True)
    assert doc["hidden"] == [5, 5] and doc["activation"] == "tanh"
    net, _ = load_model(model)
    assert sum(p.numel() for p in net.parameters()) == (2 * 5 + 5) + (5 * 5 + 5) + 6
    csv = read_points_csv(panel.export_data(tmp_path / "p.csv"))
    np.testing.assert_array_equal(csv.x, sec.points.x)

    qtbot.mouseClick(panel.run_bar.reset, Qt.MouseButton.LeftButton)
    panel.draws.flush()
    assert sec.history == [] and sec.last is None
    assert (
        sec.train_curve.getData()[0] is None or len(sec.train_curve.getData()[0]) == 0
    )
    assert "not trained yet" in panel.cards[1].values_text()
    assert "step" not in panel.run_bar.status.html()
    with pytest.raises(ValueError, match="no trained network"):
        panel.export_model(tmp_path / "again.pt")


def test_clicking_a_neuron_enlarges_its_map(qtbot: QtBot, panel: MlpPanel) -> None:
    _train_steps(qtbot, panel, 1)
    grid = panel.playground.neurons
    pos = grid.box_center(0, 1)
    qtbot.mouseClick(
        grid.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(int(pos.x()), int(pos.y())),
    )
    assert panel.playground.selected == (0, 1)
    title = panel.playground.view.getPlotItem().titleLabel.text
    assert "neuron 2 of layer 1" in title
    qtbot.mouseClick(panel.boxes[1].output, Qt.MouseButton.LeftButton)
    assert "p(y = +1" in panel.playground.view.getPlotItem().titleLabel.text


def test_linear_activation_card_shows_one_affine_map(
    qtbot: QtBot, panel: MlpPanel
) -> None:
    box = panel.boxes[1]
    box.activation.setCurrentIndex(box.activation.findData("linear"))
    _train_steps(qtbot, panel, 1)
    text = panel.cards[1].values_text()
    assert "one affine map: z" in text and "·x1 + " in text


def test_bad_settings_and_files_give_clear_messages(
    qtbot: QtBot, panel: MlpPanel, tmp_path: Path
) -> None:
    panel.tabs.setCurrentIndex(1)
    for box in panel.boxes[1].features.values():
        box.setChecked(False)
    assert "at least one input feature" in panel.error_banner.text
    panel.start_pause()
    assert not panel.playground.runner.is_running
    bad = tmp_path / "bad.csv"
    bad.write_text("1,2,1\n3,4,1\n")
    with pytest.raises(ValueError, match="same class"):
        panel.open_file(bad)
    good = tmp_path / "good.csv"
    good.write_text("x1,x2,label\n0,0,0\n1,1,1\n0.5,0.2,1\n")
    panel.open_file(good)
    assert panel.binder.state().data == "points" and len(panel.playground.points) == 3


def test_bumps_add_tile_and_drag(qtbot: QtBot, panel: MlpPanel) -> None:
    panel.tabs.setCurrentIndex(2)
    sec = panel.approx
    box = panel.boxes[2]
    qtbot.mouseClick(box.add, Qt.MouseButton.LeftButton)
    assert len(sec.bumps) == 1 and len(panel.binder.state().a_bumps) == 1
    s1, s2, h = sec.bumps[0]
    expected = sup_error(bumps_sum(xs(), [(s1, s2, h)]), sec.f)
    assert f"{expected:.4g}" in panel.cards[2].values_text()
    view = sec.view
    start = view.handle_pos(0, 1)
    end = QPointF(start.x() + 60, start.y())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=start.toPoint())
    for k in range(1, 6):
        p = start + (end - start) * (k / 5)
        qtbot.mouseMove(view.viewport(), pos=p.toPoint())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=end.toPoint())
    assert sec.bumps[0][1] > s2 + 0.02  # the right edge moved right
    assert sec.bumps[0][0] == s1
    box.tile_n.setValue(40)
    qtbot.mouseClick(box.tile, Qt.MouseButton.LeftButton)
    assert len(sec.bumps) == 40 and sec.sup() < expected
    box.epsilon.setValue(0.5)
    assert "within ε = yes" in panel.cards[2].values_text()


def test_state_round_trip_keeps_points_and_bumps(
    qtbot: QtBot, panel: MlpPanel, app_context: AppContext
) -> None:
    _click(qtbot, panel.perceptron.view, 0.3, 0.3)
    panel.tabs.setCurrentIndex(2)
    panel.approx.tile(5)
    saved = panel.state()
    other = MlpPanel(app_context)
    qtbot.addWidget(other)
    other.restore(saved)
    assert other.state() == saved
    assert len(other.approx.bumps) == 5 and other.tabs.currentIndex() == 2
    assert len(other.perceptron.points) == len(panel.perceptron.points)
    other.shutdown()


def test_perceptron_margin_matches_the_core(panel: MlpPanel) -> None:
    m = panel.perceptron.margin
    pts = panel.perceptron.points
    assert m is not None and m.u is not None and m.gamma is not None
    assert (pts.y * (augment(pts.x) @ m.u)).min() == pytest.approx(m.gamma)
