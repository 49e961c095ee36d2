"""Pinhole look-at cameras and the rays through their pixels."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.floating[Any]]


def normalize(v: FloatArray, *, what: str = "direction") -> FloatArray:
    """Return ``v`` scaled to unit length along its last axis.

    Raises
    ------
    ValueError
        When a vector has (nearly) zero length or is not finite.
    """
    v = np.asarray(v, dtype=np.float64)
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    if not np.all(np.isfinite(v)) or np.any(n < 1e-12):
        raise ValueError(f"the {what} must be a finite, non-zero vector")
    out: FloatArray = v / n
    return out


@dataclass(frozen=True)
class Camera:
    """A pinhole camera at ``eye`` looking at ``target`` (OpenGL: −z forward).

    Attributes
    ----------
    eye, target, up
        Position, look-at point and approximate up vector (world coordinates).
    fov_deg
        Vertical field of view in degrees.
    width, height
        Image size in pixels.
    """

    eye: tuple[float, float, float] = (0.0, 0.6, 3.0)
    target: tuple[float, float, float] = (0.0, 0.0, 0.0)
    up: tuple[float, float, float] = (0.0, 1.0, 0.0)
    fov_deg: float = 45.0
    width: int = 64
    height: int = 64

    def __post_init__(self) -> None:
        if not 1.0 <= self.fov_deg <= 170.0:
            raise ValueError(
                f"field of view must be in [1, 170] degrees, got {self.fov_deg}"
            )
        if not (1 <= self.width <= 4096 and 1 <= self.height <= 4096):
            raise ValueError(
                f"image size must be 1..4096 pixels, got {self.width}×{self.height}"
            )
        forward = np.subtract(self.target, self.eye)
        normalize(forward, what="camera viewing direction (eye equals target?)")
        if np.linalg.norm(np.cross(forward, self.up)) < 1e-9:
            raise ValueError(
                "the camera's up vector is parallel to its viewing direction"
            )

    @property
    def focal(self) -> float:
        """Return the focal length in pixels: (H/2) / tan(fov/2)."""
        return 0.5 * self.height / math.tan(math.radians(self.fov_deg) / 2.0)

    def rotation(self) -> FloatArray:
        """Return the 3×3 camera-to-world rotation (columns: right, up, backward)."""
        back = normalize(np.subtract(self.eye, self.target))
        right = normalize(np.cross(self.up, back))
        true_up = np.cross(back, right)
        return np.stack([right, true_up, back], axis=1)

    def resized(self, width: int, height: int) -> Camera:
        """Return the same camera with another image size."""
        return Camera(self.eye, self.target, self.up, self.fov_deg, width, height)

    def pixel_rays(self, u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Return (origins, unit directions), shape (..., 3), of rays through pixels.

        ``u`` is the column and ``v`` the row (0 at the top); integer values hit
        pixel centres (+0.5 is added), as in the NeRF code's ``get_rays``.
        """
        u = np.asarray(u, dtype=np.float64)
        v = np.asarray(v, dtype=np.float64)
        x = (u + 0.5 - 0.5 * self.width) / self.focal
        y = -(v + 0.5 - 0.5 * self.height) / self.focal
        d_cam = np.stack([x, y, -np.ones_like(x)], axis=-1)
        dirs = normalize(d_cam @ self.rotation().T)
        origins = np.broadcast_to(np.asarray(self.eye, dtype=np.float64), dirs.shape)
        return np.array(origins), dirs

    def all_rays(self) -> tuple[FloatArray, FloatArray]:
        """Return (origins, directions) of every pixel, shape (height, width, 3)."""
        v, u = np.meshgrid(
            np.arange(self.height, dtype=np.float64),
            np.arange(self.width, dtype=np.float64),
            indexing="ij",
        )
        return self.pixel_rays(u, v)

    def project(self, points: FloatArray) -> FloatArray:
        """Return pixel coordinates (u, v) of world ``points`` (..., 3)."""
        p = (
            np.asarray(points, dtype=np.float64) - np.asarray(self.eye)
        ) @ self.rotation()
        z = -p[..., 2]
        u = self.focal * p[..., 0] / z + 0.5 * self.width - 0.5
        v = -self.focal * p[..., 1] / z + 0.5 * self.height - 0.5
        return np.stack([u, v], axis=-1)


def orbit_camera(
    azimuth_deg: float,
    elevation_deg: float,
    radius: float = 3.0,
    *,
    size: int = 64,
    fov_deg: float = 45.0,
) -> Camera:
    """Return a camera on a sphere of ``radius`` around the origin, looking at it."""
    az, el = math.radians(azimuth_deg), math.radians(elevation_deg)
    eye = (
        radius * math.cos(el) * math.sin(az),
        radius * math.sin(el),
        radius * math.cos(el) * math.cos(az),
    )
    return Camera(eye=eye, fov_deg=fov_deg, width=size, height=size)
