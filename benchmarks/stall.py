"""GUI stalls per panel at a projector's size, with a profile of where the time goes.

``python -m benchmarks.run stall [--panels rf,gan] [--size 1400x900] [--presentation]
[--seconds 8] [--profile] [--top 12] [--trace MS]``

Without ``--size`` it measures both settings the goal names: 1400 × 900 in normal mode
and 1920 × 1080 in presentation mode (×2 text, lines and markers).  For every runnable
panel it starts the default job as a user would, waits 5 s (a training child imports
torch), then for ``--seconds`` records how late each 10 ms tick of a GUI-thread timer
fires (the stall) and how often the panel's main view repaints (its frame rate).

``--profile`` also times every event the GUI thread delivers, by where it went (the
nearest Explorer or pyqtgraph widget above the receiver, e.g. ``PlotPane 'σ(t)'``) and
by kind (paint, layout, timer, queued call, input, other), as exclusive time (an event
delivered inside another counts only once), plus the time spent inside pyqtgraph's
``setData`` / ``setImage`` per item class.  Rows give milliseconds per second of wall
time, so 1000 ms/s would be a GUI thread that never idles.  ``--trace MS`` samples the
GUI thread from a thread (``stall_trace``) and explains each tick later than MS.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

Row = tuple[str, str, str]
GOAL = "p99 ≤ 16 / max ≤ 50 ms (main view ≥ 20 /s wanted)"
SETTINGS = (("1400x900", False), ("1920x1080", True))


def _event_kind(code: int) -> str:
    from PySide6.QtCore import QEvent

    t = QEvent.Type
    kinds = {
        t.Paint: "paint",
        t.UpdateRequest: "paint",
        t.LayoutRequest: "layout",
        t.Resize: "layout",
        t.Polish: "layout",
        t.PolishRequest: "layout",
        t.Timer: "timer",
        t.MetaCall: "queued call",
        t.MouseMove: "input",
        t.MouseButtonPress: "input",
        t.MouseButtonRelease: "input",
        t.Wheel: "input",
        t.KeyPress: "input",
    }
    return kinds.get(QEvent.Type(code), "other")


def _where(obj: Any) -> str:
    """Name the nearest Explorer or pyqtgraph object at or above ``obj``."""
    seen = 0
    while obj is not None and seen < 40:
        module = type(obj).__module__
        if module.startswith(("explorer", "pyqtgraph", "pyvistaqt", "superqt")):
            name = type(obj).__name__
            title = getattr(obj, "_title", "") or obj.objectName()
            return f"{name} {title!r}" if isinstance(title, str) and title else name
        parent = obj.parent() if hasattr(obj, "parent") else None
        obj = parent if not callable(parent) else None
        seen += 1
    return "Qt"


class Profile:
    """Exclusive time per (where, kind) and inclusive time per pyqtgraph call."""

    def __init__(self) -> None:
        self.events: dict[tuple[str, str], list[float]] = defaultdict(
            lambda: [0.0, 0.0, 0.0]
        )  # total s, calls, max s
        self.calls: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        self._child = [0.0]  # time spent in nested deliveries, per level
        self.on = False

    def deliver(self, receiver: Any, event: Any, call: Callable[[], bool]) -> bool:
        if not self.on:
            return call()
        self._child.append(0.0)
        t0 = time.perf_counter()
        try:
            return call()
        finally:
            spent = time.perf_counter() - t0
            nested = self._child.pop()
            self._child[-1] += spent
            own = spent - nested
            try:
                key = (_where(receiver), _event_kind(int(event.type())))
            except RuntimeError:  # the receiver was deleted while handling it
                key = ("deleted", "other")
            cell = self.events[key]
            cell[0] += own
            cell[1] += 1
            cell[2] = max(cell[2], own)

    def wrap(self, cls: type, method: str) -> None:
        """Time ``cls.method`` (inclusive) while profiling."""
        original = getattr(cls, method)
        label = f"{cls.__name__}.{method}"

        def timed(item: Any, *args: Any, **kwargs: Any) -> Any:
            if not self.on:
                return original(item, *args, **kwargs)
            t0 = time.perf_counter()
            try:
                return original(item, *args, **kwargs)
            finally:
                spent = time.perf_counter() - t0
                cell = self.calls[label]
                cell[0] += spent
                cell[1] += 1
                cell[2] = max(cell[2], spent)

        setattr(cls, method, timed)

    def clear(self) -> None:
        self.events.clear()
        self.calls.clear()

    def rows(self, label: str, seconds: float, top: int) -> list[Row]:
        busy = sum(c[0] for c in self.events.values())
        out: list[Row] = [
            (f"  {label}: GUI thread busy", f"{busy / seconds * 1000:.0f} ms/s", "")
        ]
        ranked = sorted(self.events.items(), key=lambda kv: -kv[1][0])[:top]
        for (where, kind), (total, n, worst) in ranked:
            out.append(
                (
                    f"  {label}: {kind} · {where}",
                    f"{total / seconds * 1000:.1f} ms/s, {int(n)}×, max "
                    f"{worst * 1000:.1f} ms",
                    "",
                )
            )
        for name, (total, n, worst) in sorted(
            self.calls.items(), key=lambda kv: -kv[1][0]
        )[: max(3, top // 2)]:
            out.append(
                (
                    f"  {label}: in {name}",
                    f"{total / seconds * 1000:.1f} ms/s, {int(n)}×, max "
                    f"{worst * 1000:.1f} ms",
                    "",
                )
            )
        return out


PROFILE = Profile()


def _application() -> Any:
    """Return the QApplication; a profiling one when none exists yet."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    if existing is not None:
        return existing

    class ProfilingApplication(QApplication):
        def notify(self, receiver: Any, event: Any) -> bool:
            return PROFILE.deliver(
                receiver, event, lambda: QApplication.notify(self, receiver, event)
            )

    return ProfilingApplication(["explorer"])


