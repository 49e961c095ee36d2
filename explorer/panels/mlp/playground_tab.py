"""The playground section: train an MLP on 2-D points, watch every neuron's map."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from explorer.core.files import atomic_write
from explorer.core.mlp.config import MlpConfig
from explorer.core.mlp.data import Points, extent, points_csv
from explorer.core.mlp.model import affine_collapse, save_model
from explorer.core.mlp.names import GRID
from explorer.core.mlp.train import MlpProgress, logits, split, train
from explorer.panels.mlp.perceptron_tab import points_of
from explorer.panels.mlp.state import MlpState
from explorer.panels.mlp.views import (
    NeuronGrid,
    PointsView,
    WeightGraph,
    integer_axis,
    plain_axes,
)
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane, step_above
from explorer.widgets.theme import ThemeManager
from explorer.workers import JobRunner

N_POINTS = 200
MAX_CURVE_POINTS = 2000
# the weight graph (about 15 ms to update: eight pyqtgraph curves of thick pens)
# and the card change slowly: redrawn every 2 s while training, and when held
GRAPH_INTERVAL_S = 2.0  # the loss curves keep every k-th report beyond this


def _sigmoid(z: float) -> float:
    return float(1 / (1 + np.exp(-z)))


class PlaygroundSection(QObject):
    """The playground tab's page, its training job and its readouts."""

    progressed = Signal()

    def __init__(
        self,
        theme: ThemeManager,
        runner: JobRunner,
        card: FormulaCard,
        draws: DrawScheduler,
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.page = QWidget()
        row = QHBoxLayout(self.page)
        row.setContentsMargins(0, 0, 0, 0)
        self.view = PointsView(theme, "p(y = +1 | x)")
        self.view.add_colorbar(self.view.heat, values=(0.0, 1.0), label="p")
        self.neurons = NeuronGrid(theme)
        self.graph = WeightGraph(theme)
        self.losses = PlotPane(theme, title="Loss", x_label="step", y_label="loss")
        plain_axes(self.losses)
        integer_axis(self.losses, "bottom")
        self.losses.add_legend()
        self.train_curve = self.losses.add_curve("train", color_index=0)
        self.test_curve = self.losses.add_curve("test", color_index=1, dashed=True)
        side = QVBoxLayout()
        side.addWidget(self.neurons, 3)
        side.addWidget(self.graph, 2)
        side.addWidget(self.losses, 2)
        row.addWidget(self.view, 3)
        row.addLayout(side, 2)
        self.runner = runner
        self.card = card
        self.draws = draws
        self.on_error = on_error
        self.points = Points(np.zeros((0, 2)), np.zeros(0, dtype=np.int64))
        self.cfg: MlpConfig | None = None
        self.seed = 0
        self.history: list[tuple[int, float, float]] = []
        self.last: MlpProgress | None = None
        self.last_maps: MlpProgress | None = None  # the newest report with maps
        self.selected: tuple[int, int] | None = None
        self._graph_drawn = -1e9
        self.neurons.neuron_clicked.connect(self._on_neurons_clicked)

    # -- set-up --------------------------------------------------------------------
    def load(self, state: MlpState) -> None:
        """Take the data and settings of ``state``; forget the trained network."""
        self.runner.abort()
        self.draws.cancel(lambda key: str(key).startswith("play"))
        self.points = points_of(state, state.data, N_POINTS, state.noise, state.seed)
        try:
            self.cfg = state.mlp_config()
        except ValueError:
            self.cfg = None
        self.seed = state.seed
        self.history = []
        self.last = self.last_maps = None
        self.selected = None
        self.view.set_extent(extent(self.points.x))
        self.view.set_points(self.points.x, self.points.y)
        self.view.set_heat(None, 1.0)
        self.neurons.clear_maps()
        self.graph.clear_weights()
        self.train_curve.setData([], [])
        self.test_curve.setData([], [])
        self.card.set_values(self.values())

    def usable(self, state: MlpState) -> str:
        """Return why training cannot start ("" when it can)."""
        try:
            state.mlp_config()
        except ValueError as exc:
            return str(exc)
        if len(self.points) < 2 or len(np.unique(self.points.y)) < 2:
            return "add points of both classes (click: +1, Shift-click: −1)"
        return ""

    # -- actions ---------------------------------------------------------------------
    def start(self, *, paused: bool) -> None:
        """Train from fresh weights (``paused``: show step 0 and hold)."""
        assert self.cfg is not None
        self.history = []
        self.runner.start(
            train,
            self.points,
            self.cfg,
            seed=self.seed,
            on_progress=self._on_train_progressed,
            on_error=self.on_error,
            batched=True,
            paused=paused,
            controlled=True,
        )

    def _on_train_progressed(self, items: list[MlpProgress]) -> None:
        for item in items:
            self.history.append((item.step, item.train_loss, item.test_loss))
            if item.decision is not None:
                self.last_maps = item
            self.last = item
        self.draws.request("play-map", self._draw_map)
        self.draws.request("play-neurons", self._draw_neurons)
        now = time.monotonic()
        held = self.runner.is_paused or items[-1].step in (
            0,
            getattr(self.cfg, "steps", -1),
        )
        if now - self._graph_drawn >= GRAPH_INTERVAL_S or held:
            self._graph_drawn = now
            self.draws.request("play-graph", self._draw_graph)
        self.draws.request("play-curves", self._draw_curves)
        self.progressed.emit()

    def _on_neurons_clicked(self, layer: int, unit: int) -> None:
        self.selected = (layer, unit)
        self._draw_map()

    def show_output(self) -> None:
        """Show the network's output map again (after a neuron was enlarged)."""
        self.selected = None
        self._draw_map()

    # -- drawing ---------------------------------------------------------------------
    def _draw_map(self) -> None:
        p = self.last_maps
        if p is None:
            return
        if self.selected is not None and p.neurons is not None:
            maps = {(la, u): m for la, u, m in p.neurons}
            m = maps.get(self.selected)
            if m is not None:
                lo, hi = float(m.min()), float(m.max())
                self.view.set_heat((m - lo) / (hi - lo or 1.0), p.extent)
                layer, unit = self.selected
                self.view.getPlotItem().setTitle(
                    f"neuron {unit + 1} of layer {layer + 1} ({lo:.2g} … {hi:.2g})"
                )
                return
        self.view.set_heat(p.decision, p.extent)
        self.view.getPlotItem().setTitle("p(y = +1 | x)")

    def _draw_neurons(self) -> None:
        p = self.last_maps
        if p is not None and p.neurons is not None and self.cfg is not None:
            self.neurons.show_maps(p.neurons, self.cfg.activation)

    def _draw_graph(self) -> None:
        p = self.last_maps
        if p is not None and p.weights is not None:
            self.graph.show_weights(p.weights)
        self.card.set_values(self.values())

    def _draw_curves(self) -> None:
        if not self.history:
            return
        h = np.array(self.history, dtype=np.float64)
        if len(h) > MAX_CURVE_POINTS:
            h = h[:: len(h) // MAX_CURVE_POINTS + 1]
        self.train_curve.setData(h[:, 0], h[:, 1])
        test = h[:, 2]
        if np.all(np.isfinite(test)):
            self.test_curve.setData(h[:, 0], test)
        # our own stepped ranges: pyqtgraph's auto range painted each update twice
        shown = h[:, 1:][np.isfinite(h[:, 1:])]
        top = float(shown.max()) if len(shown) else 1.0
        self.losses.set_live_range(
            (0.0, step_above(max(float(h[-1, 0]), 1.0))),
            (0.0, step_above(max(top, 1e-3))),
        )

    def status(self) -> str:
        """Return the status line."""
        p = self.last
        if p is None:
            return f"{len(self.points)} points: press Start (Space) to train"
        return (
            f"step {p.step}: train loss {p.train_loss:.4f}, test loss "
            f"{p.test_loss:.4f} · accuracy {100 * p.train_accuracy:.1f} % / "
            f"{100 * p.test_accuracy:.1f} %"
        )

    def values(self) -> dict[str, object]:
        """Return the card's live numbers (nothing before the first report)."""
        p = self.last_maps
        cfg = self.cfg
        if p is None or p.weights is None or cfg is None:
            return {"network": "not trained yet"}
        train_pts, _ = split(self.points, cfg.test_fraction, self.seed)
        z = float(logits(p.weights, cfg.activation, cfg.features, train_pts.x[:1])[0])
        s = _sigmoid(z)
        soft = np.exp([z, 0.0]) / np.exp([z, 0.0]).sum()
        y0 = int(train_pts.y[0])
        out: dict[str, object] = {
            "z (first point)": z,
            "σ(z)": s,
            "σ′ = σ(1 − σ)": s * (1 - s),
            "tanh′(z) = 1 − tanh²": 1 - np.tanh(z) ** 2,
            "softmax(z, 0)": f"({soft[0]:.3g}, {soft[1]:.3g})",
            "positive · in [0, 1] · sum": (
                f"{'✓' if np.all(soft > 0) else '✗'} · "
                f"{'✓' if np.all((soft >= 0) & (soft <= 1)) else '✗'} · "
                f"{soft.sum():.6f}"
            ),
            "−log p(y | x), this point": -np.log(s if y0 > 0 else 1 - s),
            "CE = mean −log p (train)": p.train_loss if cfg.loss == "ce" else "MSE run",
        }
        if cfg.activation == "linear" or not cfg.hidden:
            a, c = affine_collapse(p.weights)
            terms = " + ".join(
                f"{v:.3g}·{f}" for v, f in zip(a, cfg.features, strict=True)
            )
            out["one affine map: z"] = f"{terms} + {c:.3g}"
        return out

    # -- files -----------------------------------------------------------------------
    def export_model(self, path: Path) -> Path:
        """Save the trained network (.pt, read with weights_only=True)."""
        p = self.last_maps
        if p is None or p.weights is None or self.cfg is None:
            raise ValueError("no trained network yet: press Start or Step first")
        return save_model(path, self.cfg, p.weights)

    def export_data(self, path: Path) -> Path:
        """Save the points as CSV ``x1,x2,label``."""
        if len(self.points) == 0:
            raise ValueError("no points to export")
        atomic_write(path, points_csv(self.points))
        return path

    def grid_size(self) -> int:
        """Return the decision map's resolution (GRID)."""
        return GRID
