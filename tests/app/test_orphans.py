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


# -- the real app: `launch()` with every panel training, then Ctrl+Q / signals ------

# Runs the app as `explorer` does (launch()), starts what the mode asks for, prints
# "READY <pid> <pid>…" (the app's descendants) and then quits (Ctrl+Q) or waits
# for the test's signal.  Modes: "train" (every panel's default job) or "body"
# (the body panel during its first build, in a fresh data folder).
APP = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from PySide6.QtCore import QCoreApplication, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from explorer.app import registry
    from explorer.app.launch import launch
    from explorer.app.main_window import MainWindow

    mode, finish = sys.argv[1], sys.argv[2]
    app = QApplication(["explorer"])

    def pump(seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            QCoreApplication.processEvents()
            time.sleep(0.005)

    def descendants():
        kids, todo = [], [os.getpid()]
        while todo:
            parent = todo.pop()
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(fields[1]) == parent and fields[0] != "Z":
                        kids.append(int(entry.name))
                        todo.append(int(entry.name))
        return kids

    def go():
        window = next(w for w in app.topLevelWidgets() if isinstance(w, MainWindow))
        if mode == "train":
            for spec in registry.PANELS:
                window.show_panel(spec.id)
                panel = window.current_panel()
                deadline = time.monotonic() + 180
                while not panel.snapshot_ready() and time.monotonic() < deadline:
                    pump(0.05)
                panel.start_pause()
            pump(8.0)  # the training children import torch and train
        else:
            window.show_panel("body")
            while not window.context.jobs.jobs():
                pump(0.05)
            pump(1.0)  # inside the first build (several seconds)
            assert window.current_panel()._model is None, "the build ended already"
        running = [j.label for j in window.context.jobs.jobs()]
        print("JOBS", "|".join(running), flush=True)
        print("READY", *descendants(), flush=True)
        if finish == "ctrl+q":
            window.activateWindow()
            print("QUIT", time.time(), flush=True)
            QTest.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    QTimer.singleShot(0, go)
    sys.exit(launch())
    """
)


def _run_app(
    mode: str, finish: str, tmp_path: Path
) -> tuple[subprocess.Popen[str], list[int], list[str]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "QT_QPA_PLATFORM": "offscreen",
        "EXPLORER_CONFIG_DIR": str(tmp_path / "config"),
        "EXPLORER_DATA_DIR": str(tmp_path / "data"),
    }
    app = subprocess.Popen(
        [sys.executable, "-c", APP, mode, finish],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert app.stdout is not None
    jobs: list[str] = []
    for line in app.stdout:
        if line.startswith("JOBS"):
            jobs = line.split(maxsplit=1)[1].strip().split("|")
        if line.startswith("READY"):
            return app, [int(p) for p in line.split()[1:]], jobs
    app.wait(timeout=30)
    raise AssertionError(f"the app ended before it was ready (code {app.returncode})")


def _gone_within(pids: list[int], seconds: float) -> list[int]:
    """Return the pids still alive after waiting ≤ ``seconds`` for all to end."""
    deadline = time.monotonic() + seconds
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return [p for p in pids if _alive(p)]


# The bound: quitting takes ≤ 2 s whatever runs (it once took 92 s).
QUIT_LIMIT_S = 2.0
TRAINING_JOBS = ("Receptive", "Latent", "GAN", "Body", "Neural", "Grid")


@pytest.mark.parametrize("mode", ["train", "body"])
def test_ctrl_q_ends_the_app_and_its_children_at_once(
    mode: str, tmp_path: Path
) -> None:
    app, children, jobs = _run_app(mode, "ctrl+q", tmp_path)
    assert app.stdout is not None
    quit_at = float(next(ln for ln in app.stdout if ln.startswith("QUIT")).split()[1])
    code = app.wait(timeout=60)
    took = time.time() - quit_at
    assert jobs and all(jobs), "nothing was running when the app quit"
    if mode == "train":
        assert len(children) >= 2, f"expected training children, got {children}"
    assert code == 0
    assert took <= QUIT_LIMIT_S, f"quitting took {took:.1f} s"
    # (multiprocessing's resource tracker, a child too, ends when it sees us gone)
    assert _gone_within(children, 2.0) == [], "a child outlived the app"


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_signal_ends_the_app_with_every_panel_training(
    sig: signal.Signals, tmp_path: Path
) -> None:
    app, children, jobs = _run_app("train", "signal", tmp_path)
    assert len(children) >= 2 and jobs
    t0 = time.monotonic()
    app.send_signal(sig)
    code = app.wait(timeout=60)
    took = time.monotonic() - t0
    if sig == signal.SIGTERM:  # shuts down like Ctrl+Q: quickly, exit code 0
        assert code == 0 and took <= QUIT_LIMIT_S, (code, took)
    assert _gone_within(children, 5.0) == [], "a child outlived the app"
