"""The Autoregressive panel driven like a user: click a pixel, change L, train."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from pytestqt.qtbot import QtBot

from explorer.core.ar import masks
from explorer.panels.ar.pages import BLIND, SEEN
from explorer.panels.ar.panel import ArPanel
from explorer.panels.ar.views import PixelImage, rgb
from explorer.panels.base import AppContext


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[ArPanel]:
    p = ArPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(p.snapshot_ready, timeout=20_000)
    yield p
    p.shutdown()
    p.close()


def values(panel: ArPanel, tab: str) -> dict[str, str]:
    text = panel.cards[tab].values_text()
    return dict(line.rsplit(" = ", 1) for line in text.splitlines())


def click_pixel(qtbot: QtBot, view: PixelImage, row: int, col: int) -> None:
    scene = view.getPlotItem().vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
    pos = view.mapFromScene(scene)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos))  # type: ignore[no-untyped-call]


def test_click_an_output_pixel_shows_its_gradient_field(
    qtbot: QtBot, panel: ArPanel
) -> None:
    panel.tabs.setCurrentIndex(1)
    qtbot.wait(50)
    click_pixel(qtbot, panel.masks.pixelcnn, 20, 9)
    qtbot.waitUntil(lambda: panel._current_pair() is not None, timeout=10_000)
    s = panel.state()
    assert (s["row"], s["col"]) == (20, 9)
    shown = values(panel, "masks")
    assert shown["output pixel (row, col)"] == "(20, 9)"
    # the map shown is the core's gradient map of the real stack at that pixel
    spot = masks.blind_spot(masks.build_stack("pixelcnn", 3, 3), 28, 28, 20, 9)
    pair = panel._current_pair()
    assert pair is not None
    np.testing.assert_array_equal(pair.pixelcnn.seen, spot.seen)
    assert shown["PixelCNN field / blind"] == "21 / 3 pixels"
    assert shown["Gated field / blind"] == "31 / 0 pixels"
    assert shown["closed form (k = 3)"] == "21 / 3"
    # the image: the output pixel in the text colour, the blind pixels orange
    panel.draws.flush()
    image = panel.masks.pixelcnn.image.image
    assert image is not None and image.shape == (28, 28, 3)
    palette = panel.context.theme.palette
    assert tuple(image[20, 9]) == rgb(palette.text)  # the output
    assert tuple(image[19, 9]) == rgb(palette.series_color(SEEN))  # seen
    assert tuple(image[19, 11]) == rgb(palette.series_color(BLIND))  # (−1, +2)


def test_changing_l_recomputes_and_leaves_no_old_number(
    qtbot: QtBot, panel: ArPanel
) -> None:
    panel.tabs.setCurrentIndex(1)
    panel.mask_box.layers.setValue(4)
    # until the new maps arrive the card says so, never the L = 3 counts
    assert "21 / 3" not in panel.cards["masks"].values_text()
    qtbot.waitUntil(lambda: panel._current_pair() is not None, timeout=10_000)
    shown = values(panel, "masks")
    assert shown["L, k"] == "4, 3"
    assert shown["PixelCNN field / blind"] == "34 / 6 pixels"
    assert shown["closed form (k = 3)"] == "34 / 6"
    # an even kernel is moved to the next odd one
    panel.mask_box.kernel.setValue(4)
    assert panel.mask_box.kernel.value() == 5
    qtbot.waitUntil(lambda: panel._current_pair() is not None, timeout=10_000)
    assert values(panel, "masks")["L, k"] == "4, 5"
    assert "closed form (k = 3)" not in values(panel, "masks")


def test_a_few_training_steps_then_reset(qtbot: QtBot, panel: ArPanel) -> None:
    panel.train_box.digits.setValue(250)
    for _ in range(3):
        panel.step()
        qtbot.waitUntil(panel.is_settled, timeout=30_000)
    qtbot.waitUntil(lambda: len(panel._curve[0]) >= 3, timeout=30_000)
    panel.draws.flush()
    xs, ys = panel.chain.bits.curves["training (last 10 batches)"].getData()
    assert xs is not None and len(xs) >= 3 and np.all(np.isfinite(ys))
    shown = values(panel, "chain")
    assert shown["independent pixels"] != "—"
    assert shown["bits/pixel (last 10 batches)"] != "—"
    assert panel.run_bar.start.text() != "Start"  # held after the step
    # the range is the panel's, in round steps over what is drawn: pyqtgraph's
    # auto range (off) re-ranged after each draw and painted it twice
    box = panel.chain.bits.getPlotItem().getViewBox()
    assert not any(box.autoRangeEnabled())
    (x0, x1), (y0, y1) = box.viewRange()
    assert x0 <= 0.0 and x1 >= panel.train_box.epochs.value()
    drawn = np.concatenate(
        [
            c.getData()[1]
            for c in panel.chain.bits.curves.values()
            if c.getData()[1] is not None
        ]
    )
    assert y0 <= float(np.min(drawn)) and y1 >= float(np.max(drawn))
    assert y1 - y0 <= 3 * max(float(np.ptp(drawn)), 1e-3)  # fitted, not 0 … 1
    panel.reset()
    xs, _ = panel.chain.bits.curves["training (last 10 batches)"].getData()
    assert xs is None or len(xs) == 0
    shown = values(panel, "chain")
    assert shown["bits/pixel (last 10 batches)"] == "—"
    assert shown["independent pixels"] == "—"
    assert not panel.sample_button.isEnabled()


def test_training_ends_with_samples_drawn_pixel_by_pixel(
    qtbot: QtBot, panel: ArPanel
) -> None:
    panel.train_box.epochs.setValue(1)
    panel.train_box.digits.setValue(50)
    seen: list[int] = []
    panel.train_runner.finished.connect(lambda: seen.append(panel._drawn))
    panel.start_pause()
    qtbot.waitUntil(lambda: bool(seen), timeout=60_000)
    assert seen == [784]
    assert values(panel, "chain")["pixels drawn"] == "784 of 784"
    assert panel.sample_button.isEnabled()
    panel.draws.flush()
    tiles = panel.chain.samples.image.image
    assert tiles is not None and set(np.unique(tiles)) >= {0, 255}


def test_attention_mask_and_a_bad_word(qtbot: QtBot, panel: ArPanel) -> None:
    panel.tabs.setCurrentIndex(3)
    assert float(values(panel, "attention")["weight on the future Σ_{j>i} α_ij"]) == 0
    panel.att_box.causal.setChecked(False)
    assert float(values(panel, "attention")["weight on the future Σ_{j>i} α_ij"]) > 0
    panel.att_box.kind.setCurrentIndex(panel.att_box.kind.findData("word"))
    panel.att_box.dim.setValue(4)  # "autoregressive" has 9 different letters
    assert "different letters" in panel.error_banner.text
    assert values(panel, "attention") == {"α": "—"}
    panel.att_box.dim.setValue(10)
    assert panel.error_banner.text == ""
    assert values(panel, "attention")["T × D"] == "14 × 10"


def test_wavenet_preset_and_cost_measurement(qtbot: QtBot, panel: ArPanel) -> None:
    panel.tabs.setCurrentIndex(2)
    panel.wave_box.layers.setValue(10)
    assert values(panel, "wavenet")["receptive field r"] == "1,024 samples"
    assert values(panel, "wavenet")["at 16,000 Hz"] == "64 ms"
    panel.wave_box.preset.setCurrentIndex(panel.wave_box.preset.findData("ones"))
    assert values(panel, "wavenet")["receptive field r"] == "11 samples"
    panel.tabs.setCurrentIndex(4)
    panel.cost_box.dim.setValue(4)
    panel.cost_box.longest.setCurrentIndex(0)  # T up to 64
    panel.cost_box.measure.click()
    qtbot.waitUntil(
        lambda: panel._costs is not None and panel._costs.lengths == (16, 64),
        timeout=30_000,
    )
    xs, ys = panel.cost.curves.curves["self-attention"].getOriginalDataset()
    assert xs is not None and len(xs) == 2 and np.all(ys > 0)
    panel.cost_box.dim.setValue(5)  # the old measurement no longer applies
    xs, _ = panel.cost.curves.curves["self-attention"].getData()
    assert xs is None or len(xs) == 0
    assert values(panel, "cost") == {"measured": "—"}
