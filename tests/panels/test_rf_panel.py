"""The receptive-field panel driven like a user: pick, click, hover, edit, train."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QTableWidgetItem
from pytestqt.qtbot import QtBot

from explorer.core.data import asset_path
from explorer.core.rf import Box
from explorer.panels.rf.panel import RfPanel
from explorer.panels.rf.views import MapView
from explorer.widgets.export import export_svg, is_blank


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Small models run far faster on one thread on this shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


@pytest.fixture
def panel(qtbot: QtBot, app_context: Any) -> Iterator[RfPanel]:
    p = RfPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitUntil(lambda: p.arch == "mnist_cnn" and p.snapshot_ready(), timeout=20000)
    yield p
    p.shutdown()


def drawn_box(p: RfPanel) -> Box:
    xs, ys = p.input_view.box.getData()
    return Box(
        top=int(min(ys)),
        left=int(min(xs)),
        bottom=int(max(ys)) - 1,
        right=int(max(xs)) - 1,
    )


def unit_point(view: MapView, i: int, j: int) -> QPoint:
    point: QPoint = view.mapFromScene(view.scene_pos_of(i, j))
    return point


def cell(p: RfPanel, row: int, col: int) -> QTableWidgetItem:
    item = p.table.item(row, col)
    assert item is not None
    return item


def table_column(p: RfPanel, col: int) -> list[str]:
    return [cell(p, r, col).text().strip() for r in range(p.table.rowCount())]


def test_table_shows_the_live_cnn(panel: RfPanel) -> None:
    # conv 5×5 p2, pool 2, conv 5×5 p2, pool 2, conv 3×3 p1 on 28×28 (by hand):
    assert table_column(panel, 0) == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    assert table_column(panel, 6) == ["28", "14", "14", "7", "7"]  # out
    assert table_column(panel, 7) == ["5", "6", "14", "16", "24"]  # RF
    assert table_column(panel, 8) == ["1", "2", "2", "4", "4"]  # jump
    assert table_column(panel, 9) == ["2", "2", "6", "6", "10"]  # eff. padding


def test_click_a_unit_draws_its_box_and_erf(panel: RfPanel, qtbot: QtBot) -> None:
    view = panel.map_view
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=unit_point(view, 1, 2)
    )
    # conv3 unit (1, 2): rows 1·4 − 10 … +23, columns 2·4 − 10 … +23
    assert drawn_box(panel) == Box(top=-6, left=-2, bottom=17, right=21)
    assert "rows -6…17, columns -2…21" in panel.rf_card.values_text()
    qtbot.waitUntil(lambda: panel.progress.value() == 100, timeout=20000)
    heat = panel.input_view.erf.image
    assert heat is not None and heat.shape == (28, 28)
    # no gradient reaches pixels outside the theoretical field
    assert float(np.abs(heat[18:, :]).max()) == 0.0
    assert float(np.abs(heat[:, 22:]).max()) == 0.0
    assert float(heat.max()) == pytest.approx(1.0)
    # the ERF's contours (50 % and 95 % of the gradient) lie inside the field
    cx, cy = panel.input_view.erf_lines.getData()
    assert cx is not None and np.isfinite(cx).sum() > 4
    assert np.nanmin(cx) >= -2 and np.nanmax(cx) <= 22
    assert np.nanmin(cy) >= 0 and np.nanmax(cy) <= 18
    assert "features.conv3 (1, 2)" in panel.erf_card.values_text()


def test_hover_moves_the_box_and_row_choice_changes_it(
    panel: RfPanel, qtbot: QtBot
) -> None:
    view = panel.map_view
    QTest.mouseMove(view.viewport(), unit_point(view, 6, 0))
    qtbot.waitUntil(lambda: panel._unit == (6, 0), timeout=3000)
    assert drawn_box(panel) == Box(top=14, left=-10, bottom=37, right=13)
    panel.table.selectRow(0)  # conv1: 5×5 field, jump 1, padding 2
    assert panel.rows[panel.table.selected_row()].name == "features.conv1"
    i, j = panel._unit
    assert drawn_box(panel) == Box(top=i - 2, left=j - 2, bottom=i + 2, right=j + 2)


def test_slider_edits_the_custom_stack(panel: RfPanel, qtbot: QtBot) -> None:
    panel.network.setCurrentIndex(panel.network.findData("custom"))
    assert panel.stack.name == "custom"
    panel.table.selectRow(5)  # conv5: r = 14 + 2·4 = 22
    assert table_column(panel, 7)[-1] == "22"
    assert panel.editor.isVisible()
    panel.editor.dilation.slider.setValue(3)
    # dilation 3 spans 7 pixels: r = 14 + 3·2·4 = 38, same padding p = 3
    assert table_column(panel, 7)[-1] == "38"
    assert table_column(panel, 4)[-1] == "3"
    assert "14 + 3·(3−1)·4 = 38" in panel.rf_card.values_text()
    panel.editor.same.setChecked(False)
    panel.editor.padding.slider.setValue(0)
    panel.editor.dilation.slider.setValue(16)  # spans 33 > 16 pixels
    assert "would be" in panel.error_banner.text
    assert table_column(panel, 7)[-1] != "14"  # the last valid stack stays shown


def test_open_stack_file_and_drop_image(
    panel: RfPanel, qtbot: QtBot, tmp_path: Path
) -> None:
    panel.open_file(asset_path("rf/two_branch.json"))
    assert panel.network.currentText() == "File: two_branch.json"
    names = table_column(panel, 0)
    assert names[-2] == "mixed"
    assert "misaligned" in cell(panel, len(names) - 2, 0).toolTip()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"layers": [{"type": "fc", "kernel": 3}]}))
    with pytest.raises(ValueError, match="unknown layer type"):
        panel.open_file(bad)

    from PIL import Image

    img = tmp_path / "square.png"
    pixels = np.zeros((40, 40), dtype=np.uint8)
    pixels[10:30, 10:30] = 255
    Image.fromarray(pixels).save(img)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(img))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    qtbot.waitUntil(
        lambda: (
            panel.snapshot_ready() and panel.center.features.image.shape == (32, 32)
        ),
        timeout=10000,
    )
    shown = panel.center.features.image
    assert shown[16, 16] == pytest.approx(1.0) and shown[0, 0] == pytest.approx(0.0)


def test_train_pause_reset(panel: RfPanel, qtbot: QtBot) -> None:
    start = panel.run_bar.start
    assert start.text() == "Start"
    QTest.mouseClick(start, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(panel.live.curves_data["loss"]) >= 1, timeout=30000)
    assert start.text() == "Pause"
    QTest.mouseClick(start, Qt.MouseButton.LeftButton)
    assert start.text() == "Resume"
    assert panel.live.weights is not None
    image = panel.live.kernels.image.image
    # 8 kernels of 5×5 in 2 rows of 4 with 1-px gaps: 2·5 + 1 by 4·5 + 3
    assert image is not None and image.shape == (11, 23)
    reset = panel.run_bar.reset
    assert reset is not None
    QTest.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert start.text() == "Start"
    assert panel.live.weights is None
    assert len(panel.live.loss_curve.getData()[0] or []) == 0


def test_state_round_trip(panel: RfPanel, qtbot: QtBot, app_context: Any) -> None:
    panel.network.setCurrentIndex(panel.network.findData("custom"))
    panel.table.selectRow(5)
    panel.editor.dilation.slider.setValue(2)
    state = panel.state()
    json.dumps(state)
    other = RfPanel(app_context)
    qtbot.addWidget(other)
    other.restore(state)
    assert other.stack.name == "custom"
    assert table_column(other, 7) == table_column(panel, 7)
    assert other.table.selected_row() == 5
    other.shutdown()


def test_snapshot_is_not_blank(panel: RfPanel, tmp_path: Path) -> None:
    image = panel.export_image(1.0)
    assert not is_blank(image)
    main = panel.export_image(2.0, main_view_only=True)
    assert main.width() == 2 * panel.main_view().width()
    assert not is_blank(main)
    written = export_svg(panel.main_view(), tmp_path / "rf.svg")
    assert len(written) == 2  # the input view and the feature map
    assert all(f.read_text().lstrip().startswith("<?xml") for f in written)


def test_restore_of_a_bad_state_names_the_field(panel: RfPanel) -> None:
    before = panel.state()
    with pytest.raises(ValueError, match="version"):
        panel.restore({**before, "version": 7})
    with pytest.raises(ValueError, match="network"):
        panel.restore({**before, "network": "resnet1000"})
    with pytest.raises(ValueError, match="digit"):
        panel.restore({**before, "digit": 5000})
    bad_stack = {"layers": [{"type": "conv", "kernel": 99}], "input_size": 8}
    with pytest.raises(ValueError, match=r"custom: .*would be"):
        panel.restore({**before, "custom": bad_stack})
    with pytest.raises(ValueError, match="unit"):
        panel.restore({**before, "unit": [1, "a"]})
    assert panel.state() == before  # nothing of the bad states was applied


def test_restore_of_an_architecture_keeps_its_row_and_unit(
    panel: RfPanel, qtbot: QtBot, app_context: Any
) -> None:
    panel.network.setCurrentIndex(panel.network.findData("resnet18"))
    qtbot.waitUntil(lambda: panel.arch == "resnet18", timeout=20000)
    panel.table.selectRow(3)
    panel._on_unit_hovered(2, 5)
    state = panel.state()
    assert (state["network"], state["row"], state["unit"]) == ("resnet18", 3, [2, 5])
    other = RfPanel(app_context)  # still loading its networks
    qtbot.addWidget(other)
    other.restore(state)
    assert other.state() == state
    qtbot.waitUntil(lambda: other.arch == "resnet18", timeout=20000)
    assert other.table.selected_row() == 3 and other._unit == (2, 5)
    assert other.state() == state
    other.shutdown()
