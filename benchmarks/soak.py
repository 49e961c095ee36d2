"""Soak benchmark: every panel training for N minutes; memory, threads, semaphores.

``python -m benchmarks.run soak --minutes 10 [--every 30] [--presentation]
[--tracemalloc]`` opens the main window (offscreen), starts each panel's default
job as a user would (``start_pause``), then cycles through the panels (so each
one draws now and then), starts a panel's training again whenever it ended (as
a user would: most default jobs end within minutes), and samples, every
``--every`` seconds:

* the GUI process's resident memory (``VmRSS``) and its thread count,
* the summed resident memory of its children (the training processes),
* the POSIX semaphores open in ``/dev/shm`` (``sem.*``; a leak grows them),
* the errors the app reported.

It prints the table, then the growth (goal: the GUI grows ≤ 50 MB in 10
minutes), how long closing the window took and whether any child outlived it.
With ``--tracemalloc`` it also prints the 15 source lines whose Python
allocations grew most between the first and the last sample (tracemalloc's own
bookkeeping is subtracted from the RSS figures).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

Row = tuple[str, str, str]
GOAL_MB = 50.0


def _rss_mb(pid: int | str = "self") -> float:
    """Return the resident memory of ``pid`` in MB (0 when it is gone)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _os_threads() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def children_of(pid: int) -> list[int]:
    """Return the live (non-zombie) direct children of ``pid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..." — comm may hold spaces: split after ")"
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _is_resource_tracker(pid: int) -> bool:
    """Return whether ``pid`` is multiprocessing's resource tracker (lives with us)."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _semaphores() -> int:
    try:
        return sum(1 for p in Path("/dev/shm").iterdir() if p.name.startswith("sem."))
    except OSError:
        return -1


