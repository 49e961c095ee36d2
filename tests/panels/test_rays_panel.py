"""The Rays panel driven like a user: click pixels, move sliders, export, train."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from PySide6.QtCore import Qt

from explorer.core.rays.names import MIN_SEGMENT
from explorer.core.rays.nerf import NerfConfig
from explorer.core.rays.sdf_fit import SdfFitConfig
from explorer.panels.rays.controls import LEARNED_NERF, LEARNED_SDF
from explorer.panels.rays.panel import RaysPanel


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    n = torch.get_num_threads()
    torch.set_num_threads(1)  # training runs on a thread in tests; keep it light
    yield
    torch.set_num_threads(n)


@pytest.fixture
def panel(qtbot: Any, app_context: Any) -> Iterator[RaysPanel]:
    p = RaysPanel(app_context)
    qtbot.addWidget(p)
    p.controls.image_size.setCurrentIndex(0)  # 64 × 64: quick renders
    p.resize(1400, 900)
    p.show()
    yield p
    p.shutdown()


def click_pixel(qtbot: Any, panel: RaysPanel, u: int, v: int) -> None:
    view = panel.image_view
    pos = view.widget_pos_of_pixel(u, v).toPoint()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def curve_y(item: Any) -> np.ndarray:
    return np.asarray(item.getData()[1])


def test_clicking_a_pixel_selects_its_ray_and_updates_plots(
    qtbot: Any, panel: RaysPanel
) -> None:
    size = panel.ray_config().n_samples
    click_pixel(qtbot, panel, 2, 3)  # a corner: misses the sphere
    corner = panel.current_ray()
    assert corner is not None and corner.opacity < 0.05
    click_pixel(qtbot, panel, 32, 32)  # the image centre: the unit sphere
    ray = panel.current_ray()
    assert ray is not None and ray.opacity > 0.99
    np.testing.assert_allclose(curve_y(panel.ray_plots.sigma_curve), ray.sigma)
    np.testing.assert_allclose(curve_y(panel.ray_plots.trans_curve), ray.transmittance)
    assert len(curve_y(panel.ray_plots.alpha_curve)) == size
    # The centre ray hits the sphere where ‖eye + t d‖ = 1 (eye = (0, 0.6, 3)).
    eye = np.array([0.0, 0.6, 3.0])
    b_dot = float(eye @ ray.direction)
    t_hit = -b_dot - math.sqrt(b_dot * b_dot - (eye @ eye - 1.0))
    sphere_t = panel.ray_plots.sphere_dots.getData()[0]
    assert sphere_t[-1] == pytest.approx(t_hit, abs=1e-3)
    assert "sphere tracing" in panel.card.values_text()
    # the slice's f = 0 curve crosses the ray (s = 0) at the sphere, front and back
    t_c, s_c = (np.asarray(a, dtype=float) for a in panel.slice_view.contour.getData())
    a, b = slice(None, -1), slice(1, None)
    cross = np.isfinite(s_c[a] + s_c[b]) & (np.sign(s_c[a]) != np.sign(s_c[b]))
    w = s_c[a][cross] / (s_c[a][cross] - s_c[b][cross])
    t_cross = np.sort(t_c[a][cross] + w * (t_c[b][cross] - t_c[a][cross]))
    t_back = (
        -b_dot
        - math.sqrt(b_dot * b_dot - (eye @ eye - 1.0))
        + 2 * math.sqrt(b_dot * b_dot - (eye @ eye - 1.0))
    )
    np.testing.assert_allclose(t_cross, [t_hit, t_back], atol=3e-3)


def test_fog_plots_follow_beer_lambert(qtbot: Any, panel: RaysPanel) -> None:
    panel.controls.scene.setCurrentText("fog")
    panel.controls.density.setValue(2.0)
    panel.controls.samples.setValue(200)
    click_pixel(qtbot, panel, 32, 32)
    ray = panel.current_ray()
    assert ray is not None
    inside = ray.sigma > 0
    assert np.all(ray.sigma[inside] == pytest.approx(2.0))
    # Transmittance after the cube is exp(−σ L) with L the quadrature length.
    length = float(ray.delta[inside].sum())
    assert ray.transmittance[-1] == pytest.approx(math.exp(-2.0 * length), rel=1e-9)
    assert curve_y(panel.ray_plots.trans_curve)[-1] == pytest.approx(
        math.exp(-2.0 * length)
    )


def test_1e10_last_interval_makes_thin_fog_opaque(qtbot: Any, panel: RaysPanel) -> None:
    panel.controls.scene.setCurrentText("fog")
    panel.controls.density.setValue(0.2)
    panel.controls.far.setValue(3.0)  # far ends inside the cube (near = 1)
    click_pixel(qtbot, panel, 32, 32)
    honest = panel.current_ray()
    panel.controls.last_delta.setCurrentIndex(1)
    nerf = panel.current_ray()
    assert honest is not None and nerf is not None
    assert honest.opacity < 0.2 and nerf.opacity == pytest.approx(1.0)


def test_export_samples_csv_and_json(tmp_path: Path, panel: RaysPanel) -> None:
    panel.controls.samples.setValue(16)
    csv_path = panel.export_samples(tmp_path / "ray.csv")
    lines = csv_path.read_text().strip().splitlines()
    assert lines[0].startswith("t,delta,sigma,alpha,transmittance,weight")
    assert len(lines) == 17
    doc = json.loads(panel.export_samples(tmp_path / "ray.json").read_text())
    assert len(doc["samples"]) == 16
    assert sum(s["weight"] for s in doc["samples"]) == pytest.approx(doc["opacity"])


def test_opening_a_point_cloud_or_a_mesh(tmp_path: Path, panel: RaysPanel) -> None:
    tiny = tmp_path / "tiny.obj"
    tiny.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
    with pytest.raises(ValueError, match=r"tiny\.obj: has 3 points"):
        panel.open_file(tiny)
    cloud = tmp_path / "cloud.obj"
    cloud.write_text("".join(f"v {i % 3} {i // 3 % 3} {i // 9}\n" for i in range(27)))
    panel.open_file(cloud)
    assert panel.train_controls.shape.currentText() == "file: cloud.obj"
    status = panel.train_controls.run_bar.status.html()
    assert "27 points" in status and "no normals" in status
    mesh = tmp_path / "tri.obj"
    mesh.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    panel.open_file(mesh)
    assert panel.train_controls.shape.currentText() == "file: tri.obj"


def test_train_sdf_shows_level_set_and_curves(qtbot: Any, panel: RaysPanel) -> None:
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
    assert panel.controls.scene.currentText() == LEARNED_SDF
    # The views are drawn one per tick after the reports arrived.
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=5_000)
    x, _ = panel.training_view.loss_curve.getData()
    assert x is not None and x[-1] == 40
    assert panel.scene_view._surface_actor is not None
    # The learned field's ray is probed in a worker; once it lands, f(t) along
    # the selected ray is the trained network's, not the analytic sphere's.
    qtbot.waitUntil(lambda: not panel.probe_pending(), timeout=20_000)
    ray = panel.current_ray()
    assert ray is not None
    # Hidden behind the Training tab the ray plots wait; shown, they draw it.
    assert panel.tabs.currentWidget() is panel.training_view
    panel.tabs.setCurrentWidget(panel.ray_plots)
    t, f = panel.ray_plots.sdf_curve.getData()
    learned = panel._sdf_fn(ray.origin + np.asarray(t)[:, None] * ray.direction)
    np.testing.assert_allclose(f, learned, rtol=1e-5, atol=1e-6)
    unit_sphere = (
        np.linalg.norm(ray.origin + np.asarray(t)[:, None] * ray.direction, axis=1)
        - 1.0
    )
    assert np.abs(np.asarray(f) - unit_sphere).max() > 1e-4
    assert panel.train_controls.run_bar.start.text() == "Start"
    # Several selections in a row: the probe job shows the newest one.
    for u in (10, 20, 30):
        panel.select_pixel(u, 32)
    qtbot.waitUntil(lambda: not panel.probe_pending(), timeout=20_000)
    assert "pixel (u, v) = 30, 32" in panel.card.values_text()
    # Reset stops and forgets what was learned.
    qtbot.mouseClick(panel.train_controls.run_bar.reset, Qt.MouseButton.LeftButton)
    assert panel.controls.scene.currentText() == "scene"
    assert panel.learned.sdf_state is None
    x, _ = panel.training_view.loss_curve.getData()
    assert x is None or len(x) == 0
    assert "Not trained yet" in panel.train_controls.run_bar.status.html()


def test_train_nerf_pause_resume_and_learned_field(
    qtbot: Any, panel: RaysPanel
) -> None:
    cfg = NerfConfig(
        image_size=12,
        n_views=4,
        n_samples=12,
        n_freqs=2,
        hidden=16,
        layers=2,
        steps=30,
        eval_every=10,
    )
    panel.train_nerf(cfg, paused=True)
    run_bar = panel.train_controls.run_bar
    assert panel.train_controls.learn.currentData() == "nerf"
    assert run_bar.start.text() == "Resume"
    qtbot.mouseClick(run_bar.start, Qt.MouseButton.LeftButton)
    assert run_bar.start.text() == "Pause"
    with qtbot.waitSignal(panel._train_runner.finished, timeout=60_000):
        pass
    qtbot.waitUntil(panel.snapshot_ready, timeout=20_000)
    x, _ = panel.training_view.psnr_curve.getData()
    assert x is not None and list(x) == [0, 10, 20, 30]
    panel.controls.scene.setCurrentText(LEARNED_NERF)
    qtbot.waitUntil(lambda: not panel.probe_pending(), timeout=20_000)
    ray = panel.current_ray()
    assert ray is not None and np.all(ray.sigma >= 0.0)
    # the shown ray is the network's: its σ are the NeRF's at the sample points
    sigma = panel._field.density(ray.origin + ray.t[:, None] * ray.direction)
    np.testing.assert_allclose(ray.sigma, sigma, rtol=1e-4, atol=1e-6)


def test_state_round_trip(qtbot: Any, panel: RaysPanel, app_context: Any) -> None:
    panel.controls.scene.setCurrentText("torus")
    panel.controls.samples.setValue(40)
    click_pixel(qtbot, panel, 15, 35)
    state = panel.state()
    other = RaysPanel(app_context)
    qtbot.addWidget(other)
    other.restore(state)
    assert other.state() == state
    ray = other.current_ray()
    assert ray is not None and len(ray.t) == 40
    other.shutdown()


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"n_samples": "many"}, "n_samples"),
        ({"scene": "moon"}, "scene"),
        ({"near": 4.0, "far": 2.0}, "far"),
        ({"image_size": 100}, "image_size"),
        ({"learn": "gan"}, "learn"),
    ],
)
def test_restore_of_a_bad_state_names_the_field(
    panel: RaysPanel, bad: dict[str, Any], field: str
) -> None:
    before = panel.state()
    with pytest.raises(ValueError, match=rf"^{field}: "):
        panel.restore({**before, **bad})
    assert panel.state() == before  # nothing half-applied


def test_restore_shows_every_setting(
    qtbot: Any, panel: RaysPanel, app_context: Any
) -> None:
    state = {
        **panel.state(),
        "scene": "fog",
        "density": 3.5,
        "n_samples": 33,
        "near": 1.5,
        "far": 4.5,
        "stratified": True,
        "jitter": 0.25,
        "last_delta": "1e10",
        "n_freqs": 3,
        "image_size": 64,
        "pixel": [7, 9],
        "learn": "nerf",
    }
    panel.restore(state)
    c, t = panel.controls, panel.train_controls
    assert c.scene.currentText() == "fog" and c.density.isEnabled()
    assert c.density.value() == pytest.approx(3.5)
    assert c.samples.value() == 33 and c.stratified.isChecked()
    assert c.near_far_values() == pytest.approx((1.5, 4.5))
    assert c.jitter.value() == pytest.approx(0.25)
    assert c.last_delta.currentData() == "1e10" and c.image_size.currentData() == 64
    assert t.freqs.value() == 3 and t.learn.currentData() == "nerf"
    assert panel.ray_config().last_delta == "1e10"
    assert "pixel (u, v) = 7, 9" in panel.card.values_text()
    assert panel.state() == {**state, "version": 1}


def test_near_and_far_sliders_keep_a_segment_and_say_so(panel: RaysPanel) -> None:
    c = panel.controls
    c.far.setValue(3.0)
    c.near.setValue(3.5)  # past far: far is pushed along, visibly
    near, far = c.near_far_values()
    assert near == pytest.approx(3.5) and far == pytest.approx(3.5 + MIN_SEGMENT)
    assert panel.ray_config().near == pytest.approx(near)
    assert panel.ray_config().far == pytest.approx(far)
    c.far.setValue(1.0)  # before near: near is pushed back
    assert c.near_far_values() == pytest.approx((1.0 - MIN_SEGMENT, 1.0))
    assert "pushes" in c.near.toolTip() and "pushes" in c.far.toolTip()
