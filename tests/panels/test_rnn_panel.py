"""RNN panel: move λ and the plots follow; start / pause / step; no stale readouts."""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from explorer.core.progress import DivergedError
from explorer.core.rnn import JacobianConfig, jacobian_norms
from explorer.core.state import StateError
from explorer.panels.base import AppContext
from explorer.panels.rnn.panel import RnnPanel

WAIT_MS = 20_000
TRAIN_WAIT_MS = 90_000


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[RnnPanel]:
    """An RNN panel on screen with small nets; shut down after the test."""
    made = _panel(qtbot, app_context)
    yield made
    made.shutdown()


def _panel(qtbot: QtBot, context: AppContext) -> RnnPanel:
    panel = RnnPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1300, 850)
    panel.show()
    qtbot.waitExposed(panel)
    # small nets keep the tests fast; the logic is the same
    panel.net_box.hidden.setValue(16)
    panel.train_box.hidden.setValue(8)
    panel.train_box.length.setValue(8)
    qtbot.waitUntil(lambda: panel.shown_serial == panel._serial, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    return panel


def _curve_y(item) -> np.ndarray:  # type: ignore[no-untyped-def]
    y = item.getData()[1]
    return np.zeros(0) if y is None else np.asarray(y, dtype=np.float64)


def test_moving_lambda_updates_the_plot_eigenvalues_and_card(
    qtbot: QtBot, panel: RnnPanel
) -> None:
    panel.net_box.activation.setCurrentIndex(
        panel.net_box.activation.findData("linear")
    )
    for lam in (0.9, 1.1):
        panel.net_box.scale.setFocus()
        panel.net_box.scale.setValue(round(lam * 100))  # the slider, as a drag does
        qtbot.waitUntil(lambda: panel.shown_serial == panel._serial, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
        state = panel.settings()
        assert state.scale == pytest.approx(lam)
        ref = jacobian_norms(state.jacobian(), seed=state.seed)
        # the pane runs in log-y mode: getData() gives log10 of the norms
        y = 10.0 ** _curve_y(panel.jacobian.norms)
        np.testing.assert_allclose(y, ref.norms, rtol=1e-9)
        assert y[0] == pytest.approx(lam**state.steps, rel=1e-6)
        ev = panel.spectrum.points.getData()
        np.testing.assert_allclose(np.hypot(ev[0], ev[1]), lam, rtol=1e-9)
        card = panel.grad_card.values_text()
        assert f"λ = {lam:g}" in card
        expected = "2.66·10<sup>−5</sup>" if lam < 1 else "1.38·10<sup>4</sup>"
        assert f"T = 100 = {expected}" in card  # λ^T, read off the card


def test_a_long_t_ends_on_the_full_curve_after_its_preview(
    qtbot: QtBot, panel: RnnPanel
) -> None:
    # T = 200: the job yields every 4th k first, then every k; the plot must
    # end on the full curve (x = 0 … T), not stay on the preview.
    panel.net_box.steps.setValue(200)

    def full() -> bool:
        x = panel.jacobian.norms.getData()[0]
        return x is not None and len(x) == 201

    qtbot.waitUntil(full, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    state = panel.settings()
    ref = jacobian_norms(state.jacobian(), seed=state.seed)
    x = np.asarray(panel.jacobian.norms.getData()[0])
    np.testing.assert_array_equal(x, np.arange(201))
    np.testing.assert_allclose(10.0 ** _curve_y(panel.jacobian.norms), ref.norms)


def test_lstm_with_held_gates_shows_a_flat_line(qtbot: QtBot, panel: RnnPanel) -> None:
    panel.net_box.cell.setCurrentIndex(panel.net_box.cell.findData("lstm"))
    # click() does what a user's click does (a mouse click at the box's position
    # missed it twice in the full run; not found why, alone it always hits)
    panel.net_box.hold_gates.click()
    assert panel.net_box.hold_gates.isChecked()

    # (the request is debounced: wait for the drawn curve, not for a serial that
    # may not have moved yet on a loaded machine)
    def flat() -> bool:
        y = _curve_y(panel.jacobian.norms)
        return y.size > 0 and bool(np.allclose(y, 0.0, atol=1e-9))

    qtbot.waitUntil(flat, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    assert _curve_y(panel.jacobian.norms).size == 101  # k = 0 … T
    np.testing.assert_allclose(_curve_y(panel.jacobian.norms), 0.0, atol=1e-9)
    assert "T = 100 = 1\n" in panel.grad_card.values_text()


def test_start_pause_step_and_reset_clear_every_readout(
    qtbot: QtBot, panel: RnnPanel
) -> None:
    assert panel.run_bar.start.text() == "Start"
    qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: all(r.last is not None and r.last.step >= 5 for r in panel._runs),
        timeout=WAIT_MS,
    )
    assert panel.tabs.currentIndex() == 1  # training shows its tab
    qtbot.wait(300)
    assert all(r.last.step == 5 for r in panel._runs)  # held after one report
    assert panel.run_bar.start.text() == "Resume"
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    assert panel.run_bar.start.text() == "Pause"
    qtbot.waitUntil(
        lambda: all(r.last.step >= 20 for r in panel._runs), timeout=WAIT_MS
    )
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    assert panel.run_bar.start.text() == "Resume"
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    qtbot.wait(CURVE_WAIT_MS)
    assert len(_curve_y(panel.accuracy.curves[1])) >= 20
    assert panel.gates.image.image is not None
    assert "accuracy = 0." in panel.memory_card.values_text() or (
        "accuracy = 1" in panel.memory_card.values_text()
    )
    # a change of the task clears everything the old runs showed
    panel.train_box.task.setCurrentIndex(panel.train_box.task.findData("adding"))
    assert not any(r.runner.is_running for r in panel._runs)
    for view in (panel.accuracy, panel.grad_steps):
        assert all(len(_curve_y(c)) == 0 for c in view.curves)
    assert all(len(_curve_y(c)) == 0 for c in panel.grad_k.curves)
    assert panel.gates.image.image is None
    assert "accuracy = —" in panel.memory_card.values_text()
    assert "step = 0" in panel.memory_card.values_text()
    assert panel.run_bar.start.text() == "Start"


CURVE_WAIT_MS = 400


def test_clipping_caps_the_drawn_norm(qtbot: QtBot, panel: RnnPanel) -> None:
    panel.train_box.init_scale.setValue(2.0)  # explodes
    panel.train_box.clip_on.setChecked(True)
    panel.train_box.clip.setValue(0.5)
    qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: all(r.last is not None and r.last.step >= 5 for r in panel._runs),
        timeout=WAIT_MS,
    )
    qtbot.wait(CURVE_WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    raw = 10.0 ** _curve_y(panel.grad_steps.curves[0])  # a log-y pane
    clipped = 10.0 ** _curve_y(panel.grad_steps.extra[0])  # NaN: hidden under raw
    assert raw.max() > 0.5
    assert np.all(np.isfinite(clipped[raw > 0.5]))  # every clipped step is drawn
    drawn = np.isfinite(clipped)
    np.testing.assert_allclose(clipped[drawn], np.minimum(raw, 0.5)[drawn], rtol=1e-9)


def test_state_round_trips_and_a_bad_dict_names_the_field(
    qtbot: QtBot, panel: RnnPanel
) -> None:
    panel.net_box.matrix.setCurrentIndex(panel.net_box.matrix.findData("nonnormal"))
    saved = panel.state()
    other = RnnPanel(panel.context)
    qtbot.addWidget(other)
    try:
        other.restore(saved)
        assert other.state() == saved
        assert other.net_box.scale.value() == round(saved["scale"] * 100)
        with pytest.raises(StateError, match="scale"):
            other.restore({**saved, "scale": "big"})
    finally:
        other.shutdown()


def test_a_net_that_overflows_shows_a_message(qtbot: QtBot, panel: RnnPanel) -> None:
    panel.net_box.cell.setCurrentIndex(panel.net_box.cell.findData("naive"))
    panel.net_box.activation.setCurrentIndex(
        panel.net_box.activation.findData("linear")
    )
    panel.net_box.steps.setValue(500)
    panel.net_box.scale_box.setValue(5.0)
    qtbot.waitUntil(lambda: panel.error_banner.isVisible(), timeout=WAIT_MS)
    assert "overflowed" in panel.error_banner.text
    assert panel.result is None
    assert len(_curve_y(panel.jacobian.norms)) == 0
    ok = JacobianConfig(cell="naive", steps=10, hidden=4)
    assert jacobian_norms(ok).norms.shape == (11,)


def test_without_vs_with_clipping_on_the_exploding_setting(
    qtbot: QtBot, panel: RnnPanel
) -> None:
    panel.train_box.exploding.click()
    s = panel.settings()
    assert (s.compare, s.optimizer, s.task, s.init_scale) == (
        "clip",
        "sgd",
        "adding",
        2.0,
    )
    assert not panel.train_box.clip_on.isEnabled()  # run 2 is clipped at c anyway
    assert [r.clip for r in panel.race] == [None, 1.0]
    legend = panel.accuracy.add_legend()
    assert [label.text for _, label in legend.items] == ["RNN, no clip", "RNN, c = 1"]
    panel.train_box.seed.setValue(1)
    panel.train_box.budget.setValue(50)  # seed 1 dies at step 33–34 (1, 2 threads)
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    # the unclipped run blows up; its loss overflows from W_hh = 2·Q at steps 26–34
    # for seeds 0–4 in a worker process (1 and 2 threads), but on the tests' thread
    # backend inside the full suite it once stayed finite to step 50 (chaotic: the
    # float rounding decides), so only the spike is certain; the clipped run goes on
    # to the end (T = 50, n = 32: heavier than the other tests' nets)
    runs = panel._runs

    def ended(run) -> bool:  # type: ignore[no-untyped-def]
        return run.failed or (run.last is not None and run.last.step == 50)

    qtbot.waitUntil(lambda: ended(runs[0]) and ended(runs[1]), timeout=TRAIN_WAIT_MS)
    assert not runs[1].failed
    if not runs[0].failed:  # (the rounding kept it alive: let it die as it would)
        panel._on_run_error(0, DivergedError("training diverged at step 50"))
    qtbot.wait(CURVE_WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    assert "no clipping stopped: training diverged" in panel.error_banner.text
    # the dead run's last probe (of a blown-up net) is not drawn over k
    assert len(_curve_y(panel.grad_k.curves[0])) == 0
    assert len(_curve_y(panel.grad_k.curves[1])) > 0
    raw = [10.0 ** _curve_y(c) for c in panel.grad_steps.curves]
    assert raw[0].max() > 1e10  # the spike that blew it up is drawn
    assert np.nanmax(raw[1]) < 1e10  # clipped: the same net's ‖g‖ stays moderate
    capped = 10.0 ** _curve_y(panel.grad_steps.extra[1])
    assert np.nanmax(capped) <= 1.0 + 1e-9  # what the clipped run stepped with
    assert len(_curve_y(panel.grad_steps.extra[0])) == 0  # run 1 was never clipped
    assert np.isfinite(panel._runs[1].series("loss")).all()
    # back to the race of the cells: both runs clip alike again
    panel.train_box.compare.setCurrentIndex(panel.train_box.compare.findData("cells"))
    assert panel.train_box.clip_on.isEnabled()
    assert [r.cell for r in panel.race] == ["rnn", "lstm"]
