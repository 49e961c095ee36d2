"""The root-finding stepper: one step per click, its numbers shown and drawn."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from explorer.core.rays.roots import sphere_trace
from explorer.core.rays.scenes import Scene
from explorer.panels.rays.panel import RaysPanel
from explorer.panels.rays.stepper import describe_step


@pytest.fixture
def panel(qtbot: Any, app_context: Any) -> Iterator[RaysPanel]:
    p = RaysPanel(app_context)
    qtbot.addWidget(p)
    p.controls.image_size.setCurrentIndex(0)  # 64 × 64
    p.resize(1400, 900)
    p.show()
    yield p
    p.shutdown()


def _xs(item: Any) -> list[float]:
    x = item.getData()[0]
    return [] if x is None else [float(v) for v in x]


def test_sphere_tracing_one_step_per_click(panel: RaysPanel) -> None:
    cfg = panel.ray_config()
    for u in range(32, 64, 2):  # towards the rim: more steps (head on: two)
        panel.select_pixel(u, 32)
        ray = panel.current_ray()
        assert ray is not None
        # Independent trace of the same ray: ‖o + t d‖ − 1.
        expected = sphere_trace(
            lambda p: np.linalg.norm(p, axis=-1) - 1.0,
            ray.origin,
            ray.direction,
            near=cfg.near,
            far=cfg.far,
            eps=1e-4,  # the probe's tolerance
            max_steps=64,
        )
        if len(expected.steps) >= 5:
            break
    assert len(expected.steps) >= 5
    st = panel.stepper
    assert st.index is None and "All steps" in st.readout.text()
    for k in range(3):
        st.next.click()
        info = st.info
        assert info is not None and info.index == k
        want = expected.steps[k]
        assert info.t == pytest.approx(want.t, abs=1e-9)
        assert info.value == pytest.approx(want.value, abs=1e-9)
        # Sphere tracing moves by f(t): the step size shown is f(t_k).
        assert info.size == pytest.approx(want.value, abs=1e-9)
        text = st.readout.text()
        assert f"step {k + 1}/{len(expected.steps)}" in text
        assert f"t = {want.t:.4f}" in text and f"f(t) = {want.value:.4g}" in text
        # Only the steps so far are drawn; the step shown is ringed and arrowed.
        assert len(_xs(panel.ray_plots.sphere_dots)) == k + 1
        assert _xs(panel.ray_plots.step_dot) == pytest.approx([want.t])
        head = panel.slice_view.step_head
        assert head.isVisible()
        assert head.pos().x() == pytest.approx(want.t + want.value)
    st.back.click()
    assert st.info is not None and st.info.index == 1
    st.all.click()
    assert st.index is None and st.info is None
    assert len(_xs(panel.ray_plots.sphere_dots)) == len(expected.steps)
    assert not panel.slice_view.step_head.isVisible()


def test_secant_stepper_ends_at_the_root(panel: RaysPanel) -> None:
    panel.select_pixel(32, 32)
    st = panel.stepper
    st.method.setCurrentIndex(st.method.findData("secant"))
    st.next.click()
    first = st.info
    assert first is not None and first.kind == "march"
    assert first.size is not None and first.size > 0.0  # the even march step
    while st.next.isEnabled():
        st.next.click()
    last = st.info
    assert last is not None and last.kind == "secant" and last.size is None
    assert last.index == last.total - 1
    assert abs(last.value) < 1e-6  # on the surface
    assert "last step" in st.readout.text()


def test_a_new_ray_keeps_the_step_readout_current(panel: RaysPanel) -> None:
    panel.select_pixel(32, 32)
    st = panel.stepper
    st.next.click()
    st.next.click()
    before = st.readout.text()
    panel.select_pixel(20, 28)  # another ray: the numbers are its own
    assert st.info is not None
    ray = panel.current_ray()
    assert ray is not None
    assert st.readout.text() != before
    assert f"t = {st.info.t:.4f}" in st.readout.text()
    panel.controls.scene.setCurrentText("box")  # another field: its own steps
    ray = panel.current_ray()
    assert ray is not None
    cfg = panel.ray_config()
    box = sphere_trace(
        Scene("box").sdf,
        ray.origin,
        ray.direction,
        near=cfg.near,
        far=cfg.far,
        eps=1e-4,
        max_steps=64,
    )
    info = st.info
    assert info is not None and info.total == len(box.steps)
    assert info.t == pytest.approx(box.steps[info.index].t)
    assert st.readout.text() == describe_step(info, "sphere")


def test_describe_step_without_an_sdf() -> None:
    assert "no SDF" in describe_step(None, "sphere", has_sdf=False)


def test_gui_and_cli_start_from_the_same_sharpness(panel: RaysPanel) -> None:
    from explorer.cli import build_parser
    from explorer.core.rays.names import DEFAULT_SHARPNESS
    from explorer.panels.rays.state import RaysState

    assert RaysState().sharpness == DEFAULT_SHARPNESS
    assert panel.controls.sharpness.value() == pytest.approx(DEFAULT_SHARPNESS)
    assert Scene("sphere").sharpness == DEFAULT_SHARPNESS
    args = build_parser().parse_args(["rays", "render", "--out", "x.png"])
    assert args.sharpness == DEFAULT_SHARPNESS
