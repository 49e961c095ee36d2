"""A malicious pickle, for every loader: a payload that would create a file must not.

The payload (:class:`tests.corpus.generate.Evil`) creates ``PWNED`` when it is
unpickled — the first test proves it does — then each loader gets it in the
container it reads (a torch file, an ``.npz`` member, a bare pickle renamed).
"""

from __future__ import annotations

import io
import pickle
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.corpus.generate import PWNED, Evil, smpl_arrays


def test_the_payload_creates_its_file_when_unpickled(tmp_path: Path) -> None:
    marker = tmp_path / PWNED
    pickle.loads(pickle.dumps(Evil(str(marker))))
    assert marker.exists()


def _npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def _npz_with_payload(path: Path, arrays: dict[str, np.ndarray], key: str) -> None:
    evil = np.array([Evil(str(path.parent / PWNED))], dtype=object)
    with zipfile.ZipFile(path, "w") as zf:
        for name, arr in arrays.items():
            zf.writestr(f"{name}.npy", _npy(evil if name == key else arr))


def _torch_with_payload(path: Path) -> None:
    import torch

    torch.save({"format": "explorer.latent", "x": Evil(str(path.parent / PWNED))}, path)


def _bare_pickle(path: Path) -> None:
    path.write_bytes(pickle.dumps(Evil(str(path.parent / PWNED))))


def _loaders() -> list[
    tuple[str, str, Callable[[Path], None], Callable[[Path], object]]
]:
    from explorer.app.session import load_session
    from explorer.core.body.smpl_npz import load_smpl_npz
    from explorer.core.data import load_image_gray, read_idx
    from explorer.core.gan.data import read_points_csv
    from explorer.core.gridworld.fileformat import load_world
    from explorer.core.latent.checkpoint import load_checkpoint
    from explorer.core.rays.sdf_fit import load_mesh
    from explorer.core.reading import read_json, read_npz
    from explorer.core.rf.stack_json import stack_from_json

    def session(path: Path) -> object:
        doc = path.with_name("s.explorer.json")
        doc.write_text(
            '{"format": "explorer-session", "version": 1, '
            '"panels": {"p": {"w": {"__array__": "a0"}}}}'
        )
        return load_session(doc)

    body = smpl_arrays()
    return [
        ("checkpoint (torch file)", ".pt", _torch_with_payload, load_checkpoint),
        ("checkpoint (bare pickle)", ".pt", _bare_pickle, load_checkpoint),
        (
            "SMPL model (npz member)",
            ".npz",
            lambda p: _npz_with_payload(p, body, "weights"),
            load_smpl_npz,
        ),
        (
            "session arrays (npz member)",
            ".explorer.npz",
            lambda p: _npz_with_payload(p, {"a0": np.zeros(2)}, "a0"),
            lambda p: session(p.with_name("s.explorer.npz")),
        ),
        (
            "npz reader",
            ".npz",
            lambda p: _npz_with_payload(p, {"a0": np.zeros(2)}, "a0"),
            read_npz,
        ),
        ("stack JSON", ".json", _bare_pickle, stack_from_json),
        ("grid world", ".json", _bare_pickle, load_world),
        ("JSON reader", ".json", _bare_pickle, read_json),
        ("points CSV", ".csv", _bare_pickle, read_points_csv),
        ("IDX", ".idx", _bare_pickle, read_idx),
        ("image", ".png", _bare_pickle, load_image_gray),
        ("mesh", ".obj", _bare_pickle, load_mesh),
        ("session JSON", ".explorer.json", _bare_pickle, load_session),
    ]


LOADERS = _loaders()


@pytest.mark.parametrize(
    ("suffix", "write", "load"),
    [(s, w, f) for _, s, w, f in LOADERS],
    ids=[n for n, *_ in LOADERS],
)
def test_a_pickle_payload_never_runs(
    tmp_path: Path,
    suffix: str,
    write: Callable[[Path], None],
    load: Callable[[Path], object],
) -> None:
    path = tmp_path / ("s" + suffix if suffix.startswith(".explorer") else "f" + suffix)
    write(path)
    with pytest.raises(ValueError):
        load(path)
    assert not (tmp_path / PWNED).exists()


def test_a_pose_file_payload_never_runs(tmp_path: Path) -> None:
    from explorer.core.body.pose import read_pose_file

    path = tmp_path / "pose.json"
    _bare_pickle(path)
    with pytest.raises(ValueError, match="pose"):
        read_pose_file(path)
    assert not (tmp_path / PWNED).exists()
