"""Explorer: point-and-click explorations of deep-learning ideas."""

from __future__ import annotations

__version__ = "0.1.0"
