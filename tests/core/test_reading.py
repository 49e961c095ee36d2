"""The guarded reading layer: hostile files get one clear FileError, fast."""

from __future__ import annotations

import io
import pickle
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from explorer.core.reading import FileError, read_json, read_npz, read_text


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "is empty"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"seed": ' + "9" * 5000 + "}", "digits"),
        ('{"lr": NaN}', "NaN"),
        ('{"lr": Infinity}', "Infinity"),
        ('{"lr": 1e999}', "too large"),
        ('{"lr": ', "not valid JSON"),
        (b"\xff\xfe\x00garbage", "not a text file"),
    ],
)
def test_hostile_json_is_refused_with_a_reason(
    tmp_path: Path, content: str | bytes, reason: str
) -> None:
    path = _write(tmp_path, "bad.json", content)
    with pytest.raises(FileError, match=reason) as info:
        read_json(path)
    assert str(info.value).startswith("bad.json: ")


def test_a_byte_order_mark_is_fine_and_numbers_stay_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path, "ok.json", "\ufeff" + '{"a": [1, 2.5, -3e2]}')
    assert read_json(path) == {"a": [1, 2.5, -300.0]}


def test_size_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:
        fh.seek(50 * 1024 * 1024)
        fh.write(b"\n")
    t0 = time.monotonic()
    with pytest.raises(FileError, match=r"too large \(50.0 MB; at most 1.0 MB\)"):
        read_text(path, max_bytes=1024 * 1024)
    assert time.monotonic() - t0 < 1.0
    with pytest.raises(FileError, match=r"missing\.txt: no such file"):
        read_text(tmp_path / "missing.txt")


def _npz_declaring(shape: tuple[int, ...]) -> bytes:
    """An .npz whose one member declares ``shape`` float64 but holds no data."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": shape}
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("a.npy", header.getvalue())  # the header carries the magic
    return out.getvalue()


def test_an_npz_declaring_a_huge_array_is_refused_before_reading(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "s.npz", _npz_declaring((100_000, 100_000)))
    t0 = time.monotonic()
    with pytest.raises(
        FileError, match=r"declares 76293.9 MB of data \(at most 500.0 MB\)"
    ):
        read_npz(path)
    assert time.monotonic() - t0 < 1.0


def test_npz_never_unpickles_and_reports_damage(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (Path.touch, (str(marker),))  # type: ignore[return-value]

    path = tmp_path / "evil.npz"
    with zipfile.ZipFile(path, "w") as zf:
        buf = io.BytesIO()
        np.save(buf, np.array([Evil()], dtype=object), allow_pickle=True)
        zf.writestr("a.npy", buf.getvalue())
        zf.writestr("b.pkl", pickle.dumps(Evil()))
    with pytest.raises(FileError, match="Python objects"):
        read_npz(path)
    assert not marker.exists()
    truncated = _write(tmp_path, "t.npz", path.read_bytes()[:40])
    with pytest.raises(FileError, match=r"not an \.npz archive"):
        read_npz(truncated)
    good = tmp_path / "good.npz"
    np.savez(good, x=np.arange(3))
    np.testing.assert_array_equal(read_npz(good)["x"], [0, 1, 2])


def test_depth_beyond_the_limit_is_refused_after_parsing(tmp_path: Path) -> None:
    from explorer.core.reading import MAX_JSON_DEPTH

    ok = _write(tmp_path, "ok.json", "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH)
    assert read_json(ok) is not None
    deep = MAX_JSON_DEPTH + 1
    bad = _write(tmp_path, "deep.json", "[" * deep + "]" * deep)
    with pytest.raises(FileError, match="more than 64 levels"):
        read_json(bad)


def test_finite_array_names_what_is_wrong() -> None:
    from explorer.core.reading import finite_array

    np.testing.assert_array_equal(finite_array("m.obj", "v", [1, -2]), [1.0, -2.0])
    with pytest.raises(FileError, match=r"m\.obj: the vertices holds NaN"):
        finite_array("m.obj", "the vertices", [0.0, np.nan])
    with pytest.raises(FileError, match=r"holds 1e\+308; values must lie within ±1000"):
        finite_array("m.obj", "v", [0.0, -1e308], limit=1000)
    with pytest.raises(FileError, match="must be numbers"):
        finite_array("m.obj", "v", ["a"])


def test_an_image_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    from explorer.core.reading import read_image
    from tests.corpus.generate import _png

    path = _write(tmp_path, "bomb.png", _png(20_000, 20_000))
    assert path.stat().st_size < 200  # 400 million pixels declared in a few bytes
    with pytest.raises(FileError, match=r"too large an image \(over 40,000,000 pix"):
        read_image(path)
    wide = _write(tmp_path, "wide.png", _png(50_000, 1000))  # below PIL's own limit
    with pytest.raises(FileError, match=r"50,000 × 1,000 pixels; at most 40,000,000"):
        read_image(wide)
    small = _write(tmp_path, "small.png", _png(4, 2, b"\0" + b"\x80" * 4 + b"\0" * 5))
    assert read_image(small).size == (4, 2)


def test_npz_keys_reads_only_those_arrays(tmp_path: Path) -> None:
    path = tmp_path / "m.npz"
    np.savez(path, a=np.ones(2), other=np.array([{"x": 1}], dtype=object))
    assert set(read_npz(path, keys={"a"})) == {"a"}  # the pickled one is not read
    with pytest.raises(FileError, match="never unpickles"):
        read_npz(path)


def test_torch_files_are_read_as_weights_only(tmp_path: Path) -> None:
    import pickle

    import torch

    from explorer.core.reading import read_torch

    good = tmp_path / "w.pt"
    torch.save({"format": "x", "w": torch.arange(3.0)}, good)
    assert torch.equal(read_torch(good)["w"], torch.arange(3.0))

    class Payload:  # a pickle that would build an object of this class
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (print, ("ran",))

    evil = tmp_path / "evil.pt"
    torch.save(Payload(), evil)
    with pytest.raises(FileError, match=r"holds a print object.*could run code"):
        read_torch(evil)
    legacy = tmp_path / "legacy.pt"  # a bare pickle, not torch's zip
    legacy.write_bytes(pickle.dumps(Payload()))
    with pytest.raises(FileError, match=r"legacy\.pt: not a PyTorch weights file"):
        read_torch(legacy)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"\x00" * 64)
    with pytest.raises(FileError, match=r"junk\.pt: not a PyTorch weights file"):
        read_torch(junk)
    with pytest.raises(FileError, match="too large"):
        read_torch(good, max_bytes=10)
