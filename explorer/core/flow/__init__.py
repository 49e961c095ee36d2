"""Normalizing flows: change of variables in 1-D and a 2-D flow trained by likelihood.

* :mod:`~explorer.core.flow.names` — the choices (data, mixing, layer kinds; no torch),
* :mod:`~explorer.core.flow.config` — :class:`FlowConfig` and the limits of settings,
* :mod:`~explorer.core.flow.spline` — a monotone cubic map h for the 1-D picture,
* :mod:`~explorer.core.flow.data` — the 2-D data sets, CSV points, images as densities,
* :mod:`~explorer.core.flow.layers` — affine coupling, actnorm, 2×2 "1×1 conv", planar,
* :mod:`~explorer.core.flow.model` — the flow: log p(x), sampling, per-layer Jacobians,
* :mod:`~explorer.core.flow.checkpoint` — model files (read with ``weights_only=True``),
* :mod:`~explorer.core.flow.jobs` — training generators for the CLI and the panel.

Only the names load with the package: the CLI can offer the choices without torch.
"""

from __future__ import annotations

from explorer.core.flow.names import (
    DATA_NAMES,
    DATA_TITLES,
    KIND_NAMES,
    MIX_NAMES,
    MIX_TITLES,
)

__all__ = ["DATA_NAMES", "DATA_TITLES", "KIND_NAMES", "MIX_NAMES", "MIX_TITLES"]
