"""Rays: cameras, analytic fields, volume rendering, root finding and learned fields.

The Rays panel, the ``explorer rays`` command and the tests all use these modules:

* :mod:`~explorer.core.rays.names` — the choices and ranges the CLI and panel offer,
* :mod:`~explorer.core.rays.camera` — pinhole look-at cameras and rays through pixels,
* :mod:`~explorer.core.rays.scenes` — built-in scenes: analytic SDF, density, colour,
* :mod:`~explorer.core.rays.render` — sampling along rays and NeRF volume rendering,
* :mod:`~explorer.core.rays.roots` — sphere tracing and DVR's march + secant,
* :mod:`~explorer.core.rays.sdf_fit` — an SDF MLP fit to a point cloud (IGR),
* :mod:`~explorer.core.rays.nerf` — a tiny NeRF trained on rendered views.
"""

from __future__ import annotations
