"""The latent-space panel: AE, VAE and β-VAE trained side by side, decoded by clicking.

Each model has its own :class:`JobRunner` running :func:`explorer.core.latent.train`;
every report carries the model's weights, which the panel loads into a CPU copy to
decode clicks, drags, interpolation strips and the manifold grid on the GUI thread
(a decode takes well under a millisecond).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from numpy.typing import NDArray
from PySide6.QtCore import Qt, QThreadPool, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.data import (
    MNIST_CREDIT,
    DataFormatError,
    Digits,
    load_image_gray,
    load_mnist,
)
from explorer.core.latent import (
    IMAGE_SIZE,
    MODEL_KINDS,
    MODEL_TITLES,
    LatentConfig,
    LatentModel,
    LatentProgress,
    Projection,
    balanced_subset,
    decode,
    encode,
    fit_projection,
    interpolate,
    load_checkpoint,
    load_idx_digits,
    load_weights,
    loss_terms,
    manifold_grid,
    model_from_weights,
    save_checkpoint,
    tile,
    train,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.latent.controls import ControlBar, EndpointBar, GridBar
from explorer.panels.latent.views import (
    DigitImage,
    LatentScatter,
    LossCurves,
    class_legend_html,
)
from explorer.widgets.formula_card import FormulaCard
from explorer.widgets.plot_pane import PlotPane
from explorer.workers import JobRunner

DEFAULT_EPOCHS = 20
STATE_VERSION = 1
_WEIGHTS_KEY = "weights:{kind}:{name}"


@dataclass
class _Slot:
    """One model column: its settings, worker, view and latest state."""

    kind: str
    cfg: LatentConfig
    runner: JobRunner
    scatter: LatentScatter
    model: LatentModel | None = None
    progress: LatentProgress | None = None
    projection: Projection | None = None
    points: NDArray[np.float32] = field(
        default_factory=lambda: np.zeros((0, 2), np.float32)
    )
    epochs: list[float] = field(default_factory=list)
    rows: list[tuple[float, float, float]] = field(default_factory=list)
    done: bool = False
    note: str = ""


class LatentPanel(PanelBase):
    """AE vs VAE vs β-VAE: latent scatters, click-to-decode, interpolation, grids."""

    panel_id: ClassVar[str] = "latent"
    title: ClassVar[str] = "Latent spaces"
    summary: ClassVar[str] = (
        "Train an autoencoder, a VAE and a β-VAE side by side and see why only the "
        "VAE's latent space can be interpolated."
    )
    runnable: ClassVar[bool] = True
    open_filters: ClassVar[str] = (
        "Digits in IDX format (*-ubyte *.idx *.gz);;Weights (*.pt *.pth);;"
        "Images (*.png *.jpg *.jpeg *.bmp)"
    )

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._data: Digits = load_mnist()
        self._data_is_bundled = True
        self._running = False
        self._active = 1  # the VAE
        self._layout_mode = "side"
        self._click: tuple[float, float] | None = None
        self._ends: list[NDArray[np.float32] | None] = [None, None]
        self._next_end = 0
        self._build_ui()
        self._slots: list[_Slot] = []
        # Drawing tasks, oldest first: ("codes", i) a report of model i not drawn
        # yet, ("strips", i) its interpolation strips not decoded yet.
        self._tasks: list[tuple[str, int]] = []
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(80)
        self._draw_timer.timeout.connect(self._draw_next)
        for i, kind in enumerate(MODEL_KINDS):
            scatter = self._scatters[i]
            runner = self.make_runner(MODEL_TITLES[kind], training=True)
            self._slots.append(_Slot(kind, self._config(kind), runner, scatter))
            scatter.clicked.connect(lambda x, y, i=i: self._on_scatter_clicked(i, x, y))
            scatter.dragged.connect(lambda x, y, i=i: self._on_scatter_clicked(i, x, y))
            scatter.hovered.connect(lambda j, i=i: self._on_scatter_hovered(i, j))
            scatter.picked.connect(lambda j, i=i: self._on_scatter_picked(i, j))
            scatter.activated.connect(lambda i=i: self.set_active(i))
        self.set_active(self._active)
        self._restart_all(running=False)

    # -- UI ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        theme = self.context.theme
        self.controls = ControlBar(DEFAULT_EPOCHS)
        self.mark_secondary(*self.controls.secondary)
        self.controls.train_clicked.connect(self.start_pause)
        self.controls.step_clicked.connect(self.step)
        self.controls.reset_clicked.connect(self.reset)
        self.controls.layout_changed.connect(self.set_layout)
        self.controls.beta_changed.connect(self._on_beta_changed)
        self.controls.settings_changed.connect(self._on_settings_changed)
        self.controls.save_clicked.connect(self._on_save_clicked)
        self.controls.load_clicked.connect(self._on_load_clicked)
        self.body.addWidget(self.controls)

        self.legend = QLabel(class_legend_html("MNIST-5k"))
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip(
            "Colours of the digit classes (Okabe–Ito, colour-blind safe).\n"
            + MNIST_CREDIT
        )
        legend_row = QHBoxLayout()
        legend_row.addWidget(self.legend)
        legend_row.addStretch(1)
        self.body.addLayout(legend_row)

        self.scatter_area = QWidget()
        grid = QGridLayout(self.scatter_area)
        grid.setContentsMargins(0, 0, 0, 0)
        self._scatters = [LatentScatter(theme, MODEL_TITLES[k]) for k in MODEL_KINDS]
        for i, s in enumerate(self._scatters):
            grid.addWidget(s, 0, i)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_strip_tab(), "Interpolation")
        self.tabs.addTab(self._build_grid_tab(), "Decoded manifold")
        self.curves = LossCurves(theme, [MODEL_TITLES[k] for k in MODEL_KINDS])
        self.tabs.addTab(self.curves, "Loss curves")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_active_views())

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.scatter_area)
        left.addWidget(self.tabs)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([480, 360])

        right = QWidget()
        self._right = right
        right.setFixedWidth(self._right_width())
        col = QVBoxLayout(right)
        col.setContentsMargins(0, 0, 0, 0)
        self.preview = DigitImage(theme, "Click a latent space to decode a point")
        self.preview.setToolTip("The decoder's mean image p(x|z) of the clicked z")
        self.hover = DigitImage(theme, "Hover over a point to see its digit")
        self.mark_secondary(self.hover)
        for image in (self.preview, self.hover):
            # Images take what is left once the formula card has its height.
            image.setSizePolicy(
                QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Ignored
            )
        self.formula = FormulaCard(
            "ELBO and its closed-form KL",
            "ELBO(x) = E<sub>q(z|x)</sub>[log p(x|z)] − β·KL(q(z|x) ‖ N(0, I))<br>"
            "KL = −½ Σ<sub>j</sub> (1 + log σ<sub>j</sub>² − μ<sub>j</sub>² − "
            "σ<sub>j</sub>²)<br>z = μ + σ ⊙ ε,&nbsp; ε ~ N(0, I)",
            "Kingma & Welling 2014, eq. 3, §2.4 and appendix B; "
            "Higgins et al. 2017 (β-VAE, eq. 4). AE: β = 0, z = μ.",
        )
        # A scroll area holds the card: a box layout mis-places word-wrapped
        # (height-for-width) widgets next to stretching ones, and on a small
        # screen a scroll bar beats a clipped formula.
        self._formula_box = QScrollArea()
        self._formula_box.setWidget(self.formula)
        self._formula_box.setWidgetResizable(True)
        self._formula_box.setFrameShape(QFrame.Shape.NoFrame)
        self._formula_box.setHorizontalScrollBarPolicy(
            Qt.ScrollBarPolicy.ScrollBarAlwaysOff
        )
        col.addWidget(self.preview, 3)
        col.addWidget(self.hover, 2)
        col.addWidget(self._formula_box, 0)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.body.addWidget(split, 1)

    def _right_width(self) -> int:
        return round(340 + 115 * (self.context.theme.scale - 1.0))

    def apply_theme(self) -> None:
        """Widen the side column with the presentation scale."""
        self._right.setFixedWidth(self._right_width())
        self._fit_formula()

    def _fit_formula(self) -> None:
        # Word-wrapped rich text does not grow its card by itself: ask the layout
        # how tall the card must be at its current width.
        card = self.formula
        width = max(self._formula_box.viewport().width(), 200)
        height = card.heightForWidth(width) if card.hasHeightForWidth() else -1
        if height <= 0:
            height = card.sizeHint().height()
        # Leave the decoded preview at least ~250 px; scroll the card beyond that.
        self._formula_box.setMinimumHeight(min(height, max(self.height() - 350, 150)))
        self._formula_box.setMaximumHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the formula card to its new width."""
        super().resizeEvent(event)
        self._fit_formula()

    def _build_strip_tab(self) -> QWidget:
        theme = self.context.theme
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(4, 4, 4, 4)
        self.ends_bar = EndpointBar(len(self._data.images))
        self.ends_bar.changed.connect(self._on_ends_changed)
        self.mark_secondary(self.ends_bar.hint)
        outer.addWidget(self.ends_bar)
        body = QHBoxLayout()
        rows = QGridLayout()
        rows.setVerticalSpacing(2)
        self.strips: list[tuple[DigitImage, DigitImage]] = []
        self.strip_labels: list[tuple[QLabel, QLabel]] = []
        for i, kind in enumerate(MODEL_KINDS):
            name = MODEL_TITLES[kind]
            lerp_label = QLabel(f"<b>{name}</b> lerp")
            slerp_label = QLabel(f"<b>{name}</b> slerp")
            lerp_row = DigitImage(theme)
            slerp_row = DigitImage(theme)
            lerp_row.setToolTip("lerp: z(t) = (1 − t)·z_A + t·z_B")
            slerp_row.setToolTip(
                "slerp: the direction follows the great circle from z_A to z_B,\n"
                "sin((1 − t)Ω)/sin Ω·ẑ_A + sin(tΩ)/sin Ω·ẑ_B (Shoemake 1985; White "
                "2016),\nthe norm runs linearly from ‖z_A‖ to ‖z_B‖"
            )
            for r, (label, row) in enumerate(
                ((lerp_label, lerp_row), (slerp_label, slerp_row))
            ):
                label.setTextFormat(Qt.TextFormat.RichText)
                rows.addWidget(label, 2 * i + r, 0)
                rows.addWidget(row, 2 * i + r, 1)
            self.strips.append((lerp_row, slerp_row))
            self.strip_labels.append((lerp_label, slerp_label))
        rows.setColumnStretch(1, 1)
        body.addLayout(rows, 3)
        self.norm_plot = PlotPane(
            theme, title="‖z(t)‖ (active model)", x_label="t", y_label="‖z‖"
        )
        self.norm_plot.add_legend()
        self.norm_lerp = self.norm_plot.add_curve("lerp", color_index=0)
        self.norm_slerp = self.norm_plot.add_curve("slerp", color_index=1, dashed=True)
        self.norm_plot.setMinimumWidth(200)
        self.mark_secondary(self.norm_plot)
        body.addWidget(self.norm_plot, 1)
        outer.addLayout(body, 1)
        return page

    def _build_grid_tab(self) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(4, 4, 4, 4)
        self.grid_bar = GridBar()
        self.grid_bar.changed.connect(self._refresh_grid)
        outer.addWidget(self.grid_bar)
        self.grid_image = DigitImage(self.context.theme, "Decoded manifold grid")
        outer.addWidget(self.grid_image, 1)
        return page

    # -- models and runs -----------------------------------------------------------
    def _config(self, kind: str) -> LatentConfig:
        c = self.controls
        return LatentConfig(
            model=kind,  # type: ignore[arg-type]
            beta=c.beta_value_f if kind == "beta-vae" else None,
            latent_dim=c.latent_dim.value(),
            arch=c.arch.currentData(),
            noise=c.noise.value(),
            epochs=c.epochs.value(),
        )

    def _start_slot(self, i: int, *, running: bool) -> None:
        slot = self._slots[i]
        self._tasks = [t for t in self._tasks if t[1] != i]
        slot.cfg = self._config(slot.kind)
        slot.progress = None
        slot.model = None
        slot.epochs, slot.rows = [], []
        slot.done = False
        slot.note = ""
        self.curves.set_history(i, [], [])
        slot.scatter.status.setText(f"{slot.cfg.title}: starting…")
        self._ensure_threads()
        slot.runner.start(
            train,
            slot.cfg,
            seed=self.controls.seed.value(),
            device=self.context.device,
            # The bundled digits load in the worker itself (nothing to send to a
            # worker process); opened files travel with the job.
            data=None if self._data_is_bundled else self._data,
            threads=1 if self.context.training_backend == "process" else None,
            on_progress=partial(self._on_progress, i),
            on_error=partial(self._on_error, i),
            on_finished=partial(self._on_finished, i),
            paused=not running,
        )

    def _restart_all(self, *, running: bool) -> None:
        for i in range(len(self._slots)):
            self._start_slot(i, running=running)
        self._set_running(running)

    @staticmethod
    def _ensure_threads() -> None:
        # Three models train at once, each on a pool thread; the global pool
        # defaults to one thread per core (2 here), which would queue the third.
        pool = QThreadPool.globalInstance()
        need = pool.activeThreadCount() + 3
        if pool.maxThreadCount() < need:
            pool.setMaxThreadCount(need)

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.controls.set_running(running)

    def _on_progress(self, i: int, p: LatentProgress) -> None:
        slot = self._slots[i]
        first = slot.progress is None
        slot.progress = p
        if p.step > 0 or not slot.rows:
            slot.epochs.append(p.epoch)
            slot.rows.append((p.losses["recon"], p.losses["kl"], p.losses["loss"]))
        # Drawing a model (weights, codes, strips, curves) costs tens of ms on the
        # GUI thread; with three models reporting, draw one per timer tick.
        if ("codes", i) not in self._tasks:
            self._tasks.append(("codes", i))
        if first:
            self._draw_slot(i, strip=True)
        elif not self._draw_timer.isActive():
            self._draw_timer.start()

    def _draw_next(self) -> None:
        """Do the oldest pending drawing task: a model's codes, or its strips."""
        if self._tasks:
            kind, i = self._tasks.pop(0)
            if kind == "codes":
                self._draw_slot(i, strip=False)
            else:
                self._refresh_strip(i)
        if self._tasks:
            self._draw_timer.start()

    def _draw_slot(self, i: int, *, strip: bool) -> None:
        """Draw model ``i``'s latest report; its strips now or as a later task."""
        self._tasks = [t for t in self._tasks if t != ("codes", i)]
        if strip:
            self._tasks = [t for t in self._tasks if t != ("strips", i)]
        elif ("strips", i) not in self._tasks:
            self._tasks.append(("strips", i))  # after the tasks queued before it
        slot = self._slots[i]
        p = slot.progress
        if p is None:
            return
        if slot.model is None or slot.model.cfg != p.config:
            slot.model = model_from_weights(p.config, p.weights)
        else:
            load_weights(slot.model, p.weights)
        self.curves.set_history(i, slot.epochs, slot.rows)
        self._show_codes(i, strip=strip)

    def _show_codes(self, i: int, *, strip: bool = True) -> None:
        slot = self._slots[i]
        p = slot.progress
        if p is None:
            return
        slot.projection = fit_projection(p.codes)
        slot.points = slot.projection.project(p.codes)
        slot.scatter.set_points(slot.points, p.code_labels)
        slot.scatter.set_axis_labels(slot.projection.label)
        losses = p.losses
        extra = f" · {slot.note}" if slot.note else ""
        slot.scatter.status.setText(
            f"epoch {p.epoch:.1f}/{p.config.epochs} · recon {losses['recon']:.1f} · "
            f"KL {losses['kl']:.2f}{extra}"
        )
        slot.scatter.header.setText(
            f"<b>{p.config.title}</b> · {slot.projection.label}"
        )
        if strip:
            self._refresh_strip(i)
        if i == self._active:
            self._refresh_active_views(strip=False)

    def _on_error(self, i: int, exc: BaseException) -> None:
        self._slots[i].done = True
        self.on_job_error(exc)
        if all(s.done or not s.runner.is_running for s in self._slots):
            self._set_running(False)

    def _on_finished(self, i: int) -> None:
        if any(t[1] == i for t in self._tasks):
            self._draw_slot(i, strip=True)  # the final state at once
        self._slots[i].done = True
        if all(s.done for s in self._slots):
            self._set_running(False)

    # -- protocol: run controls ----------------------------------------------------
    def start_pause(self) -> None:
        """Train all three models, or pause / resume them."""
        live = [s for s in self._slots if s.runner.is_running]
        if not live:
            self._restart_all(running=True)
        elif self._running:
            for s in live:
                s.runner.pause()
            self._set_running(False)
        else:
            for s in live:
                s.runner.resume()
            self._set_running(True)

    def step(self) -> None:
        """Let each model make one more report (a fifth of an epoch), then pause."""
        for i, s in enumerate(self._slots):
            if not s.runner.is_running:
                self._start_slot(i, running=False)
            s.runner.step(1)
        self._set_running(False)

    def reset(self) -> None:
        """Stop training and go back to untrained models."""
        self._click = None
        for s in self._slots:
            s.scatter.set_marker(None)
        self._restart_all(running=False)

    def is_training(self) -> bool:
        """Return whether the models are training (not paused, not finished)."""
        return self._running

    # -- settings ------------------------------------------------------------------
    def _on_beta_changed(self, beta: float) -> None:
        i = MODEL_KINDS.index("beta-vae")
        self._start_slot(i, running=self._running)

    def _on_settings_changed(self) -> None:
        self._restart_all(running=self._running)

    def set_layout(self, mode: str) -> None:
        """Show the three latent spaces side by side ("side") or one large."""
        self._layout_mode = mode
        for i, s in enumerate(self._scatters):
            s.setVisible(mode == "side" or i == self._active)
        (self.controls.side if mode == "side" else self.controls.large).setChecked(True)
        for i, (lerp_row, slerp_row) in enumerate(self.strips):
            show = mode == "side" or i == self._active
            for w in (lerp_row, slerp_row, *self.strip_labels[i]):
                w.setVisible(show)

    def set_active(self, i: int) -> None:
        """Make model ``i`` (0 AE, 1 VAE, 2 β-VAE) the one the side views follow."""
        self._active = i
        for j, s in enumerate(self._scatters):
            s.set_active(j == i)
            # The decoded point belongs to the model that decodes it.
            s.set_marker(self._click if j == i else None)
        if self._layout_mode == "large":
            self.set_layout("large")
        if hasattr(self, "_slots"):
            self._refresh_active_views()

    # -- clicks, hover, endpoints --------------------------------------------------
    def _on_scatter_clicked(self, i: int, x: float, y: float) -> None:
        self._click = (x, y)
        for j, s in enumerate(self._scatters):
            s.set_marker((x, y) if j == i else None)
        self._decode_click()

    def _decode_click(self) -> None:
        slot = self._slots[self._active]
        if self._click is None or slot.model is None or slot.projection is None:
            return
        z = slot.projection.lift(np.asarray([self._click], np.float32))
        self.preview.set_image(decode(slot.model, z)[0])
        coords = ", ".join(f"{v:.2f}" for v in z[0])
        self.preview.title.setText(f"{MODEL_TITLES[slot.kind]} decodes z = ({coords})")

    def _on_scatter_hovered(self, i: int, j: int) -> None:
        slot = self._slots[i]
        p = slot.progress
        if j < 0 or p is None:
            slot.scatter.set_sigma(None, None)
            return
        index = int(p.code_index[j])
        self.hover.set_image(self._data.images[index])
        mu = ", ".join(f"{v:.2f}" for v in p.codes[j])
        text = f"{MODEL_TITLES[slot.kind]}: digit {int(p.code_labels[j])} (#{index})"
        text += f" · μ = ({mu})"
        if p.config.variational:
            sd = ", ".join(f"{v:.2f}" for v in p.code_std[j])
            text += f" · σ = ({sd})"
        self.hover.title.setText(text)
        identity = slot.projection is not None and slot.projection.kind == "identity"
        if identity and p.codes.shape[1] == 2:
            slot.scatter.set_sigma(slot.points[j], p.code_std[j])
        else:
            slot.scatter.set_sigma(None, None)

    def _on_scatter_picked(self, i: int, j: int) -> None:
        p = self._slots[i].progress
        if p is None:
            return
        spin = self.ends_bar.a if self._next_end == 0 else self.ends_bar.b
        self._ends[self._next_end] = None
        spin.setValue(int(p.code_index[j]))
        self._next_end = 1 - self._next_end
        self._on_ends_changed()

    def _end_images(self) -> NDArray[np.float32]:
        out = []
        for k, spin in enumerate((self.ends_bar.a, self.ends_bar.b)):
            image = self._ends[k]
            out.append(image if image is not None else self._data.images[spin.value()])
        return np.stack(out).astype(np.float32)

    def _on_ends_changed(self) -> None:
        for k, (spin, label) in enumerate(
            (
                (self.ends_bar.a, self.ends_bar.a_text),
                (self.ends_bar.b, self.ends_bar.b_text),
            )
        ):
            if self._ends[k] is None:
                label.setText(f"(a {int(self._data.labels[spin.value()])})")
            else:
                label.setText("(your image)")
        for i in range(len(self._slots)):
            self._refresh_strip(i)
        self._refresh_active_views()

    def _strip_codes(
        self, i: int
    ) -> tuple[NDArray[np.float32], NDArray[np.float32]] | None:
        slot = self._slots[i]
        if slot.model is None:
            return None
        mu, _ = encode(slot.model, self._end_images())
        steps = self.ends_bar.steps.value()
        return interpolate(mu[0], mu[1], steps, "lerp"), interpolate(
            mu[0], mu[1], steps, "slerp"
        )

    def _refresh_strip(self, i: int) -> None:
        slot = self._slots[i]
        codes = self._strip_codes(i)
        if codes is None or slot.model is None or slot.projection is None:
            return
        lerp_codes, slerp_codes = codes
        lerp_row, slerp_row = self.strips[i]
        lerp_row.set_image(tile(decode(slot.model, lerp_codes)[None]))
        slerp_row.set_image(tile(decode(slot.model, slerp_codes)[None]))
        slot.scatter.set_paths(
            slot.projection.project(lerp_codes), slot.projection.project(slerp_codes)
        )
        if i == self._active:
            t = np.linspace(0.0, 1.0, len(lerp_codes))
            self.norm_lerp.setData(t, np.linalg.norm(lerp_codes, axis=1))
            self.norm_slerp.setData(t, np.linalg.norm(slerp_codes, axis=1))

    # -- side views of the active model --------------------------------------------
    def _refresh_active_views(self, *, strip: bool = True) -> None:
        slot = self._slots[self._active]
        p = slot.progress
        if p is not None:
            beta = p.config.kl_weight
            self.formula.set_values(
                {
                    "model": p.config.title,
                    "epoch": round(p.epoch, 2),
                    "−log p(x|z)": p.losses["recon"],
                    "KL": p.losses["kl"],
                    "β": beta,
                    "loss = recon + β·KL": p.losses["loss"],
                }
            )
            self._fit_formula()
        self._decode_click()
        if strip:
            self._refresh_strip(self._active)
        if self.tabs.currentIndex() == 1:
            self._refresh_grid()

    def _refresh_grid(self) -> None:
        slot = self._slots[self._active]
        if slot.model is None or slot.projection is None:
            return
        spacing = self.grid_bar.spacing.currentData()
        images, coords = manifold_grid(
            slot.model,
            slot.projection,
            self.grid_bar.n.value(),
            spacing,
            self.grid_bar.extent.value(),
        )
        self.grid_image.set_image(tile(images, pad=1))
        self.grid_image.title.setText(
            f"{slot.cfg.title}: decoded {len(coords)}×{len(coords)} grid over "
            f"{slot.projection.label}, coordinates {coords[0]:.2f} … {coords[-1]:.2f}"
        )

    # -- files ---------------------------------------------------------------------
    def open_file(self, path: Path) -> None:
        """Open digits (IDX), model weights (.pt) or an image (an interpolation end).

        Raises
        ------
        ValueError
            With a message a student understands when the file is unusable.
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix in (".pt", ".pth"):
            self.load_weights(p)
        elif suffix in (".png", ".jpg", ".jpeg", ".bmp"):
            self.set_end_image(self._next_end, load_image_gray(p, size=IMAGE_SIZE))
            self._next_end = 1 - self._next_end
        else:
            self.load_digits(p)

    def load_digits(self, images: Path, labels: Path | None = None) -> None:
        """Train on digits from IDX files; labels are found next to MNIST-named images.

        Raises
        ------
        DataFormatError
            When the files are not usable IDX digits.
        """
        if labels is None:
            guess = images.with_name(images.name.replace("images-idx3", "labels-idx1"))
            labels = guess if guess != images and guess.exists() else None
        try:
            data = load_idx_digits(images, labels)
        except OSError as exc:
            raise DataFormatError(f"cannot read {images.name}: {exc.strerror}") from exc
        self._data = data
        self._data_is_bundled = False
        self._ends = [None, None]
        self.ends_bar.set_count(len(data.images))
        self.legend.setText(class_legend_html(f"{images.name}, {len(data.images):,}"))
        self._restart_all(running=False)
        self._on_ends_changed()

    def load_weights(self, path: Path) -> None:
        """Show a saved model in its column (AE, VAE or β-VAE) without training.

        Raises
        ------
        CheckpointError
            When the file is not a usable checkpoint.
        """
        cfg, model = load_checkpoint(path)
        i = MODEL_KINDS.index(cfg.model)
        self._show_model(i, cfg, model, note=f"loaded from {Path(path).name}")

    def _show_model(
        self, i: int, cfg: LatentConfig, model: LatentModel, note: str
    ) -> None:
        slot = self._slots[i]
        slot.runner.abort()
        if cfg.model == "beta-vae":
            self.controls.set_beta(cfg.kl_weight)
        index = balanced_subset(
            self._data.labels, cfg.n_codes, self.controls.seed.value()
        )
        mu, std = encode(model, self._data.images[index])
        slot.cfg, slot.model, slot.done, slot.note = cfg, model, True, note
        slot.epochs, slot.rows = [], []
        self.curves.set_history(i, [], [])
        with torch.no_grad():
            x = torch.from_numpy(self._data.images[index]).unsqueeze(1)
            terms = loss_terms(model, x, generator=torch.Generator().manual_seed(0))
        slot.progress = LatentProgress(
            step=0,
            total=None,
            losses={
                "recon": terms.recon.item(),
                "kl": terms.kl.item(),
                "loss": terms.loss.item(),
            },
            message=note,
            config=cfg,
            epoch=0.0,
            codes=mu,
            code_std=std,
            code_labels=self._data.labels[index],
            code_index=index,
            weights={k: v.detach().numpy() for k, v in model.state_dict().items()},
        )
        self._show_codes(i)
        slot.scatter.status.setText(note)
        if not any(s.runner.is_running for s in self._slots):
            self._set_running(False)

    def save_weights(self, path: Path, i: int | None = None) -> Path:
        """Write model ``i``'s weights (default: the active model) to ``path``.

        Raises
        ------
        ValueError
            When the model has not been built yet.
        OSError
            When the file cannot be written.
        """
        slot = self._slots[self._active if i is None else i]
        if slot.progress is None:
            raise ValueError("the model has no weights yet: wait for its first report")
        return save_checkpoint(path, slot.progress.config, slot.progress.weights)

    def _on_save_clicked(self) -> None:
        kind = self._slots[self._active].kind
        name, _ = QFileDialog.getSaveFileName(
            self, "Save weights", f"{kind}.pt", "PyTorch weights (*.pt)"
        )
        if not name:
            return
        try:
            self.save_weights(Path(name))
        except (ValueError, OSError) as exc:
            self.show_error(str(exc))

    def _on_load_clicked(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open weights", "", "PyTorch weights (*.pt *.pth)"
        )
        if not name:
            return
        try:
            self.open_file(Path(name))
        except ValueError as exc:
            self.show_error(str(exc))

    def set_end_image(self, k: int, image: NDArray[np.float32]) -> None:
        """Use ``image`` (28×28 in [0, 1]) as interpolation end ``k`` (0 = A, 1 = B)."""
        self._ends[k] = np.asarray(image, np.float32)
        self._on_ends_changed()

    # -- protocol: views, state ----------------------------------------------------
    def main_view(self) -> QWidget:
        """Return the latent scatters (the view worth exporting)."""
        return self.scatter_area

    def snapshot_ready(self) -> bool:
        """Return True once every model has reported at least once."""
        return all(s.progress is not None for s in self._slots)

    def state(self) -> dict[str, Any]:
        """Return the settings, interpolation ends and the models' weights."""
        c = self.controls
        out: dict[str, Any] = {
            "version": STATE_VERSION,
            "beta": c.beta_value_f,
            "latent_dim": c.latent_dim.value(),
            "arch": c.arch.currentData(),
            "noise": c.noise.value(),
            "epochs": c.epochs.value(),
            "seed": c.seed.value(),
            "layout": self._layout_mode,
            "active": self._active,
            "ends": [self.ends_bar.a.value(), self.ends_bar.b.value()],
            "steps": self.ends_bar.steps.value(),
            "grid_n": self.grid_bar.n.value(),
            "grid_spacing": self.grid_bar.spacing.currentData(),
            "grid_range": self.grid_bar.extent.value(),
            "configs": {},
        }
        for s in self._slots:
            # Untrained models are rebuilt from the seed; trained, loaded or
            # restored ones travel with the session.
            if s.progress is None or (s.progress.step == 0 and not s.note):
                continue
            out["configs"][s.kind] = s.progress.config.to_dict()
            for name, value in s.progress.weights.items():
                out[_WEIGHTS_KEY.format(kind=s.kind, name=name)] = np.asarray(value)
        return out

    def restore(self, state: dict[str, Any]) -> None:
        """Apply :meth:`state` output: settings first, then any saved models."""
        c = self.controls
        c.set_beta(float(state.get("beta", c.beta_value_f)))
        c.latent_dim.setValue(int(state.get("latent_dim", c.latent_dim.value())))
        arch = c.arch.findData(state.get("arch", "mlp"))
        c.arch.setCurrentIndex(max(arch, 0))
        c.noise.setValue(float(state.get("noise", c.noise.value())))
        c.epochs.setValue(int(state.get("epochs", c.epochs.value())))
        c.seed.setValue(int(state.get("seed", c.seed.value())))
        ends = state.get("ends", [self.ends_bar.a.value(), self.ends_bar.b.value()])
        self.ends_bar.a.setValue(int(ends[0]))
        self.ends_bar.b.setValue(int(ends[1]))
        self.ends_bar.steps.setValue(
            int(state.get("steps", self.ends_bar.steps.value()))
        )
        self.grid_bar.n.setValue(int(state.get("grid_n", self.grid_bar.n.value())))
        spacing = self.grid_bar.spacing.findData(state.get("grid_spacing", "gaussian"))
        self.grid_bar.spacing.setCurrentIndex(max(spacing, 0))
        self.grid_bar.extent.setValue(float(state.get("grid_range", 3.0)))
        c.cancel_pending()
        self._restart_all(running=False)
        for kind, raw in dict(state.get("configs", {})).items():
            if kind not in MODEL_KINDS:
                continue
            try:
                cfg = LatentConfig.from_dict(raw)
                prefix = _WEIGHTS_KEY.format(kind=kind, name="")
                weights = {
                    k[len(prefix) :]: v
                    for k, v in state.items()
                    if k.startswith(prefix)
                }
                model = model_from_weights(cfg, weights)
            except (ValueError, TypeError) as exc:
                self.show_error(
                    f"the saved {MODEL_TITLES[kind]} could not be restored: {exc}"
                )
                continue
            self._show_model(MODEL_KINDS.index(kind), cfg, model, note="restored")
        self.set_active(int(state.get("active", 1)) % len(self._slots))
        self.set_layout(str(state.get("layout", "side")))

    def shutdown(self) -> None:
        """Stop the three trainings (each stops at its next report, within ~0.2 s)."""
        # Abort all three first so they wind down together; the base class's
        # per-runner wait then has nothing left to wait for.
        for slot in self._slots:
            slot.runner.abort()
        super().shutdown()
