"""The normalizing-flows panel: change of variables in 1-D, a 2-D flow trained live.

The 1-D tab is computed on the GUI thread (a spline on 400 points: well under a
millisecond).  The 2-D flow trains in a worker (the context's training
backend) through one :class:`JobRunner` running
:func:`explorer.core.flow.jobs.train_interactive` open-ended, steered by the
one job control: the speed slider sets the steps per snapshot, a click on the
density posts the probe point (a held job answers at once with a ``"probe"``
action and ``step(1)``).  Everything drawn — the density on its grid, the
samples and the z-grid at every stage, the Jacobians — comes computed from the
worker; the GUI only sets data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import qthrottled

from explorer.core.flow.checkpoint import save_weights
from explorer.core.flow.config import Architecture
from explorer.core.flow.data import image_points, read_points_csv
from explorer.core.flow.jobs import FlowProgress, train_interactive
from explorer.core.flow.names import MAX_POINTS, PROBE_ACTION, PROBE_KEY
from explorer.core.flow.spline import (
    DEFAULT_KNOTS,
    MonotoneMap,
    integral,
    mass_edges,
)
from explorer.core.reading import read_image
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.flow.controls import (
    DataBox,
    ModelBox,
    OneDBox,
    StageSlider,
    bind,
    stack,
)
from explorer.panels.flow.formulas import (
    CHANGE_1D,
    CHANGE_1D_SOURCE,
    CHANGE_2D,
    CHANGE_2D_SOURCE,
    GLOW,
    GLOW_SOURCE,
    JACOBIAN,
    JACOBIAN_SOURCE,
    band_values,
    check_values,
    jacobian_table,
    stage_title,
)
from explorer.panels.flow.state import DEFAULT_SPEED, SPEEDS, FlowState
from explorer.panels.flow.views import (
    DensityView,
    MassView,
    NllPane,
    SplineView,
    WarpView,
)
from explorer.widgets.controls_column import ControlsColumn
from explorer.widgets.draw_scheduler import DrawScheduler
from explorer.widgets.formula_card import FormulaCard, LiveText
from explorer.widgets.run_bar import RunBar

FloatArray = NDArray[np.float64]
DRAW_INTERVAL_MS = 40  # one view per tick: 25 draws a second
CURVE_INTERVAL_MS = 300
DATA_SHOWN = 400  # data points drawn over the density
IMAGE_POINTS = 1500  # points drawn from an opened grey image
XS_1D = np.linspace(-4.0, 4.0, 401)
TABS = ("1d", "2d")


class FlowPanel(PanelBase):
    """Change of variables you can drag; coupling layers that warp the plane."""

    panel_id: ClassVar[str] = "flow"
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = (
        "Points or grey images (*.csv *.png *.jpg *.jpeg *.bmp)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        theme = context.theme
        self.run_bar = RunBar(
            "train the flow by maximum likelihood",
            step_tip="Train one chunk of steps (the speed), then hold (S)",
            reset_tip="A fresh flow from the seed; the data stay (R)",
            speeds=SPEEDS,
            speed_unit="steps/frame",
            default_speed=DEFAULT_SPEED,
        )
        self.data_box = DataBox()
        self.model_box = ModelBox()
        self.oned_box = OneDBox()
        self.card_2d = FormulaCard("Change of variables", CHANGE_2D, CHANGE_2D_SOURCE)
        self.card_1d = FormulaCard(
            "Change of variables in 1-D", CHANGE_1D, CHANGE_1D_SOURCE
        )
        self.card_jac = FormulaCard(
            "Jacobian at the clicked point", JACOBIAN, JACOBIAN_SOURCE
        )
        self.jac_text = LiveText()
        self.jac_text.setObjectName("flow-jacobians")
        card_layout = self.card_jac.layout()
        assert card_layout is not None
        card_layout.addWidget(self.jac_text)
        self.card_glow = FormulaCard("Glow step (images)", GLOW, GLOW_SOURCE)

        # views
        self.spline = SplineView(theme)
        self.mass_x = MassView(theme, "p_x(x)", "x")
        self.mass_z = MassView(theme, "p_z(z)", "z")
        self.density = DensityView(theme)
        self.warp = WarpView(theme)
        self.stage = StageSlider()
        self.nll = NllPane(theme)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("flow-tabs")
        one = QWidget()
        grid1 = QGridLayout(one)
        grid1.setContentsMargins(0, 0, 0, 0)
        grid1.addWidget(self.spline, 0, 0)
        grid1.addWidget(self.mass_x, 0, 1)
        grid1.addWidget(self.mass_z, 1, 0, 1, 2)
        grid1.setRowStretch(0, 3)
        grid1.setRowStretch(1, 2)
        two = QWidget()
        grid = QGridLayout(two)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.density, 0, 0)
        warp_box = QVBoxLayout()
        warp_box.addWidget(self.warp, 1)
        warp_box.addWidget(self.stage)
        grid.addLayout(warp_box, 0, 1)
        grid.addWidget(self.nll, 1, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 1)
        self.tabs.addTab(one, "1-D map")
        self.tabs.addTab(two, "2-D flow")
        self.tabs.setTabToolTip(0, "Change of variables in 1-D: drag the knots of h")
        self.tabs.setTabToolTip(1, "A 2-D flow trained live by maximum likelihood")

        self.column = ControlsColumn(theme, min_width=280, max_width=400)
        self.side_1d = stack(self.card_1d, self.oned_box)
        self.side_2d = stack(
            self.data_box,
            self.model_box,
            self.model_box.training,
            self.card_2d,
            self.card_jac,
            self.card_glow,
        )
        for w in (self.run_bar, self.side_1d, self.side_2d):
            self.column.add(w)
        self.column.add_stretch()
        body = QHBoxLayout()
        body.addWidget(self.tabs, 1)
        body.addWidget(self.column)
        self.body.addLayout(body)
        self.mark_secondary(self.card_glow, self.model_box.training)
        # after the column re-fits to a new scale, keep it at the width it needs
        theme.changed.connect(self._narrow_column_soon)
        self._narrow_column_soon()

        self.binder = bind(self.data_box, self.model_box, self.oned_box, self)
        self.draws = DrawScheduler(DRAW_INTERVAL_MS, self)
        self._request_curves = qthrottled(
            self._queue_curves, timeout=CURVE_INTERVAL_MS, parent=self
        )
        self.runner = self.make_runner("train", training=True)
        self.runner.paused_changed.connect(self._refresh_buttons)
        self.runner.started.connect(self._refresh_buttons)
        self.runner.finished.connect(self._refresh_buttons)
        self.run_bar.start_pause_clicked.connect(self.start_pause)
        self.run_bar.step_clicked.connect(self.step)
        self.run_bar.reset_clicked.connect(self.reset)
        self.run_bar.speed_changed.connect(self.runner.set_speed)
        self.data_box.changed.connect(self._on_data_changed)
        self.data_box.clear_clicked.connect(self._on_clear_clicked)
        self.model_box.changed.connect(self.reset)
        self.oned_box.changed.connect(self._draw_1d)
        self.oned_box.reset_knots_clicked.connect(self._on_reset_knots_clicked)
        self.spline.knots_edited.connect(self._on_knots_edited)
        self.density.clicked.connect(self._on_density_clicked)
        self.model_box.save_model.clicked.connect(self._on_save_model_clicked)
        self.stage.moved.connect(self._on_stage_moved)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self._latest: FlowProgress | None = None
        self._arch: Architecture | None = None  # of the flow being trained
        self._history: list[tuple[int, float, float]] = []
        self._probe: tuple[float, float] | None = None
        self._data_xy = np.zeros((0, 2))
        self._pending_stage: int | None = None
        self.binder.show(FlowState())
        self.tabs.setCurrentIndex(TABS.index("2d"))
        self._on_tab_changed(self.tabs.currentIndex())
        self._draw_1d()
        self.reset()

    def _narrow_column_soon(self) -> None:
        QTimer.singleShot(0, self, self._narrow_column)

    def _narrow_column(self) -> None:
        self.column.setMaximumWidth(self.column.minimumWidth())

    # -- settings -------------------------------------------------------------------
    def settings(self) -> FlowState:
        """Return the settings the widgets, the knots and the drawn points show."""
        return self.binder.state().replace(
            view=TABS[self.tabs.currentIndex()],
            speed=SPEEDS.index(self.run_bar.speed_value),
            stage=self._shown_stage(),
        )

    def _shown_stage(self) -> int:
        if self._latest is None:
            return -1 if self._pending_stage is None else self._pending_stage
        return int(self.stage.slider.value())

    @property
    def knots(self) -> FloatArray:
        """The knots of the 1-D map h (rows x, z)."""
        knots: FloatArray = self.binder.extra("knots")
        return knots

    @property
    def points(self) -> FloatArray:
        """The drawn (or opened) data points."""
        pts: FloatArray = self.binder.extra("points")
        return pts

    # -- 1-D ------------------------------------------------------------------------
    def _draw_1d(self) -> None:
        h = MonotoneMap.from_knots(self.knots)
        zs, px = h.h(XS_1D), h.px(XS_1D)
        self.spline.show_map(self.knots, XS_1D, zs)
        bands = self.oned_box.bands.value()
        edges_z = mass_edges(bands)
        edges_x = h.inverse(np.clip(edges_z, -40.0, 40.0))
        self.mass_x.show_density(XS_1D, px, edges_x, h.px)

        def phi(z: FloatArray) -> FloatArray:
            out: FloatArray = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
            return out

        self.mass_z.show_density(XS_1D, phi(XS_1D), edges_z, phi)
        self.card_1d.set_values(band_values(integral(XS_1D, px), bands))

    def _on_knots_edited(self, knots: FloatArray) -> None:
        try:
            MonotoneMap.from_knots(knots)
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.binder.set_extra(knots=np.asarray(knots, dtype=np.float64))
        self._draw_1d()

    def _on_reset_knots_clicked(self) -> None:
        self.binder.set_extra(knots=np.array(DEFAULT_KNOTS, dtype=np.float64))
        self._draw_1d()

    def _on_tab_changed(self, index: int) -> None:
        # whole sides, so presentation mode's hidden (secondary) boxes stay hidden
        one = TABS[index] == "1d"
        self.side_1d.setVisible(one)
        self.side_2d.setVisible(not one)

    # -- run menu -------------------------------------------------------------------
    def start_pause(self) -> None:
        """Start training, or pause / resume it."""
        if not self.runner.is_running:
            self._start(paused=False)
        else:
            self.runner.toggle_pause()
        self._refresh_buttons()

    def step(self) -> None:
        """Train one chunk (the speed's steps), then hold."""
        if not self.runner.is_running and not self._start(paused=True):
            return
        self.runner.pause()
        self.runner.step(1)
        self._refresh_buttons()

    def reset(self) -> None:
        """Stop training and start a fresh flow from the seed, held at step 0.

        Every readout is cleared at once, so no number of the old flow stays.
        """
        self.error_banner.clear()
        self.runner.abort()
        coupling = self.model_box.kind.currentData() == "coupling"
        for w in (self.model_box.mix, self.model_box.actnorm, self.model_box.hidden):
            w.setEnabled(coupling)  # a planar layer has none of these
        self.draws.clear()
        self._latest = None
        self._history = []
        self.density.clear_density()
        self.warp.clear_stage()
        self.nll.clear_curves()
        self.card_2d.set_values({"step": "— (starting)"})
        self.jac_text.set_html(jacobian_table((), None))
        self.run_bar.set_status("step 0")
        self._show_data()
        self.density.show_probe(self._probe)
        self._start(paused=True)

    def _start(self, *, paused: bool) -> bool:
        try:
            state = self.settings()
            cfg = state.config()
        except ValueError as exc:
            self.show_error(str(exc))
            self._refresh_buttons()
            return False
        threads = 1 if self.context.training_backend == "process" else None
        self._arch = cfg.arch
        self.runner.set_speed(self.run_bar.speed_value)
        if self._probe is not None:
            self.runner.post(self._probe, PROBE_KEY)
        self.runner.start(
            train_interactive,
            cfg,
            seed=state.seed,
            threads=threads,
            on_progress=self._on_progressed,
            on_error=self._on_job_error,
            batched=True,
            paused=paused,
            controlled=True,
        )
        self._refresh_buttons()
        return True

    def _refresh_buttons(self, *_: object) -> None:
        started = self._latest is not None and self._latest.step > 0
        running = self.runner.is_running
        paused = running and self.runner.is_paused
        self.run_bar.set_state(
            running=running and (started or not paused), paused=paused
        )
        self.model_box.save_model.setEnabled(self._latest is not None)

    def _on_job_error(self, exc: BaseException) -> None:
        self.show_error(f"training stopped: {exc}".split("\n\nIn the worker")[0])
        self._refresh_buttons()

    # -- data -----------------------------------------------------------------------
    def _show_data(self) -> None:
        from explorer.core.flow.data import sample

        state = self.binder.state()
        rng = np.random.default_rng(0)
        if state.data == "points":
            pts = self.points
            self.density.drawn.setData(x=pts[:, 0], y=pts[:, 1])
            self._data_xy = sample("points", DATA_SHOWN, rng, pts) if len(pts) else pts
        else:
            self.density.drawn.setData(x=[], y=[])
            self._data_xy = sample(state.data, DATA_SHOWN, rng)
        xy = self._data_xy
        self.density.data.setData(x=xy[:, 0], y=xy[:, 1])

    def _on_data_changed(self) -> None:
        self.reset()

    def _on_clear_clicked(self) -> None:
        self.binder.set_extra(points=np.zeros((0, 2)))
        if self.binder.state().data == "points":
            self.reset()

    def _on_density_clicked(self, x: float, y: float) -> None:
        if self.data_box.draw.isChecked():
            self._add_point(x, y)
            return
        self._probe = (x, y)
        self.density.show_probe(self._probe)
        if self.runner.is_running:
            self.runner.post(self._probe, PROBE_KEY)
            if self.runner.is_paused:
                self.runner.act(PROBE_ACTION)
                self.runner.step(1)

    def _add_point(self, x: float, y: float) -> None:
        pts = np.vstack([self.points, [[x, y]]])
        if len(pts) > MAX_POINTS:
            self.show_error(f"at most {MAX_POINTS} points are supported")
            return
        self.binder.set_extra(points=pts)
        if self.binder.state().data != "points":
            self.binder.show(self.binder.state().replace(data="points"))
        self.reset()

    # -- progress and drawing -------------------------------------------------------
    def _on_progressed(self, items: list[FlowProgress]) -> None:
        for p in items:
            if not self._history or p.step > self._history[-1][0]:
                self._history.append((p.step, p.nll, p.test_nll))
        first = self._latest is None
        p = items[-1]
        self._latest = p
        if first or self.stage.slider.maximum() != len(p.titles):
            self.stage.set_count(len(p.titles) + 1)
            if first:
                want = self._pending_stage
                top = self.stage.slider.maximum()
                self.stage.slider.setValue(top if want is None else min(want, top))
                self._pending_stage = None
        self.run_bar.set_status(
            f"step {p.step}: NLL {p.nll:.3f} (test {p.test_nll:.3f}; Gaussian "
            f"{p.gaussian_test_nll:.3f})"
        )
        self.draws.request("density", self._draw_density)
        self.draws.request("warp", self._draw_warp)
        self.draws.request("cards", self._draw_cards)
        self._request_curves()
        self._refresh_buttons()

    def _queue_curves(self) -> None:
        self.draws.request("curves", self._draw_curves)

    def _draw_density(self) -> None:
        p = self._latest
        if p is not None:
            self.density.show_density(p.logp, p.box)

    def _draw_warp(self) -> None:
        p = self._latest
        if p is None:
            return
        j = min(self.stage.slider.value(), len(p.titles))
        self.stage.label.setText(f"{j} / {len(p.titles)}")
        self.warp.show_stage(
            stage_title(p.titles, j), p.stage_grid[j], p.stage_samples[j]
        )

    def _draw_cards(self) -> None:
        p = self._latest
        if p is None:
            return
        self.card_2d.set_values(check_values(p))
        self.jac_text.set_html(jacobian_table(p.jacobians, p.probe_logp))

    def _draw_curves(self) -> None:
        if not self._history or self._latest is None:
            return
        arr = np.asarray(self._history, dtype=np.float64)
        self.nll.show_curves(
            arr[:, 0], arr[:, 1], arr[:, 2], self._latest.gaussian_test_nll
        )

    def _on_stage_moved(self, _value: int) -> None:
        self._draw_warp()

    def save_model(self, path: Path) -> Path:
        """Write the flow of the newest snapshot to ``path`` (.pt); return it.

        Raises
        ------
        ValueError
            When no snapshot has arrived yet.
        OSError
            When the file cannot be written.
        """
        p, arch = self._latest, self._arch
        if p is None or arch is None or not p.weights:
            raise ValueError("no flow yet: press Start or Step first")
        return save_weights(path, arch, p.weights)

    def _on_save_model_clicked(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Save model", "flow.pt", "PyTorch (*.pt)"
        )
        if not name:
            return
        try:
            out = self.save_model(Path(name))
        except (OSError, ValueError) as exc:
            self.show_error(f"Could not save the model: {exc}")
        else:
            self.run_bar.set_status(f"saved the flow to {out.name}")

    # -- protocol -------------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Open a CSV of 'x,y' points, or a grey image as a density (dark = dense).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        if path.suffix.lower() == ".csv":
            pts = read_points_csv(path)
        else:
            image = read_image(path, "L")
            gray = np.asarray(image, dtype=np.float64) / 255.0
            pts = image_points(gray, IMAGE_POINTS, np.random.default_rng(0))
        self.binder.set_extra(points=pts)
        self.binder.show(self.binder.state().replace(data="points"))
        self.tabs.setCurrentIndex(TABS.index("2d"))
        self.reset()

    def main_view(self) -> QWidget:
        """Return the tabs (the shown tab's plots)."""
        return self.tabs

    def snapshot_ready(self) -> bool:
        """Return True once a snapshot of the flow is drawn."""
        return self._latest is not None and not self.draws.pending()

    def state(self) -> dict[str, Any]:
        """Return the panel's settings, knots and drawn points (a versioned dict)."""
        return self.settings().to_dict()

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output and start a fresh flow.

        Raises
        ------
        StateError
            A ValueError naming the field, for a dict that is not a flow state.
        """
        new = FlowState.from_dict(state)
        MonotoneMap.from_knots(new.knots)  # a ValueError for knots h cannot use
        self.binder.show(new)
        self.run_bar.set_speed_value(SPEEDS[new.speed])
        self.tabs.setCurrentIndex(TABS.index(new.view))
        self._draw_1d()
        self.reset()
        self._pending_stage = new.stage if new.stage >= 0 else None
