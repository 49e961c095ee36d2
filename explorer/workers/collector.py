"""Python's cyclic garbage collector, run on the GUI thread only."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

_M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
# Heap arenas for the whole GUI process.  glibc gives each thread that allocates
# its own arena (up to 8 per core); the job threads unpickle every yield there,
# and the freed pieces left between live ones kept tens of MB resident (soak:
# +131 MB in 3 min with the default, +77 MB with 2 arenas, on the same load).
GUI_ARENAS = 2


def _libc_function(name: str) -> Callable[..., int] | None:
    """Return glibc's function ``name`` (None elsewhere)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn: Callable[..., int] = getattr(
            ctypes.CDLL(ctypes.util.find_library("c")), name
        )
    except (OSError, AttributeError):  # musl and others have none
        return None
    return fn


def _malloc_trim() -> Callable[[int], int] | None:
    """Return glibc's ``malloc_trim`` (None elsewhere)."""
    return _libc_function("malloc_trim")


def limit_heap_arenas(arenas: int = GUI_ARENAS) -> bool:
    """Let at most ``arenas`` glibc heap arenas serve this process; True if set.

    Threads started afterwards share them.  Called when the GUI's collector
    starts, before any job thread exists.
    """
    mallopt = _libc_function("mallopt")
    return mallopt is not None and mallopt(_M_ARENA_MAX, arenas) == 1


class GuiThreadCollector(QObject):
    """Runs Python's cyclic garbage collector on the GUI thread only.

    With automatic collection on, a collection can start in whichever thread
    happens to allocate — a worker importing torch, say.  If the garbage holds a
    Qt object (a widget kept alive by a reference cycle), its C++ destructor then
    runs in that worker, takes a Qt lock and waits for the GIL while the GUI
    thread, holding the GIL, waits for the same lock: the app freezes (seen in
    this test suite).  So automatic collection is switched off and this timer
    collects on the GUI thread instead — young objects every tick, everything
    every ``full_every`` ticks.  Short, regular collections also avoid the long
    stalls of full collections during training (ENVIRONMENT.md).

    After each full collection, glibc's ``malloc_trim`` hands freed heap pages
    back to the system: arrays that come and go every frame (plots, images,
    yields from the workers) otherwise left the GUI's resident memory creeping
    up by tens of MB an hour although nothing was kept (benchmarks/soak.py).
    Starting also limits the process to :data:`GUI_ARENAS` heap arenas.
    """

    def __init__(
        self,
        interval_ms: int = 1000,
        full_every: int = 30,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ticks = 0
        self._full_every = full_every
        self._was_enabled = True
        self._trim = _malloc_trim()
        self.arenas_limited = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)

    def start(self) -> None:
        """Switch automatic collection off and start collecting on this thread."""
        self._was_enabled = gc.isenabled()
        gc.disable()
        self.arenas_limited = limit_heap_arenas()
        self._timer.start()

    def stop(self) -> None:
        """Collect once more and restore automatic collection as it was."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()

    def collect(self) -> None:
        """Collect the young generations (and, every ``full_every`` ticks, all)."""
        self._ticks += 1
        full = self._ticks % self._full_every == 0
        gc.collect(2 if full else 1)
        if full and self._trim is not None:
            self._trim(0)
