"""What the GUI thread was doing while a tick came late (``stall --trace``).

A sampling thread in the app's process looks at the GUI thread every 2 ms: its
Python stack (the innermost frames) and the kernel's accounting of it
(``/proc/self/task/<tid>/schedstat``: time run on a CPU, time waited on a run
queue).  Samples go into a ring buffer; for each tick later than the threshold
the benchmark prints, over the tick's gap, how long the GUI thread ran, how
long it waited for a CPU (the scheduler's share: children, other threads), the
sampler's own longest gap (a long one means something held the GIL or the
process had no CPU), and the stacks seen, most frequent first.

The sampler is not free: it takes the GIL ~500 times a second, and the GUI
thread, which asks for it back after each 1 ms switch interval, waits behind
it: gan's p99 at 1400 × 900 was 17.2 ms traced, 9.8 ms untraced, gridworld's
16.1 and 10.1.  It runs only with ``--trace``; the rows to quote come from an
untraced run.
"""

from __future__ import annotations

import collections
import itertools
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

PERIOD_S = 0.002
KEEP = 20_000  # ~40 s of samples


def _schedstat(tid: int) -> tuple[int, int]:
    """Return (ns run on a CPU, ns waited on a run queue) of thread ``tid``."""
    try:
        fields = Path(f"/proc/self/task/{tid}/schedstat").read_text().split()
        return int(fields[0]), int(fields[1])
    except (OSError, IndexError, ValueError):
        return 0, 0


def _thread_times() -> dict[str, float]:
    """CPU seconds (user + system) of each thread of this process, by tid/name."""
    out: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for task in Path("/proc/self/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        key = task.name if name.startswith("python") else f"{name}/{task.name}"
        out[key] = (int(fields[11]) + int(fields[12])) / tick
    return out


def _stack(frame: FrameType | None, depth: int = 4) -> str:
    """The innermost ``depth`` frames as ``module:function`` (innermost first)."""
    parts: list[str] = []
    while frame is not None and len(parts) < depth:
        code = frame.f_code
        module = frame.f_globals.get("__name__", "?")
        parts.append(f"{module}:{code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(parts) or "(no Python frame)"


class Sampler:
    """Samples the calling (GUI) thread from a daemon thread."""

    def __init__(self) -> None:
        self.gui = threading.get_ident()
        self.tid = threading.get_native_id()
        self.samples: collections.deque[tuple[float, int, int, str]] = (
            collections.deque(maxlen=KEEP)
        )
        self._threads_at_start = _thread_times()
        self._threads_at_stop: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="trace")
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            now = time.perf_counter()
            ran, waited = _schedstat(self.tid)
            frame = sys._current_frames().get(self.gui)
            self.samples.append((now, ran, waited, _stack(frame)))
            del frame
            time.sleep(PERIOD_S)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        self._threads_at_stop = _thread_times()

    def other_threads(self) -> str:
        """CPU ms/s of this process's threads (other than the GUI's) while sampling."""
        if len(self.samples) < 2:
            return ""
        wall = self.samples[-1][0] - self.samples[0][0]
        used = {
            name: (t - self._threads_at_start.get(name, 0.0)) / wall * 1000
            for name, t in self._threads_at_stop.items()
        }
        busy = sorted(
            ((ms, n) for n, ms in used.items() if ms >= 1 and n != str(self.tid)),
            reverse=True,
        )
        return ", ".join(f"{n} {ms:.0f}" for ms, n in busy[:6]) or "none"

    def totals(self) -> str:
        """The GUI thread's CPU time and run-queue wait over all samples, per s."""
        if len(self.samples) < 2:
            return "no samples"
        first, last = self.samples[0], self.samples[-1]
        wall = last[0] - first[0]
        ran = (last[1] - first[1]) / 1e6 / wall
        waited = (last[2] - first[2]) / 1e6 / wall
        return f"GUI thread ran {ran:.0f} ms/s, waited for a CPU {waited:.0f} ms/s"

    def explain(self, start: float, end: float) -> Iterator[str]:
        """Lines describing the GUI thread between ``start`` and ``end``."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        before = [s for s in self.samples if s[0] < start]
        if not inside:
            yield "    no samples in the gap"
            return
        first = before[-1] if before else inside[0]
        last = inside[-1]
        ran = (last[1] - first[1]) / 1e6
        waited = (last[2] - first[2]) / 1e6
        times = [first[0]] + [s[0] for s in inside]
        gap = max(b - a for a, b in itertools.pairwise(times)) * 1000
        yield (
            f"    GUI thread ran {ran:.1f} ms, waited for a CPU {waited:.1f} ms; "
            f"{len(inside)} samples, the sampler's longest gap {gap:.1f} ms"
        )
        counts = collections.Counter(s[3] for s in inside)
        for stack, n in counts.most_common(6):
            yield f"    {n:3d}× {stack}"


def late_ticks(
    ticks: list[tuple[float, float]], threshold_ms: float
) -> list[tuple[float, float]]:
    """The (start, end) gaps of ticks later than ``threshold_ms``."""
    return [(a, b) for a, b in ticks if (b - a - 0.010) * 1000 > threshold_ms]
