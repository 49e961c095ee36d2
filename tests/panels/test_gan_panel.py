"""GAN panel: start, pause, step D / G / both, draw and move modes, errors, sessions."""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import dataclasses
import multiprocessing as mp
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from pytestqt.qtbot import QtBot

from explorer.core.gan import LOSS_NAMES, GanConfig, GanProgress, train_interactive
from explorer.core.progress import DivergedError, LocalControl
from explorer.core.state import StateError
from explorer.panels.base import AppContext
from explorer.panels.gan.panel import GanPanel
from explorer.panels.gan.views import FieldView
from explorer.widgets.export import is_blank
from explorer.workers import JobRunner

WAIT_MS = 20_000


def _panel(qtbot: QtBot, context: AppContext) -> GanPanel:
    panel = GanPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    # small networks keep the tests fast; the objective logic is the same
    panel.hyper.g_hidden.setValue(16)
    panel.hyper.d_hidden.setValue(16)
    panel.hyper.batch.setValue(64)
    panel.reset()
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: all(r.history for r in panel._runs), timeout=WAIT_MS)
    return panel


def _last(panel: GanPanel, run: int = 0) -> Any:
    return panel._runs[run].history[-1]


def _wait_new(qtbot: QtBot, panel: GanPanel, count: int, run: int = 0) -> None:
    qtbot.waitUntil(lambda: len(panel._runs[run].history) > count, timeout=WAIT_MS)


def _step_both(panel: GanPanel) -> Any:
    assert panel.run_bar.step is not None
    return panel.run_bar.step


def _wait_held(qtbot: QtBot, panel: GanPanel, quiet_ms: int = 400) -> None:
    """Wait until run A's history stops growing (the chunk in flight arrived)."""
    while True:
        n = len(panel._runs[0].history)
        qtbot.wait(quiet_ms)
        if len(panel._runs[0].history) == n:
            return


def test_start_pause_and_step_buttons(qtbot: QtBot, app_context: AppContext) -> None:
    panel = _panel(qtbot, app_context)
    first = _last(panel)
    assert (first.step, first.d_steps) == (0, 0)
    assert panel.run_bar.start.text() == "Start"
    assert [r.loss for r in panel._runs] == list(LOSS_NAMES)
    assert not any(r.view.isHidden() for r in panel._runs)
    assert not any(card.isHidden() for card in panel.formulas.values())

    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _last(panel).step >= 30, timeout=WAIT_MS)
    assert panel.run_bar.start.text() == "Pause"
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    assert panel.run_bar.start.text() == "Resume"
    # the chunk that was running when Pause was clicked arrives, then the job holds
    _wait_held(qtbot, panel)
    paused_at = _last(panel).step
    qtbot.wait(300)
    assert _last(panel).step == paused_at  # paused means paused

    for button, d_more, g_more in (
        (panel.step_d, 1, 0),
        (panel.step_g, 0, 1),
        (_step_both(panel), 1, 1),
    ):
        before = _last(panel)
        n = len(panel._runs[0].history)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        _wait_new(qtbot, panel, n)
        after = _last(panel)
        assert (after.d_steps - before.d_steps, after.step - before.step) == (
            d_more,
            g_more,
        )
    # the curves got one point per snapshot
    assert len(panel._runs[0].curves["step"]) == len(panel._runs[0].history)
    _assert_contour_on_level(panel._runs[0].view, _last(panel))
    panel.shutdown()


def test_a_step_clicked_while_running_pauses_then_steps_once(
    qtbot: QtBot, app_context: AppContext
) -> None:
    panel = _panel(qtbot, app_context)
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _last(panel).step >= 20, timeout=WAIT_MS)
    qtbot.mouseClick(panel.step_g, Qt.MouseButton.LeftButton)  # no Pause first
    assert panel.run_bar.start.text() == "Resume"
    qtbot.waitUntil(lambda: _last(panel).action == "g", timeout=WAIT_MS)
    _wait_held(qtbot, panel)
    history = panel._runs[0].history
    assert history[-1].action == "g"  # the G step came last: then the run held
    before, after = history[-2], history[-1]
    assert (after.step - before.step, after.d_steps - before.d_steps) == (1, 0)
    panel.shutdown()