def _install_item_timers() -> None:
    import pyqtgraph as pg

    for cls, method in (
        (pg.PlotDataItem, "setData"),
        (pg.PlotCurveItem, "setData"),
        (pg.ScatterPlotItem, "setData"),
        (pg.ImageItem, "setImage"),
        (pg.PlotCurveItem, "paint"),
        (pg.ScatterPlotItem, "paint"),
        (pg.ImageItem, "paint"),
    ):
        PROFILE.wrap(cls, method)


def _is_canvas(widget: Any) -> bool:
    from explorer.widgets.mesh_view import MeshView

    return isinstance(widget.parent(), MeshView) and widget is getattr(
        widget.parent(), "_canvas", None
    )


class _Frames:
    """Counts the repaints of a panel's main view.

    Paint events of the view, its viewport and those of the plots inside it are
    counted per widget; :attr:`count` is the largest (a container is painted only
    when something under it is see-through, a plot's viewport at each frame).
    """

    def __init__(self, widget: Any) -> None:
        import pyqtgraph as pg
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtWidgets import QWidget

        counts: dict[int, int] = defaultdict(int)

        class Filter(QObject):
            def eventFilter(self, obj: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint:
                    counts[id(obj)] += 1
                return False

        self._counts = counts
        self._filter = Filter()
        targets = [widget]
        viewport = getattr(widget, "viewport", None)
        if callable(viewport):
            targets.append(viewport())
        targets += [v.viewport() for v in widget.findChildren(pg.GraphicsView)]
        # a 3-D view off-screen: the canvas its frames are painted on
        targets += [w for w in widget.findChildren(QWidget) if _is_canvas(w)]
        for t in targets:
            t.installEventFilter(self._filter)

    def reset(self) -> None:
        self._counts.clear()

    @property
    def count(self) -> int:
        return max(self._counts.values(), default=0)


def _lateness(
    seconds: float, frames: _Frames, gaps: list[tuple[float, float]] | None = None
) -> tuple[list[float], int]:
    """Return how late each 10 ms tick came (ms) and the main view's paints;
    ``gaps`` (when given) gets each tick's (previous tick, this tick) times."""
    from PySide6.QtCore import Qt, QTimer

    late: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        late.append(max(0.0, (now - last[0]) - 0.010) * 1000)
        if gaps is not None:
            gaps.append((last[0], now))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)
    timer.timeout.connect(tick)
    frames.reset()
    timer.start()
    _pump(seconds)
    timer.stop()
    return late, frames.count


def _pump(seconds: float) -> None:
    """Run the Qt event loop for ``seconds``, as the app waits in ``exec()``.

    A ``processEvents()`` + ``sleep`` loop woke hundreds of times a second and
    took CPU from the training children (see ``bench_shell.wait_until``).
    """
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(max(1, round(seconds * 1000)), loop.quit)
    loop.exec()


def _summary(late: list[float]) -> str:
    if len(late) < 2:
        return "no ticks"
    q = statistics.quantiles(late, n=100)
    worst = max(range(len(late)), key=late.__getitem__)
    # when the worst tick came (ticks are 10 ms apart, plus their lateness): a
    # single slow tick at the start or at a job's epoch boundary reads differently
    at = (worst + 1) * 0.010 + sum(late[: worst + 1]) / 1000
    return (
        f"p50 {q[49]:.1f} / p99 {q[98]:.1f} / max {late[worst]:.1f} ms (at {at:.1f} s)"
    )


