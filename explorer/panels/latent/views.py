"""The latent panel's views: a clickable latent scatter, digit images, loss curves.

All of them take colours from the theme and are updated with ``setData`` /
``setImage`` on items made once.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QEvent, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QVBoxLayout, QWidget

from explorer.widgets.plot_pane import PlotPane, opaque_viewport, stepped_span
from explorer.widgets.theme import CATEGORICAL_10, ThemeManager

HOVER_RADIUS_PX = 8.0
_CIRCLE = np.linspace(0.0, 2.0 * math.pi, 73)

# Grey look-up table (black → white): digits look like MNIST in every theme.
GREY_LUT = np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


def class_legend_html(n_classes: int = 10, rows: int = 5) -> str:
    """Return an HTML table legend of the digit classes, ``rows`` rows high."""
    cols = math.ceil(n_classes / rows)
    cells = []
    for r in range(rows):
        row = ""
        for c in range(cols):
            k = c * rows + r
            if k < n_classes:
                row += (
                    f"<td><span style='color:{CATEGORICAL_10[k]}'>&#9679;</span>"
                    f"&nbsp;{k}&nbsp;</td>"
                )
        cells.append(f"<tr>{row}</tr>")
    return f"<table cellspacing='0'>{''.join(cells)}</table>"


def short_name(name: str, limit: int = 12) -> str:
    """Return ``name`` cut to ``limit`` characters with an ellipsis (a narrow label)."""
    return name if len(name) <= limit else name[: limit - 1] + "…"


class DigitImage(QFrame):
    """A title and a grey image (values in [0, 1]) kept at its aspect ratio."""

    def __init__(
        self, theme: ThemeManager, title: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._theme = theme
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.title = QLabel(title)
        self.title.setWordWrap(True)
        self.view = pg.GraphicsView()
        opaque_viewport(self.view)
        self.box = pg.ViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.box.setMenuEnabled(False)
        self.view.setCentralItem(self.box)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(GREY_LUT)
        self.box.addItem(self.image)
        self.view.setSizePolicy(
            QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding
        )
        layout.addWidget(self.title)
        layout.addWidget(self.view, 1)
        self.title.setVisible(bool(title))
        theme.changed.connect(self._on_theme_changed)
        self._on_theme_changed()

    def hasHeightForWidth(self) -> bool:
        """Return False: the wrapped title must not make a box layout keep it tall."""
        return False

    def set_image(self, image: NDArray[np.float32]) -> None:
        """Show ``image`` (H, W) with 0 as black and 1 as white."""
        first = self.image.image is None or self.image.image.shape != image.shape
        self.image.setImage(image, levels=(0.0, 1.0), autoLevels=False)
        if first:
            self.box.autoRange(padding=0.0)

    def has_image(self) -> bool:
        """Return whether an image is shown."""
        return self.image.image is not None

    def clear(self, title: str | None = None) -> None:
        """Show no image; with ``title``, show that caption instead of the old one."""
        self.image.clear()
        if title is not None:
            self.title.setText(title)

    def _on_theme_changed(self) -> None:
        self.view.setBackground(self._theme.palette.plot_bg)


class LatentScatter(QFrame):
    """One model's latent codes as a class-coloured scatter that reacts to the mouse.

    * hovering near a code emits ``hovered(index)`` (−1 when leaving points);
    * a left click anywhere emits ``clicked(x, y)``; dragging emits ``dragged(x, y)``;
    * Shift + click emits ``picked(index)`` with the nearest code (an endpoint);
    * any press emits ``activated()``.

    The wheel still zooms; double-click-free: the ViewBox menu "View All" resets.
    """

    hovered = Signal(int)
    clicked = Signal(float, float)
    dragged = Signal(float, float)
    picked = Signal(int)
    activated = Signal()

    def __init__(
        self, theme: ThemeManager, title: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("latentScatter")
        self._theme = theme
        self._points = np.zeros((0, 2), np.float32)
        self._dragging = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        self.header = QLabel(title)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.status = QLabel("untrained")
        for label in (self.header, self.status):
            # Long texts wrap instead of widening the whole panel.
            label.setWordWrap(True)
            label.setMinimumWidth(60)
        self.plot = PlotPane(theme, x_label="z₁", y_label="z₂")
        self.plot.setAspectLocked(True)
        self.plot.setToolTip(
            "Click to decode a point of the latent space, drag to decode live;\n"
            "Shift+click a digit to make it an end of the interpolation.\n"
            "Wheel: zoom. Right-click ▸ View All: reset the view."
        )
        self.plot.setMinimumSize(100, 100)
        layout.addWidget(self.header)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.status)
        ring = self.plot.add_curve(
            "N(0, I): 1σ, 2σ", color="#888888", width=1.0, dashed=True
        )
        ring.setData(*self._rings())
        self.classes = [
            self.plot.add_scatter(str(c), color=CATEGORICAL_10[c], size=4.0)
            for c in range(10)
        ]
        self.lerp_path = self.plot.add_curve("lerp", color_index=0, width=2.0)
        self.slerp_path = self.plot.add_curve(
            "slerp", color_index=1, width=2.0, dashed=True
        )
        self.sigma = self.plot.add_curve("μ ± σ", color_index=2, width=2.0)
        self.ends = self.plot.add_scatter("A, B", color_index=7, size=11.0, symbol="s")
        self.marker = self.plot.add_scatter(
            "decoded z", color_index=5, size=16.0, symbol="+"
        )
        self._labels = np.zeros(0, np.int64)
        # The view follows the codes in round steps (pyqtgraph's auto range moved it
        # on every report, redrawing both axes and painting each report twice)
        # until the user zooms or pans; "View All" makes it follow again.
        self._follow = True
        self._shown: tuple[tuple[float, float], ...] = ()
        box = self.plot.getPlotItem().getViewBox()
        box.sigRangeChangedManually.connect(self._on_user_range)
        if box.menu is not None:
            box.menu.viewAll.triggered.connect(self._follow_codes)
        self._axis_names: tuple[str, str] = ("z₁", "z₂")
        self.plot.viewport().installEventFilter(self)
        self.plot.viewport().setMouseTracking(True)
        self.set_active(False)
        theme.changed.connect(self._restyle_frame)

    # -- data ----------------------------------------------------------------------
    @staticmethod
    def _rings() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        x = np.concatenate([np.cos(_CIRCLE), [np.nan], 2 * np.cos(_CIRCLE)])
        y = np.concatenate([np.sin(_CIRCLE), [np.nan], 2 * np.sin(_CIRCLE)])
        return x, y

    def set_points(
        self, points: NDArray[np.float32], labels: NDArray[np.int64]
    ) -> None:
        """Show 2-D ``points`` (N, 2) coloured by ``labels`` (0–9)."""
        self._points = np.asarray(points, np.float32)
        self._labels = np.asarray(labels, np.int64)
        for c, item in enumerate(self.classes):
            sel = self._labels % 10 == c
            item.setData(x=self._points[sel, 0], y=self._points[sel, 1])
        self._fit_view()

    def _fit_view(self) -> None:
        """Range the view over the codes and the 2σ ring, in round steps; a shown
        range is kept while the codes fill more than half of it."""
        if not self._follow:
            return
        pts = self._points[np.isfinite(self._points).all(axis=1)]
        lo = np.minimum(pts.min(axis=0), -2.0) if len(pts) else np.full(2, -2.0)
        hi = np.maximum(pts.max(axis=0), 2.0) if len(pts) else np.full(2, 2.0)
        ranges = []
        for axis in range(2):
            a, b = float(lo[axis]), float(hi[axis])
            shown = self._shown[axis] if self._shown else None
            if (
                shown
                and shown[0] <= a
                and b <= shown[1]
                and b - a > (shown[1] - shown[0]) / 2
            ):
                ranges.append(shown)
            else:
                ranges.append(stepped_span(a, b))
        self._shown = tuple(ranges)
        self.plot.set_live_range(ranges[0], ranges[1])

    def _on_user_range(self, *_: object) -> None:
        self._follow = False  # a wheel zoom or a pan: the view stays where put

    def _follow_codes(self) -> None:
        self._follow, self._shown = True, ()
        self._fit_view()

    @staticmethod
    def axis_names(text: str) -> tuple[str, str]:
        """Return the axis names of a projection label (z₁/z₂ or the principal axes)."""
        pca = text.startswith("PCA")
        return ("PC 1", "PC 2") if pca else ("z₁", "z₂")

    def set_axis_labels(self, text: str) -> None:
        """Name the axes after the projection (z₁/z₂ or the principal axes)."""
        names = self.axis_names(text)
        if names == self._axis_names:
            return  # setLabel re-lays out and redraws the axis even when unchanged
        self._axis_names = names
        item = self.plot.getPlotItem()
        item.setLabel("bottom", names[0])
        item.setLabel("left", names[1])

    def set_marker(self, point: tuple[float, float] | None) -> None:
        """Mark the decoded point (or clear the mark)."""
        if point is None:
            self.marker.setData(x=[], y=[])
        else:
            self.marker.setData(x=[point[0]], y=[point[1]])

    def set_paths(
        self, lerp: NDArray[np.float32] | None, slerp: NDArray[np.float32] | None
    ) -> None:
        """Draw the interpolation paths (2-D points) and their ends, or clear them."""
        for item, path in ((self.lerp_path, lerp), (self.slerp_path, slerp)):
            if path is None:
                item.setData([], [])
            else:
                item.setData(path[:, 0], path[:, 1])
        if lerp is None:
            self.ends.setData(x=[], y=[])
        else:
            self.ends.setData(x=lerp[[0, -1], 0], y=lerp[[0, -1], 1])

    def set_sigma(
        self, center: NDArray[np.float32] | None, std: NDArray[np.float32] | None
    ) -> None:
        """Draw the ellipse μ ± σ of a hovered code (axis-aligned 2-D codes only)."""
        if center is None or std is None or not np.any(std > 0):
            self.sigma.setData([], [])
            return
        self.sigma.setData(
            center[0] + std[0] * np.cos(_CIRCLE), center[1] + std[1] * np.sin(_CIRCLE)
        )

    def set_active(self, active: bool) -> None:
        """Frame the scatter in the accent colour when it is the active model."""
        self._active = active
        self._restyle_frame()

    def _restyle_frame(self) -> None:
        p = self._theme.palette
        color = p.accent if self._active else p.grid
        width = max(1, round((3 if self._active else 1) * self._theme.scale))
        self.setStyleSheet(
            f"QFrame#latentScatter {{ border: {width}px solid {color}; "
            "border-radius: 4px; }"
        )

    # -- mouse ---------------------------------------------------------------------
    def view_point(self, pos: QPointF) -> tuple[float, float] | None:
        """Return the latent-plane point under viewport position ``pos`` (or None)."""
        box = self.plot.getPlotItem().getViewBox()
        scene = self.plot.mapToScene(pos.toPoint())
        if not box.sceneBoundingRect().contains(scene):
            return None
        p = box.mapSceneToView(scene)
        return float(p.x()), float(p.y())

    def widget_pos(self, x: float, y: float) -> QPointF:
        """Return the viewport position of latent-plane point (x, y) (for tests)."""
        box = self.plot.getPlotItem().getViewBox()
        scene = box.mapViewToScene(QPointF(x, y))
        return QPointF(self.plot.mapFromScene(scene))

    def nearest(self, x: float, y: float) -> int:
        """Return the index of the code nearest (x, y) within a few pixels, else −1."""
        if len(self._points) == 0:
            return -1
        px, py = self.plot.getPlotItem().getViewBox().viewPixelSize()
        d = ((self._points[:, 0] - x) / px) ** 2 + ((self._points[:, 1] - y) / py) ** 2
        i = int(np.argmin(d))
        return i if d[i] <= HOVER_RADIUS_PX**2 else -1

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Turn viewport mouse events into hover / click / drag / pick signals."""
        kind = event.type()
        if kind not in (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.Leave,
        ):
            return False
        if kind == QEvent.Type.Leave:
            self.hovered.emit(-1)
            return False
        assert isinstance(event, QMouseEvent)
        point = self.view_point(event.position())
        if kind == QEvent.Type.MouseButtonPress:
            if event.button() != Qt.MouseButton.LeftButton or point is None:
                return False
            self.activated.emit()
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                i = self.nearest(*point)
                if i >= 0:
                    self.picked.emit(i)
                return True
            self._dragging = True
            self.clicked.emit(*point)
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            if self._dragging:
                self._dragging = False
                return True
            return False
        if point is None:
            return False
        if self._dragging:
            self.dragged.emit(*point)
            return True
        self.hovered.emit(self.nearest(*point))
        return False


