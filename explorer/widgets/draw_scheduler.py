"""One redraw per tick: the panel kit's draw scheduler.

A panel that draws several expensive views (three latent scatters, two GAN
fields, six ray plots) asks for redraws with :meth:`DrawScheduler.request`;
the scheduler coalesces the requests by key and draws **at most one** view per
tick, in the order the views first asked (FIFO), at the rate the panel set.  So
three models reporting at once never pile their redraws into one event-loop
turn, and a view asked for twice before its turn is drawn once, with the
newest data (the draw function reads the latest result when it runs).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, Qt, QTimer

DrawFn = Callable[[], None]


class DrawScheduler(QObject):
    """Coalesces redraw requests; draws one per tick in FIFO order.

    Parameters
    ----------
    interval_ms
        Time between two draws (e.g. 50 ms: at most 20 views drawn a second).
    """

    def __init__(self, interval_ms: int = 50, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: dict[Hashable, DrawFn] = {}  # insertion order is FIFO order
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(max(1, int(interval_ms)))
        self._timer.timeout.connect(self._on_timer_timeout)
        self.drawn = 0  # draws done so far (benchmarks report the rate)

    @property
    def interval_ms(self) -> int:
        """The time between two draws."""
        return int(self._timer.interval())

    def set_interval(self, interval_ms: int) -> None:
        """Change the time between two draws."""
        self._timer.setInterval(max(1, int(interval_ms)))

    def request(self, key: Hashable, draw: DrawFn) -> None:
        """Ask for ``draw()`` on a coming tick; a pending ``key`` keeps its place.

        The first request of an idle scheduler is drawn on the next event-loop
        turn (no wait for a tick); later ones wait for their tick.
        """
        self._queue[key] = draw
        if not self._timer.isActive():
            self._timer.start()
            QTimer.singleShot(0, self, self._on_timer_timeout)

    def pending(self, key: Hashable | None = None) -> bool:
        """Return whether ``key`` (or, with ``None``, anything) waits to be drawn."""
        return bool(self._queue) if key is None else key in self._queue

    def cancel(self, predicate: Callable[[Hashable], bool] | Hashable) -> None:
        """Drop pending draws whose key is ``predicate`` or satisfies it."""
        if callable(predicate):
            test = predicate
            self._queue = {k: v for k, v in self._queue.items() if not test(k)}
        else:
            self._queue.pop(predicate, None)

    def clear(self) -> None:
        """Drop every pending draw (reset, restore)."""
        self._queue.clear()
        self._timer.stop()

    def flush(self) -> None:
        """Draw everything pending now (export, snapshot, tests)."""
        while self._queue:
            self._draw_one()

    def _draw_one(self) -> None:
        key = next(iter(self._queue))
        draw = self._queue.pop(key)
        self.drawn += 1
        draw()

    def _on_timer_timeout(self) -> None:
        if not self._queue:
            self._timer.stop()
            return
        self._draw_one()
