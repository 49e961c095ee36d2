"""Shared fixtures: offscreen Qt, a test AppContext, thread and window leak checks."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class ErrorLog:
    """Records what the app's error sink received."""

    errors: list[tuple[BaseException, str]] = field(default_factory=list)

    def __call__(self, exc: BaseException, where: str) -> None:
        self.errors.append((exc, where))


@pytest.fixture
def error_log() -> ErrorLog:
    """An error sink that records reports."""
    return ErrorLog()


@pytest.fixture
def app_context(
    qapp: object, error_log: ErrorLog, tmp_path: object
) -> Iterator[object]:
    """An :class:`AppContext` on the CPU with a recording error sink."""
    from pathlib import Path

    from explorer.panels.base import AppContext

    assert isinstance(tmp_path, Path)
    yield AppContext(
        report_error=error_log,
        device="cpu",
        data_dir=tmp_path,
        training_backend="thread",
    )


@pytest.fixture(autouse=True)
def _isolated_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point settings and the user data folder at a fresh temporary folder."""
    root = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("EXPLORER_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("EXPLORER_DATA_DIR", str(root / "data"))


@pytest.fixture(autouse=True)
def _autograd_left_on() -> Iterator[None]:
    """Fail a test that leaves torch's (global, per-thread) grad mode switched off."""
    yield
    import sys

    torch = sys.modules.get("torch")
    # (a background thread may still be importing torch: then it has no state yet)
    is_grad_enabled = getattr(torch, "is_grad_enabled", None)
    if is_grad_enabled is not None:
        assert is_grad_enabled(), "the test left autograd disabled"


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_main_thread() -> Iterator[None]:
    """Run the cyclic garbage collector on the main thread only, as the app does.

    A collection started in a worker thread can destroy a Qt object there and
    deadlock (see ``explorer.workers.GuiThreadCollector``).
    """
    import gc

    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _no_leaked_threads(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a Qt test that leaves a worker thread running or a top-level window open."""
    yield
    import gc

    if "qapp" not in request.fixturenames and "qtbot" not in request.fixturenames:
        gc.collect()
        return
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from explorer.workers import wait_for_all

    drained = QThreadPool.globalInstance().waitForDone(5000)
    if not drained:
        wait_for_all(timeout_s=10.0)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    windows = [w for w in app.topLevelWidgets() if w.isVisible()]
    for w in windows:
        w.close()
    gc.collect()  # here, on the main thread: the test's dead widgets go now
    assert drained, "a worker thread was still running 5 s after the test"
    assert not windows, f"top-level windows left open: {windows}"
