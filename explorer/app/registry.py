"""The app's view of the panel table (defined in :mod:`explorer.panels.registry`)."""

from __future__ import annotations

from explorer.panels.registry import PANELS, PanelSpec
from explorer.panels.registry import find as _find

__all__ = ["PANELS", "PanelSpec", "find"]


def find(panel_id: str, specs: tuple[PanelSpec, ...] | None = None) -> PanelSpec:
    """Return the spec with ``panel_id`` from this module's table (tests replace it).

    Raises
    ------
    KeyError
        With the list of known ids.
    """
    return _find(panel_id, PANELS if specs is None else specs)
