"""Core foundation: progress, divergence, device choice, bundled data, IDX reading."""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path

import numpy as np
import pytest

from explorer.core.data import DataFormatError, asset_path, load_mnist, read_idx
from explorer.core.device import resolve_device
from explorer.core.progress import DivergedError, check_finite


def test_check_finite_names_the_bad_value() -> None:
    check_finite({"loss": 1.0, "kl": 0.0})
    with pytest.raises(DivergedError, match="kl = inf"):
        check_finite({"loss": 1.0, "kl": math.inf}, where="step 3")
    with pytest.raises(DivergedError, match="at step 3"):
        check_finite({"loss": math.nan}, where="step 3")


def test_device_choice() -> None:
    import torch

    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ValueError, match="unknown device"):
        resolve_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no usable CUDA"):
            resolve_device("cuda")


def test_tiny_work_stays_on_the_cpu_under_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    # On a GPU machine "auto" means CUDA, except for work marked tiny (the 2-D GANs,
    # DQN, posing) that the CPU runs faster; an explicit "cuda" is honoured.
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("auto", tiny=True) == "cpu"
    assert resolve_device("cuda", tiny=True) == "cuda"
    from explorer.core.gan import GanConfig, GanTrainer

    assert GanTrainer(GanConfig(steps=1)).device.type == "cpu"


def test_bundled_mnist_is_balanced_digits() -> None:
    digits = load_mnist()
    assert digits.images.shape == (5000, 28, 28)
    assert digits.images.dtype == np.float32
    assert digits.images.min() >= 0.0 and digits.images.max() <= 1.0
    assert np.bincount(digits.labels, minlength=10).tolist() == [500] * 10
    assert load_mnist(limit=10).images.shape == (10, 28, 28)
    assert asset_path("mnist_5k.npz").is_file()
    with pytest.raises(FileNotFoundError):
        asset_path("no-such-asset.bin")


def _idx_bytes(arr: np.ndarray) -> bytes:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim)
    header += b"".join(struct.pack(">I", d) for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


def test_read_idx_plain_and_gzipped(tmp_path: Path) -> None:
    arr = (np.arange(2 * 3 * 4) % 256).astype(np.uint8).reshape(2, 3, 4)
    plain = tmp_path / "x-idx3-ubyte"
    plain.write_bytes(_idx_bytes(arr))
    zipped = tmp_path / "x-idx3-ubyte.gz"
    zipped.write_bytes(gzip.compress(_idx_bytes(arr)))
    np.testing.assert_array_equal(read_idx(plain), arr)
    np.testing.assert_array_equal(read_idx(zipped), arr)


def test_read_idx_big_endian_floats(tmp_path: Path) -> None:
    arr = np.array([1.5, -2.0, 3.25], dtype=">f4")
    raw = struct.pack(">BBBB", 0, 0, 0x0D, 1) + struct.pack(">I", 3) + arr.tobytes()
    (tmp_path / "f.idx").write_bytes(raw)
    np.testing.assert_array_equal(read_idx(tmp_path / "f.idx"), [1.5, -2.0, 3.25])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"PK\x03\x04 not idx", "bad magic"),
        (b"\x00\x00\x07\x01\x00\x00\x00\x01x", "unknown IDX element type"),
        (b"\x00\x00\x08\x03\x00\x00", "truncated"),
        (b"\x00\x00\x08\x01\x00\x00\x00\x05abc", "holds 3 bytes instead of 5"),
        (b"\x1f\x8bnot really gzip", "corrupt gzip"),
    ],
)
def test_read_idx_rejects_malformed_files(
    tmp_path: Path, raw: bytes, message: str
) -> None:
    path = tmp_path / "bad.idx"
    path.write_bytes(raw)
    with pytest.raises(DataFormatError, match=message):
        read_idx(path)
