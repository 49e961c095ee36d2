"""The latent panel, driven like a user: click, drag, hover, pick, train, save, open."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from explorer.core.data import DataFormatError, load_mnist
from explorer.core.latent import (
    CheckpointError,
    balanced_subset,
    decode,
    model_from_weights,
    tile,
)
from explorer.panels.base import AppContext
from explorer.panels.latent.panel import LatentPanel
from explorer.widgets.export import is_blank

VAE = 1


def _idx(arr: np.ndarray) -> bytes:
    dims = b"".join(struct.pack(">I", s) for s in arr.shape)
    return bytes([0, 0, 0x08, arr.ndim]) + dims + arr.astype(np.uint8).tobytes()


@pytest.fixture
def small_idx(tmp_path: Path) -> Path:
    """200 class-balanced MNIST digits as IDX files named like MNIST's own."""
    d = load_mnist()
    keep = balanced_subset(d.labels, 200, seed=0)
    images = tmp_path / "small-images-idx3-ubyte"
    images.write_bytes(_idx(np.round(d.images[keep] * 255)))
    (tmp_path / "small-labels-idx1-ubyte").write_bytes(_idx(d.labels[keep]))
    return images


@pytest.fixture
def panel(
    qtbot: QtBot, app_context: AppContext, small_idx: Path
) -> Iterator[LatentPanel]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    p = LatentPanel(app_context)
    qtbot.addWidget(p)
    p.controls.epochs.setValue(1)
    p.controls.cancel_pending()
    p.load_digits(small_idx)  # small data: a whole run takes a fraction of a second
    p._data_path = small_idx  # type: ignore[attr-defined]
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    yield p
    p.shutdown()
    p.close()
    torch.set_num_threads(before)


def _viewport_pos(p: LatentPanel, i: int, x: float, y: float) -> QPoint:
    return p._slots[i].scatter.widget_pos(x, y).toPoint()


def test_opening_idx_digits_finds_labels_and_restarts(panel: LatentPanel) -> None:
    assert len(panel._data.images) == 200
    assert np.bincount(panel._data.labels).tolist() == [20] * 10
    assert "small-images-idx3-ubyte" in panel.data_name.toolTip()
    assert "200" in panel.data_name.text()
    assert panel.ends_bar.a.maximum() == 199


def test_click_in_scatter_decodes_that_z(qtbot: QtBot, panel: LatentPanel) -> None:
    scatter = panel._slots[VAE].scatter
    viewport = scatter.plot.viewport()
    assert not panel.preview.has_image()
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=_viewport_pos(panel, VAE, 0.3, -0.2)
    )
    assert panel.preview.has_image()
    x, y = panel._click  # type: ignore[misc]
    # The click lands within a pixel or two of the aimed-at point of the plane.
    px, py = scatter.plot.getPlotItem().getViewBox().viewPixelSize()
    assert abs(x - 0.3) < 2 * px and abs(y + 0.2) < 2 * py
    slot = panel._slots[VAE]
    assert slot.model is not None
    expected = decode(slot.model, np.array([[x, y]], np.float32))[0]
    assert np.allclose(panel.preview.image.image, expected, atol=1e-6)
    assert "VAE decodes z = (" in panel.preview.title.text()


def test_drag_updates_the_decoded_image(qtbot: QtBot, panel: LatentPanel) -> None:
    viewport = panel._slots[VAE].scatter.plot.viewport()
    start, end = (
        _viewport_pos(panel, VAE, -1.5, 1.5),
        _viewport_pos(panel, VAE, 1.5, -1.5),
    )
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    first = panel.preview.image.image.copy()
    seen = []
    for k in range(1, 6):
        QTest.mouseMove(viewport, pos=start + (end - start) * (k / 5))
        seen.append(panel._click)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
    assert len(set(seen)) == 5  # every move decoded a new z
    assert seen[-1][0] > 1.0 and seen[-1][1] < -1.0  # type: ignore[index]
    assert not np.allclose(panel.preview.image.image, first)
    marker = panel._slots[VAE].scatter.marker.data
    assert len(marker) == 1


