"""Rays readouts never go stale: after a reset, a new run or a new scene, every card,
curve and image matches what a fresh panel shows for the same settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch

from explorer.core.rays.nerf import NerfConfig
from explorer.core.rays.sdf_fit import SdfFitConfig
from explorer.panels.rays.panel import RaysPanel


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _panel(qtbot: Any, app_context: Any) -> RaysPanel:
    p = RaysPanel(app_context)
    qtbot.addWidget(p)
    p.controls.image_size.setCurrentIndex(0)  # 64 × 64
    p.resize(1400, 900)
    p.show()
    return p


@pytest.fixture
def panel(qtbot: Any, app_context: Any) -> Iterator[RaysPanel]:
    p = _panel(qtbot, app_context)
    yield p
    p.shutdown()


@pytest.fixture
def fresh(qtbot: Any, app_context: Any) -> Iterator[RaysPanel]:
    p = _panel(qtbot, app_context)
    yield p
    p.shutdown()


def _empty(item: Any) -> bool:
    x = item.getData()[0]
    return x is None or len(x) == 0


def _nerf_cfg(n_freqs: int) -> NerfConfig:
    return NerfConfig(
        image_size=12,
        n_views=4,
        n_samples=12,
        n_freqs=n_freqs,
        hidden=16,
        layers=2,
        steps=20,
        eval_every=10,
    )


def _readouts(p: RaysPanel) -> dict[str, Any]:
    out: dict[str, Any] = {
        "card": p.card.values_text(),
        "train card": p.train_card.values_text(),
        "stepper": p.stepper.readout.text(),
        "status": p.train_controls.run_bar.status.html(),
    }
    for name in ("sigma_curve", "alpha_curve", "trans_curve", "sdf_curve", "red"):
        x, y = getattr(p.ray_plots, name).getData()
        out[name] = (list(np.round(x, 9)), list(np.round(y, 9)))
    return out


def _same_readouts(a: RaysPanel, b: RaysPanel) -> None:
    assert _readouts(a) == _readouts(b)


def test_reset_after_training_leaves_nothing_old(qtbot: Any, panel: RaysPanel) -> None:
    # What the untrained panel shows for the scene a reset goes back to ("scene").
    # (A second panel alive during training made the test's event loop spin in
    # pyqtgraph painting; not investigated yet.)
    panel.controls.scene.setCurrentText("scene")
    panel.select_pixel(20, 30)
    expected = _readouts(panel)
    cfg = SdfFitConfig(
        shape="sphere",
        hidden=32,
        layers=3,
        n_points=1024,
        batch=256,
        steps=40,
        report_every=10,
        mesh_every=20,
        grid_res=24,
    )
    with qtbot.waitSignal(panel._train_runner.finished, timeout=60_000):
        panel.train_sdf(cfg)
    with qtbot.waitSignal(panel._train_runner.finished, timeout=60_000):
        panel.train_nerf(_nerf_cfg(2))
    assert "step" in panel.train_card.values_text()
    panel.stepper.next.click()
    panel.reset()
    panel.stepper.all.click()
    view = panel.training_view
    for curve in (
        view.loss_curve,
        view.eik_curve,
        view.surf_curve,
        view.psnr_curve,
        view.psnr_prev,
    ):
        assert _empty(curve)
    assert view.pred.image.image is None and view.target.image.image is None
    assert panel.controls.scene.currentText() == "scene"
    panel.select_pixel(20, 30)
    assert _readouts(panel) == expected


def test_a_second_nerf_run_keeps_the_first_only_as_previous(
    qtbot: Any, panel: RaysPanel
) -> None:
    with qtbot.waitSignal(panel._train_runner.finished, timeout=60_000):
        panel.train_nerf(_nerf_cfg(1))
    view = panel.training_view
    x1, y1 = view.psnr_curve.getData()
    assert x1 is not None and list(x1) == [0, 10, 20]
    panel.train_nerf(_nerf_cfg(3), paused=True)  # nothing of the new run yet
    assert _empty(view.psnr_curve) and _empty(view.psnr_dots)
    assert view.pred.image.image is None
    xp, yp = view.psnr_prev.getData()
    np.testing.assert_allclose(xp, x1)
    np.testing.assert_allclose(yp, y1)
    assert "held-out PSNR" not in panel.train_card.values_text()
    with qtbot.waitSignal(panel._train_runner.finished, timeout=60_000):
        panel._train_runner.resume()
    text = panel.train_card.values_text()
    assert "PE freqs L = 3" in text
    assert f"previous run = L = 1: {float(y1[-1]):.2f} dB" in text


def test_scene_and_sampling_changes_match_a_fresh_panel(
    panel: RaysPanel, fresh: RaysPanel
) -> None:
    panel.select_pixel(40, 30)
    panel.stepper.next.click()
    for scene in ("torus", "fog", "box"):
        panel.controls.scene.setCurrentText(scene)
    panel.controls.samples.setValue(20)
    panel.controls.far.setValue(4.0)
    panel.stepper.all.click()
    fresh.controls.scene.setCurrentText("box")
    fresh.controls.samples.setValue(20)
    fresh.controls.far.setValue(4.0)
    fresh.select_pixel(40, 30)
    _same_readouts(panel, fresh)
