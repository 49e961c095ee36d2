"""The views half of the latent panel: its widgets, clicks, strips and grid.

:class:`LatentViews` builds the widgets, binds them to :class:`LatentState`
and draws what follows from the models' latest reports: the decoded click, the
hovered digit, the interpolation strips and the manifold grid of the active
model.  :class:`explorer.panels.latent.panel.LatentPanel` adds the training
runs, files and sessions.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from explorer.core.data import MNIST_CREDIT, Digits, load_mnist
from explorer.core.latent import (
    MODEL_KINDS,
    MODEL_TITLES,
    decode,
    encode,
    interpolate,
    manifold_grid,
    tile,
)
from explorer.panels.base import AppContext, PanelBase
from explorer.panels.latent.controls import RECON_SHORT, SPACING_TITLES, ControlBar
from explorer.panels.latent.side import (
    PREVIEW_HINT,
    DecodeColumn,
    objective_html,
)
from explorer.panels.latent.slots import ModelSlot
from explorer.panels.latent.state import BETA_STEPS_PER_UNIT, LatentState
from explorer.panels.latent.tabs import InterpolationTab, ManifoldTab
from explorer.panels.latent.views import (
    LatentScatter,
    LossCurves,
    class_legend_html,
    short_name,
)
from explorer.widgets.binding import Binder


class LatentViews(PanelBase):
    """The latent panel's widgets and the views drawn from the models' reports."""

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._data: Digits = load_mnist()
        self._data_is_bundled = True
        self._active = LatentState().active
        self._layout_mode: str = LatentState().layout
        self._click: tuple[float, float] | None = None
        self._ends: list[NDArray[np.float32] | None] = [None, None]
        self._next_end = 0
        self._slots: list[ModelSlot] = []  # filled by the panel
        self._build_ui()
        self.binder = Binder(LatentState, self)
        c, ends, grid = self.controls, self.ends_bar, self.grid_bar
        self.binder.bind("beta", c.beta, scale=BETA_STEPS_PER_UNIT)
        for name, widget in (
            ("latent_dim", c.latent_dim),
            ("arch", c.arch),
            ("recon", c.recon),
            ("noise", c.noise),
            ("epochs", c.epochs),
            ("seed", c.seed),
            ("steps", ends.steps),
            ("grid_n", grid.n),
            ("grid_spacing", grid.spacing),
            ("grid_range", grid.extent),
        ):
            self.binder.bind(name, widget)
        for i, scatter in enumerate(self._scatters):
            scatter.clicked.connect(lambda x, y, i=i: self._on_scatter_clicked(i, x, y))
            scatter.dragged.connect(lambda x, y, i=i: self._on_scatter_clicked(i, x, y))
            scatter.hovered.connect(lambda j, i=i: self._on_scatter_hovered(i, j))
            scatter.picked.connect(lambda j, i=i: self._on_scatter_picked(i, j))
            scatter.activated.connect(lambda i=i: self.set_active(i))

    # -- UI ------------------------------------------------------------------------
    def _build_ui(self) -> None:
        theme = self.context.theme
        self.controls = ControlBar()
        self.run_bar = self.controls.run_bar
        self.mark_secondary(*self.controls.secondary)
        self.controls.layout_changed.connect(self.set_layout)
        self.body.addWidget(self.controls)

        self.scatter_area = QWidget()
        row = QHBoxLayout(self.scatter_area)
        row.setContentsMargins(0, 0, 0, 0)
        self._scatters = [LatentScatter(theme, MODEL_TITLES[k]) for k in MODEL_KINDS]
        for s in self._scatters:
            # Equal stretch: the visible scatters share the width equally, whatever
            # their texts, after any switch between "One large" and "Side by side".
            row.addWidget(s, 1)
        # The class legend stands beside the scatters: they are short of height
        # (aspect-locked planes), not of width.
        legend_box = QVBoxLayout()
        self.legend_title = QLabel("<b>class</b>")
        self.legend = QLabel(class_legend_html())
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.data_name = QLabel()
        for w in (self.legend_title, self.legend, self.data_name):
            w.setToolTip(
                "Colours of the digit classes (Okabe–Ito, colour-blind safe).\n"
                + MNIST_CREDIT
            )
            legend_box.addWidget(w)
        legend_box.addStretch(1)
        row.addLayout(legend_box)
        self.show_data_name("MNIST-5k", len(self._data.images))

        self.strip_tab = InterpolationTab(theme, len(self._data.images))
        self.ends_bar = self.strip_tab.ends_bar
        self.ends_bar.changed.connect(self._on_ends_changed)
        self.ends_bar.rejected.connect(self.show_error)
        self.strips = self.strip_tab.strips
        self.norm_lerp = self.strip_tab.norm_lerp
        self.norm_slerp = self.strip_tab.norm_slerp
        self.mark_secondary(*self.strip_tab.secondary)
        self.grid_tab = ManifoldTab(theme)
        self.grid_bar = self.grid_tab.grid_bar
        self.grid_bar.changed.connect(self._refresh_grid)
        self.grid_bar.model_changed.connect(self.set_active)
        self.grid_bar.rejected.connect(self.show_error)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.strip_tab, "Interpolation")
        self.tabs.addTab(self.grid_tab, "Decoded manifold")
        self.curves = LossCurves(theme, [MODEL_TITLES[k] for k in MODEL_KINDS])
        loss_tab = QWidget()
        loss_col = QVBoxLayout(loss_tab)
        loss_col.setContentsMargins(4, 2, 4, 2)
        loss_row = QHBoxLayout()
        for widget in self.controls.loss_widgets:
            loss_row.addWidget(widget)
        loss_row.addStretch(1)
        loss_col.addLayout(loss_row)
        loss_col.addWidget(self.curves, 1)
        self.tabs.addTab(loss_tab, "Loss curves")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_active_views())

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.scatter_area)
        left.addWidget(self.tabs)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 2)
        left.setSizes([480, 360])

        self.side = DecodeColumn(theme)
        self.preview, self.hover = self.side.preview, self.side.hover
        self.formula = self.side.formula
        self.mark_secondary(self.hover)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.side)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        self.body.addWidget(split, 1)

    def show_data_name(self, name: str, count: int) -> None:
        """Say which digits the models train on (the full name in the tooltip)."""
        self.data_name.setText(f"{short_name(name)}<br>{count:,}")
        self.data_name.setToolTip(f"Training digits: {name}, {count:,} images")

    def apply_theme(self) -> None:
        """Widen the side column with the presentation scale."""
        self.side.apply_scale()
        self._fit_formula()

    def _fit_formula(self) -> None:
        self.side.fit_formula(self.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        """Refit the formula card to its new width."""
        super().resizeEvent(event)
        self._fit_formula()

    def set_layout(self, mode: str) -> None:
        """Show the three latent spaces side by side ("side") or one large."""
        self._layout_mode = mode
        visible = [mode == "side" or i == self._active for i in range(len(MODEL_KINDS))]
        for s, show in zip(self._scatters, visible, strict=True):
            s.setVisible(show)
        self.controls.show_layout(mode)
        self.strip_tab.show_models(visible)

    def set_active(self, i: int) -> None:
        """Make model ``i`` (0 AE, 1 VAE, 2 β-VAE) the one the side views follow."""
        self._active = i
        self.grid_bar.show_model(i)
        for j, s in enumerate(self._scatters):
            s.set_active(j == i)
            # The decoded point belongs to the model that decodes it.
            s.set_marker(self._click if j == i else None)
        if self._layout_mode == "large":
            self.set_layout("large")
        if self._slots:
            self._refresh_active_views()

    # -- clicks, hover, endpoints --------------------------------------------------
    def _on_scatter_clicked(self, i: int, x: float, y: float) -> None:
        self._click = (x, y)
        for j, s in enumerate(self._scatters):
            s.set_marker((x, y) if j == i else None)
        self._decode_click()

    def _decode_click(self) -> None:
        slot = self._slots[self._active]
        if self._click is None:
            self.preview.clear(PREVIEW_HINT)
            return
        if slot.model is None or slot.projection is None:
            self.preview.clear(
                f"{MODEL_TITLES[slot.kind]}: waiting for the model to decode the point"
            )
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
            for row in self.strips[i]:
                row.clear()
            slot.scatter.set_paths(None, None)
            if i == self._active:
                self.strip_tab.clear_norms()
            return
        lerp_codes, slerp_codes = codes
        lerp_row, slerp_row = self.strips[i]
        lerp_row.set_image(tile(decode(slot.model, lerp_codes)[None]))
        slerp_row.set_image(tile(decode(slot.model, slerp_codes)[None]))
        slot.scatter.set_paths(
            slot.projection.project(lerp_codes), slot.projection.project(slerp_codes)
        )
        if i == self._active:
            self.strip_tab.show_norms(lerp_codes, slerp_codes)

    # -- side views of the active model --------------------------------------------
    def _refresh_active_views(self, *, strip: bool = True) -> None:
        slot = self._slots[self._active]
        p = slot.progress
        if p is None:
            self.formula.set_formula(objective_html(slot.cfg.recon))
            self.formula.set_values(
                {"model": slot.cfg.title, "state": "waiting for its first report"}
            )
        else:
            cfg = p.config
            self.formula.set_formula(objective_html(cfg.recon))
            loss_name = "loss = recon"
            if cfg.model == "vae":
                loss_name += " + KL" + (" (−ELBO)" if cfg.recon == "bce" else "")
            elif cfg.model == "beta-vae":
                loss_name += " + β·KL (β-VAE objective)"
            values: dict[str, object] = {"model": cfg.title}
            if slot.note and p.step == 0:
                values["weights"] = slot.note  # not trained here: no epoch count
            else:
                values["epoch"] = f"{p.epoch:.2f}".rstrip("0").rstrip(".")
            values[f"recon ({RECON_SHORT[cfg.recon]})"] = p.losses["recon"]
            values["KL (unweighted)"] = p.losses["kl"]
            values["β"] = cfg.kl_weight
            values[loss_name] = p.losses["loss"]
            self.formula.set_values(values)
        self._fit_formula()
        self._decode_click()
        if strip:
            self._refresh_strip(self._active)
        if self.tabs.currentIndex() == 1:
            self._refresh_grid()

    def _refresh_grid(self) -> None:
        slot = self._slots[self._active]
        if slot.model is None or slot.projection is None:
            self.grid_tab.clear(f"{slot.cfg.title}: no model to decode yet")
            return
        spacing = self.grid_bar.spacing.currentData()
        images, coords = manifold_grid(
            slot.model,
            slot.projection,
            self.grid_bar.n.value(),
            spacing,
            self.grid_bar.extent.value(),
        )
        names = slot.scatter.axis_names(slot.projection.label)
        self.grid_tab.set_grid(tile(images, pad=1), coords, names)
        self.grid_tab.title.setText(
            f"{slot.cfg.title}: decoded {len(coords)}×{len(coords)} grid over "
            f"{slot.projection.label}; {SPACING_TITLES[spacing]} spacing"
        )

    def set_end_image(self, k: int, image: NDArray[np.float32]) -> None:
        """Use ``image`` (28×28 in [0, 1]) as interpolation end ``k`` (0 = A, 1 = B)."""
        self._ends[k] = np.asarray(image, np.float32)
        self._on_ends_changed()

    def main_view(self) -> QWidget:
        """Return the latent scatters (the view worth exporting)."""
        return self.scatter_area
