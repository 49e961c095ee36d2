"""``explorer gan train``: JSON shape, point files, images and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main

Capture = pytest.CaptureFixture[str]


def test_json_result_has_the_documented_fields(capsys: Capture) -> None:
    code = main(
        [
            "gan",
            "train",
            "--steps",
            "4",
            "--report-every",
            "2",
            "--seed",
            "1",
            "--device",
            "cpu",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["data"] == "ring8" and out["loss"] == "non-saturating"
    assert out["steps"] == 4 and out["modes_total"] == 8
    assert 0 <= out["modes_captured"] <= 8
    assert 0.0 <= out["high_quality_fraction"] <= 1.0
    assert out["reverse_kl"] >= 0.0
    assert [h["step"] for h in out["history"]] == [0, 2, 4]
    assert set(out["history"][-1]) >= {"step", "d_loss", "g_loss", "modes_captured"}


def test_points_csv_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pts = tmp_path / "three.csv"
    pts.write_text("x,y\n0,0\n1,1\n-1,1\n")
    png = tmp_path / "final.png"
    code = main(
        [
            "gan",
            "train",
            "--data",
            str(pts),
            "--loss",
            "unrolled",
            "--unroll",
            "2",
            "--steps",
            "2",
            "--device",
            "cpu",
            "--out",
            str(png),
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["modes_total"] == 3 and out["unroll"] == 2
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["gan", "train", "--loss", "wgan-gp", "--steps", "1", "--device", "cpu"])
        == 0
    )
    out = capsys.readouterr().out
    assert "modes captured:" in out and "/ 8" in out and "2,500 samples" in out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--data", "ring9"], "unknown dataset 'ring9'"),
        (["--data", "missing.csv"], "cannot read points file"),
        (["--out", "final.jpg"], "must name a .png"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    argv: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gan", "train", "--steps", "1", "--device", "cpu", *argv]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_bad_csv_line_is_named(tmp_path: Path, capsys: Capture) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("0,0\nhello,world\n")
    assert main(["gan", "train", "--data", str(bad), "--steps", "1"]) == 2
    assert "bad.csv, line 2" in capsys.readouterr().err


def test_argparse_rejects_unknown_loss(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["gan", "train", "--loss", "hinge"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
