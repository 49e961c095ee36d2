"""Writing files safely: the one atomic-write helper every saver uses.

A half-written file must never replace a good one (a crash, a full disk, a
killed app): data goes to a temporary file in the target's own folder (so the
final rename stays on one file system), is flushed and fsynced, and only then
renamed over the target.  On any failure the temporary file is removed and the
old target is left as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO


def _process_umask() -> int:
    # Read once, at import (on the main thread): os.umask can only be read by
    # setting it, which would race with threads creating files.
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


_UMASK = _process_umask()


def _usual_mode(fd: int) -> None:
    """Give a temporary file the mode a plain ``open()`` would (``mkstemp``: 0600).

    An exported PNG or a saved lesson must be readable by the lecturer's other
    tools and by colleagues sharing the folder, as any file they save is.
    """
    if hasattr(os, "fchmod"):  # not on Windows
        os.fchmod(fd, 0o666 & ~_UMASK)


@contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[bytes]]:
    """Yield a binary file whose content replaces ``path`` when the block succeeds.

    Raises
    ------
    OSError
        When the folder cannot be created or written; ``path`` is then untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        _usual_mode(fd)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(
    path: str | Path, data: bytes | str, *, encoding: str = "utf-8"
) -> Path:
    """Write ``data`` (bytes, or text in ``encoding``) to ``path`` atomically.

    Returns
    -------
    Path
        The file written.
    """
    payload = data.encode(encoding) if isinstance(data, str) else data
    with atomic_open(path) as fh:
        fh.write(payload)
    return Path(path)


def atomic_write_all(
    writes: Sequence[tuple[str | Path, Callable[[IO[bytes]], None]]],
) -> list[Path]:
    """Write several files so that either all of them are replaced or none is.

    Each entry is ``(path, writer)``; ``writer(fh)`` fills a temporary file.  Only
    when every writer has succeeded are the files renamed into place (a session's
    ``.json`` and its ``.npz`` are written this way: a failure in the second
    leaves the first as it was).

    Returns
    -------
    list[Path]
        The files written, in order.
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, writer in writes:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
            )
            temps.append((Path(tmp), target))
            _usual_mode(fd)
            with os.fdopen(fd, "wb") as fh:
                writer(fh)
                fh.flush()
                os.fsync(fh.fileno())
        for tmp_path, target in temps:
            os.replace(tmp_path, target)
    except BaseException:
        for tmp_path, _ in temps:
            tmp_path.unlink(missing_ok=True)
        raise
    return [target for _, target in temps]
