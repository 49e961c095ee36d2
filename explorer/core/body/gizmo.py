"""The rotation gizmo's maths: gimbal rings around a joint, picking, drag → angle.

The pose stores Euler angles ``R = R_x(rx) R_y(ry) R_z(rz)`` about each bone's rest
axes.  The three rings are the *gimbal* axes of that rotation, so that turning
ring i changes exactly slider i (the sliders and the rings show one state):
``d/drx`` rotates about ``F e_x``, ``d/dry`` about ``F R_x e_y`` and ``d/drz``
about ``F R_x R_y e_z``, where ``F = W_k R⁻¹`` is the bone's frame before its own
rotation (``W_k`` its posed frame).

A drag is read off the ring's tangent on screen: a point q on the ring moves with
the angle as ``dq/dθ = a × (q − c)``; its screen image moves by ``T = J (a × (q −
c))`` per radian, so a mouse motion Δ (pixels) is the angle ``Δ·T / |T|²`` (the
least-squares fit), whatever the ring's tilt — also seen edge-on, where the angle
around the ring's centre on screen is undefined.

Screen positions are Qt's: pixels from the widget's top-left corner.
"""

from __future__ import annotations

import numpy as np

from explorer.core.body.model import F64, euler_to_matrix

RING_SAMPLES = 72
PICK_TOLERANCE_PX = 8.0
# a ring seen almost edge-on at its grab point still turns at a usable rate
MIN_TANGENT_PX = 20.0


def gimbal_axes(bone_frame: F64, euler: F64) -> F64:
    """Return the (3, 3) world directions (rows x, y, z) that each Euler angle turns.

    ``bone_frame`` is the posed frame W_k (4, 4) of the bone whose angles are
    ``euler`` (degrees, x y z).
    """
    e = np.asarray(euler, dtype=np.float64)
    own = euler_to_matrix(e)
    frame = bone_frame[:3, :3] @ own.T  # F = W R⁻¹
    rx = euler_to_matrix(np.array([e[0], 0.0, 0.0]))
    rxy = euler_to_matrix(np.array([e[0], e[1], 0.0]))
    axes = np.stack([frame[:, 0], (frame @ rx)[:, 1], (frame @ rxy)[:, 2]])
    out: F64 = axes / np.linalg.norm(axes, axis=1, keepdims=True)
    return out


def ring_points(centre: F64, axis: F64, radius: float, n: int = RING_SAMPLES) -> F64:
    """Return ``n`` points (n, 3) on the circle about ``axis`` through ``centre``."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    helper = np.eye(3)[int(np.argmin(np.abs(a)))]
    u = np.cross(a, helper)
    u /= np.linalg.norm(u)
    v = np.cross(a, u)
    t = np.linspace(0.0, 2.0 * np.pi, n, endpoint=False)
    out: F64 = centre + radius * (np.outer(np.cos(t), u) + np.outer(np.sin(t), v))
    return out


def project(points: F64, matrix: F64, width: float, height: float) -> F64:
    """Return screen positions (N, 2) in Qt pixels of world ``points`` (N, 3).

    ``matrix`` is the camera's world → normalised-device transform (4, 4), e.g.
    VTK's ``GetCompositeProjectionTransformMatrix(width / height, -1, 1)``.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    homo = np.hstack([pts, np.ones((pts.shape[0], 1))]) @ np.asarray(matrix).T
    ndc = homo[:, :2] / homo[:, 3:4]
    x = (ndc[:, 0] + 1.0) / 2.0 * width
    y = (1.0 - ndc[:, 1]) / 2.0 * height  # Qt counts rows from the top
    out: F64 = np.column_stack([x, y])
    return out


def pick_ring(
    screen: F64, mouse: tuple[float, float], tol: float = PICK_TOLERANCE_PX
) -> tuple[int, int] | None:
    """Return (ring, sample) of the ring point nearest ``mouse``, if within ``tol``.

    ``screen`` (rings, n, 2) are the rings' points on screen; the distance is to the
    drawn segments (a closed polyline), not only to their samples.
    """
    m = np.asarray(mouse, dtype=np.float64)
    best: tuple[float, int, int] | None = None
    for i in range(screen.shape[0]):
        a = screen[i]
        b = np.roll(a, -1, axis=0)
        ab = b - a
        length2 = np.maximum((ab**2).sum(axis=1), 1e-12)
        s = np.clip(((m - a) * ab).sum(axis=1) / length2, 0.0, 1.0)
        d = np.linalg.norm(a + s[:, None] * ab - m, axis=1)
        j = int(np.argmin(d))
        if d[j] <= tol and (best is None or d[j] < best[0]):
            best = (float(d[j]), i, j)
    return None if best is None else (best[1], best[2])


def screen_tangent(
    centre: F64, axis: F64, grab: F64, matrix: F64, width: float, height: float
) -> F64:
    """Return the screen motion (2,) in pixels per radian of ring point ``grab``."""
    a = np.asarray(axis, dtype=np.float64)
    a = a / np.linalg.norm(a)
    tangent = np.cross(a, np.asarray(grab) - np.asarray(centre))
    eps = 1e-3  # radians: a finite difference of the projection
    ends = project(np.stack([grab, grab + eps * tangent]), matrix, width, height)
    out: F64 = (ends[1] - ends[0]) / eps
    return out


def drag_angle(delta_px: tuple[float, float], tangent_px: F64) -> float:
    """Return the angle in degrees that a mouse motion ``delta_px`` turns the ring.

    ``tangent_px`` is :func:`screen_tangent` at the grabbed point.
    """
    t = np.asarray(tangent_px, dtype=np.float64)
    norm = float(np.linalg.norm(t))
    if norm < 1e-9:
        return 0.0
    # seen edge-on, |T| → 0 and the angle per pixel would blow up: keep a floor
    scale = max(norm, MIN_TANGENT_PX)
    along = float(np.dot(delta_px, t / norm))
    return float(np.rad2deg(along / scale))
