"""``explorer latent train | interpolate | grid``: JSON output, files, exit codes."""

from __future__ import annotations

import gzip
import json
import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.cli import main
from explorer.core.data import load_mnist
from explorer.core.latent import (
    LatentConfig,
    build_model,
    encode,
    load_checkpoint,
    save_checkpoint,
    state_arrays,
)
from tests.cli.exit_code import exit_code


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def vae_file(tmp_path: Path) -> Path:
    """An untrained 2-D VAE checkpoint (decoding needs no training)."""
    cfg = LatentConfig(model="vae", hidden=32)
    return save_checkpoint(tmp_path / "vae.pt", cfg, state_arrays(build_model(cfg, 1)))


def _idx(arr: np.ndarray) -> bytes:
    dims = b"".join(struct.pack(">I", s) for s in arr.shape)
    return bytes([0, 0, 0x08, arr.ndim]) + dims + arr.astype(np.uint8).tobytes()


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    out = capsys.readouterr().out
    doc = json.loads(out)  # exactly one document, nothing else on stdout
    assert isinstance(doc, dict)
    return doc


def test_train_json_history_and_saved_weights(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save = tmp_path / "beta.pt"
    code = main(
        [
            "latent",
            "train",
            "--model",
            "beta-vae",
            "--beta",
            "2",
            "--epochs",
            "2",
            "--latent-dim",
            "3",
            "--limit",
            "300",
            "--seed",
            "1",
            "--device",
            "cpu",
            "--save",
            str(save),
            "--json",
        ]
    )
    assert code == 0
    doc = _json(capsys)
    assert doc["model"] == "beta-vae"
    history = doc["history"]
    assert isinstance(history, list) and [h["epoch"] for h in history] == [1, 2]
    for row in history:
        # kl is the unweighted KL: loss = recon + β·kl with β = 2.
        assert row["loss"] == pytest.approx(row["recon"] + 2.0 * row["kl"], rel=1e-5)
        assert row["kl"] > 0
    assert len(doc["latent_mean"]) == 3 and len(doc["latent_std"]) == 3  # type: ignore[arg-type]
    cfg, _ = load_checkpoint(save)
    assert cfg.model == "beta-vae" and cfg.kl_weight == 2.0 and cfg.latent_dim == 3


def test_train_human_output_and_user_idx_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = load_mnist()
    pick = np.arange(0, 5000, 125)  # 40 digits, 4 of each class
    images = (d.images[pick] * 255).round()
    (tmp_path / "img.gz").write_bytes(gzip.compress(_idx(images)))
    (tmp_path / "lab").write_bytes(_idx(d.labels[pick]))
    code = main(
        [
            "latent",
            "train",
            "--model",
            "ae",
            "--epochs",
            "1",
            "--device",
            "cpu",
            "--images",
            str(tmp_path / "img.gz"),
            "--labels",
            str(tmp_path / "lab"),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "epoch   1" in out and "recon" in out and "latent μ mean" in out


def test_interpolate_writes_a_strip_between_two_digits(
    vae_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "strip.png"
    code = main(
        [
            "latent",
            "interpolate",
            "--load",
            str(vae_file),
            "--from",
            "3",
            "--to",
            "4000",
            "--steps",
            "7",
            "--method",
            "slerp",
            "--out",
            str(out),
            "--scale",
            "1",
            "--json",
        ]
    )
    assert code == 0
    doc = _json(capsys)
    with Image.open(out) as im:
        # 7 images of 28 px with 2 px gaps and borders.
        assert im.size == (7 * 30 + 2, 30 + 2)
    _, model = load_checkpoint(vae_file)
    mu, _ = encode(model, load_mnist().images[[3, 4000]])
    codes = np.array(doc["codes"])
    assert codes.shape == (7, 2)
    assert np.allclose(codes[0], mu[0], atol=1e-5) and np.allclose(
        codes[-1], mu[1], atol=1e-5
    )
    assert doc["labels"] == [0, 8]


def test_grid_writes_an_n_by_n_image(
    vae_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "grid.png"
    code = main(
        [
            "latent",
            "grid",
            "--load",
            str(vae_file),
            "--out",
            str(out),
            "--n",
            "4",
            "--spacing",
            "linear",
            "--range",
            "2",
            "--scale",
            "1",
        ]
    )
    assert code == 0
    assert "4×4 linear grid" in capsys.readouterr().out
    with Image.open(out) as im:
        assert im.size == (4 * 30 + 2, 4 * 30 + 2)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--model", "vae", "--beta", "3"], "choose the β-VAE"),
        (["train", "--model", "ae", "--noise", "-1"], "noise"),
        (["train", "--labels", "x.idx"], "--labels needs --images"),
        (
            [
                "interpolate",
                "--load",
                "VAE",
                "--from",
                "0",
                "--to",
                "9999",
                "--out",
                "s.png",
            ],
            "out of range",
        ),
        (
            [
                "interpolate",
                "--load",
                "VAE",
                "--from",
                "0",
                "--to",
                "1",
                "--steps",
                "1",
                "--out",
                "s.png",
            ],
            "in 2 … 64, got 1",
        ),
        (["grid", "--load", "VAE", "--out", "grid.jpg"], "must be a .png"),
        (["grid", "--load", "VAE", "--out", "g.png", "--n", "99"], "in 2 … 60, got 99"),
        (["grid", "--load", "missing.pt", "--out", "g.png"], "no such file"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(
    argv: list[str],
    message: str,
    vae_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = [str(vae_file) if a == "VAE" else a for a in argv]
    code = exit_code(["latent", *argv])
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_corrupt_and_wrong_size_idx_files_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad-idx3-ubyte"
    bad.write_bytes(b"\x00\x00\x08\x03" + b"\x00" * 5)
    wide = tmp_path / "wide-idx3-ubyte"
    wide.write_bytes(_idx(np.zeros((3, 32, 32))))
    for path, message in ((bad, "truncated IDX header"), (wide, "3×32×32")):
        code = main(["latent", "train", "--epochs", "1", "--images", str(path)])
        assert code == 2
        assert message in capsys.readouterr().err


def test_checkpoint_of_another_architecture_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = LatentConfig(model="ae", hidden=32)
    path = save_checkpoint(tmp_path / "ae.pt", cfg, state_arrays(build_model(cfg)))
    payload = torch.load(path, weights_only=True)
    payload["config"]["model"] = "vae"  # a VAE encoder has twice the outputs
    torch.save(payload, path)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00garbage" * 50)
    for ckpt, message in ((path, "another architecture"), (junk, "not a PyTorch")):
        code = main(
            ["latent", "grid", "--load", str(ckpt), "--out", str(tmp_path / "g.png")]
        )
        assert code == 2
        assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("recon", "words"), [("bce", "cross-entropy"), ("mse", "squared")]
)
def test_train_offers_both_reconstruction_losses(
    recon: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    save = tmp_path / f"{recon}.pt"
    argv = ["latent", "train", "--epochs", "1", "--limit", "200", "--device", "cpu"]
    argv += ["--recon", recon, "--save", str(save)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert words in out.splitlines()[0]  # the objective is said before the epochs
    cfg, _ = load_checkpoint(save)
    assert cfg.recon == recon
    assert main([*argv[:-2], "--json"]) == 0
    doc = _json(capsys)
    assert doc["recon"] == recon
    assert doc["history"][0]["recon"] > 0  # type: ignore[index]


def test_beta_vae_output_names_its_objective(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["latent", "train", "--model", "beta-vae", "--beta", "3", "--epochs", "1"]
    assert main([*argv, "--limit", "100", "--device", "cpu"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "β-VAE objective" in first and "β = 3" in first and "Higgins" in first


def test_cli_defaults_and_limits_are_the_core_configs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import argparse

    from explorer.cli import latent as cli_latent
    from explorer.core.latent import LIMITS

    parser = argparse.ArgumentParser()
    cli_latent.register(parser.add_subparsers())
    args = parser.parse_args(["latent", "train"])
    cfg = LatentConfig()
    for name in ("model", "latent_dim", "epochs", "arch", "recon", "noise", "lr"):
        assert getattr(args, name) == getattr(cfg, name), name
    hi = int(LIMITS["latent_dim"][1])
    argv = ["latent", "train", "--epochs", "1", "--limit", "100", "--device", "cpu"]
    epochs_hi = int(LIMITS["epochs"][1])
    for flag, top in (("--latent-dim", hi), ("--epochs", epochs_hi)):
        with pytest.raises(SystemExit) as refused:  # argparse, with the range
            main([*argv, flag, str(top + 1)])
        assert refused.value.code == 2
        assert f"1 … {top:,}, got {top + 1}" in capsys.readouterr().err
