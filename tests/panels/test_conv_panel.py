"""The convolution panel driven like a user: edit a kernel cell, hover an output
cell, switch modes, refuse a layer with no output, train the segmentation a few
steps; after each change no old number remains."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QComboBox,
    QLineEdit,
    QSpinBox,
)
from pytestqt.qtbot import QtBot
from scipy import signal

from explorer.core.data import load_mnist
from explorer.panels.base import AppContext
from explorer.panels.conv.panel import ConvPanel
from explorer.panels.conv.state import TABS


@pytest.fixture
def panel(qtbot: QtBot, app_context: AppContext) -> Iterator[ConvPanel]:
    p = ConvPanel(app_context)
    qtbot.addWidget(p)
    p.resize(1400, 900)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()
    p.close()


def choose(box: QComboBox, data: object) -> None:
    box.setCurrentIndex(box.findData(data))


def spin(qtbot: QtBot, box: QSpinBox, value: int) -> None:
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, str(value))
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.value() == value


def digit(n: int) -> np.ndarray:
    return load_mnist(n + 1).images[n].astype(np.float64)


def type_in_cell(qtbot: QtBot, p: ConvPanel, r: int, c: int, text: str) -> None:
    editor = p.kernel_box.editor
    editor.setCurrentCell(r, c)
    editor.editItem(editor.item(r, c))  # what a click on the selected cell does
    line = editor.findChild(QLineEdit)
    assert line is not None
    line.selectAll()
    qtbot.keyClicks(line, text)
    # what Enter does in the cell editor (its delegate commits and closes it)
    editor.commitData(line)
    editor.closeEditor(line, QAbstractItemDelegate.EndEditHint.NoHint)


def test_edit_a_kernel_cell(qtbot: QtBot, panel: ConvPanel) -> None:
    type_in_cell(qtbot, panel, 1, 1, "5")
    k = np.array([[-1, 0, 1], [-2, 5, 2], [-1, 0, 1]], dtype=np.float64)
    a = panel._analysis
    assert a is not None
    np.testing.assert_allclose(a.kernel, k)
    np.testing.assert_allclose(a.output, signal.correlate2d(digit(0), k, "valid"))
    np.testing.assert_allclose(panel.layer.output_view.data, a.output)
    assert panel.kernel_box.preset.currentData() == "custom"
    assert panel.settings().kernel[1][1] == 5.0


def test_a_bad_kernel_entry_is_refused(qtbot: QtBot, panel: ConvPanel) -> None:
    before = panel._analysis
    type_in_cell(qtbot, panel, 0, 0, "abc")
    assert "not a finite number" in panel.error_banner.text
    assert panel.settings().kernel[0][0] == -1.0
    assert panel.kernel_box.editor.item(0, 0).text() == "-1"
    assert panel._analysis is before


def test_hover_an_output_cell(qtbot: QtBot, panel: ConvPanel) -> None:
    view = panel.layer.output_view
    pos = view.mapFromScene(view.scene_pos_of(10, 7))
    # a move event sent to the viewport (QTest's mouseMove moves the cursor, which
    # an offscreen window in a long test run does not always report as a move)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        QPointF(pos),
        view.viewport().mapToGlobal(QPointF(pos)),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(view.viewport(), move)
    qtbot.waitUntil(
        lambda: panel._analysis is not None and panel._analysis.cell == (10, 7)
    )
    a = panel._analysis
    assert a is not None
    # the window: rows 10…12, columns 7…9 of the input (correlation, stride 1)
    x, y = panel.layer.input_view.outline.getData()
    assert (min(x), max(x), min(y), max(y)) == (7, 10, 10, 13)
    expected = float(np.sum(digit(0)[10:13, 7:10] * a.kernel))
    assert a.output[10, 7] == pytest.approx(expected)
    assert f"= <b>{float(f'{expected:.3g}'):.3g}" in panel.layer.sum_text.html()
    assert panel.layer.slider.value() == 10 * 26 + 7
    assert "I′(10,7)" in panel.card.values_text()
    # the slider moves the window too
    panel.layer.slider.setValue(26 * 3 + 2)
    assert panel._analysis is not None and panel._analysis.cell == (3, 2)


def test_play_slides_the_window_and_stops_at_the_last_cell(
    qtbot: QtBot, panel: ConvPanel
) -> None:
    play = panel.layer.play
    last = panel.layer.slider.maximum()
    panel.layer.slider.setValue(last - 3)
    play.click()
    qtbot.waitUntil(lambda: not play.isChecked(), timeout=5_000)  # reached the end
    assert panel.layer.slider.value() == last
    a = panel._analysis
    assert a is not None and a.cell == divmod(last, a.output.shape[1])
    play.click()  # from the end: starts over at the first cell, then goes on
    qtbot.waitUntil(lambda: panel.layer.slider.value() >= 2, timeout=5_000)
    play.click()
    stopped = panel.layer.slider.value()
    qtbot.wait(400)
    assert panel.layer.slider.value() == stopped and not play.isChecked()


def test_switch_modes_and_symmetric_kernels(qtbot: QtBot, panel: ConvPanel) -> None:
    corr = panel._analysis
    choose(panel.kernel_box.mode, "conv")
    a = panel._analysis
    assert a is not None and corr is not None
    k = a.kernel
    np.testing.assert_allclose(a.output, signal.convolve2d(digit(0), k, "valid"))
    assert not np.allclose(a.output, corr.output)  # Sobel is not point-symmetric
    assert "≠" in panel.kernel_box.symmetry.html()
    assert "convolution" in panel.card.values_text()
    choose(panel.kernel_box.preset, "gaussian")
    assert "<b>=</b>" in panel.kernel_box.symmetry.html()
    g = panel._analysis
    assert g is not None and g.mode_difference < 1e-12


def test_stride_padding_and_the_size_formula(qtbot: QtBot, panel: ConvPanel) -> None:
    spin(qtbot, panel.stride, 2)
    spin(qtbot, panel.padding, 1)
    a = panel._analysis
    assert a is not None
    assert a.output.shape == (14, 14)  # (28 + 2 − 2 − 1) // 2 + 1
    assert "⌊(28 + 2·1 − 1·2 − 1)/2⌋ + 1 = 14" in panel.card.values_text()
    assert panel.layer.output_view.data is not None
    assert panel.layer.output_view.data.shape == (14, 14)


def test_no_output_then_fixed_leaves_nothing_stale(
    qtbot: QtBot, panel: ConvPanel, tmp_path: Path
) -> None:
    path = tmp_path / "small.png"
    Image.fromarray((np.arange(64).reshape(8, 8) * 4).astype(np.uint8)).save(path)
    panel.open_file(path)
    assert panel._image.shape == (8, 8)
    spin(qtbot, panel.dilation, 4)  # a 3 × 3 kernel at d = 4 spans 9 > 8
    assert "kernel spans 9 pixels" in panel.error_banner.text
    assert panel.layer.output_view.data is None
    assert "none" in panel.card.values_text()
    assert panel.backward.views[0].data is None
    spin(qtbot, panel.dilation, 1)
    assert panel.error_banner.text == "" or not panel.error_banner.isVisible()
    a = panel._analysis
    assert a is not None and a.output.shape == (6, 6)
    assert panel.layer.output_view.data is not None
    # the session keeps the opened image
    state = panel.state()
    panel.restore({"version": 1})
    assert panel.settings().source == "digit"
    panel.restore(state)
    assert panel.settings().source == "image" and panel._image.shape == (8, 8)


def test_new_digit_redraws_every_page(qtbot: QtBot, panel: ConvPanel) -> None:
    spin(qtbot, panel.digit, 7)
    a = panel._analysis
    assert a is not None
    np.testing.assert_allclose(a.image, digit(7))
    for index in range(4):
        panel.tabs.setCurrentIndex(index)
    qtbot.wait(200)
    np.testing.assert_allclose(panel.layer.input_view.data, digit(7))
    np.testing.assert_allclose(panel.backward.views[0].data, a.backward.autograd)
    assert a.backward.max_difference < 1e-10
    assert f"{a.backward.max_difference:.1e}" in panel.backward.head.text()
    np.testing.assert_allclose(
        panel.upsample.views["max-pool 2×2"].data, a.upsampling.pooled.output
    )
    assert panel.matrix.matrix.data is not None
    assert a.matrix.forward_error < 1e-12


def test_segmentation_steps_then_reset(qtbot: QtBot, panel: ConvPanel) -> None:
    panel.step()
    qtbot.waitUntil(lambda: len(panel.history) >= 1, timeout=60_000)
    panel.step()
    qtbot.waitUntil(lambda: len(panel.history) >= 2, timeout=60_000)
    assert [p.step for p in panel.history] == [0, 10]
    assert panel.tabs.currentIndex() == TABS.index("segment")

    def drawn_twice() -> bool:
        x, _ = panel.segment.curve["unet"].getData()
        return x is not None and len(x) == 2

    qtbot.waitUntil(drawn_twice, timeout=5000)  # the next frame draws the report
    assert panel.segment.masks.data is not None
    assert panel.segment.masks.data.shape == (4 * 29 - 1, 4 * 29 - 1)
    assert "step 10" in panel.segment.readout.html()
    panel.reset()
    assert panel.history == []
    x, _ = panel.segment.curve["unet"].getData()
    assert x is None or len(x) == 0
    assert panel.segment.masks.data is None
    assert "IoU —" in panel.segment.readout.html()
    assert (
        panel.run_bar.status.html().endswith("idle")
        or "idle" in panel.run_bar.status.html()
    )


def test_unet_walker_and_a_size_that_does_not_fit(
    qtbot: QtBot, panel: ConvPanel
) -> None:
    assert panel.unet.table.item(panel.unet.table.rowCount() - 1, 1).text() == "388"
    crops = [
        panel.unet.table.item(r, 3).text()
        for r in range(panel.unet.table.rowCount())
        if panel.unet.table.item(r, 3).text()
    ]
    assert crops == ["64→56", "136→104", "280→200", "568→392"]
    spin(qtbot, panel.unet.side, 570)
    assert panel.unet.table.rowCount() == 0
    assert "odd map" in panel.unet.walk_text.text()
    choose(panel.unet.padding, "same")
    spin(qtbot, panel.unet.side, 256)
    assert panel.unet.table.item(panel.unet.table.rowCount() - 1, 1).text() == "256"


def test_several_filters_make_several_output_channels(
    qtbot: QtBot, panel: ConvPanel
) -> None:
    assert not panel.layer.bank_view.isVisible()
    spin(qtbot, panel.filters, 3)
    a = panel._analysis
    assert a is not None and len(a.bank) == 3
    assert panel.layer.bank_view.isVisible()
    assert panel.layer.bank_view._title_text == "26 × 26 × 3"
    box = signal.correlate2d(digit(0), np.full((3, 3), 1 / 9), "valid")
    np.testing.assert_allclose(a.bank[1], box)
    np.testing.assert_allclose(panel.layer.bank_view.data[:, 27:53], box)
