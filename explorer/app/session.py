"""Saved explorations: versioned JSON of every panel's state + ``.npz`` of arrays.

``foo.explorer.json`` holds ``{"format": "explorer-session", "version": 1,
"active": id, "panels": {id: state}}``; numpy arrays in a state are replaced by
``{"__array__": key}`` and stored in ``foo.explorer.npz`` (loaded with
``allow_pickle=False``).  Both files are written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from explorer.core.files import atomic_write_all
from explorer.core.reading import FileError, MiB, read_json, read_npz

FORMAT = "explorer-session"
VERSION = 1
SUFFIX = ".explorer.json"
MAX_ARRAYS_BYTES = 200 * MiB


class SessionError(ValueError):
    """A session file cannot be read; the message says why in plain words."""


@dataclass(frozen=True)
class Session:
    """Every panel's state and the panel that was active."""

    panels: dict[str, dict[str, Any]]
    active: str | None = None


def _arrays_path(path: Path) -> Path:
    name = path.name.removesuffix(".json")
    return path.with_name(name + ".npz")


def _split(obj: Any, arrays: dict[str, np.ndarray], prefix: str) -> Any:
    if isinstance(obj, np.ndarray):
        key = f"a{len(arrays)}"
        arrays[key] = obj
        return {"__array__": key}
    if isinstance(obj, dict):
        return {str(k): _split(v, arrays, f"{prefix}/{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_split(v, arrays, prefix) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _join(obj: Any, arrays: dict[str, np.ndarray]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__array__"}:
            key = obj["__array__"]
            if key not in arrays:
                raise SessionError(
                    f"the arrays file lacks {key!r}: it belongs to another session"
                )
            return arrays[key]
        return {k: _join(v, arrays) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_join(v, arrays) for v in obj]
    return obj


def save_session(path: str | Path, session: Session) -> Path:
    """Write ``session`` to ``path`` (adds ``.explorer.json``); return the file."""
    out = Path(path)
    if not out.name.endswith(SUFFIX):
        out = out.with_name(out.name.removesuffix(".json") + SUFFIX)
    arrays: dict[str, np.ndarray] = {}
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "active": session.active,
        "panels": _split(session.panels, arrays, ""),
    }
    try:
        text = json.dumps(doc, indent=2, allow_nan=False)
    except ValueError:
        raise SessionError(
            f"cannot save the session: {_non_finite(session.panels)} is not a "
            "finite number (NaN or infinite)"
        ) from None
    npz = _arrays_path(out)

    def write_json(fh: IO[bytes]) -> None:
        fh.write(text.encode("utf-8"))

    def write_npz(fh: IO[bytes]) -> None:
        np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    # Both files or neither: a failure leaves the previous session whole.
    atomic_write_all(
        [(npz, write_npz), (out, write_json)] if arrays else [(out, write_json)]
    )
    if not arrays:
        npz.unlink(missing_ok=True)
    return out


def _non_finite(obj: Any, where: str = "") -> str:
    """Return the dotted path of the first non-finite float in ``obj`` ("gan.lr")."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return where
    items: list[tuple[str, Any]] = []
    if isinstance(obj, dict):
        items = [(f"{where}.{k}" if where else str(k), v) for k, v in obj.items()]
    elif isinstance(obj, list | tuple):
        items = [(f"{where}[{i}]", v) for i, v in enumerate(obj)]
    for path, value in items:
        found = _non_finite(value, path)
        if found:
            return found
    return ""


def load_session(path: str | Path) -> Session:
    """Read a session file.

    Raises
    ------
    SessionError
        When the file is missing, not JSON, not a session, from a newer Explorer,
        or its arrays file is missing or corrupt; the message reads
        "cannot load session NAME: what is wrong".
    """
    p = Path(path)
    try:
        return _load(p)
    except (FileError, SessionError) as exc:
        reason = exc.reason if isinstance(exc, FileError) else str(exc)
        raise SessionError(f"cannot load session {p.name}: {reason}") from None


def _load(p: Path) -> Session:
    doc = read_json(p)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SessionError("it is not an Explorer session file")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise SessionError("it has no valid version number")
    if version > VERSION:
        raise SessionError(
            f"it was saved by a newer Explorer (session version {version}; "
            f"this Explorer reads up to {VERSION}). Update Explorer to open it."
        )
    panels = doc.get("panels")
    if not isinstance(panels, dict) or not all(
        isinstance(v, dict) for v in panels.values()
    ):
        raise SessionError("it is damaged: 'panels' is not a table of panel states")
    arrays: dict[str, np.ndarray] = {}
    npz = _arrays_path(p)
    if npz.exists():
        try:
            arrays = read_npz(npz, max_bytes=MAX_ARRAYS_BYTES)
        except FileError as exc:
            raise SessionError(f"its arrays file {exc}") from None
    elif _has_arrays(panels):
        raise SessionError(
            f"its arrays file {npz.name} is missing: the session lacks the "
            "arrays its panels need"
        )
    active = doc.get("active")
    return Session(
        panels=_join(panels, arrays),
        active=active if isinstance(active, str) else None,
    )


def _has_arrays(obj: Any) -> bool:
    if isinstance(obj, dict):
        return set(obj) == {"__array__"} or any(_has_arrays(v) for v in obj.values())
    if isinstance(obj, list):
        return any(_has_arrays(v) for v in obj)
    return False
