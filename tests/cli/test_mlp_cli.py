"""``explorer mlp perceptron | train | approx``: JSON shape, files and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.mlp import Points, best_margin, points_csv
from explorer.core.mlp.model import load_model
from tests.cli.exit_code import exit_code

Capture = pytest.CaptureFixture[str]


def _json(capsys: Capture, argv: list[str]) -> dict:  # type: ignore[type-arg]
    assert exit_code([*argv, "--json"]) == 0
    out: dict = json.loads(capsys.readouterr().out)  # type: ignore[type-arg]
    return out


def test_perceptron_json_on_a_file_matches_the_core(
    capsys: Capture, tmp_path: Path
) -> None:
    pts = Points(np.array([[2.0, 0.0], [0.0, 0.0], [2.5, 1.0]]), np.array([1, -1, 1]))
    path = tmp_path / "p.csv"
    path.write_text(points_csv(pts))
    out = _json(capsys, ["mlp", "perceptron", "--data", str(path), "--eta", "0.5"])
    margin = best_margin(pts)
    assert out["converged"] is True and out["updates"] == out["mistakes"]
    assert out["mistakes"] <= out["bound"]
    assert out["bound"] == pytest.approx(margin.bound)
    assert out["R"] == pytest.approx(margin.radius)
    assert out["margin"] == pytest.approx(margin.gamma)
    w = np.array(out["w"])
    assert np.all(pts.y * (w[0] + pts.x @ w[1:]) > 0)  # w0 is the bias


def test_perceptron_on_xor_has_no_bound(capsys: Capture) -> None:
    out = _json(capsys, ["mlp", "perceptron", "--data", "xor", "--max-updates", "300"])
    assert out["converged"] is False and out["updates"] == 300
    assert out["bound"] is None and out["margin"] is None


def test_train_json_and_saved_model(capsys: Capture, tmp_path: Path) -> None:
    model = tmp_path / "m.pt"
    argv = ["mlp", "train", "--data", "circles", "--hidden", "5", "--steps", "20"]
    out = _json(capsys, [*argv, "--report-every", "10", "--save", str(model)])
    assert [h["step"] for h in out["history"]] == [0, 10, 20]
    assert set(out["history"][0]) == {
        "step",
        "train_loss",
        "test_loss",
        "train_accuracy",
        "test_accuracy",
    }
    assert out["parameters"] == (2 * 5 + 5) + (5 + 1)
    doc = torch.load(model, weights_only=True)
    assert doc["hidden"] == [5]
    net, _ = load_model(model)
    assert sum(p.numel() for p in net.parameters()) == out["parameters"]


def test_train_depth_zero_is_logistic_regression(capsys: Capture) -> None:
    argv = ["mlp", "train", "--hidden", "", "--features", "x1,x2,x1x2", "--steps", "5"]
    out = _json(capsys, [*argv, "--batch", "8"])
    assert out["parameters"] == 3 + 1


def test_approx_json(capsys: Capture, tmp_path: Path) -> None:
    out = _json(capsys, ["mlp", "approx", "--units", "3", "--steps", "50"])
    assert out["units"] == 3 and 0 <= out["mean_error"] <= out["max_error"]
    path = tmp_path / "t.csv"
    path.write_text("x,y\n0,0\n2,1\n")
    out = _json(capsys, ["mlp", "approx", "--target", str(path), "--steps", "20"])
    assert out["max_error"] >= 0


@pytest.mark.parametrize(
    "argv",
    [
        ["mlp", "perceptron", "--data", "spiral"],
        ["mlp", "perceptron", "--eta", "nan"],
        ["mlp", "perceptron", "--max-updates", "0"],
        ["mlp", "train", "--hidden", "4,x"],
        ["mlp", "train", "--hidden", "65"],
        ["mlp", "train", "--hidden", "1,1,1,1,1,1,1,1,1"],
        ["mlp", "train", "--batch", "0"],
        ["mlp", "train", "--features", "x3"],
        ["mlp", "train", "--activation", "gelu"],
        ["mlp", "train", "--save", "model.txt"],
        ["mlp", "approx", "--units", "0"],
        ["mlp", "approx", "--target", "nope"],
    ],
)
def test_bad_arguments_exit_2_with_one_line(capsys: Capture, argv: list[str]) -> None:
    assert exit_code(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err and "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2,1\n1,nope,0\n", "line 2"),
        ("1,2,1\nnan,1,0\n", "NaN"),
        ("1,2,1\n3,4,1\n", "same class"),
    ],
)
def test_bad_csv_exits_2(
    capsys: Capture, tmp_path: Path, text: str, words: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert exit_code(["mlp", "train", "--data", str(path)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
