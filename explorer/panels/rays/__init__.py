"""The Rays panel: volume rendering and root finding one ray at a time."""
