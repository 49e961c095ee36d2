"""``explorer rnn jacobian`` / ``train``: one JSON document, refusals with exit 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.exit_code import exit_code


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict:
    assert exit_code(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_jacobian_of_a_linear_rnn_is_lambda_to_the_t(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _json(
        capsys,
        ["rnn", "jacobian", "--activation", "linear", "--scale", "1.1",
         "--steps", "100", "--hidden", "16", "--json"],
    )  # fmt: skip
    norms = np.array(doc["norms"])
    assert len(norms) == 101
    assert norms[0] == pytest.approx(1.1**100, rel=1e-6)
    assert doc["spectral_radius"] == pytest.approx(1.1)
    assert doc["max_singular_value"] == pytest.approx(1.1)


def test_jacobian_of_the_lstm_with_held_gates_is_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _json(
        capsys,
        ["rnn", "jacobian", "--cell", "lstm", "--forget", "1", "--input-gate", "0",
         "--steps", "40", "--hidden", "8", "--json"],
    )  # fmt: skip
    np.testing.assert_allclose(doc["norms"], 1.0)
    assert "∂c^T/∂c^k" in doc["quantity"]


def test_train_prints_one_history_entry_per_step(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = _json(
        capsys,
        ["rnn", "train", "--cell", "rnn", "--task", "adding", "--length", "6",
         "--hidden", "4", "--steps", "5", "--clip", "0.5", "--optimizer", "sgd",
         "--json"],
    )  # fmt: skip
    assert [h["step"] for h in doc["history"]] == [1, 2, 3, 4, 5]
    for h in doc["history"]:
        assert set(h) == {"step", "loss", "accuracy", "grad_norm"}
        assert 0.0 <= h["accuracy"] <= 1.0
    assert doc["clip"] == 0.5 and doc["optimizer"] == "sgd"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["jacobian", "--steps", "0"], "--steps"),
        (["jacobian", "--steps", "99999999"], "--steps"),
        (["jacobian", "--hidden", "0"], "--hidden"),
        (["jacobian", "--scale", "nan"], "--scale"),
        (["jacobian", "--forget", "1"], "--cell lstm only"),
        (["train", "--length", "0"], "--length"),
        (["train", "--length", "1000000"], "--length"),
        (["train", "--hidden", "0"], "--hidden"),
        (["train", "--clip", "0"], "--clip"),
        (["train", "--clip", "-1"], "--clip"),
        (["train", "--lr", "inf"], "--lr"),
        (["train", "--optimizer", "rmsprop"], "--optimizer"),
    ],
)
def test_bad_input_is_refused_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert exit_code(["rnn", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert "Traceback" not in err
    assert len(err.splitlines()) <= 2  # argparse prints its usage line first
