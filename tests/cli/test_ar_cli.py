"""``explorer ar …``: one JSON document each, and one-line refusals with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from explorer.cli import main
from tests.cli.exit_code import exit_code

Capture = pytest.CaptureFixture[str]


def run_json(argv: list[str], capsys: Capture) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_blindspot_offsets(capsys: Capture) -> None:
    out = run_json(["ar", "blindspot", "--layers", "3", "--json"], capsys)
    assert isinstance(out, dict)
    assert len(out["receptive_field"]) == 21
    # L(L − 1)/2 = 3 blind pixels, all above and to the right
    assert sorted(map(tuple, out["blind"])) == [(-2, 3), (-1, 2), (-1, 3)]
    gated = run_json(
        ["ar", "blindspot", "--layers", "3", "--arch", "gated", "--json"], capsys
    )
    assert isinstance(gated, dict) and gated["blind"] == []


def test_wavenet_field_and_milliseconds(capsys: Capture) -> None:
    out = run_json(
        ["ar", "wavenet", "--dilations", "1,2,4,8,16,32,64,128,256,512", "--json"],
        capsys,
    )
    assert out == {"receptive_field": 1024, "milliseconds": 64.0}
    out = run_json(
        [
            "ar",
            "wavenet",
            "--dilations",
            "1,1,1",
            "--kernel",
            "3",
            "--sample-rate",
            "1000",
            "--json",
        ],
        capsys,
    )
    assert out == {"receptive_field": 7, "milliseconds": 7.0}


def test_attention_alpha(capsys: Capture) -> None:
    out = run_json(
        ["ar", "attention", "--length", "6", "--dim", "4", "--causal", "--json"], capsys
    )
    assert isinstance(out, dict)
    alpha = np.array(out["alpha"])
    assert alpha.shape == (6, 6)
    np.testing.assert_allclose(alpha.sum(axis=1), 1.0)
    assert np.all(alpha[np.triu_indices(6, 1)] == 0.0)


def test_cost_reports_each_kind(capsys: Capture) -> None:
    out = run_json(["ar", "cost", "--lengths", "16,32", "--dim", "4", "--json"], capsys)
    assert isinstance(out, dict)
    assert out["lengths"] == [16, 32]
    assert set(out["seconds"]) == {"attention", "rnn", "conv"}
    assert all(len(v) == 2 and min(v) > 0 for v in out["seconds"].values())


def test_train_save_and_sample(tmp_path: Path, capsys: Capture) -> None:
    weights = tmp_path / "nade.pt"
    out = run_json(
        [
            "ar",
            "train",
            "--model",
            "nade",
            "--epochs",
            "1",
            "--digits",
            "50",
            "--save",
            str(weights),
            "--json",
        ],
        capsys,
    )
    assert isinstance(out, dict)
    assert [h["epoch"] for h in out["history"]] == [1]
    assert out["history"][0]["bits_per_pixel"] > 0
    png = tmp_path / "s.png"
    assert main(["ar", "sample", "--load", str(weights), "--out", str(png)]) == 0
    with Image.open(png) as img:
        assert img.size == (4 * 28 * 4, 4 * 28)  # four digits side by side, ×4
        values = set(np.unique(np.asarray(img.convert("L"))))
    assert values <= {0, 255} and len(values) == 2


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["blindspot", "--layers", "0"], "at least one layer"),
        (["blindspot", "--layers", "-3"], "at least one layer"),
        (["blindspot", "--layers", "2", "--kernel", "4"], "odd"),
        (["wavenet", "--dilations", ""], "empty"),
        (["wavenet", "--dilations", "1,x"], "not a whole number"),
        (["wavenet", "--dilations", "1,0"], "dilation"),
        (["attention", "--length", "4097"], "4,096"),
        (["cost", "--lengths", "16,9000"], "4,096"),
        (["train", "--epochs", "0"], "epochs"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], words: str, capsys: Capture
) -> None:
    assert exit_code(["ar", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and "\n" not in err and "Traceback" not in err


def test_sample_refuses_foreign_files(tmp_path: Path, capsys: Capture) -> None:
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"junk")
    assert (
        exit_code(
            ["ar", "sample", "--load", str(bad), "--out", str(tmp_path / "x.png")]
        )
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert "bad.pt" in err and "\n" not in err
    assert (
        exit_code(
            [
                "ar",
                "sample",
                "--load",
                str(tmp_path / "none.pt"),
                "--out",
                str(tmp_path / "x.png"),
            ]
        )
        == 2
    )
