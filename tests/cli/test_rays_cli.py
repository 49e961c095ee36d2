"""``explorer rays``: JSON/CSV documents, negative vectors, clear errors (exit 2)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from explorer.cli import main
from tests.cli.exit_code import exit_code


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread() -> Iterator[None]:
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc, dict)
    return doc


def test_samples_through_fog_with_negative_origin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(
        capsys,
        [
            "rays",
            "samples",
            "--scene",
            "fog",
            "--density",
            "2",
            "--origin",
            "-2.1,0,0",
            "--direction",
            "1,0,0",
            "--samples",
            "16",
            "--near",
            "0",
            "--far",
            "4",
            "--json",
        ],
    )
    samples = doc["samples"]
    assert isinstance(samples, list) and len(samples) == 16
    assert set(samples[0]) == {
        "t",
        "delta",
        "sigma",
        "alpha",
        "transmittance",
        "weight",
        "rgb",
    }
    # Exactly 1 unit of fog of σ = 2 is crossed (see the core test).
    assert doc["opacity"] == pytest.approx(1.0 - math.exp(-2.0))
    assert sum(s["weight"] for s in samples) == pytest.approx(doc["opacity"])
    assert samples[8]["sigma"] == 2.0 and samples[0]["sigma"] == 0.0


def test_samples_csv_and_pixel(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "rays",
                "samples",
                "--scene",
                "sphere",
                "--pixel",
                "32,32",
                "--samples",
                "8",
                "--csv",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split(",")[:3] == ["t", "delta", "sigma"]
    assert len(lines) == 9


def test_empty_ray_has_null_depth(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        [
            "rays",
            "samples",
            "--scene",
            "fog",
            "--origin",
            "0,5,0",
            "--direction",
            "0,1,0",
            "--samples",
            "4",
            "--json",
        ],
    )
    assert doc["depth"] is None and doc["opacity"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("method", ["sphere", "secant"])
def test_trace_hits_the_sphere(capsys: pytest.CaptureFixture[str], method: str) -> None:
    doc = run_json(
        capsys,
        [
            "rays",
            "trace",
            "--scene",
            "sphere",
            "--origin",
            "-3,0.6,0",
            "--direction",
            "1,0,0",
            "--method",
            method,
            "--json",
        ],
    )
    assert doc["hit"] is True
    # ‖(−3 + t, 0.6, 0)‖ = 1 → t = 3 − 0.8.
    assert doc["t"] == pytest.approx(2.2, abs=1e-4)
    point = doc["point"]
    assert isinstance(point, list)
    np.testing.assert_allclose(point, [-0.8, 0.6, 0.0], atol=1e-4)
    steps = doc["steps"]
    assert isinstance(steps, list) and {"t", "value"} <= set(steps[0])


def test_trace_miss(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        [
            "rays",
            "trace",
            "--scene",
            "sphere",
            "--origin",
            "-3,2,0",
            "--direction",
            "1,0,0",
            "--json",
        ],
    )
    assert doc["hit"] is False and doc["t"] is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rays", "trace", "--origin", "0,0,3", "--direction", "0,0,0"], "non-zero"),
        (
            [
                "rays",
                "samples",
                "--origin",
                "0,0,3",
                "--direction",
                "0,0,-1",
                "--near",
                "3",
                "--far",
                "2",
            ],
            "smaller than far",
        ),
        (["rays", "samples", "--pixel", "99,0"], "outside"),
        (
            ["rays", "samples", "--scene", "fog", "--density", "-1", "--pixel", "1,1"],
            "density",
        ),
        (["rays", "samples"], "--pixel"),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = exit_code(argv)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_bad_vector_is_an_argparse_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["rays", "trace", "--origin", "1,2", "--direction", "1,0,0"])
    assert exc.value.code == 2
    assert "X,Y,Z" in capsys.readouterr().err


def test_render_writes_a_png(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sphere.png"
    doc = run_json(
        capsys,
        [
            "rays",
            "render",
            "--scene",
            "sphere",
            "--size",
            "24",
            "--samples",
            "24",
            "--out",
            str(out),
            "--json",
        ],
    )
    img = np.asarray(Image.open(out))
    assert img.shape == (24, 24, 3)
    # Sphere in the middle, black background in the corner.
    assert img[12, 12].sum() > 100 and img[0, 0].sum() < 30
    assert doc["size"] == 24


def test_fit_sdf_rejects_a_point_cloud(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cloud = tmp_path / "points.obj"
    cloud.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
    assert main(["rays", "fit-sdf", "--mesh", str(cloud), "--steps", "2"]) == 2
    assert "no faces found in points.obj" in capsys.readouterr().err


def test_fit_sdf_exports_a_mesh(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sphere.ply"
    doc = run_json(
        capsys,
        [
            "rays",
            "fit-sdf",
            "--shape",
            "sphere",
            "--steps",
            "20",
            "--device",
            "cpu",
            "--export",
            str(out),
            "--json",
        ],
    )
    assert out.stat().st_size > 0
    faces = doc["faces"]
    assert isinstance(faces, int) and faces > 0
    history = doc["history"]
    assert isinstance(history, list) and history[-1]["step"] == 20


def test_train_nerf_reports_psnr_history(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        [
            "rays",
            "train-nerf",
            "--steps",
            "4",
            "--device",
            "cpu",
            "--freqs",
            "2",
            "--json",
        ],
    )
    psnr = doc["psnr"]
    assert isinstance(psnr, list) and psnr[0]["step"] == 0 and psnr[-1]["step"] == 4
    assert doc["device"] == "cpu"
