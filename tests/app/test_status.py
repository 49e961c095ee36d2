"""The status bar follows the jobs without redrawing on every report."""

from __future__ import annotations

from typing import Any

from explorer.app.status import REFRESH_MS, StatusBar
from explorer.workers.runner import JobInfo, JobTracker


def test_a_burst_of_job_reports_is_drawn_a_few_times_and_ends_on_the_newest(
    qtbot: Any, monkeypatch: Any
) -> None:
    tracker = JobTracker()
    bar = StatusBar(tracker)
    qtbot.addWidget(bar)
    bar.set_active("Counter")
    texts: list[str] = []
    original = bar.job_label.setText
    monkeypatch.setattr(
        bar.job_label, "setText", lambda t: (texts.append(t), original(t))
    )
    for i in range(200):  # 200 reports at once, as a fast job sends them
        tracker._update(1, JobInfo("Counter: run", 0.005 * i, f"step {i}"))
    qtbot.waitUntil(lambda: bar.job_label.text().endswith("step 199"), timeout=3000)
    qtbot.wait(2 * REFRESH_MS)
    assert 1 <= len(texts) <= 3, texts
    assert bar.progress.value() == int(0.005 * 199 * 1000)


def test_an_unchanged_report_sets_nothing(qtbot: Any, monkeypatch: Any) -> None:
    tracker = JobTracker()
    bar = StatusBar(tracker)
    qtbot.addWidget(bar)
    bar.set_active("Counter")
    tracker._update(1, JobInfo("Counter: run", 0.5, "warming up"))
    qtbot.waitUntil(lambda: "warming up" in bar.job_label.text(), timeout=3000)
    calls: list[str] = []
    monkeypatch.setattr(bar.job_label, "setText", calls.append)
    monkeypatch.setattr(bar.progress, "setValue", lambda *a: calls.append("value"))
    for _ in range(5):
        tracker._update(1, JobInfo("Counter: run", 0.5, "warming up"))
        qtbot.wait(REFRESH_MS + 20)
    assert calls == []
    assert bar.progress.value() == 500


def test_a_job_without_a_fraction_shows_no_animated_busy_bar(qtbot: Any) -> None:
    """Qt's busy indicator repaints the bar 60 times a second while a worker starts."""
    tracker = JobTracker()
    bar = StatusBar(tracker)
    qtbot.addWidget(bar)
    bar.show()
    bar.set_active("Counter")
    tracker._update(1, JobInfo("Counter: run", 0.25, "step 1"))
    qtbot.waitUntil(bar.progress.isVisible, timeout=3000)
    tracker._update(1, JobInfo("Counter: run", None, "starting the worker"))
    qtbot.waitUntil(lambda: "starting" in bar.job_label.text(), timeout=3000)
    assert not bar.progress.isVisible()
    assert bar.progress.maximum() > 0  # never Qt's animated 0..0 range
