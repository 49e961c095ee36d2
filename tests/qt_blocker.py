"""pytest plugin: make Qt and the viewers unimportable, to prove the core needs none.

Used by ``.ci/run`` as ``pytest tests/core -p no:pytest-qt -p tests.qt_blocker``:
a fresh process in which importing PySide6, superqt, pyqtgraph, pyvista or
pyvistaqt fails, as it would in an environment without them.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

BLOCKED = ("PySide6", "shiboken6", "superqt", "pyqtgraph", "pyvista", "pyvistaqt")


class _Blocker(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in BLOCKED:
            raise ImportError(f"{fullname} is blocked: explorer.core must not need it")
        return None


loaded = [m for m in sys.modules if m.split(".")[0] in BLOCKED]
if loaded:
    raise RuntimeError(f"Qt was imported before the blocker: {loaded[:3]}")
sys.meta_path.insert(0, _Blocker())
