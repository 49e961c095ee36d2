"""GAN panel readouts: never stale, one source for limits, plots that read at a glance.

Issue 14: after a reset, a change of data or latent size, or a load, every card,
status line, curve and view must equal a fresh panel's with the same settings
(same seed, so the same numbers); a number typed out of range says why; the
unroll limit is the core's; divergence is said as the CLI says it.
"""

# pytest-qt's QtBot methods are untyped
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from explorer.core.gan import LIMITS, GanConfig, train_interactive
from explorer.panels.base import AppContext
from explorer.panels.gan.panel import GanPanel
from explorer.panels.gan.views import arrow_segments

WAIT_MS = 30_000


def _make(qtbot: QtBot, context: AppContext) -> GanPanel:
    panel = GanPanel(context)
    qtbot.addWidget(panel)
    panel.resize(1200, 800)
    panel.hyper.g_hidden.setValue(16)
    panel.hyper.d_hidden.setValue(16)
    panel.hyper.batch.setValue(64)
    panel.reset()
    _settled(qtbot, panel)  # (a job stops at its yields: let the first ones come)
    return panel


def _settled(qtbot: QtBot, panel: GanPanel) -> None:
    """Wait until every run reported and its snapshot and curves are drawn."""

    def done() -> bool:
        if not all(r.history for r in panel._runs) or panel.draws.pending():
            return False
        drawn = panel.coverage.curve_data
        return all(
            len(drawn(i)[0]) == len(r.curves["step"]) for i, r in enumerate(panel._runs)
        ) and all("G steps = 0" in c.values_text() for c in panel.formulas.values())

    qtbot.waitUntil(done, timeout=WAIT_MS)


def _readouts(panel: GanPanel) -> dict[str, Any]:
    out: dict[str, Any] = {"status": panel.run_bar.status.html()}
    for loss, card in panel.formulas.items():
        out[f"card {loss}"] = card.values_text()
    for name in ("coverage", "criterion", "quality"):
        pane = getattr(panel, name)
        for i in range(len(panel._runs)):
            x, y = pane.curve_data(i)
            out[f"{name} {i}"] = (list(x), list(y))
    out["modes range"] = tuple(panel.coverage.getPlotItem().viewRange()[1])
    for i, run in enumerate(panel._runs):
        x, y = run.view.samples.getData()
        out[f"samples {i}"] = (list(x), list(y))
        out[f"title {i}"] = run.view.getPlotItem().titleLabel.text
        out[f"modes {i}"] = run.view.means.tolist()
    return out


def _train_a_little(qtbot: QtBot, panel: GanPanel) -> None:
    for _ in range(3):
        n = len(panel._runs[0].history)
        qtbot.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda n=n: len(panel._runs[0].history) > n, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=WAIT_MS)
    qtbot.wait(500)  # the throttled curves
    assert "G steps = 3" in panel.formulas["minimax"].values_text()


CHANGES: dict[str, Callable[[GanPanel, Path], None]] = {
    "reset": lambda p, _: p.reset(),
    "data": lambda p, _: p.setup.data.setCurrentIndex(p.setup.data.findData("grid25")),
    "latent size": lambda p, _: p.hyper.latent.setValue(3),
    "unroll k": lambda p, _: p.setup.unroll.setValue(2),
    "load": lambda p, tmp: p.open_file(tmp / "tri.csv"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_no_readout_outlives_a_reset_or_a_change(
    qtbot: QtBot, app_context: AppContext, tmp_path: Path, change: str
) -> None:
    (tmp_path / "tri.csv").write_text("x,y\n0,0\n1,0\n0,1\n")
    panel = _make(qtbot, app_context)
    _train_a_little(qtbot, panel)
    old_status = panel.run_bar.status.html()
    assert "G step 3" in old_status
    CHANGES[change](panel, tmp_path)
    # at once, before the new jobs report: nothing of the old runs is shown
    assert "G step 3" not in panel.run_bar.status.html()
    for card in panel.formulas.values():
        assert "G steps = 3" not in card.values_text()
    for i in range(4):
        assert len(panel.coverage.curve_data(i)[0]) == 0
    _settled(qtbot, panel)

    fresh = _make(qtbot, app_context)
    CHANGES[change](fresh, tmp_path)
    _settled(qtbot, fresh)
    got, want = _readouts(panel), _readouts(fresh)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key] == want[key], key
    fresh.shutdown()
    panel.shutdown()


def test_limits_come_from_the_core(qtbot: QtBot, app_context: AppContext) -> None:
    panel = _make(qtbot, app_context)
    lo, hi = LIMITS["unroll"]
    assert (panel.setup.unroll.minimum(), panel.setup.unroll.maximum()) == (lo, hi)
    GanConfig(unroll=int(hi))  # the CLI's config takes the GUI's largest k
    with pytest.raises(ValueError, match="unroll"):
        GanConfig(unroll=int(hi) + 1)
    h = panel.hyper
    for box, name in (
        (h.latent, "latent_dim"),
        (h.g_hidden, "g_hidden"),
        (h.layers, "g_layers"),
        (h.n_critic, "n_critic"),
        (h.batch, "batch_size"),
        (h.gp_lambda, "gp_lambda"),
    ):
        assert (box.minimum(), box.maximum()) == LIMITS[name], name
    assert h.lr_g.maximum() == LIMITS["lr_g"][1]
    panel.shutdown()


def test_a_number_out_of_range_says_why(qtbot: QtBot, app_context: AppContext) -> None:
    """Typing 1e9 as G's learning rate once became 1.0 without a word."""
    panel = _make(qtbot, app_context)
    panel.show()
    box = panel.hyper.lr_g
    before = box.value()
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "1e9")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.value() == before  # kept, not clamped to 1.0
    text = panel.error_banner.text
    assert "lr_g must be in (0, 1], got 1000000000.0" in text, text
    k = panel.setup.unroll
    k.setFocus()
    k.lineEdit().selectAll()
    qtbot.keyClicks(k, "51")
    qtbot.keyClick(k, Qt.Key.Key_Return)
    assert k.value() == GanConfig().unroll
    assert "unroll (k) must be 1…50, got 51" in panel.error_banner.text
    panel.hide()
    panel.shutdown()