def _assert_contour_on_level(view: FieldView, p: GanProgress) -> None:
    """The drawn D = ½ curve is where D = ½, in the plot's coordinates.

    D is replaced by a known field, σ(x₁ − 0.3 x₂ − 0.5), sampled like the
    trainer's (pixel centres over the extent): its ½ level is the line
    x₁ = 0.3 x₂ + 0.5.
    """
    rows, cols = p.heat.shape
    x0, x1, y0, y1 = p.extent
    xs = x0 + (np.arange(cols) + 0.5) * (x1 - x0) / cols
    ys = y0 + (np.arange(rows) + 0.5) * (y1 - y0) / rows
    yy, xx = np.meshgrid(ys, xs, indexing="ij")
    heat = 1.0 / (1.0 + np.exp(-(xx - 0.3 * yy - 0.5)))
    view.show_progress(dataclasses.replace(p, heat=heat, heat_is_probability=True))
    x, y = (np.asarray(a, dtype=float) for a in view.contour.getData())
    assert np.isfinite(x).sum() > 10
    np.testing.assert_allclose(x, 0.3 * y + 0.5, atol=2e-3)


def test_side_by_side_runs_share_seed_and_step_together(
    qtbot: QtBot, app_context: AppContext
) -> None:
    panel = _panel(qtbot, app_context)
    first = [_last(panel, i) for i in range(4)]
    # same seed: the untrained generators are the same network, so same samples
    for p in first[1:]:
        np.testing.assert_array_equal(first[0].samples, p.samples)
    assert [p.loss_name for p in first] == list(LOSS_NAMES)
    assert [p.heat_is_probability for p in first] == [True, True, True, False]
    counts = [len(r.history) for r in panel._runs]
    qtbot.mouseClick(_step_both(panel), Qt.MouseButton.LeftButton)
    for i, n in enumerate(counts):
        _wait_new(qtbot, panel, n, i)
    # one D step each, the critic n_critic = 5; one G step for all
    steps = [(_last(panel, i).d_steps, _last(panel, i).step) for i in range(4)]
    assert steps == [(1, 1), (1, 1), (1, 1), (5, 1)]
    panel.shutdown()


def _click_at(
    qtbot: QtBot,
    view: FieldView,
    x: float,
    y: float,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
) -> None:
    vb = view.getPlotItem().getViewBox()
    scene = vb.mapViewToScene(QPointF(x, y))
    pos = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), button, pos=pos)


