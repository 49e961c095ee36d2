"""``explorer rf layers`` and ``explorer rf erf``: output, JSON and exit codes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from explorer.cli import main


@pytest.fixture(autouse=True)
def _one_torch_thread() -> Iterator[None]:
    """Small models run far faster on one thread on this shared 2-core machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main([*argv, "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one document: json.loads rejects trailing text
    assert isinstance(doc, dict)
    return doc


def test_layers_json_vgg16(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(capsys, "rf", "layers", "vgg16")
    assert doc["arch"] == "vgg16" and doc["input_size"] == 224
    layers = doc["layers"]
    assert isinstance(layers, list)
    keys = {
        "name",
        "kernel",
        "stride",
        "padding",
        "dilation",
        "output_size",
        "rf",
        "effective_stride",
        "effective_padding",
    }
    assert all(keys <= set(row) for row in layers)
    assert (layers[-1]["rf"], layers[-1]["effective_stride"]) == (212, 32)
    assert layers[0] == {
        **layers[0],
        "kernel": 3,
        "padding": 1,
        "rf": 3,
        "output_size": 224,
    }


def test_layers_input_size_changes_output_not_rf(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(capsys, "rf", "layers", "alexnet", "--input-size", "227")
    layers = doc["layers"]
    assert isinstance(layers, list)
    # (227 + 4 − 11)/4 + 1 = 56; the field of pool5 does not depend on the input
    assert layers[0]["output_size"] == 56
    assert layers[-1]["rf"] == 195


def test_layers_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rf", "layers", "resnet18"]) == 0
    out = capsys.readouterr().out
    assert "layer" in out and "jump" in out and "eff.pad" in out
    assert "435×435" in out


def test_layers_of_a_stack_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dilated.json"
    path.write_text(
        json.dumps(
            {
                "input_size": 64,
                "layers": [
                    {"type": "conv", "kernel": 3, "padding": 1, "dilation": 1},
                    {"type": "conv", "kernel": 3, "padding": 2, "dilation": 2},
                    {"type": "conv", "kernel": 3, "padding": 4, "dilation": 4},
                ],
            }
        )
    )
    doc = run_json(capsys, "rf", "layers", str(path))
    layers = doc["layers"]
    assert isinstance(layers, list)
    # 3, 3 + 2·2 = 7, 7 + 2·4 = 15: dilation doubles the field
    assert [row["rf"] for row in layers] == [3, 7, 15]
    assert [row["output_size"] for row in layers] == [64, 64, 64]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "not valid JSON"),
        ('{"layers": [{"type": "fc", "kernel": 3}]}', "unknown layer type"),
        ('{"layers": [{"type": "conv", "kernel": 3, "stride": -2}]}', "at least 1"),
        ('{"input_size": 8, "layers": [{"type": "conv", "kernel": 9}]}', "< 1"),
    ],
)
def test_bad_stacks_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "stack.json"
    path.write_text(content)
    assert main(["rf", "layers", str(path)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == ""


def test_unknown_arch_and_missing_file_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rf", "layers", "googlenet9000"]) == 2
    assert "neither an architecture" in capsys.readouterr().err
    assert main(["rf", "erf", "missing.json"]) == 2
    assert "no such stack file" in capsys.readouterr().err


def test_erf_json_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    out = tmp_path / "erf.png"
    doc = run_json(
        capsys,
        "rf",
        "erf",
        "mnist_cnn",
        "--inputs",
        "2",
        "--device",
        "cpu",
        "--out",
        str(out),
    )
    assert doc["rf"] == [24, 24] and doc["unit"] == [3, 3]
    erf = doc["erf"]
    assert isinstance(erf, dict)
    assert 0 < erf["area_px"] <= erf["theoretical_area_px"] == 576
    with Image.open(out) as im:
        assert im.size == (252, 252)  # 28 px enlarged 9×


def test_erf_trained_small_stack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(
        '{"input_size": 28, "layers": [{"type": "conv", "kernel": 5, '
        '"channels": 2}, {"type": "pool", "kernel": 2, "stride": 2}]}'
    )
    doc = run_json(
        capsys,
        "rf",
        "erf",
        str(path),
        "--weights",
        "trained",
        "--steps",
        "3",
        "--inputs",
        "2",
        "--device",
        "cpu",
    )
    assert doc["weights"] == "trained"
    assert isinstance(doc["train_accuracy"], float)


def test_erf_trained_at_imagenet_size_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rf", "erf", "vgg16", "--weights", "trained"]) == 2
    assert "at most 64" in capsys.readouterr().err


def test_erf_bad_layer_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rf", "erf", "mnist_cnn", "--layer", "nope", "--device", "cpu"]) == 2
    assert "no layer 'nope'" in capsys.readouterr().err


def test_erf_input_kind(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "rf",
        "erf",
        "lenet5",
        "--input-kind",
        "digits",
        "--inputs",
        "2",
        "--device",
        "cpu",
    )
    assert doc["input_kind"] == "digits" and doc["rf"] == [32, 32]
    assert main(["rf", "layers", "lenet5"]) == 0
    assert "32×32 input pixels" in capsys.readouterr().out
