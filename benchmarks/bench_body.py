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


def _sweep(model: Any, frames: int = 24) -> list[Any]:
    """Poses of a slider drag on top of the bent + twisted preset (all different)."""
    from explorer.core.body.presets import preset_pose

    base = preset_pose(model, "bent + twisted")
    k = model.bone_index("lowerarm01.L")
    return [
        base.with_bone(k, [90.0 + 60.0 * np.sin(i / 4.0), 30.0, 0.0])
        for i in range(frames)
    ]


def _skinning_rows() -> list[tuple[str, str, str]]:
    import torch

    from explorer.core.body.anny_adapter import load_anny
    from explorer.core.body.skinning import Skinner

    model = load_anny(_CACHE)
    poses = _sweep(model)
    compiled = Skinner(model)
    compiled.warm_up()
    reference = Skinner(model, backend="torch")
    counter = iter(range(10**9))

    def update(skinner: Any, method: str) -> Callable[[], object]:
        return lambda: skinner.pose(poses[next(counter) % len(poses)], method=method)

    ours = {m: update(compiled, m) for m in ("lbs", "dqs")}
    try:
        import anny
    except ImportError:
        anny = None
    forward: Callable[[], object] | None = None
    first = float("nan")
    if anny is not None:
        worlds = [torch.as_tensor(compiled.kinematics(p)[0])[None] for p in poses]
        with torch.no_grad():
            reference_model = anny.Anny()

        def forward() -> object:
            with torch.no_grad():
                world = worlds[next(counter) % len(worlds)]
                return reference_model(
                    pose_parameters=world, pose_parameterization="world"
                )

        t0 = time.perf_counter()
        forward()  # the first call compiles (or loads) Warp kernels
        first = time.perf_counter() - t0
    # Interleave rounds so that a load change on the machine hits every row alike.
    samples: dict[str, list[float]] = {"lbs": [], "dqs": [], "torch": [], "anny": []}
    for _ in range(8):
        samples["lbs"].append(_median_ms(ours["lbs"], repeats=25))
        samples["dqs"].append(_median_ms(ours["dqs"], repeats=25))
        samples["torch"].append(_median_ms(update(reference, "lbs"), repeats=5))
        if forward is not None:
            samples["anny"].append(_median_ms(forward, repeats=5))
    lbs, dqs, torch_lbs = (
        statistics.median(samples[k]) for k in ("lbs", "dqs", "torch")
    )
    rows = [
        (
            "pose update, LBS + normals + volume (13,718 vertices, compiled)",
            f"{lbs:.2f} ms",
            "≤ 16 ms",
        ),
        (
            "pose update, DQS + normals + volume (13,718 vertices, compiled)",
            f"{dqs:.2f} ms",
            "≤ 16 ms",
        ),
        (
            "pose update, LBS + normals + volume (torch backend, for CUDA)",
            f"{torch_lbs:.2f} ms",
            "—",
        ),
    ]
    if forward is None:
        return [*rows, ("anny forward", "anny not installed", "—")]
    theirs = statistics.median(samples["anny"])
    return [
        *rows,
        ("anny forward, first call (kernel compile/load)", f"{first:.2f} s", "—"),
        (
            "anny forward, same poses and phenotype (world transforms given)",
            f"{theirs:.2f} ms",
            "—",
        ),
        (
            "speed-up of Explorer's LBS update over anny's forward",
            f"{theirs / lbs:.1f}×",
            "≥ 10×",
        ),
        (
            "speed-up of Explorer's DQS update over anny's forward (LBS)",
            f"{theirs / dqs:.1f}×",
            "report",
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
