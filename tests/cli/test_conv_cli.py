"""``explorer conv …``: the JSON documents, checked against scipy and torch, and
clear refusals (exit 2, one line) for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import signal

from explorer.cli import main
from explorer.core.data import load_mnist
from tests.cli.exit_code import exit_code

Capture = pytest.CaptureFixture[str]


def _run(argv: list[str], capsys: Capture) -> dict:  # type: ignore[type-arg]
    assert main(["conv", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_apply_digit_matches_scipy(capsys: Capture) -> None:
    out = _run(
        ["apply", "--input", "digit:3", "--kernel", "sobel-y", "--mode", "conv"], capsys
    )
    x = load_mnist(4).images[3].astype(np.float64)
    k = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], dtype=np.float64)
    np.testing.assert_allclose(out["output"], signal.convolve2d(x, k, "valid"))
    assert out["output_size"] == [26, 26]


def test_apply_with_stride_padding_dilation_matches_torch(capsys: Capture) -> None:
    args = ["--stride", "2", "--padding", "1", "--dilation", "2"]
    out = _run(
        ["apply", "--input", "pattern:checker:16", "--kernel", "1,2;3,4", *args], capsys
    )
    x = np.array(out["output"])
    from explorer.core.conv import pattern

    t = F.conv2d(
        torch.tensor(pattern("checker", 16))[None, None],
        torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)[None, None],
        stride=2,
        padding=1,
        dilation=2,
    )[0, 0].numpy()
    np.testing.assert_allclose(x, t)
    assert out["output_size"] == list(t.shape)


def test_matrix_1d_and_2d(capsys: Capture) -> None:
    out = _run(["matrix", "--size", "5", "--kernel", "1,2,3"], capsys)
    assert out["shape"] == [3, 5]
    assert out["matrix"][0] == [1, 2, 3, 0, 0] and out["matrix"][2] == [0, 0, 1, 2, 3]
    out = _run(
        ["matrix", "--input", "1,2,3;4,5,6;7,8,9", "--kernel", "1,0;0,-1"], capsys
    )
    c = np.array(out["matrix"])
    x = np.arange(1.0, 10.0)
    expected = signal.correlate2d(x.reshape(3, 3), [[1, 0], [0, -1]], "valid").ravel()
    np.testing.assert_allclose(c @ x, expected)
    assert out["shape"] == [4, 9]


def test_backward_three_ways(capsys: Capture) -> None:
    out = _run(
        ["backward", "--input", "pattern:cross:12", "--kernel", "gaussian"], capsys
    )
    a, m, f = (np.array(out[k]) for k in ("autograd", "matrix", "flipped"))
    assert a.shape == (12, 12) and np.abs(a).max() > 0.1
    assert out["max_difference"] < 1e-10
    assert np.abs(a - m).max() < 1e-10 and np.abs(a - f).max() < 1e-10


def test_pool_and_upsample(capsys: Capture) -> None:
    out = _run(["pool"], capsys)
    assert out["output"] == [[6, 8], [14, 16]]
    assert out["argmax"][0][0] == [1, 1]
    assert np.array(out["gradient"]).sum() == 4
    out = _run(["upsample", "--method", "nearest", "--input", "1,2;3,4"], capsys)
    assert out["output"][0] == [1, 1, 2, 2] and out["overlap"] is None
    out = _run(["upsample", "--method", "max-unpool", "--input", "1,2;4,3"], capsys)
    assert out["output"] == [[0, 0], [4, 0]]
    out = _run(
        ["upsample", "--method", "transposed", "--input", "pattern:square:6"], capsys
    )
    overlap = np.array(out["overlap"])
    assert overlap.shape == (13, 13) and set(np.unique(overlap[2:-2, 2:-2])) == {
        1,
        2,
        4,
    }


def test_unet_walker(capsys: Capture) -> None:
    out = _run(["unet"], capsys)
    assert out["output_size"] == 388
    crops = [s["crop"] for s in out["stages"] if s["crop"]]
    assert crops == [[64, 56], [136, 104], [280, 200], [568, 392]]
    out = _run(["unet", "--input-size", "128", "--padding", "same"], capsys)
    assert out["output_size"] == 128


def test_segment_history(capsys: Capture) -> None:
    torch.set_num_threads(1)
    out = _run(
        ["segment", "--arch", "fcn", "--epochs", "1", "--train-digits", "32"], capsys
    )
    assert [h["epoch"] for h in out["history"]] == [0, 1]
    assert all(0.0 <= h["iou"] <= 1.0 for h in out["history"])


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["apply", "--kernel", "box:9", "--input", "1,2;3,4"], "kernel spans"),
        (["apply", "--stride", "0"], "--stride"),
        (["apply", "--stride", "-3"], "--stride"),
        (["apply", "--input", "1,2;3"], "ragged"),
        (["apply", "--input", "1,nan;2,3"], "not finite"),
        (["apply", "--kernel", "1,inf"], "not finite"),
        (["apply", "--kernel", "sharpen"], "unknown kernel"),
        (["apply", "--input", "pattern:zebra"], "unknown pattern"),
        (["apply", "--input", "digit:99999"], "digit must be"),
        (["matrix", "--size", "10000x10000"], "at most 256"),
        (["matrix", "--size", "9" * 40], "expected N or HxW"),
        (["unet", "--input-size", "570"], "odd map"),
        (["unet", "--input-size", "10000"], "--input-size"),
        (["pool", "--size", "5"], "does not fit"),
        (["segment", "--epochs", "1000"], "--epochs"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], needle: str, capsys: Capture
) -> None:
    assert exit_code(["conv", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_file_that_is_not_an_image(tmp_path: Path, capsys: Capture) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("hello")
    assert exit_code(["conv", "apply", "--input", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "not an image" in err and len(err.strip().splitlines()) == 1


def test_a_large_image_is_downsampled(tmp_path: Path, capsys: Capture) -> None:
    from PIL import Image

    path = tmp_path / "big.png"
    Image.fromarray(np.full((300, 200), 128, np.uint8)).save(path)
    out = _run(["apply", "--input", str(path), "--kernel", "box"], capsys)
    assert max(out["input_size"]) <= 64
    np.testing.assert_allclose(np.array(out["output"]), 128 / 255, rtol=1e-6)
