"""``explorer flow train|density|sample|eval``: JSON documents and clear refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.cli import main
from tests.cli.exit_code import exit_code

Capture = pytest.CaptureFixture[str]


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("flow") / "model.pt"
    argv = ["flow", "train", "--steps", "120", "--layers", "4", "--hidden", "16"]
    assert main([*argv, "--save", str(path), "--json"]) == 0
    return path


def _json(capsys: Capture, argv: list[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(argv) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one JSON document
    assert isinstance(doc, dict)
    return doc


def test_train_json(capsys: Capture, tmp_path: Path) -> None:
    argv = ["flow", "train", "--steps", "40", "--layers", "2", "--hidden", "8"]
    doc = _json(capsys, [*argv, "--seed", "3", "--json"])
    history = doc["history"]
    assert isinstance(history, list) and history[-1]["step"] == 40
    assert all(set(h) == {"step", "nll"} for h in history)
    # the Gaussian baseline is the MLE fit; an untrained-ish flow is finite too
    assert np.isfinite(doc["test_nll"]) and np.isfinite(doc["gaussian_test_nll"])


def test_density_checks(capsys: Capture, model_file: Path) -> None:
    argv = ["flow", "density", "--load", str(model_file), "--grid", "120"]
    doc = _json(capsys, [*argv, "--json"])
    assert doc["integral"] == pytest.approx(1.0, abs=0.03)
    assert float(doc["roundtrip_error"]) < 1e-4  # type: ignore[arg-type]
    assert float(doc["logdet_error"]) < 1e-4  # type: ignore[arg-type]


def test_eval_matches_the_model(capsys: Capture, model_file: Path) -> None:
    from explorer.core.flow.checkpoint import load_model
    from explorer.core.flow.model import log_prob_numpy

    doc = _json(
        capsys,
        ["flow", "eval", "--load", str(model_file), "--points", "0,0;1,-0.5", "--json"],
    )
    want = log_prob_numpy(load_model(model_file), [[0, 0], [1, -0.5]])
    assert np.allclose(doc["log_prob"], want)  # type: ignore[arg-type]


def test_sample_is_seeded(capsys: Capture, model_file: Path) -> None:
    argv = ["flow", "sample", "--load", str(model_file), "--n", "5", "--json"]
    a = _json(capsys, [*argv, "--seed", "2"])["samples"]
    b = _json(capsys, [*argv, "--seed", "2"])["samples"]
    assert np.asarray(a).shape == (5, 2) and a == b


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["flow", "train", "--layers", "0"], "must be an integer in 1"),
        (["flow", "train", "--lr", "nan"], "must be in"),
        (["flow", "train", "--data", "cubes"], "unknown dataset"),
        (["flow", "eval", "--load", "MODEL", "--points", "1,nan"], "NaN"),
        (["flow", "eval", "--load", "MODEL", "--points", "1,2,3"], "'x,y'"),
        (["flow", "density", "--load", "MODEL", "--box", "1,0,0,1"], "x0 < x1"),
    ],
)
def test_bad_input_exits_2(
    argv: list[str], message: str, capsys: Capture, model_file: Path
) -> None:
    argv = [str(model_file) if a == "MODEL" else a for a in argv]
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_one_point_csv_and_foreign_model(capsys: Capture, tmp_path: Path) -> None:
    one = tmp_path / "one.csv"
    one.write_text("0.5,0.5\n")
    assert exit_code(["flow", "train", "--data", str(one), "--steps", "2"]) == 2
    assert "at least two" in capsys.readouterr().err
    other = tmp_path / "gan.pt"
    torch.save({"format": "explorer.latent", "version": 1, "state_dict": {}}, other)
    for action in (["sample", "--n", "2"], ["density"], ["eval", "--points", "0,0"]):
        assert exit_code(["flow", action[0], "--load", str(other), *action[1:]]) == 2
        err = capsys.readouterr().err
        assert "not a normalizing-flow model" in err and "explorer.latent" in err
