"""No training child outlives the app: SIGKILL, SIGTERM and a plain quit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PARENT = textwrap.dedent(
    """
    import sys
    from explorer.workers.child import process_items
    from explorer.workers.control import ControlBlock
    from tests.app import jobs

    control = ControlBlock(process=True)
    for item in process_items(jobs.forever, (0.05,), {}, control, False):
        if item.step == 1:
            import multiprocessing
            print(multiprocessing.active_children()[0].pid, flush=True)
    """
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (reaped later by init) counts as gone
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_worker_process_dies_with_its_parent(sig: signal.Signals) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    assert _alive(child_pid)
    parent.send_signal(sig)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 5.0
    while _alive(child_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child_pid), "the worker process outlived its parent"
