"""The RF card: the textbook recurrence first, what the code adds, numbers put in."""

from __future__ import annotations

from typing import Any

from explorer.core.rf import analyze, arch_stack
from explorer.core.rf.recurrence import output_size
from explorer.panels.rf.formulas import RF_FORMULA, RF_SOURCE, rf_formula, rf_values


def test_card_starts_with_the_textbook_recurrence_and_cites_it() -> None:
    textbook = "r<sub>l</sub> = r<sub>l−1</sub> + (k<sub>l</sub> − 1)·j<sub>l−1</sub>"
    assert RF_FORMULA.startswith(textbook)
    assert RF_FORMULA.index("The code adds") > RF_FORMULA.index("j<sub>l−1</sub>·s")
    assert "Araujo" in RF_SOURCE and "2019" in RF_SOURCE


def test_live_cnn_values_put_the_numbers_in() -> None:
    rows = analyze(arch_stack("mnist_cnn"))
    conv3 = rows[-1]  # 3×3, stride 1, pad 1 on a 7×7 map; r 16 → 24, jump 4
    values = rf_values(conv3, (3, 3))
    assert values["r<sub>l</sub>"] == "16 + (3−1)·4 = 24"  # 16 + 2·4 = 24
    assert values["n<sub>out</sub>"] == "⌊(7 + 2·1 − (3−1) − 1) / 1⌋ + 1 = 7"
    assert "⌈" not in rf_formula(conv3)


def test_a_ceil_mode_pool_shows_rounding_up() -> None:
    rows = {r.name: r for r in analyze(arch_stack("inception"))}
    pool = rows["maxpool1"]  # 3×3 stride 2 on 112: floor gives 55, PyTorch 56
    assert output_size(112, 3, 2) == 55
    assert pool.geometry.size == (56, 56) and pool.rounds_up
    assert "⌈" in rf_formula(pool) and "ceil_mode" in rf_formula(pool)
    assert rf_values(pool, (0, 0))["n<sub>out</sub>"].startswith("⌈(112")
    assert rf_values(pool, (0, 0))["n<sub>out</sub>"].endswith("= 56")
    # a ceil_mode pool whose size does not change shows the plain floor
    same = rows["inception3a.branch4.0"]
    assert same.ceil_mode and not same.rounds_up
    assert "⌈" not in rf_formula(same)


def test_editor_takes_its_ranges_from_core_and_never_clamps(qtbot: Any) -> None:
    from explorer.core.rf import Layer
    from explorer.core.rf.names import EDIT_RANGES
    from explorer.panels.rf.controls import LayerEditor

    editor = LayerEditor()
    qtbot.addWidget(editor)
    assert editor.kernel.slider.maximum() == EDIT_RANGES["kernel"][1]
    assert editor.padding.slider.minimum() == EDIT_RANGES["padding"][0]
    big = Layer(name="c", kind="conv", kernel=(13, 13), padding=(6, 6))
    editor.load(big)  # a stack file's 13×13 kernel: beyond the slider's 11
    assert editor.values() == (13, 1, 6, 1)
