"""The one place that runs core generators off the GUI thread.

* :class:`JobRunner` — one job at a time per owner, on a thread or in a worker
  process, with the one job control (pause, step N, speed, requests, actions);
* :class:`JobTracker` — the app-wide list of running jobs (status bar);
* :class:`GuiThreadCollector` — cyclic garbage collection on the GUI thread only;
* :func:`begin_quit`, :func:`wait_for_all` — abort every job (app quit), with
  one shared time budget for every wait.
"""

from __future__ import annotations

from explorer.workers.child import (
    JobFn,
    WorkerProcessError,
    error_line,
    kill_worker_processes,
)
from explorer.workers.collector import GuiThreadCollector
from explorer.workers.control import ControlBlock
from explorer.workers.runner import (
    Backend,
    ErrorSink,
    JobInfo,
    JobRunner,
    JobTracker,
    abort_all,
    begin_quit,
    quit_time_left,
    wait_for_all,
)

__all__ = [
    "Backend",
    "ControlBlock",
    "ErrorSink",
    "GuiThreadCollector",
    "JobFn",
    "JobInfo",
    "JobRunner",
    "JobTracker",
    "WorkerProcessError",
    "abort_all",
    "begin_quit",
    "error_line",
    "kill_worker_processes",
    "quit_time_left",
    "wait_for_all",
]
