"""Drawing the selected ray: its plots, the SDF slice, the 3-D ray and the card.

A probe (:class:`~explorer.core.rays.probe.RayProbe`) is drawn at once when the
user asked for it (a click, a slider) and one view per tick of the panel's
:class:`DrawScheduler` when a worker sent it; the 3-D view, whose render costs
30–50 ms, has a slower scheduler of its own.  The ray plots are drawn only
while their tab is shown (else when it is shown next).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from explorer.core.rays.probe import RayProbe
from explorer.core.rays.render import RaySamples
from explorer.panels.rays.readouts import DEFAULT_SURFACE_COLOR, card_values
from explorer.panels.rays.stepper import RootStepper
from explorer.panels.rays.views import RaysMainView
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard

# The 2-D views that show the selected ray (one per tick when a worker sent it).
PROBE_VIEWS = ("plots", "slice", "card")


class RayDrawing(QObject):
    """Shows the newest probe of the selected ray in the panel's views.

    Parameters
    ----------
    views
        The panel's main view (image, 3-D scene, slice, ray plots, tabs).
    card, stepper
        The formula card with the ray's numbers; the root-finding stepper.
    draws, scene_draws
        The 2-D views' scheduler and the 3-D view's slower one.
    sdf_mesh
        Returns the learned SDF's newest level set (for a stale 3-D surface).
    """

    def __init__(
        self,
        views: RaysMainView,
        card: FormulaCard,
        stepper: RootStepper,
        draws: DrawScheduler,
        scene_draws: DrawScheduler,
        sdf_mesh: Callable[[], Any],
    ) -> None:
        super().__init__(views)
        self._views = views
        self._card = card
        self._stepper = stepper
        self._draws = draws
        self._scene_draws = scene_draws
        self._sdf_mesh = sdf_mesh
        self.probe: RayProbe | None = None
        self._surface_stale = False  # a learned level set waits for the 3-D view
        self._plots_stale = False  # the ray plots wait for their tab to be shown
        stepper.changed.connect(self._on_stepper_changed)
        views.tabs.currentChanged.connect(self._on_tabs_current_changed)

    @property
    def ray(self) -> RaySamples | None:
        """The samples of the probe shown last (``None`` before the first)."""
        return None if self.probe is None else self.probe.ray

    def pending(self) -> bool:
        """Return True while a view of the selected ray waits to be drawn."""
        return (
            any(self._draws.pending(k) for k in PROBE_VIEWS)
            or self._scene_draws.pending()
        )

    def show(self, probe: RayProbe, *, now: bool = False) -> None:
        """Show ``probe``: drawn at once (``now``), else one view per tick."""
        self.probe = probe
        self._views.image_view.set_marker(*probe.pixel)
        draws = {
            "plots": self._draw_plots,
            "slice": self._draw_slice,
            "card": self._draw_card,
        }
        for key, draw in draws.items():
            if now:
                self._draws.cancel(key)
                draw()
            else:
                self._draws.request(key, draw)
        if now:
            self._scene_draws.clear()
            self._draw_scene()
        else:
            self._scene_draws.request("3d", self._draw_scene)

    def surface_changed(self) -> None:
        """The learned SDF has a new level set: show it with the next 3-D draw."""
        self._surface_stale = True
        self._scene_draws.request("3d", self._draw_scene)

    def surface_replaced(self) -> None:
        """The panel set the 3-D surface itself: no learned level set is waiting."""
        self._surface_stale = False

    def _on_stepper_changed(self) -> None:
        if self.probe is not None:
            self.show(self.probe, now=True)

    def _draw_plots(self) -> None:
        probe, v = self.probe, self._views
        if probe is None:
            return
        if v.tabs.currentWidget() is not v.ray_plots:
            self._plots_stale = True  # drawn when the tab is shown
            return
        self._plots_stale = False
        sphere, secant, step = self._stepper.apply(probe.sphere, probe.secant)
        v.ray_plots.update_ray(probe.ray, probe.f_t, sphere, secant)
        v.ray_plots.set_step(step)

    def _draw_slice(self) -> None:
        probe = self.probe
        if probe is None:
            return
        sphere, secant, step = self._stepper.apply(probe.sphere, probe.secant)
        self._views.slice_view.update_slice(
            probe.slice_values, probe.extent, sphere, secant, probe.contour
        )
        self._views.slice_view.set_step(
            step if probe.slice_values is not None else None
        )

    def _draw_scene(self) -> None:
        scene = self._views.scene_view
        if self._surface_stale:
            self._surface_stale = False
            scene.set_surface(self._sdf_mesh(), color=DEFAULT_SURFACE_COLOR)
        if self.probe is not None:
            scene.set_ray(self.probe.ray, self.probe.hit)

    def _draw_card(self) -> None:
        if self.probe is not None:
            self._card.set_values(card_values(self.probe))

    def _on_tabs_current_changed(self, _index: int) -> None:
        if self._plots_stale:
            self._draw_plots()
