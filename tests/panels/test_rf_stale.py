"""The receptive-field panel never shows numbers of a state it left (issue 14).

After a change of network, an edit, a load or a reset, the ERF card, the input's
heat map, the feature map's title, the table, the RF-vs-depth plot and the
weights offered come from what is shown now, as in a fresh panel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from explorer.core.rf import analyze, arch_stack
from explorer.core.rf.names import why_not_trained
from explorer.panels.rf.panel import RfPanel


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
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
    qtbot.waitUntil(lambda: p.arch == "mnist_cnn" and p.snapshot_ready(), timeout=30000)
    yield p
    p.shutdown()


def _erf_of_centre(p: RfPanel, qtbot: QtBot) -> None:
    p._start_erf()
    qtbot.waitUntil(lambda: p.progress.value() == 100, timeout=30000)
    assert p.erf_card.values_text()  # something to go stale
    assert p.input_view.erf.image is not None


def _pick(p: RfPanel, qtbot: QtBot, key: str) -> None:
    p.network.setCurrentIndex(p.network.findData(key))
    qtbot.waitUntil(lambda: p.stack.name != "" and p.snapshot_ready(), timeout=60000)


def _title(p: RfPanel) -> str:
    return str(p.map_view.getPlotItem().titleLabel.text)


def test_switching_network_forgets_the_erf(panel: RfPanel, qtbot: QtBot) -> None:
    _erf_of_centre(panel, qtbot)
    assert "features.conv3" in panel.erf_card.values_text()
    _pick(panel, qtbot, "resnet18")
    assert panel.arch == "resnet18"
    # as a fresh panel's card: nothing from the MNIST CNN's unit remains
    assert panel.erf_card.values_text() == ""
    assert panel.input_view.erf.image is None
    assert "features" not in _title(panel)
    assert panel.rows[-1].name.split(".")[-1] in _title(panel)
    # the table and the RF-vs-depth plot are the new network's (computed here)
    rows = analyze(arch_stack("resnet18"))
    assert panel.table.rowCount() == len(rows)
    _, ys = panel.side.growth_dots.getData()
    assert list(ys) == [float(r.geometry.r[0]) for r in rows]
    # the input shown is the new network's 224 × 224 input
    image = panel.input_view.image.image
    assert image is not None and image.shape == (224, 224)


def test_an_erf_still_running_cannot_land_on_the_new_network(
    panel: RfPanel, qtbot: QtBot
) -> None:
    panel._start_erf()
    _pick(panel, qtbot, "lenet5")
    qtbot.wait(1500)  # time for a late report of the old job, if one came
    assert panel.erf_card.values_text() == ""
    assert panel.input_view.erf.image is None


def test_reset_forgets_curves_kernels_and_erf(panel: RfPanel, qtbot: QtBot) -> None:
    panel.step()
    qtbot.waitUntil(lambda: panel.live.weights is not None, timeout=60000)
    _erf_of_centre(panel, qtbot)
    panel.reset()
    assert panel.live.weights is None
    assert panel.live.curves_data == {"step": [], "loss": [], "acc": []}
    assert panel.live.loss_curve.getData()[0] is None or not len(
        panel.live.loss_curve.getData()[0]
    )
    assert panel.live.kernels.image.image is None
    assert panel.erf_card.values_text() == ""
    assert panel.input_view.erf.image is None


def test_opening_a_stack_forgets_the_erf(
    panel: RfPanel, qtbot: QtBot, tmp_path: Path
) -> None:
    _erf_of_centre(panel, qtbot)
    path = tmp_path / "two.json"
    path.write_text(
        json.dumps(
            {
                "input_size": 28,
                "layers": [
                    {"name": "a", "type": "conv", "kernel": 3},
                    {"name": "b", "type": "conv", "kernel": 3},
                ],
            }
        )
    )
    panel.open_file(path)
    assert panel.erf_card.values_text() == ""
    assert panel.input_view.erf.image is None
    assert [r.name for r in panel.rows] == ["a", "b"]
    _, ys = panel.side.growth_dots.getData()
    assert list(ys) == [3.0, 5.0]  # r = 1 + 2, then 3 + 2 (by hand)


def test_trained_weights_offered_only_where_they_work(
    panel: RfPanel, qtbot: QtBot
) -> None:
    weights = panel.weights
    trained = weights.findData("trained")
    item = weights.model().item(trained)  # type: ignore[attr-defined]
    assert item.isEnabled()  # 28 × 28: trains in seconds
    weights.setCurrentIndex(trained)
    _pick(panel, qtbot, "alexnet")
    assert not item.isEnabled()
    assert weights.currentData() == "random"
    reason = why_not_trained((224, 224))
    assert reason is not None and "224×224" in reason
    assert reason in panel.status.text()
    assert "--" not in panel.status.text()  # no CLI flag in the app
    _pick(panel, qtbot, "lenet5")
    assert item.isEnabled()


def test_why_not_trained_matches_the_limit() -> None:
    assert why_not_trained((64, 64)) is None
    assert why_not_trained((28, 28)) is None
    assert why_not_trained((65, 64)) is not None
