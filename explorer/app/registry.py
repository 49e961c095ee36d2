"""The one table of panels, in navigation order.  Factories are imported lazily."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from explorer.panels.base import PanelFactory


@dataclass(frozen=True)
class PanelSpec:
    """A panel: its id (CLI, shortcuts), title, icon and ``module:Class`` factory."""

    id: str
    title: str
    factory: str
    icon: str  # file name in assets/icons/
    summary: str

    def load(self) -> PanelFactory:
        """Import and return the panel class (its factory)."""
        module_name, _, attr = self.factory.partition(":")
        factory: PanelFactory = getattr(importlib.import_module(module_name), attr)
        return factory


PANELS: tuple[PanelSpec, ...] = (
    PanelSpec(
        id="gridworld",
        title="Gridworld RL",
        factory="explorer.panels.gridworld.panel:GridworldPanel",
        icon="gridworld.svg",
        summary="Edit a grid world by clicking and watch dynamic programming, TD "
        "learning, SARSA vs Q-learning, DQN and policy gradients learn values and "
        "policies.",
    ),
)


def find(panel_id: str, specs: tuple[PanelSpec, ...] | None = None) -> PanelSpec:
    """Return the spec with ``panel_id``.

    Raises
    ------
    KeyError
        With the list of known ids.
    """
    table = PANELS if specs is None else specs
    for spec in table:
        if spec.id == panel_id:
            return spec
    known = ", ".join(s.id for s in table) or "none"
    raise KeyError(f"unknown panel {panel_id!r} (known: {known})")