@contextmanager
def _window(size: str, presentation: bool) -> Iterator[Any]:
    from explorer.app.errors import ErrorReporter
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import Settings
    from explorer.panels.base import AppContext

    w, h = (int(v) for v in size.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["EXPLORER_CONFIG_DIR"] = tmp
        reporter = ErrorReporter()
        window = MainWindow(
            AppContext(report_error=reporter.sink), reporter, Settings()
        )
        window.show()
        if presentation:
            window.set_presentation(True)
            window.showNormal()  # the projector's size, not the test screen's
        window.setFixedSize(w, h)
        try:
            yield window, reporter
        finally:
            window.close()
            window.shutdown()


# Panels whose default job is over before or during the measurement (the perceptron
# converges in a few updates, the playground's default run in ~5 s, ar's 3 epochs in
# ~6 s, so its row timed an idle panel or the job's end): the rows measure the
# playground training on, as the mlp benchmark does, and ar training 50 epochs.
_LONG_JOBS: dict[str, dict[str, Any]] = {
    "mlp": {"tab": 1, "steps": 100_000},
    "ar": {"epochs": 50},
}


def panel_rows(
    ids: list[str] | None,
    size: str,
    presentation: bool,
    seconds: float,
    profile: bool,
    top: int,
    trace: float = 0.0,
) -> list[Row]:
    """Return one stall row per runnable panel (and its profile rows); with
    ``trace`` > 0, print what the GUI thread did in each tick later than it (ms)."""
    from benchmarks.stall_trace import Sampler, late_ticks
    from explorer.app import registry

    mode = f"{size}{' presentation' if presentation else ''}"
    rows: list[Row] = []
    with _window(size, presentation) as (window, reporter):
        for spec in registry.PANELS:
            if ids and spec.id not in ids:
                continue
            window.show_panel(spec.id)
            panel = window.current_panel()
            if panel is None or not panel.runnable:
                continue
            if spec.id in _LONG_JOBS:
                panel.restore({**panel.state(), **_LONG_JOBS[spec.id]})
            deadline = time.monotonic() + 120
            while not panel.snapshot_ready() and time.monotonic() < deadline:
                _pump(0.05)
            frames = _Frames(panel.main_view())
            before = len(reporter.records)
            panel.start_pause()
            _pump(5.0)  # a training child imports torch first
            PROFILE.clear()
            PROFILE.on = profile
            sampler = Sampler() if trace else None
            gaps: list[tuple[float, float]] = []
            late, painted = _lateness(seconds, frames, gaps if trace else None)
            PROFILE.on = False
            if sampler is not None:
                sampler.stop()
                print(f"[{spec.id} {mode}: {sampler.totals()}]")
                others = sampler.other_threads()
                print(f"[{spec.id} {mode}: other threads (ms/s) {others}]")
                for a, b in late_ticks(gaps, trace):
                    ms = (b - a) * 1000 - 10
                    print(f"[{spec.id} {mode}: a tick {ms:.1f} ms late]")
                    for line in sampler.explain(a, b):
                        print(line)
            panel.reset()
            _pump(0.5)
            errors = len(reporter.records) - before
            note = f" ({errors} errors)" if errors else ""
            rows.append(
                (
                    f"GUI stall, {spec.id} training, {mode}",
                    f"{_summary(late)}, main view {painted / seconds:.0f} /s{note}",
                    GOAL,
                )
            )
            if profile:
                rows += PROFILE.rows(spec.id, seconds, top)
    return rows


def _options(argv: list[str]) -> dict[str, Any]:
    import argparse

    parser = argparse.ArgumentParser(prog="benchmarks.run stall")
    parser.add_argument("--panels", default="", help="comma-separated panel ids")
    parser.add_argument("--size", default="", help="WxH (default: both goal settings)")
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument(
        "--trace",
        type=float,
        default=0.0,
        metavar="MS",
        help="sample the GUI thread; explain ticks later than MS",
    )
    return vars(parser.parse_args(argv))


def run(argv: list[str] | None = None) -> list[Row]:
    """Return the stall rows for the panels and settings asked for."""
    opts = _options(list(argv or []))
    app = _application()
    from explorer.app.launch import configure_runtime

    collector = configure_runtime(app)  # the app's own GC, GIL and thread settings
    import torch  # imported before timing: the rows measure training, not imports

    torch.set_num_threads(1)
    if opts["profile"]:
        _install_item_timers()
    ids = [p for p in opts["panels"].split(",") if p] or None
    settings = [(opts["size"], opts["presentation"])] if opts["size"] else SETTINGS
    rows: list[Row] = []
    for size, presentation in settings:
        rows += panel_rows(
            ids,
            size,
            presentation,
            opts["seconds"],
            opts["profile"],
            opts["top"],
            opts["trace"],
        )
    collector.stop()
    return rows


if __name__ == "__main__":
    for row in run(sys.argv[1:]):
        print(" | ".join(row))