def _pump(seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QCoreApplication.processEvents()
        time.sleep(0.005)


def _start_every_panel(window: object, run_ids: list[str]) -> None:
    from explorer.app.main_window import MainWindow

    assert isinstance(window, MainWindow)
    for panel_id in run_ids:
        window.show_panel(panel_id)
        panel = window.current_panel()
        assert panel is not None
        deadline = time.monotonic() + 180
        while not panel.snapshot_ready() and time.monotonic() < deadline:
            _pump(0.05)
        panel.start_pause()
        _pump(1.0)


def _keep_training(window: object) -> int:
    """Start the shown panel's training again when it ended; return 1 if it did."""
    from explorer.app.main_window import MainWindow

    assert isinstance(window, MainWindow)
    panel = window.current_panel()
    if panel is None or not panel.runnable or not panel.is_settled():
        return 0
    panel.start_pause()  # nothing computes: it ended (Start) or was held (Resume)
    return 1


def soak(minutes: float, every_s: float, presentation: bool, trace: bool) -> list[Row]:
    """Run the soak; print the samples as they come and return the summary rows."""
    import tracemalloc

    from PySide6.QtWidgets import QApplication

    from explorer.app import registry
    from explorer.app.errors import ErrorReporter
    from explorer.app.launch import QUIT_WAIT_S, configure_runtime, quit_budget_on_close
    from explorer.app.main_window import MainWindow
    from explorer.app.settings import Settings
    from explorer.panels.base import AppContext

    app = QApplication.instance() or QApplication(["explorer"])
    collector = configure_runtime(app)
    tmp = tempfile.mkdtemp(prefix="explorer-soak-")
    os.environ["EXPLORER_CONFIG_DIR"] = tmp
    reporter = ErrorReporter()
    reporter.install_hooks()
    context = AppContext(report_error=reporter.sink, data_dir=Path(tmp))
    window = MainWindow(context, reporter, Settings())
    window.installEventFilter(quit_budget_on_close(app))  # closes as the app does
    window.resize(1400, 900)
    window.show()
    if presentation:
        window.set_presentation(True)
    run_ids = [s.id for s in registry.PANELS]
    _start_every_panel(window, run_ids)
    _pump(10.0)  # children import torch and reach their first yields
    if trace:
        tracemalloc.start(8)
    first_snapshot = tracemalloc.take_snapshot() if trace else None
    me = os.getpid()
    header = (
        f"{'t (s)':>7} {'GUI MB':>8} {'children MB':>12} {'#children':>9} "
        f"{'threads (py/os)':>15} {'sems':>5} {'errors':>6}"
    )
    print(header, flush=True)
    samples: list[tuple[float, float, float, int, int, int, int]] = []
    t0 = time.monotonic()
    cycle = 0
    restarts = dict.fromkeys(run_ids, 0)
    while True:
        elapsed = time.monotonic() - t0
        overhead = tracemalloc.get_tracemalloc_memory() / 2**20 if trace else 0.0
        kids = children_of(me)
        sample = (
            elapsed,
            _rss_mb() - overhead,
            sum(_rss_mb(k) for k in kids),
            len(kids),
            threading.active_count(),
            _os_threads(),
            _semaphores(),
        )
        samples.append(sample)
        print(
            f"{sample[0]:7.0f} {sample[1]:8.1f} {sample[2]:12.1f} {sample[3]:9d} "
            f"{f'{sample[4]}/{sample[5]}':>15} {sample[6]:5d} "
            f"{len(reporter.records):6d}",
            flush=True,
        )
        if elapsed >= minutes * 60:
            break
        # one panel after the other is shown (and draws) for a slice of the period;
        # a panel whose training ended is started again, as a user would
        slice_s = every_s / len(run_ids)
        for _ in run_ids:
            panel_id = run_ids[cycle % len(run_ids)]
            window.show_panel(panel_id)
            cycle += 1
            restarts[panel_id] += _keep_training(window)
            _pump(slice_s)
    if trace and first_snapshot is not None:
        last = tracemalloc.take_snapshot()
        print("\nPython allocations that grew most (tracemalloc):")
        for stat in last.compare_to(first_snapshot, "lineno")[:15]:
            print(f"  {stat}")
        print("\nwhere the three largest grew (tracemalloc tracebacks):")
        for stat in last.compare_to(first_snapshot, "traceback")[:3]:
            print(f"  {stat.size_diff / 2**20:+.1f} MiB, {stat.count_diff:+d} blocks")
            print("    " + "\n    ".join(stat.traceback.format()))
        tracemalloc.stop()
    print(
        "\nrestarts (a finished training started again): "
        + ", ".join(f"{k} {v}" for k, v in restarts.items())
    )
    for record in reporter.records[:5]:
        print(f"error: {record.where}: {record.kind}: {record.message}")
    t_close = time.monotonic()
    window.close()
    from explorer.workers import wait_for_all

    stopped = wait_for_all(timeout_s=QUIT_WAIT_S)
    close_s = time.monotonic() - t_close
    deadline = time.monotonic() + 5.0
    while children_of(me) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [k for k in children_of(me) if not _is_resource_tracker(k)]
    collector.stop()
    reporter.uninstall_hooks()
    first, final = samples[0], samples[-1]
    span = f"in {final[0] / 60:.1f} min"
    # what is kept rather than what comes and goes (a render's buffers, a batch
    # of yields): the lowest sample of the last third against the first third's
    third = max(1, len(samples) // 3)
    low_first = min(s[1] for s in samples[:third])
    low_last = min(s[1] for s in samples[-third:])
    return [
        (
            f"soak: GUI RSS growth {span}",
            f"{final[1] - first[1]:+.1f} MB ({first[1]:.0f} → {final[1]:.0f})",
            f"≤ {GOAL_MB:.0f} MB",
        ),
        (
            "soak: GUI RSS, lowest of the last third − of the first",
            f"{low_last - low_first:+.1f} MB ({low_first:.0f} → {low_last:.0f})",
            f"≤ {GOAL_MB:.0f} MB",
        ),
        (
            f"soak: children RSS growth {span}",
            f"{final[2] - first[2]:+.1f} MB ({first[2]:.0f} → {final[2]:.0f}, "
            f"{final[3]} children)",
            "steady",
        ),
        (
            "soak: threads (python/os), first → last",
            f"{first[4]}/{first[5]} → {final[4]}/{final[5]}",
            "steady",
        ),
        (
            "soak: /dev/shm semaphores, first → last",
            f"{first[6]} → {final[6]}",
            "steady",
        ),
        ("soak: errors reported", str(len(reporter.records)), "0"),
        (
            "soak: closing the window with every panel training",
            f"{close_s:.2f} s{'' if stopped else ' (jobs still running)'}",
            "≤ 2 s",
        ),
        ("soak: children alive 5 s after closing", str(len(left)), "0"),
    ]


def run(argv: list[str] | None = None) -> list[Row]:
    """Return the soak's summary rows (``argv``: the options, see the module doc)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run soak")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=30.0, help="seconds per sample")
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args(sys.argv[2:] if argv is None else argv)
    return soak(args.minutes, args.every, args.presentation, args.tracemalloc)
