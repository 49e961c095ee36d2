"""Editing the Gridworld panel's world: the World box, cell clicks and menus, undo.

:class:`WorldEditor` owns the world being edited and its history; every change
(an edit, an undo, a preset, a file) is announced with ``world_changed`` so the
panel can redraw its grids and drop what its jobs learnt on the old world.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QObject, QPoint, Signal
from PySide6.QtWidgets import QFileDialog, QMenu, QWidget

from explorer.core.gridworld import GridWorld, load_preset, load_world, save_world
from explorer.panels.gridworld.cell_menu import Change, cell_menu
from explorer.panels.gridworld.controls import WorldBox
from explorer.panels.gridworld.history import WorldHistory

WORLD_FILTERS = "Grid worlds (*.json)"


class WorldEditor(QObject):
    """Applies the World box's and the grids' edits to the world (undoably).

    Parameters
    ----------
    box
        The World box it drives and keeps up to date.
    owner
        The widget dialogs and menus open over.
    show_error
        Shows a message a student understands (an impossible edit, a bad file).
    world
        The world to start with.
    """

    world_changed = Signal(object)  # the new GridWorld
    preset_chosen = Signal(str)  # after the preset's world is shown

    def __init__(
        self,
        box: WorldBox,
        owner: QWidget,
        show_error: Callable[[str], None],
        world: GridWorld,
    ) -> None:
        super().__init__(owner)
        self._box = box
        self._owner = owner
        self._show_error = show_error
        self._history = WorldHistory(world)
        box.preset.activated.connect(self._on_preset_index)
        box.open_button.clicked.connect(self._on_open_clicked)
        box.save_button.clicked.connect(self._on_save_clicked)
        box.undo_button.clicked.connect(self.undo)
        box.redo_button.clicked.connect(self.redo)
        box.resize_button.clicked.connect(self._on_resize_clicked)
        box.gamma_spin.valueChanged.connect(
            lambda v: self.edit(lambda w: replace(w, gamma=float(v)), "gamma")
        )
        box.step_spin.valueChanged.connect(
            lambda v: self.edit(lambda w: replace(w, step_reward=float(v)), "step")
        )
        box.slip_spin.valueChanged.connect(
            lambda v: self.edit(lambda w: replace(w, slip=float(v)), "slip")
        )
        self._show(world)

    @property
    def world(self) -> GridWorld:
        """The world being edited."""
        return self._history.world

    def set_world(self, world: GridWorld, *, key: str = "") -> None:
        """Replace the world with ``world`` as one undoable edit (see WorldHistory)."""
        if self._history.edit(world, key):
            self._changed()

    def edit(self, change: Change, key: str = "") -> None:
        """Apply ``change`` to the world; an impossible one is explained instead."""
        try:
            world = change(self.world)
        except ValueError as exc:
            self._show_error(f"Cannot edit the world: {exc}")
            return
        self.set_world(world, key=key)

    def undo(self) -> None:
        """Go back to the world before the last edit."""
        if self._history.undo():
            self._changed()

    def redo(self) -> None:
        """Redo the last undone edit."""
        if self._history.redo():
            self._changed()

    def replace_all(self, world: GridWorld) -> None:
        """Make ``world`` current and forget the undo history (a restored session)."""
        self._history.reset(world)
        self._changed()

    def open_file(self, path: Path) -> None:
        """Load the world in ``path`` as one undoable edit.

        Raises
        ------
        ValueError
            When the file is not a valid grid world (the message says why).
        """
        self.set_world(load_world(path))

    def cell_menu(self, row: int, col: int) -> QMenu:
        """Return the right-click menu of cell (row, col)."""
        return cell_menu(
            self._owner, self.world, (row, col), self.edit, self._show_error
        )

    def on_cell_clicked(self, row: int, col: int) -> None:
        """Toggle the wall at (row, col) (a left click on a grid)."""
        self.edit(lambda w: w.toggle_wall((row, col)))

    def on_cell_menu_requested(self, row: int, col: int, pos: QPoint) -> None:
        """Open the cell's menu at ``pos`` (a right click on a grid)."""
        self.cell_menu(row, col).exec(pos)

    # -- internals ---------------------------------------------------------------
    def _changed(self) -> None:
        self._show(self.world)
        self.world_changed.emit(self.world)

    def _show(self, world: GridWorld) -> None:
        box = self._box
        for spin, value in (
            (box.gamma_spin, world.gamma),
            (box.step_spin, world.step_reward),
            (box.slip_spin, world.slip),
        ):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        box.preset.blockSignals(True)
        box.preset.setCurrentIndex(box.preset.findData(world.name))  # -1: "custom"
        box.preset.blockSignals(False)
        box.rows_spin.setValue(world.rows)
        box.cols_spin.setValue(world.cols)
        box.undo_button.setEnabled(self._history.can_undo)
        box.redo_button.setEnabled(self._history.can_redo)

    def _on_preset_index(self, index: int) -> None:
        self._on_preset_activated(str(self._box.preset.itemData(index)))

    def _on_preset_activated(self, name: str) -> None:
        self.set_world(load_preset(name))
        self.preset_chosen.emit(name)

    def _on_resize_clicked(self) -> None:
        rows, cols = self._box.rows_spin.value(), self._box.cols_spin.value()
        self.edit(lambda w: w.resized(rows, cols))

    def _on_open_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self._owner, "Open a grid world", "", WORLD_FILTERS
        )
        if path:
            try:
                self.open_file(Path(path))
            except (ValueError, OSError) as exc:
                self._show_error(str(exc))

    def _on_save_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self._owner, "Save the grid world", f"{self.world.name}.json", WORLD_FILTERS
        )
        if path:
            try:
                save_world(self.world, path)
            except OSError as exc:
                self._show_error(f"Could not save {Path(path).name}: {exc}")
