"""Opening a body by name: ``"anny"`` or the path of an SMPL-family ``.npz`` file."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from explorer.core.body.anny_adapter import load_anny
from explorer.core.body.model import BodyModel
from explorer.core.body.smpl_npz import load_smpl_npz
from explorer.core.data import DataFormatError


def load_body(
    spec: str | Path = "anny",
    *,
    cache_dir: Path | None = None,
    shape: Mapping[str, float] | None = None,
) -> BodyModel:
    """Return the body ``spec`` ("anny" or a ``.npz`` model path) with ``shape`` values.

    Raises
    ------
    ValueError
        (or its subclass ``DataFormatError``) for a missing / unusable file or a bad
        shape value, with a message a student understands.
    """
    if str(spec) == "anny":
        return load_anny(cache_dir, shape)
    path = Path(spec)
    if path.suffix.lower() != ".npz":
        raise DataFormatError(
            f"{path.name}: use 'anny' or an SMPL-family model file in .npz format "
            "(.pkl files are not read: unpickling can run code)"
        )
    if not path.is_file():
        raise DataFormatError(f"no such model file: {path}")
    return load_smpl_npz(path, shape)
