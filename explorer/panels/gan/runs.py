"""One training run of the GAN panel: its job, view, recorded snapshots and readouts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from explorer.core.gan import GanProgress
from explorer.panels.gan.views import FieldView
from explorer.workers import JobRunner

MAX_HISTORY = 600  # snapshots kept per run for the timeline (halved when full)
# and at most this many bytes of their arrays per run (a 64² heat map, 512 samples
# and arrows: ~26 KB a snapshot — 600 of them in four runs held 60 MB; soak)
MAX_HISTORY_BYTES = 6 * 2**20
MAX_CURVE_POINTS = 4000  # points per live curve (halved when full)
CURVE_KEYS = ("step", "d", "g", "modes", "hq", "rkl", "cg")


@dataclass
class GanRun:
    """One training run: its job, its view, its recorded snapshots and curves."""

    runner: JobRunner
    view: FieldView
    loss: str = ""
    history: list[GanProgress] = field(default_factory=list)
    history_bytes: int = 0  # of the history's arrays
    curves: dict[str, list[float]] = field(default_factory=dict)
    run_until: int | None = None  # the lockstep limit last posted to the job
    failed: bool = False  # its job stopped with an error (diverged)

    def clear(self) -> None:
        """Forget the recorded snapshots and curves (a fresh job)."""
        self.history = []
        self.history_bytes = 0
        self.curves = {k: [] for k in CURVE_KEYS}
        self.run_until = None
        self.failed = False

    def record(self, items: Sequence[GanProgress]) -> None:
        """Append ``items`` to the history and the curves (thinned when full)."""
        for p in items:
            self.history.append(p)
            self.history_bytes += snapshot_bytes(p)
            c = self.curves
            c["step"].append(p.step)
            c["d"].append(p.losses.get("d_loss", np.nan))
            c["g"].append(p.losses.get("g_loss", np.nan))
            c["modes"].append(p.modes_captured)
            c["hq"].append(100.0 * p.high_quality_fraction)
            c["rkl"].append(p.reverse_kl)
            c["cg"].append(p.criterion)
        while len(self.history) > MAX_HISTORY or (
            self.history_bytes > MAX_HISTORY_BYTES and len(self.history) > 2
        ):
            keep = self.history[-1]
            self.history = [*self.history[:-1:2], keep]
            self.history_bytes = sum(snapshot_bytes(q) for q in self.history)
        if len(self.curves["step"]) > MAX_CURVE_POINTS:
            # every other point: long runs stay cheap to redraw at full length
            self.curves = {k: [*v[:-1:2], v[-1]] for k, v in self.curves.items()}


def snapshot_bytes(p: GanProgress) -> int:
    """Return the bytes of the arrays one snapshot holds."""
    return sum(a.nbytes for a in (p.samples, p.arrows, p.heat, p.means, p.captured))


def card_values(p: GanProgress, *, unroll: int, gp_lambda: float) -> dict[str, object]:
    """Return the live values the objective's formula card shows for ``p``."""
    values: dict[str, object] = {
        "G steps": p.step,
        "D steps": p.d_steps,
        # before the first update there is no loss yet: say so, not "nan"
        "D loss": p.losses.get("d_loss", "— (no step yet)"),
        "G loss": p.losses.get("g_loss", "— (no step yet)"),
        "modes captured": f"{p.modes_captured} / {p.modes_total} "
        f"(≥ {p.capture_threshold} samples each)",
        "high quality": f"{100 * p.high_quality_fraction:.1f} %",
        "C(G)": f"{p.criterion:.3f} (optimum −1.386)",
        "reverse KL": p.reverse_kl,
    }
    if p.loss_name == "unrolled":
        values["k"] = unroll
    if p.loss_name == "wgan-gp":
        values["λ"] = gp_lambda
    return values


SHORT = {
    "minimax": "minimax",
    "non-saturating": "non-saturating",
    "unrolled": "unrolled",
    "wgan-gp": "WGAN-GP",
}


def status_html(runs: Sequence[GanRun]) -> str:
    """Return the run bar's status: the step and each run's modes captured."""
    shown = [r for r in runs if r.history]
    if not shown:
        return "starting the runs…" if runs else ""
    step = min(r.history[-1].step for r in shown)
    parts = [
        f"{SHORT.get(r.loss, r.loss)} <b>{r.history[-1].modes_captured}/"
        f"{r.history[-1].modes_total}</b>"
        for r in shown
    ]
    return f"G step {step} · modes: " + ", ".join(parts)