def test_learning_rate_1_diverges_and_the_app_says_so(
    qtbot: QtBot, app_context: AppContext
) -> None:
    """The issue's run: lr 1 drifted off with "G loss = −0"; now it is a divergence.

    The banner carries the core's DivergedError text, which the CLI prints too.
    """
    panel = _make(qtbot, app_context)
    for box in (panel.hyper.lr_g, panel.hyper.lr_d):
        box.setValue(1.0)
    panel.reset()
    qtbot.mouseClick(panel.run_bar.start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "diverged" in panel.error_banner.text, timeout=60_000)
    text = panel.error_banner.text
    assert "GAN diverged at G step" in text and "Lower the learning rates" in text
    panel.shutdown()


def test_plots_read_at_a_glance(qtbot: QtBot, app_context: AppContext) -> None:
    panel = _make(qtbot, app_context)
    for pane in (panel.coverage, panel.criterion, panel.quality):
        plot = pane.getPlotItem()
        assert plot.legend is None  # titles carry the run colours: nothing covers
        for name in ("left", "bottom"):
            assert not plot.getAxis(name).autoSIPrefix
    for run in panel._runs:
        for name in ("left", "bottom"):
            assert not run.view.getPlotItem().getAxis(name).autoSIPrefix
    # C(G) lies in [−log 4, 0]: the axis shows exactly that range (and a margin)
    low, high = panel.criterion.getPlotItem().viewRange()[1]
    assert low < -np.log(4) < -1.3 and high > -0.1 and high < 0.2
    panel.shutdown()


def test_arrows_have_heads_pointing_along_the_push() -> None:
    starts = np.array([[0.0, 0.0], [1.0, 1.0]], dtype=np.float32)
    vec = np.array([[1.0, 0.0], [0.0, -2.0]], dtype=np.float32)
    seg = arrow_segments(starts, vec).reshape(-1, 6, 2)
    np.testing.assert_allclose(seg[:, 0], starts)  # shaft: start to end
    np.testing.assert_allclose(seg[:, 1], starts + vec)
    for a, v in zip(seg, vec, strict=True):
        tip = a[1]
        for stroke in (a[2:4], a[4:6]):
            np.testing.assert_allclose(stroke[0], tip)  # both strokes from the tip
            back = stroke[1] - tip
            # pointing back along the arrow at 25°, 35 % of its length
            cos = float(np.dot(back, -v) / (np.linalg.norm(back) * np.linalg.norm(v)))
            assert cos == pytest.approx(np.cos(np.radians(25)), abs=1e-5)
            assert np.linalg.norm(back) == pytest.approx(0.35 * np.linalg.norm(v))
        # one stroke on each side of the shaft
        sides = [s[1] - tip for s in (a[2:4], a[4:6])]
        cross = [float(v[0] * w[1] - v[1] * w[0]) for w in sides]
        assert cross[0] * cross[1] < 0


def test_the_four_runs_advance_in_lockstep(
    qtbot: QtBot, app_context: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No view runs ahead: every snapshot is at most one chunk past the slowest.

    WGAN-GP's job starts late here (as a worker process can, on a busy machine):
    the others wait for it at their first chunk instead of running ahead.
    """
    real_train = train_interactive

    def slow_start(cfg: GanConfig, **kwargs: Any) -> Iterator[Any]:
        if cfg.loss == "wgan-gp":
            time.sleep(2.0)
        yield from real_train(cfg, **kwargs)

    monkeypatch.setattr("explorer.panels.gan.panel.train_interactive", slow_start)
    panel = _make(qtbot, app_context)
    for run in panel._runs:
        run.runner.abort()
    panel.start_pause()  # fresh jobs, running from the start
    qtbot.waitUntil(
        lambda: (
            all(r.history for r in panel._runs)
            and min(r.history[-1].step for r in panel._runs) >= 40
        ),
        timeout=60_000,
    )
    panel.start_pause()  # pause
    qtbot.wait(800)
    speed = panel.run_bar.speed_value
    for run in panel._runs:
        for other in panel._runs:
            # never more than one chunk ahead of any other run
            assert max(p.step for p in run.history) <= (
                max(p.step for p in other.history) + speed
            ), (run.loss, other.loss)
    panel.shutdown()
