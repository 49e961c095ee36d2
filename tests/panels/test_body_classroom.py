"""The body panel as a lecturer uses it (issue 14): linked split view, presets,
exports that say where they wrote, bad numbers said plainly, no stale readouts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtGui import QImage

from explorer.panels.body.panel import BodyPanel
from tests.panels.test_body_panel import body_cache, panel  # noqa: F401

_SETTLE_MS = 10_000


def _body_pixels(image: QImage) -> float:
    """Return the share of pixels that are not the (light) plot background."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height = rgb.width(), rgb.height()
    raw = np.frombuffer(rgb.constBits(), np.uint8).reshape(height, rgb.bytesPerLine())
    pixels = raw[:, : width * 3].reshape(height, width, 3)
    return float((pixels.min(axis=2) < 200).mean())


def _wait_split(qtbot: Any, panel: BodyPanel) -> None:
    qtbot.waitUntil(
        lambda: panel._last is not None and "dqs" in panel._last.meshes,
        timeout=_SETTLE_MS,
    )


def test_split_views_share_one_camera(qtbot: Any, panel: BodyPanel) -> None:
    panel.split_check.setChecked(True)
    _wait_split(qtbot, panel)
    lbs, dqs = panel.view.view, panel.view_dqs.view
    before = np.asarray(dqs.plotter.camera.position)
    # a drag on the LBS view turns the camera: the DQS view turns with it
    assert lbs._canvas is not None and dqs._canvas is not None
    lbs._canvas.dragged.emit(60.0, 10.0)
    after = np.asarray(dqs.plotter.camera.position)
    assert np.linalg.norm(after - before) > 0.1
    np.testing.assert_allclose(after, lbs.plotter.camera.position)
    # and the DQS view redraws what it now sees
    old = dqs._canvas.image.copy()
    qtbot.waitUntil(lambda: dqs._canvas.image != old, timeout=_SETTLE_MS)
    # the other way round as well
    dqs._canvas.dragged.emit(-30.0, 0.0)
    np.testing.assert_allclose(lbs.plotter.camera.position, dqs.plotter.camera.position)


@pytest.mark.parametrize("split_first", [True, False])
def test_dqs_pane_shows_the_body_after_a_preset(
    qtbot: Any, panel: BodyPanel, split_first: bool
) -> None:
    if split_first:
        panel.split_check.setChecked(True)
        _wait_split(qtbot, panel)
    panel.apply_preset("forearm twisted 180°")
    panel.split_check.setChecked(True)
    qtbot.waitUntil(
        lambda: (
            panel._last is not None
            and panel._last.request is not None
            and not panel._last.request.pose.is_rest()
            and "dqs" in panel._last.meshes
        ),
        timeout=_SETTLE_MS,
    )
    qtbot.wait(200)
    last = panel._last
    assert last is not None
    np.testing.assert_allclose(
        panel.view_dqs.vertices(), last.meshes["dqs"].vertices, atol=1e-5
    )
    for view in (panel.view, panel.view_dqs):
        view.view.render_now()
        image = view.view._canvas.image  # type: ignore[union-attr]
        assert not image.isNull()
        assert _body_pixels(image) > 0.03, "the view shows no body"
    # the twist reads as the turn it is, about the forearm's own y axis
    model = panel.model
    assert model is not None and panel.pose is not None
    panel.select_bone("lowerarm02.L")
    shown = [s.value() for s in panel.angle_sliders]
    np.testing.assert_allclose(shown, [0.0, 180.0, 0.0], atol=0.05)
