"""The app's view of the panel table (defined in :mod:`explorer.panels.registry`)."""

from __future__ import annotations

from explorer.panels.registry import PANELS, PanelSpec, find

__all__ = ["PANELS", "PanelSpec", "find"]
