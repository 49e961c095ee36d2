"""User IDX files and weight checkpoints of the latent models: good and malformed."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from explorer.core.data import DataFormatError
from explorer.core.latent import (
    CheckpointError,
    LatentConfig,
    build_model,
    decode,
    load_checkpoint,
    load_idx_digits,
    save_checkpoint,
    state_arrays,
)


def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    """Return ``arr`` encoded by hand as IDX: 0, 0, type, ndim, dims (BE), data."""
    header = bytes([0, 0, code, arr.ndim]) + b"".join(
        struct.pack(">I", s) for s in arr.shape
    )
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


@pytest.fixture
def digits() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5, 9], dtype=np.uint8)
    return images, labels


@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(
    tmp_path: Path, digits: tuple[np.ndarray, np.ndarray], gz: bool
) -> None:
    images, labels = digits
    wrap = gzip.compress if gz else bytes
    suffix = ".gz" if gz else ""
    (tmp_path / f"img-idx3-ubyte{suffix}").write_bytes(wrap(idx_bytes(images)))
    (tmp_path / f"lab-idx1-ubyte{suffix}").write_bytes(wrap(idx_bytes(labels)))
    d = load_idx_digits(
        tmp_path / f"img-idx3-ubyte{suffix}", tmp_path / f"lab-idx1-ubyte{suffix}"
    )
    assert d.images.dtype == np.float32
    assert np.allclose(d.images * 255.0, images)
    assert d.labels.tolist() == [3, 1, 4, 1, 5, 9]


def test_idx_float_images_and_missing_labels(tmp_path: Path) -> None:
    images = np.full((2, 28, 28), 0.25, dtype=np.float32)
    (tmp_path / "f.idx").write_bytes(idx_bytes(images, code=0x0D))
    d = load_idx_digits(tmp_path / "f.idx")
    assert np.all(d.images == 0.25) and d.labels.tolist() == [0, 0]


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_malformed_idx_files_give_clear_messages(
    tmp_path: Path, digits: tuple[np.ndarray, np.ndarray]
) -> None:
    images, labels = digits
    good = idx_bytes(images)
    cases = {
        "png.idx": (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "bad magic"),
        "short.idx": (good[:-10], "holds"),
        "header.idx": (good[:6], "truncated IDX header"),
        "type.idx": (bytes([0, 0, 0x42, 1, 0, 0, 0, 1, 7]), "unknown IDX element type"),
        "broken.gz": (b"\x1f\x8b" + b"garbage" * 4, "corrupt gzip"),
        "wide.idx": (idx_bytes(np.zeros((2, 32, 32), np.uint8)), "2×32×32"),
        "flat.idx": (idx_bytes(np.zeros((2, 784), np.uint8)), "N×28×28"),
        "empty.idx": (idx_bytes(np.zeros((0, 28, 28), np.uint8)), "no images"),
        "bright.idx": (
            idx_bytes(np.full((1, 28, 28), 3.0, np.float32), 0x0D),
            "[0, 1]",
        ),
    }
    for name, (data, message) in cases.items():
        with pytest.raises(DataFormatError, match=message):
            load_idx_digits(_write(tmp_path, name, data))
    img = _write(tmp_path, "img.idx", good)
    few = _write(tmp_path, "few.idx", idx_bytes(labels[:4]))
    with pytest.raises(DataFormatError, match="expected 6 labels"):
        load_idx_digits(img, few)
    floats = _write(tmp_path, "fl.idx", idx_bytes(labels.astype(np.float32), 0x0D))
    with pytest.raises(DataFormatError, match="integers"):
        load_idx_digits(img, floats)


def test_checkpoint_round_trip(tmp_path: Path) -> None:
    cfg = LatentConfig(model="beta-vae", beta=2.0, latent_dim=3, hidden=32)
    model = build_model(cfg, seed=5)
    path = save_checkpoint(tmp_path / "sub" / "m.pt", cfg, state_arrays(model))
    cfg2, model2 = load_checkpoint(path)
    assert cfg2 == cfg
    z = np.array([[0.5, -1.0, 2.0]])
    assert np.array_equal(decode(model, z), decode(model2, z))
    # Written atomically: no temporary file is left next to it.
    assert [f.name for f in (tmp_path / "sub").iterdir()] == ["m.pt"]


def test_malformed_weight_files_are_refused_with_a_reason(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="no such file"):
        load_checkpoint(tmp_path / "missing.pt")
    junk = _write(tmp_path, "junk.pt", b"this is not a torch file" * 10)
    with pytest.raises(CheckpointError, match=r"not a PyTorch weights file|refused"):
        load_checkpoint(junk)
    half = tmp_path / "half.pt"
    cfg = LatentConfig(hidden=32)
    save_checkpoint(half, cfg, state_arrays(build_model(cfg)))
    half.write_bytes(half.read_bytes()[:200])
    with pytest.raises(CheckpointError, match="not a PyTorch weights file"):
        load_checkpoint(half)
    plain = tmp_path / "plain.pt"
    torch.save(build_model(cfg).state_dict(), plain)
    with pytest.raises(
        CheckpointError, match="not an Explorer latent-model checkpoint"
    ):
        load_checkpoint(plain)


def test_checkpoint_with_code_is_not_executed(tmp_path: Path) -> None:
    evil = tmp_path / "evil.pt"
    torch.save({"format": "explorer.latent", "hook": Path("x")}, evil)
    with pytest.raises(CheckpointError, match="refused"):
        load_checkpoint(evil)


def test_checkpoint_of_another_architecture(tmp_path: Path) -> None:
    small = LatentConfig(hidden=32, latent_dim=3)
    path = save_checkpoint(tmp_path / "m.pt", small, state_arrays(build_model(small)))
    payload = torch.load(path, weights_only=True)
    payload["config"]["latent_dim"] = 2  # config says 2-D, weights are 3-D
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="another architecture"):
        load_checkpoint(path)
    payload["config"]["latent_dim"] = 3
    payload["config"]["arch"] = "conv"
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="another architecture"):
        load_checkpoint(path)
    payload["config"]["arch"] = "mlp"
    payload["config"]["hidden"] = -4
    torch.save(payload, path)
    with pytest.raises(CheckpointError, match="invalid model settings"):
        load_checkpoint(path)
