"""Lazy attributes for topic packages: torch loads when a torch part is first used.

A topic's ``__init__`` re-exports its whole API, but importing the package for its
names (the CLI's choice lists) must not import torch.  The package maps each
heavy name to the submodule defining it and lets :func:`lazy_getattr` import
that submodule on first access (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any


def lazy_getattr(
    package: str, table: Mapping[str, str], namespace: MutableMapping[str, Any]
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` importing ``table[name]`` of ``package``.

    The value found is stored in ``namespace`` (the package's globals), so each
    name is looked up once.
    """

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