class LossCurves(QWidget):
    """Two plots of the three models' losses per epoch: recon & total, and KL."""

    def __init__(
        self, theme: ThemeManager, names: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from PySide6.QtWidgets import QHBoxLayout

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.recon_plot = PlotPane(
            theme,
            title="reconstruction (solid), total loss (dashed)",
            x_label="epoch",
            y_label="loss per digit",
        )
        self.kl_plot = PlotPane(
            theme,
            title="KL(q(z|x) ‖ N(0, I)), unweighted",
            x_label="epoch",
            y_label="nats / digit",
        )
        for plot in (self.recon_plot, self.kl_plot):
            # Top right: the losses fall from the left, so the corner stays empty.
            plot.add_legend().anchor((1, 0), (1, 0), offset=(-10, 10))
        self.recon: list[pg.PlotDataItem] = []
        self.total: list[pg.PlotDataItem] = []
        self.kl: list[pg.PlotDataItem] = []
        for i, name in enumerate(names):
            self.recon.append(self.recon_plot.add_curve(name, color_index=i))
            self.total.append(self.recon_plot.add_curve(color_index=i, dashed=True))
            self.kl.append(self.kl_plot.add_curve(name, color_index=i))
        layout.addWidget(self.recon_plot)
        layout.addWidget(self.kl_plot)

    def set_history(
        self, i: int, epochs: list[float], rows: list[tuple[float, float, float]]
    ) -> None:
        """Show model ``i``'s history: epochs and (recon, kl, total) per report."""
        if not rows:
            for items in (self.recon, self.total, self.kl):
                items[i].setData([], [])
            return
        arr = np.asarray(rows, np.float64)
        x = np.asarray(epochs, np.float64)
        # The untrained model's loss (epoch 0) dwarfs the rest: start after it.
        keep = x > 0 if np.any(x > 0) else np.ones_like(x, bool)
        self.recon[i].setData(x[keep], arr[keep, 0])
        self.kl[i].setData(x[keep], arr[keep, 1])
        self.total[i].setData(x[keep], arr[keep, 2])
