"""Body posing: Explorer's own skinning vs anny's forward, and slider-drag frame rate.

Run ``python benchmarks/bench_body.py``.  The frame-rate row needs a real display
(Xvfb: ``DISPLAY=:N QT_QPA_PLATFORM=xcb``); without one it says so.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

_CACHE = Path(tempfile.gettempdir()) / "explorer-bench-body"


def _median_ms(fn: Callable[[], object], repeats: int = 40) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000.0


def _skinning_rows() -> list[tuple[str, str, str]]:
    import torch

    from explorer.core.body.anny_adapter import load_anny
    from explorer.core.body.presets import preset_pose
    from explorer.core.body.skinning import Skinner

    model = load_anny(_CACHE)
    skinner = Skinner(model)
    pose = preset_pose(model, "bent + twisted")
    lbs = _median_ms(lambda: skinner.pose(pose, method="lbs"))
    dqs = _median_ms(lambda: skinner.pose(pose, method="dqs"))
    rows = [
        (
            "pose update, LBS + normals + volume (13,718 vertices)",
            f"{lbs:.2f} ms",
            "≤ 16 ms",
        ),
        (
            "pose update, DQS + normals + volume (13,718 vertices)",
            f"{dqs:.2f} ms",
            "≤ 16 ms",
        ),
    ]
    try:
        import anny
    except ImportError:
        return [*rows, ("anny forward (same pose)", "anny not installed", "—")]
    world, _ = skinner.kinematics(pose)
    with torch.no_grad():
        reference = anny.Anny()
        pose_t = torch.as_tensor(world)[None]

        def forward() -> object:
            return reference(pose_parameters=pose_t, pose_parameterization="world")

        t0 = time.perf_counter()
        forward()  # the first call compiles (or loads) Warp kernels
        first = time.perf_counter() - t0
        theirs = _median_ms(forward, repeats=10)
    return [
        *rows,
        ("anny forward, first call (kernel compile/load)", f"{first:.2f} s", "—"),
        ("anny forward, same pose and phenotype", f"{theirs:.2f} ms", "—"),
        (
            "speed-up of Explorer's LBS update over anny's forward",
            f"{theirs / lbs:.1f}×",
            "≥ 10×",
        ),
    ]


def _drag_fps_row(seconds: float = 4.0) -> tuple[str, str, str]:
    name = "frames per second while dragging a joint slider (3-D view, Xvfb)"
    if os.environ.get("QT_QPA_PLATFORM") != "xcb" or not os.environ.get("DISPLAY"):
        return name, "skipped: needs DISPLAY and QT_QPA_PLATFORM=xcb", "report"
    from PySide6.QtWidgets import QApplication

    from explorer.panels.base import AppContext
    from explorer.panels.body.panel import BodyPanel

    app = QApplication.instance() or QApplication([])
    panel = BodyPanel(AppContext(device="cpu", data_dir=_CACHE))
    panel.resize(1400, 900)
    panel.show()
    deadline = time.monotonic() + 60.0
    while not panel.snapshot_ready() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    panel.select_bone("lowerarm01.L")
    slider = panel.angle_sliders[0].slider
    frames0 = panel.frames_shown
    t0 = time.monotonic()
    i = 0
    while time.monotonic() - t0 < seconds:
        slider.setValue(int(90 + 80 * np.sin(i / 10.0)))
        i += 1
        app.processEvents()
        time.sleep(0.005)
    fps = (panel.frames_shown - frames0) / (time.monotonic() - t0)
    panel.shutdown()
    panel.close()
    return name, f"{fps:.1f} fps", "report"


def run() -> list[tuple[str, str, str]]:
    """Return benchmark rows (name, measured value with unit, goal)."""
    return [*_skinning_rows(), _drag_fps_row()]


def stall_job() -> tuple[Callable[..., Iterator[Any]], dict[str, Any]]:
    """Return the panel's heaviest job and kwargs: load anny, then pose it 60 times."""
    from explorer.core.body.service import pose_sweep

    return pose_sweep, {
        "spec": "anny",
        "cache_dir": _CACHE,
        "frames": 60,
        "device": "cpu",
    }


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
