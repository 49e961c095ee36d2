"""The grid drawn for projection: value heat map or Q triangles, arrows, the agent.

Items are made once per world layout (:meth:`GridView.set_world`) and then updated
with ``setData`` / ``setImage`` / ``setText`` on every report (:meth:`GridView.show`).
Row 0 is at the top (the y axis is inverted); cell (r, c) covers x ∈ [c, c+1],
y ∈ [r, r+1].
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from numpy.typing import NDArray
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QWidget

from explorer.core.gridworld import ACTIONS, GridProgress, GridWorld
from explorer.widgets.plot_pane import PlotPane
from explorer.widgets.theme import OKABE_ITO, ThemeManager

INK = "#111111"  # cells are drawn on a light-centred diverging map in every theme
WALL = "#3d4047"
AGENT = OKABE_ITO[1]
GREEDY = OKABE_ITO[2]
TELEPORT = OKABE_ITO[3]
MAX_NUMBERS = 144  # value numbers are written in cells up to this many cells
EVALUATION_ALGOS = ("policy-evaluation", "td0")  # they evaluate the random policy
MAX_LABELS = 900  # cell markers (S, T, X, rewards) up to this many cells


def _triangle_index(n: int) -> NDArray[np.int64]:
    """Return an n×n map of which triangle (up, right, down, left) each pixel is in."""
    y, x = np.mgrid[0:n, 0:n] + 0.5
    u, v = x / n - 0.5, y / n - 0.5  # v grows downwards, like rows
    idx = np.where(np.abs(v) >= np.abs(u), np.where(v < 0, 0, 2), np.where(u > 0, 1, 3))
    return idx.astype(np.int64)


def nice_ceiling(x: float) -> float:
    """Return the smallest of 1, 2, 2.5, 5 × 10^k that is ≥ ``x`` (1 for x ≤ 1e-12).

    The colour scale of the value map uses it: the scale (and its colour bar, whose
    axis is costly to redraw) changes only when the values cross such a step,
    not at every sweep, and its ends are round numbers.
    """
    if not np.isfinite(x) or x <= 1e-12:
        return 1.0
    base = 10.0 ** np.floor(np.log10(x))
    for step in (1.0, 2.0, 2.5, 5.0, 10.0):
        if step * base >= x * (1.0 - 1e-12):
            return float(step * base)
    return float(10.0 * base)


class GridView(PlotPane):
    """A grid world and the latest report of a job on it.

    Signals
    -------
    cell_clicked(row, col)
        Left click on a cell.
    cell_menu_requested(row, col, global_pos)
        Right click on a cell.
    """

    cell_clicked = Signal(int, int)
    cell_menu_requested = Signal(int, int, QPoint)

    def __init__(
        self, theme: ThemeManager, title: str = "", parent: QWidget | None = None
    ):
        super().__init__(theme, title=title, parent=parent)
        plot = self.getPlotItem()
        plot.invertY(True)
        plot.setAspectLocked(True)
        plot.hideAxis("left")
        plot.hideAxis("bottom")
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.vb.setMouseEnabled(False, False)
        self.showGrid(x=False, y=False)
        self.setMinimumSize(240, 200)
        self._heat = self.add_image("diverging")
        self._walls = pg.ImageItem(axisOrder="row-major")
        self.addItem(self._walls)
        self._lines = pg.PlotDataItem(connect="pairs")
        self._diagonals = pg.PlotDataItem(connect="pairs")
        self._arrows = pg.PlotDataItem(connect="pairs")
        self._teleports = pg.PlotDataItem(connect="pairs")
        self._trail = pg.PlotDataItem()
        self._greedy = pg.PlotDataItem()
        self._agent = pg.ScatterPlotItem(pxMode=False, symbol="o")
        for item in (
            self._diagonals,
            self._greedy,
            self._lines,
            self._arrows,
            self._teleports,
            self._trail,
            self._agent,
        ):
            self.addItem(item)
        self._numbers: list[tuple[tuple[int, int], pg.TextItem]] = []
        self._marks: list[pg.TextItem] = []
        self._base_pt: dict[int, float] = {}
        self._world: GridWorld | None = None
        self.show_q = False
        self.show_numbers = True
        self.last: GridProgress | None = None
        self.colorbar = self.add_colorbar(self._heat, values=(-1, 1))
        self.colorbar.axis.enableAutoSIPrefix(False)  # values, not "(×1e3)"
        self.scene().sigMouseClicked.connect(self._on_scene_clicked)
        self._theme.changed.connect(self._restyle_grid)

    # -- layout ----------------------------------------------------------------
    @property
    def world(self) -> GridWorld | None:
        """The world drawn."""
        return self._world

    def set_world(self, world: GridWorld) -> None:
        """Draw ``world`` (walls, markers, wind) and clear the job's overlay."""
        self._world = world
        self.last = None
        rgba = np.zeros((world.rows, world.cols, 4), dtype=np.uint8)
        wall = pg.mkColor(WALL)
        for r, c in world.walls:
            rgba[r, c] = (wall.red(), wall.green(), wall.blue(), 255)
        self._walls.setImage(rgba, levels=(0, 255))
        self._walls.setRect(QRectF(0, 0, world.cols, world.rows))
        self._walls.setZValue(2)
        xs: list[float] = []
        ys: list[float] = []
        for r in range(world.rows + 1):
            xs += [0, world.cols]
            ys += [r, r]
        for c in range(world.cols + 1):
            xs += [c, c]
            ys += [0, world.rows]
        self._grid_xy = (np.array(xs, dtype=float), np.array(ys, dtype=float))
        dx: list[float] = []
        dy: list[float] = []
        for r, c in world.cells():
            if (r, c) not in world.terminals and (r, c) not in world.resets:
                dx += [c, c + 1, c + 1, c]
                dy += [r, r + 1, r, r + 1]
        self._diag_xy = (np.array(dx, dtype=float), np.array(dy, dtype=float))
        movable = [
            cell
            for cell in world.cells()
            if cell not in world.terminals and cell not in world.resets
        ]
        self._arrow_cells = (
            np.array([r for r, _ in movable], dtype=np.int64),
            np.array([c for _, c in movable], dtype=np.int64),
        )
        tx: list[float] = []
        ty: list[float] = []
        for t in world.teleports:
            tx += [t.source[1] + 0.5, t.target[1] + 0.5]
            ty += [t.source[0] + 0.5, t.target[0] + 0.5]
        self._teleports.setData(tx, ty)
        self._rebuild_labels(world)
        self._restyle_grid()
        margin = 0.9 if any(world.wind) else 0.1
        self.getPlotItem().vb.setRange(
            xRange=(0, world.cols), yRange=(0, world.rows + margin), padding=0.02
        )
        self.display(None)

    def _text(
        self,
        text: str,
        x: float,
        y: float,
        *,
        anchor: tuple[float, float] = (0.5, 0.5),
        color: str = INK,
        bold: bool = False,
        size: float = 9.0,
    ) -> pg.TextItem:
        item = pg.TextItem(text, color=color, anchor=anchor)
        font = QFont()
        font.setPointSizeF(size * self._theme.scale)
        font.setBold(bold)
        item.setFont(font)
        item.setPos(x, y)
        item.setZValue(6)
        self.addItem(item)
        self._base_pt[id(item)] = size
        return item

    def _rebuild_labels(self, world: GridWorld) -> None:
        for _cell, item in self._numbers:
            self.removeItem(item)
        for item in self._marks:
            self.removeItem(item)
        self._numbers, self._marks = [], []
        self._base_pt = {}
        n_cells = world.rows * world.cols
        if n_cells <= MAX_LABELS:
            big = 12.0 if n_cells <= 100 else 8.0
            for r, c in world.cells():
                mark = ""
                if (r, c) == world.start:
                    mark = "S"
                elif (r, c) in world.terminals:
                    mark = "T"
                elif (r, c) in world.resets:
                    mark = "X"
                if mark:
                    self._marks.append(
                        self._text(
                            mark, c + 0.08, r + 0.04, anchor=(0, 0), bold=True, size=big
                        )
                    )
                if (r, c) in world.rewards:
                    self._marks.append(
                        self._text(
                            f"{world.rewards[(r, c)]:+g}",
                            c + 0.95,
                            r + 0.04,
                            anchor=(1, 0),
                            size=7.5,
                        )
                    )
            for t in world.teleports:
                self._marks.append(
                    self._text(
                        f"⇒{t.reward:+g}",
                        t.source[1] + 0.95,
                        t.source[0] + 0.04,
                        anchor=(1, 0),
                        color=TELEPORT,
                        bold=True,
                        size=8.5,
                    )
                )
        for c, w in enumerate(world.wind):
            if w:
                arrow = "↑" if w > 0 else "↓"
                self._marks.append(
                    self._text(
                        f"{arrow}{abs(w)}",
                        c + 0.5,
                        world.rows + 0.1,
                        anchor=(0.5, 0),
                        color=self._theme.palette.text,
                        bold=True,
                        size=9.0,
                    )
                )
        if n_cells <= MAX_NUMBERS:
            for r, c in world.cells():
                if (r, c) not in world.terminals and (r, c) not in world.resets:
                    item = self._text("", c + 0.5, r + 0.97, anchor=(0.5, 1), size=8.0)
                    self._numbers.append(((r, c), item))

    def _restyle_grid(self) -> None:
        if self._world is None:
            return
        scale = self._theme.scale
        self._lines.setData(*self._grid_xy)
        self._lines.setPen(pg.mkPen(self._theme.palette.grid, width=1.0 * scale))
        self._lines.setZValue(3)
        self._diagonals.setPen(pg.mkPen(self._theme.palette.grid, width=0.8 * scale))
        self._diagonals.setZValue(3)
        self._arrows.setPen(pg.mkPen(INK, width=1.6 * scale))
        self._arrows.setZValue(4)
        self._teleports.setPen(
            pg.mkPen(TELEPORT, width=2.0 * scale, style=Qt.PenStyle.DashLine)
        )
        self._teleports.setZValue(5)
        self._trail.setPen(pg.mkPen(pg.mkColor(AGENT), width=2.0 * scale))
        self._trail.setOpacity(0.75)
        self._trail.setZValue(5)
        self._greedy.setPen(
            pg.mkPen(GREEDY, width=4.0 * scale, style=Qt.PenStyle.DashLine)
        )
        self._greedy.setZValue(5)
        self._agent.setBrush(pg.mkBrush(AGENT))
        self._agent.setPen(pg.mkPen(INK, width=1.5 * scale))
        self._agent.setZValue(7)
        axis = self.colorbar.axis
        font = QFont()
        font.setPointSizeF(9.0 * scale)
        axis.setStyle(tickFont=font)
        axis.setPen(pg.mkPen(self._theme.palette.plot_fg))
        axis.setTextPen(pg.mkPen(self._theme.palette.plot_fg))
        axis.setLabel(
            "value",
            color=self._theme.palette.plot_fg,
            **{"font-size": f"{10 * scale:.0f}pt"},
        )
        self._fit_text()

    def _cell_px(self) -> float:
        """Return the on-screen size of a cell in pixels."""
        if self._world is None:
            return 40.0
        rect = self.getPlotItem().vb.sceneBoundingRect()
        per_col = float(rect.width()) / self._world.cols
        per_row = float(rect.height()) / (self._world.rows + 0.3)
        return max(4.0, min(per_col, per_row))

    def _fit_text(self) -> None:
        """Size the labels to the cells: never larger than the cell allows."""
        scale = self._theme.scale
        px = self._cell_px()
        for item in self._marks + [t for _c, t in self._numbers]:
            base = self._base_pt.get(id(item), 9.0) * scale
            font = item.textItem.font()
            # a cell holds about five characters of a number across
            font.setPointSizeF(max(5.0, min(base, px / 5.5)))
            item.setFont(font)

    def resizeEvent(self, event: object) -> None:
        """Refit the labels when the view changes size."""
        super().resizeEvent(event)
        if "_base_pt" in self.__dict__:  # pyqtgraph resizes during __init__
            self._fit_text()

    # -- per report --------------------------------------------------------------
    def display(self, progress: GridProgress | None) -> None:
        """Draw ``progress`` (None: zero values and the agent at the start)."""
        world = self._world
        if world is None:
            return
        self.last = progress
        if progress is None:
            values = np.where(self._wall_mask(world), np.nan, 0.0)
            policy = None
            q = None
            agent = world.start
            trail: tuple[tuple[int, int], ...] = ()
        else:
            values, policy, q = progress.values, progress.policy, progress.q
            agent, trail = progress.agent or world.start, progress.trail
        finite = values[np.isfinite(values)]
        if self.show_q and q is not None:
            finite = q[np.isfinite(q)]
        top = nice_ceiling(float(np.max(np.abs(finite))) if finite.size else 0.0)
        triangles = self.show_q and q is not None
        image = self._triangles(q) if triangles and q is not None else values
        self._diagonals.setData(*(self._diag_xy if triangles else ([], [])))
        self._heat.setImage(np.nan_to_num(image, nan=0.0), levels=(-top, top))
        self._heat.setRect(QRectF(0, 0, world.cols, world.rows))
        if tuple(self.colorbar.values) != (-top, top):
            # a new range redraws the bar's axis (its ticks laid out again): only
            # when it changes, not at each report
            self.colorbar.setLevels((-top, top))
        self._draw_arrows(world, policy)
        self._agent.setData([agent[1] + 0.5], [agent[0] + 0.5], size=0.36)
        # evaluation methods show the evaluated policy's arrows, not a greedy one
        evaluates = progress is None or progress.algo in EVALUATION_ALGOS
        path = [] if evaluates or progress is None else self.greedy_path(progress)
        if len(path) > 1:
            cells = np.array(path, dtype=float)
            self._greedy.setData(cells[:, 1] + 0.5, cells[:, 0] + 0.5)
        else:
            self._greedy.setData([], [])
        if trail:
            cells = np.array(trail, dtype=float)
            self._trail.setData(cells[:, 1] + 0.5, cells[:, 0] + 0.5)
        else:
            self._trail.setData([], [])
        for (r, c), item in self._numbers:
            v = values[r, c]
            text = "" if not self.show_numbers or math.isnan(v) else f"{v:.1f}"
            if text != item.toPlainText():  # (a re-layout each: only what changed)
                item.setText(text)

    def greedy_path(self, progress: GridProgress) -> list[tuple[int, int]]:
        """Return the greedy roll-out from the start (stops on a repeated cell)."""
        world = self._world
        if world is None or progress.greedy.shape != (world.rows, world.cols):
            return []
        cell = world.start
        path = [cell]
        seen = {cell}
        for _ in range(world.rows * world.cols):
            action = int(progress.greedy[cell])
            if cell in world.terminals or action < 0:
                break
            cell = world.outcomes(cell, action)[0].cell
            path.append(cell)
            if cell in seen:
                break
            seen.add(cell)
        return path

    def set_caption(self, text: str, color_index: int | None = None) -> None:
        """Set the title above the grid, in series colour ``color_index`` if given.

        The captions of grids A and B take their curves' colours, so the plots
        need no legend where one would cover the curves.
        """
        self._title = text
        self._caption_color = color_index
        self.restyle()

    def restyle(self) -> None:
        """Restyle as a PlotPane, then colour the caption (see :meth:`set_caption`)."""
        super().restyle()
        index = self.__dict__.get("_caption_color")
        if index is not None and self._title:
            self.getPlotItem().setTitle(
                self._title,
                color=self._theme.palette.series_color(index),
                size=f"{11 * self._theme.scale:.0f}pt",
            )

    @staticmethod
    def _wall_mask(world: GridWorld) -> NDArray[np.bool_]:
        mask = np.zeros((world.rows, world.cols), dtype=bool)
        for cell in world.walls:
            mask[cell] = True
        return mask

    def _triangles(self, q: NDArray[np.float64]) -> NDArray[np.float64]:
        """Return an image with each cell split into four triangles coloured by q."""
        rows, cols = q.shape[:2]
        n = int(max(4, min(24, 480 // max(rows, cols))))
        tri = np.tile(_triangle_index(n), (rows, cols))
        rr = np.repeat(np.arange(rows), n)[:, None]
        cc = np.repeat(np.arange(cols), n)[None, :]
        out: NDArray[np.float64] = q[rr, cc, tri]
        return out

    def _draw_arrows(
        self, world: GridWorld, policy: NDArray[np.float64] | None
    ) -> None:
        """Draw one arrow per action with length ∝ π(a|s) (all cells at once)."""
        r0, c0 = self._arrow_cells
        if policy is None or r0.size == 0:
            self._arrows.setData([], [])
            return
        numbers = self.show_numbers and bool(self._numbers)
        reach = 0.32 if numbers else 0.42  # leave the bottom of the cell to the number
        cx, cy = c0 + 0.5, r0 + (0.42 if numbers else 0.5)
        probs = np.nan_to_num(policy[r0, c0, :], nan=0.0)
        segments = []
        for a, (dr, dc) in enumerate(ACTIONS):
            keep = probs[:, a] > 0.01
            length = reach * probs[keep, a]
            x, y = cx[keep], cy[keep]
            tx, ty = x + dc * length, y + dr * length
            h = np.minimum(0.12, 0.6 * length)
            bx, by = -dc * h, -dr * h  # back along the shaft ...
            px, py = -dr * h, dc * h  # ... and across it: two barbs at 45°
            segments.append(
                np.stack(
                    [
                        x,
                        y,
                        tx,
                        ty,
                        tx,
                        ty,
                        tx + bx + px,
                        ty + by + py,
                        tx,
                        ty,
                        tx + bx - px,
                        ty + by - py,
                    ],
                    axis=1,
                ).reshape(-1, 2)
            )
        points = np.concatenate(segments) if segments else np.zeros((0, 2))
        self._arrows.setData(points[:, 0], points[:, 1])

    # -- mouse -------------------------------------------------------------------
    def cell_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """Return the cell under ``scene_pos``, or None outside the grid."""
        if self._world is None:
            return None
        p = self.getPlotItem().vb.mapSceneToView(scene_pos)
        r, c = math.floor(p.y()), math.floor(p.x())
        if 0 <= r < self._world.rows and 0 <= c < self._world.cols:
            return (r, c)
        return None

    def cell_pos(self, row: int, col: int) -> QPoint:
        """Return the widget (viewport) position of the centre of cell (row, col)."""
        scene = self.getPlotItem().vb.mapViewToScene(QPointF(col + 0.5, row + 0.5))
        pos: QPoint = self.mapFromScene(scene)
        return pos

    def _on_scene_clicked(self, event: object) -> None:
        button = event.button()  # type: ignore[attr-defined]
        cell = self.cell_at(event.scenePos())  # type: ignore[attr-defined]
        if cell is None:
            return
        if button == Qt.MouseButton.LeftButton:
            event.accept()  # type: ignore[attr-defined]
            self.cell_clicked.emit(*cell)
        elif button == Qt.MouseButton.RightButton:
            event.accept()  # type: ignore[attr-defined]
            pos = event.screenPos()  # type: ignore[attr-defined]
            self.cell_menu_requested.emit(
                cell[0], cell[1], QPoint(int(pos.x()), int(pos.y()))
            )