def test_hover_shows_the_digit_and_its_sigma(qtbot: QtBot, panel: LatentPanel) -> None:
    slot = panel._slots[VAE]
    j = 7
    x, y = slot.points[j]
    QTest.mouseMove(slot.scatter.plot.viewport(), pos=_viewport_pos(panel, VAE, x, y))
    assert slot.progress is not None
    index = int(slot.progress.code_index[j])
    title = panel.hover.title.text()
    # Hovering picks the nearest code, which may be a neighbour drawn on top.
    assert "σ = (" in title and "#" in title
    shown = int(title.split("#")[1].split(")")[0])
    assert np.array_equal(panel.hover.image.image, panel._data.images[shown])
    assert index in slot.progress.code_index
    xs, _ = slot.scatter.sigma.getData()
    assert xs is not None and len(xs) > 10  # the μ ± σ ellipse is drawn


def test_strip_renders_and_shift_click_picks_ends(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    for lerp_row, slerp_row in panel.strips:
        assert lerp_row.image.image.shape == (32, 10 * 30 + 2)
        assert slerp_row.image.image.shape == (32, 10 * 30 + 2)
    panel.ends_bar.steps.setValue(5)
    assert panel.strips[0][0].image.image.shape == (32, 5 * 30 + 2)
    slot = panel._slots[VAE]
    assert slot.progress is not None
    for end, j in ((panel.ends_bar.a, 3), (panel.ends_bar.b, 150)):
        x, y = slot.points[j]
        QTest.mouseClick(
            slot.scatter.plot.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.ShiftModifier,
            _viewport_pos(panel, VAE, x, y),
        )
        picked = end.value()
        k = int(np.flatnonzero(slot.progress.code_index == picked)[0])
        # The picked digit is the one under the cursor (or one drawn on the same spot).
        px, py = slot.scatter.plot.getPlotItem().getViewBox().viewPixelSize()
        assert (
            abs(slot.points[k, 0] - x) <= 9 * px
            and abs(slot.points[k, 1] - y) <= 9 * py
        )
    # The lerp path on the scatter starts and ends at the codes of A and B.
    path_x, path_y = slot.scatter.lerp_path.getData()
    a = int(np.flatnonzero(slot.progress.code_index == panel.ends_bar.a.value())[0])
    assert np.allclose([path_x[0], path_y[0]], slot.points[a], atol=1e-4)
    lerp_norms = panel.norm_lerp.getData()[1]
    assert len(lerp_norms) == 5


def test_training_runs_to_the_end_and_curves_fill(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    start = panel.run_bar.start
    assert start.text() == "Start"
    QTest.mouseClick(start, Qt.MouseButton.LeftButton)
    assert panel.is_training() and start.text() == "Pause"
    qtbot.waitUntil(lambda: all(s.done for s in panel._slots), timeout=30_000)
    assert not panel.is_training() and start.text() == "Start"
    for i, s in enumerate(panel._slots):
        assert s.progress is not None and s.progress.epoch == 1.0
        x, _ = panel.curves.recon[i].getData()
        assert x is not None and x[-1] == 1.0
    words = panel.formula.values_text().split()
    assert words[words.index("epoch") + 2] == "1"  # "epoch = 1"


def test_step_advances_each_model_by_one_report(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    assert panel.run_bar.step is not None
    QTest.mouseClick(panel.run_bar.step, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: all(
            s.progress is not None and s.progress.step > 0 for s in panel._slots
        ),
        timeout=20_000,
    )
    assert not panel.is_training()
    assert all(s.runner.is_paused for s in panel._slots if s.runner.is_running)
    if any(s.runner.is_running for s in panel._slots):
        assert panel.run_bar.start.text() == "Resume"
    # once the pending draws drain, every strip is decoded by its model's latest
    # weights (not the untrained ones)
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=5_000)
    for i, (lerp_row, _) in enumerate(panel.strips):
        p = panel._slots[i].progress
        assert p is not None
        codes = panel._strip_codes(i)
        assert codes is not None
        latest = model_from_weights(p.config, p.weights)
        expected = tile(decode(latest, codes[0])[None])
        np.testing.assert_allclose(lerp_row.image.image, expected, atol=1e-5)


def test_strips_keep_up_while_all_models_report(
    qtbot: QtBot, panel: LatentPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three models reporting without pause must not starve the strips: each
    # model's strips are redrawn within a few timer ticks of its codes.
    reports = [s.progress for s in panel._slots]
    refreshed = [0, 0, 0]
    original = panel._refresh_strip

    def counting(i: int) -> None:
        refreshed[i] += 1
        original(i)

    monkeypatch.setattr(panel, "_refresh_strip", counting)
    for k in range(36):
        i = k % 3
        report = reports[i]
        assert report is not None
        drawn = panel.draws.drawn
        panel._on_progress(i, report)
        qtbot.waitUntil(
            lambda drawn=drawn: panel.draws.drawn > drawn, timeout=5_000
        )  # one tick
    assert min(refreshed) >= 4


def test_a_models_strips_are_drawn_after_the_codes_queued_before_them(
    qtbot: QtBot, panel: LatentPanel, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.waitUntil(lambda: not panel.draws.pending(), timeout=5_000)
    order: list[tuple[str, int]] = []
    show_codes, refresh_strip = panel._show_codes, panel._refresh_strip

    def codes(i: int, *, strip: bool = True) -> None:
        order.append(("codes", i))
        show_codes(i, strip=strip)

    def strips(i: int) -> None:
        order.append(("strips", i))
        refresh_strip(i)

    monkeypatch.setattr(panel, "_show_codes", codes)
    monkeypatch.setattr(panel, "_refresh_strip", strips)
    for i in (0, 1, 2, 0):  # model 0 reports twice before its turn: drawn once
        report = panel._slots[i].progress
        assert report is not None
        panel._on_progress(i, report)
    panel.draws.flush()
    assert order == [("codes", i) for i in (0, 1, 2)] + [
        ("strips", i) for i in (0, 1, 2)
    ]


def test_beta_slider_retrains_only_the_beta_vae(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    vae_runner_gen = panel._slots[VAE].runner._generation
    panel.controls.beta.setValue(8)  # β = 2
    assert panel._slots[2].cfg.kl_weight != 2.0  # debounced: not yet
    panel.controls.flush()
    assert panel._slots[2].cfg.kl_weight == 2.0
    assert panel._slots[VAE].runner._generation == vae_runner_gen
    qtbot.waitUntil(lambda: panel._slots[2].progress is not None, timeout=20_000)
    assert "β=2" in panel._slots[2].scatter.header.text()


def test_one_large_layout_shows_only_the_active_model(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    QTest.mouseClick(panel.controls.large, Qt.MouseButton.LeftButton)
    visible = [s.scatter.isVisibleTo(panel) for s in panel._slots]
    assert visible == [False, True, False]
    panel.set_active(0)
    assert [s.scatter.isVisibleTo(panel) for s in panel._slots] == [True, False, False]
    QTest.mouseClick(panel.controls.side, Qt.MouseButton.LeftButton)
    assert all(s.scatter.isVisibleTo(panel) for s in panel._slots)


def test_save_and_open_weights(
    qtbot: QtBot, panel: LatentPanel, tmp_path: Path
) -> None:
    path = panel.save_weights(tmp_path / "vae.pt")
    before = panel._slots[VAE].progress
    assert before is not None
    panel.open_file(path)
    slot = panel._slots[VAE]
    assert (
        slot.progress is not None and "loaded from vae.pt" in slot.scatter.status.text()
    )
    assert np.allclose(slot.progress.codes, before.codes, atol=1e-5)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00not weights" * 20)
    with pytest.raises(CheckpointError, match="not a PyTorch weights file"):
        panel.open_file(junk)


def test_opening_malformed_files_raises_clear_errors(
    panel: LatentPanel, tmp_path: Path
) -> None:
    bad = tmp_path / "bad-images-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x02")
    with pytest.raises(DataFormatError, match="truncated IDX header"):
        panel.open_file(bad)
    wide = tmp_path / "wide.idx"
    wide.write_bytes(_idx(np.zeros((2, 32, 32))))
    with pytest.raises(DataFormatError, match="2×32×32"):
        panel.open_file(wide)
    not_image = tmp_path / "x.png"
    not_image.write_bytes(b"no png here")
    with pytest.raises(DataFormatError, match="not an image"):
        panel.open_file(not_image)
    assert len(panel._data.images) == 200  # the data in use is kept


def test_an_opened_image_becomes_an_interpolation_end(
    panel: LatentPanel, tmp_path: Path
) -> None:
    img = np.zeros((56, 56), np.uint8)
    img[10:46, 25:31] = 255  # a thick vertical bar, a "1"
    Image.fromarray(img).save(tmp_path / "one.png")
    panel.open_file(tmp_path / "one.png")
    assert panel.ends_bar.a_text.text() == "(your image)"
    ends = panel._end_images()
    assert ends.shape == (2, 28, 28) and ends[0, 14, 14] > 0.9 and ends[0, 2, 2] == 0


def test_state_round_trip_restores_trained_models(
    qtbot: QtBot,
    panel: LatentPanel,
    app_context: AppContext,
) -> None:
    panel.start_pause()
    qtbot.waitUntil(lambda: all(s.done for s in panel._slots), timeout=30_000)
    panel.ends_bar.steps.setValue(7)
    state = panel.state()
    assert state["steps"] == 7 and set(state["configs"]) == {"ae", "vae", "beta-vae"}
    other = LatentPanel(app_context)
    qtbot.addWidget(other)
    try:
        other.restore(state)
        assert other.ends_bar.steps.value() == 7
        for mine, theirs in zip(panel._slots, other._slots, strict=True):
            assert (
                theirs.progress is not None
                and theirs.scatter.status.text() == "restored"
            )
            assert mine.model is not None and theirs.model is not None
            z = np.array([[0.5, -0.5]], np.float32)
            assert np.allclose(
                decode(mine.model, z), decode(theirs.model, z), atol=1e-6
            )
    finally:
        other.shutdown()
        other.close()


def test_higher_latent_dimension_shows_a_pca_projection(
    qtbot: QtBot, panel: LatentPanel
) -> None:
    panel.controls.latent_dim.setValue(4)
    panel.controls.flush()
    qtbot.waitUntil(lambda: panel._slots[VAE].progress is not None, timeout=20_000)
    slot = panel._slots[VAE]
    assert slot.progress is not None and slot.progress.codes.shape[1] == 4
    assert "4-D" in slot.scatter.header.text()
    assert "PCA of 4-D codes" in slot.scatter.header.toolTip()
    # A click still decodes: the 2-D point is lifted back onto the PCA plane.
    viewport = slot.scatter.plot.viewport()
    QTest.mouseClick(
        viewport, Qt.MouseButton.LeftButton, pos=_viewport_pos(panel, VAE, 0.0, 0.0)
    )
    assert "z = (" in panel.preview.title.text()
    assert panel.preview.title.text().count(",") == 3  # four components


def test_export_of_the_main_view_is_not_blank(panel: LatentPanel) -> None:
    image = panel.export_image(1.0, main_view_only=True)
    assert image.width() == panel.scatter_area.width()
    assert not is_blank(image)


def test_state_restore_shows_the_settings_in_the_widgets(
    qtbot: QtBot, panel: LatentPanel, app_context: AppContext
) -> None:
    panel.controls.set_beta(2.5)
    panel.controls.noise.setValue(0.3)
    panel.grid_bar.spacing.setCurrentIndex(panel.grid_bar.spacing.findData("linear"))
    panel.grid_bar.extent.setValue(4.5)
    panel.ends_bar.b.setValue(77)
    panel.controls.cancel_pending()
    panel.set_active(2)
    panel.set_layout("large")
    state = panel.state()
    assert state["version"] == 1 and state["beta"] == 2.5 and state["ends"] == [0, 77]
    other = LatentPanel(app_context)
    qtbot.addWidget(other)
    try:
        other.load_digits(panel._data_path)  # type: ignore[attr-defined]
        other.restore(state)
        assert other.controls.beta_value_f == 2.5
        assert other.controls.beta_value.text() == "2.5"
        assert other.controls.noise.value() == 0.3
        assert other.grid_bar.spacing.currentData() == "linear"
        assert (
            other.grid_bar.extent.isEnabled() and other.grid_bar.extent.value() == 4.5
        )
        assert other.ends_bar.b.value() == 77
        assert other._active == 2 and other.controls.large.isChecked()
        assert other._slots[2].cfg.kl_weight == 2.5 and other._slots[0].cfg.noise == 0.3
        assert {k: v for k, v in other.state().items() if k != "configs"} == {
            k: v for k, v in state.items() if k != "configs"
        }
    finally:
        other.shutdown()
        other.close()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"latent_dim": 500}, "latent_dim"),
        ({"arch": "transformer"}, "arch"),
        ({"ends": [0]}, "ends"),
        ({"beta": "big"}, "beta"),
        ({"layout": 3}, "layout"),
        ({"version": 99}, "version"),
    ],
)
def test_restoring_a_bad_state_names_the_field(
    panel: LatentPanel, change: dict[str, object], field: str
) -> None:
    state = {**panel.state(), **change}
    before = panel.controls.latent_dim.value()
    with pytest.raises(ValueError, match=field):
        panel.restore(state)
    assert panel.controls.latent_dim.value() == before  # nothing applied


def test_gui_and_core_share_the_latent_dim_limit(panel: LatentPanel) -> None:
    from explorer.core.latent import LIMITS

    lo, hi = LIMITS["latent_dim"]
    assert (
        panel.controls.latent_dim.minimum(),
        panel.controls.latent_dim.maximum(),
    ) == (
        lo,
        hi,
    )


def test_a_latent_scatter_follows_its_codes_in_steps_until_the_user_zooms(
    qtbot: QtBot,
) -> None:
    from explorer.panels.latent.views import LatentScatter
    from explorer.widgets.theme import ThemeManager

    view = LatentScatter(ThemeManager(), "AE")
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    box = view.plot.getPlotItem().getViewBox()

    def cloud(r: float) -> np.ndarray:
        t = np.linspace(0, 2 * np.pi, 50, endpoint=False)
        return np.c_[r * np.cos(t), r * np.sin(t)].astype(np.float32)

    def shown() -> tuple[float, float, float, float]:
        (x0, x1), (y0, y1) = box.viewRange()
        return x0, x1, y0, y1

    labels = np.arange(50) % 10
    view.set_points(cloud(8.0), labels)
    first = shown()
    assert first[0] <= -8 and first[1] >= 8 and first[2] <= -8 and first[3] >= 8
    view.set_points(cloud(6.0), labels)  # fills more than half: the view holds
    assert shown() == first
    view.set_points(cloud(30.0), labels)  # beyond it: the view grows to hold it
    grown = shown()
    assert grown[0] <= -30 and grown[1] >= 30
    view.set_points(cloud(3.0), labels)  # far less than half: it follows down
    small = shown()
    assert small[1] - small[0] < (grown[1] - grown[0]) / 2 and small[1] >= 3
    # a wheel zoom (a range changed by hand): the codes no longer move the view
    box.scaleBy((0.5, 0.5))
    box.sigRangeChangedManually.emit([True, True])
    zoomed = shown()
    view.set_points(cloud(30.0), labels)
    assert shown() == zoomed
    box.menu.viewAll.trigger()  # View All: it follows again
    assert shown()[1] >= 30 and shown() != zoomed