def test_draw_move_and_remove_modes(qtbot: QtBot, app_context: AppContext) -> None:
    panel = _panel(qtbot, app_context)
    panel.show()
    qtbot.waitExposed(panel)
    view = panel._runs[0].view
    assert len(panel._means) == 8

    _click_at(qtbot, view, 0.5, -0.5)  # empty ground: a new mode
    qtbot.waitUntil(lambda: len(panel._means) == 9, timeout=WAIT_MS)
    np.testing.assert_allclose(panel._means[-1], [0.5, -0.5], atol=0.1)
    assert panel.setup.data.currentData() == "points"

    _click_at(qtbot, view, 2.0, 0.0, Qt.MouseButton.RightButton)  # on mode 0
    qtbot.waitUntil(lambda: len(panel._means) == 8, timeout=WAIT_MS)
    assert not np.any(np.all(np.isclose(panel._means, [2.0, 0.0]), axis=1))

    view.move_mode(0, -1.0, -1.0)  # what a drag of mode 0 ends with
    np.testing.assert_array_equal(panel._means[0], [-1.0, -1.0])

    # the paused job trains on the edited data from its next step on
    qtbot.mouseClick(_step_both(panel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _last(panel).step == 1, timeout=WAIT_MS)
    np.testing.assert_array_equal(_last(panel).means, panel._means)
    assert _last(panel).modes_total == 8
    panel.hide()
    panel.shutdown()


def test_divergence_shows_a_banner_and_idles(
    qtbot: QtBot, app_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_train = train_interactive

    def diverging(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in real_train(*args, **kwargs):
            yield item
            if item is not None and item.step > 0:  # the first trained snapshot
                raise DivergedError(
                    f"training diverged at G step {item.step}: g_loss = nan"
                )

    monkeypatch.setattr("explorer.panels.gan.panel.train_interactive", diverging)
    panel = _panel(qtbot, app_context)
    assert panel.error_banner.text == ""
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "diverged" in panel.error_banner.text, timeout=WAIT_MS)
    assert "stopped: training diverged at G step" in panel.error_banner.text
    # the run that diverged stopped; the others are held (Resume goes on without it)
    qtbot.waitUntil(
        lambda: all(r.runner.is_paused for r in panel._runs if r.runner.is_running),
        timeout=WAIT_MS,
    )
    stopped = [r for r in panel._runs if not r.runner.is_running]
    banner = panel.error_banner.text.lower()
    assert any(r.loss.split("-")[0] in banner for r in stopped)
    assert panel.run_bar.start.text() in ("Resume", "Start")
    panel.reset()  # fresh runs from the seed; the banner goes
    assert panel.error_banner.text == ""
    assert all(r.history == [] for r in panel._runs)
    qtbot.waitUntil(lambda: all(r.history for r in panel._runs), timeout=WAIT_MS)
    assert all(r.runner.is_running for r in panel._runs)
    panel.shutdown()


def test_state_restore_open_file_and_export(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path
) -> None:
    panel = _panel(qtbot, app_context)
    pts = tmp_path / "tri.csv"
    pts.write_text("x,y\n0,0\n1,0\n0,1\n")
    panel.open_file(pts)
    qtbot.waitUntil(panel.snapshot_ready, timeout=WAIT_MS)
    assert _last(panel).modes_total == 3
    state = panel.state()
    assert state["data"] == "points" and np.asarray(state["means"]).shape == (3, 2)

    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ValueError, match="line 2"):
        panel.open_file(bad)

    other = GanPanel(app_context)
    qtbot.addWidget(other)
    state["seed"] = 7
    other.restore(state)
    assert other.setup.seed.value() == 7
    np.testing.assert_array_equal(other._means, panel._means)
    qtbot.waitUntil(lambda: bool(other._runs[3].history), timeout=WAIT_MS)
    assert not _last(other, 3).heat_is_probability

    image = panel.export_image(1.0, main_view_only=True)
    assert not is_blank(image)
    other.shutdown()
    panel.shutdown()


def test_control_steers_a_job_in_a_worker_process(qtbot: QtBot) -> None:
    """The app's path: the runner's control steers the job in a spawned child."""
    cfg = GanConfig(
        g_hidden=8,
        d_hidden=8,
        batch_size=32,
        show_samples=16,
        heat_resolution=8,
        steps=None,
    )
    got: list[GanProgress | None] = []
    runner = JobRunner("gan", backend="process")
    runner.set_speed(2)
    runner.start(
        train_interactive,
        cfg,
        seed=0,
        device="cpu",
        threads=1,
        on_progress=got.extend,
        batched=True,
        paused=True,
        controlled=True,
    )
    qtbot.waitUntil(lambda: bool(mp.active_children()), timeout=WAIT_MS)
    children = mp.active_children()  # really a process, not the thread fallback

    def snaps() -> list[GanProgress]:
        return [p for p in got if p is not None]

    qtbot.waitUntil(lambda: bool(snaps()), timeout=60_000)
    runner.act("d")
    runner.step(1)
    qtbot.waitUntil(lambda: len(snaps()) == 2, timeout=WAIT_MS)
    init, first = snaps()
    assert (init.step, init.d_steps, init.action) == (0, 0, "init")
    assert (first.step, first.d_steps, first.action) == (0, 1, "d")  # exactly one D
    qtbot.wait(300)
    assert len(snaps()) == 2  # held after the step
    # same seed, same result as the job run here
    here = LocalControl()
    local_job = train_interactive(cfg, seed=0, device="cpu", control=here)
    next(local_job)
    here.act("d")
    local = next(local_job)
    assert local is not None
    np.testing.assert_array_equal(first.samples, local.samples)

    runner.resume()
    qtbot.waitUntil(lambda: snaps()[-1].step >= 6, timeout=WAIT_MS)
    runner.pause()
    runner.act("g")
    runner.step(1)  # right after Pause: the chunk in flight, then exactly one G
    qtbot.waitUntil(lambda: snaps()[-1].action == "g", timeout=WAIT_MS)
    stepped = snaps()[-1]
    before = snaps()[-2]
    assert (stepped.step, stepped.d_steps) == (before.step + 1, before.d_steps)
    qtbot.wait(300)
    assert snaps()[-1] is stepped  # paused means paused

    runner.abort(wait=True)
    for child in children:
        child.join(timeout=5.0)
        assert not child.is_alive()


def test_restore_of_a_bad_state_names_the_field(
    qtbot: QtBot, app_context: AppContext
) -> None:
    panel = _panel(qtbot, app_context)
    good = panel.state()
    for change, field_name in (
        ({"unroll": 999}, "unroll"),
        ({"data": "hinge"}, "data"),
        ({"seed": "fast"}, "seed"),
        ({"means": [[0.0, float("nan")]]}, "means"),
        ({"hyper": {**good["hyper"], "lr_g": -1.0}}, "hyper.lr_g"),
        ({"version": 99}, "version"),
    ):
        with pytest.raises(StateError, match=field_name):
            panel.restore({**good, **change})
    panel.shutdown()


def test_state_round_trips_through_the_widgets(
    qtbot: QtBot, app_context: AppContext
) -> None:
    panel = _panel(qtbot, app_context)
    state = panel.state()
    state.update(
        data="points",
        means=np.array([[0.0, 0.0], [1.0, 0.5]]),
        std=0.1,
        unroll=7,
        seed=42,
        speed=2,
        arrows=False,
        trails=False,
    )
    state["hyper"] = {**state["hyper"], "lr_d": 0.002, "optimizer": "sgd"}
    other = GanPanel(app_context)
    qtbot.addWidget(other)
    other.restore(state)
    back = other.state()
    np.testing.assert_array_equal(back.pop("means"), state.pop("means"))
    assert back == state
    assert other.setup.seed.value() == 42
    assert other.run_bar.speed_value == 5
    assert other.hyper.optimizer.currentData() == "sgd"
    assert not other.view_options.arrows.isChecked()
    qtbot.waitUntil(lambda: bool(other._runs[3].history), timeout=WAIT_MS)
    assert _last(other, 3).loss_name == "wgan-gp"
    other.shutdown()
    panel.shutdown()


def test_the_card_says_no_step_yet_instead_of_nan_before_training(
    qtbot: QtBot, app_context: AppContext
) -> None:
    panel = _panel(qtbot, app_context)
    card = panel.formulas[_last(panel).loss_name]
    qtbot.waitUntil(lambda: "G steps = 0" in card.values_text(), timeout=WAIT_MS)
    text = card.values_text()
    assert "nan" not in text.lower() and "D loss = — (no step yet)" in text
    qtbot.mouseClick(_step_both(panel), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "G steps = 1" in card.values_text(), timeout=WAIT_MS)
    assert "no step yet" not in card.values_text()
    panel.shutdown()
