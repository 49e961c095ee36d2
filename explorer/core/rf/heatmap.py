"""ERF heat maps as RGB images (the CLI's PNG output)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from explorer.core.rf.recurrence import Box

_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [71, 44, 122],
        [59, 81, 139],
        [44, 113, 142],
        [33, 144, 140],
        [39, 173, 128],
        [92, 200, 98],
        [170, 220, 49],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


def heatmap_rgb(
    heatmap: NDArray[np.floating], box: Box | None = None
) -> NDArray[np.uint8]:
    """Return ``heatmap`` coloured with viridis (max = yellow) as (H, W, 3) uint8.

    With ``box`` the theoretical field is outlined in white.
    """
    h = np.asarray(heatmap, dtype=np.float64)
    peak = float(h.max()) if h.size else 0.0
    t = h / peak if peak > 0 else np.zeros_like(h)
    pos = t * (len(_VIRIDIS) - 1)
    lo = np.clip(np.floor(pos).astype(int), 0, len(_VIRIDIS) - 2)
    frac = (pos - lo)[..., None]
    rgb = _VIRIDIS[lo] * (1 - frac) + _VIRIDIS[lo + 1] * frac
    out = np.round(rgb).astype(np.uint8)
    if box is not None:
        c = box.clipped((h.shape[0], h.shape[1]))
        if c.height > 0 and c.width > 0:
            out[c.top, c.left : c.right + 1] = 255
            out[c.bottom, c.left : c.right + 1] = 255
            out[c.top : c.bottom + 1, c.left] = 255
            out[c.top : c.bottom + 1, c.right] = 255
    return out  # type: ignore[no-any-return]


def mass_level(heatmap: NDArray[np.floating], mass: float) -> float:
    """Return the level whose super-level set holds ``mass`` of the map's total.

    The pixels at or above the level are the fewest that carry at least ``mass``
    (0 < mass ≤ 1) of ``heatmap.sum()``: a contour at it encloses "50 % of
    |∂y/∂x|".  A map without positive values gives ``inf`` (nothing to enclose).
    """
    if not 0.0 < mass <= 1.0:
        raise ValueError(f"mass must be in (0, 1], got {mass}")
    v = np.sort(np.asarray(heatmap, dtype=np.float64).ravel())[::-1]
    total = float(v.sum())
    if v.size == 0 or total <= 0:
        return float("inf")
    k = int(np.searchsorted(np.cumsum(v), mass * total))
    return float(v[min(k, v.size - 1)])
