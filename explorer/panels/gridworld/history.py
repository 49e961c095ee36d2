"""The world being edited and its undo / redo history (no Qt)."""

from __future__ import annotations

from explorer.core.gridworld import GridWorld

UNDO_DEPTH = 200


class WorldHistory:
    """The current world, the worlds before it (undo) and after it (redo)."""

    def __init__(self, world: GridWorld) -> None:
        self.world = world
        self._undo: list[GridWorld] = []
        self._redo: list[GridWorld] = []
        self._last_key = ""

    @property
    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        """Whether there is an undone edit to redo."""
        return bool(self._redo)

    def edit(self, world: GridWorld, key: str = "") -> bool:
        """Make ``world`` current as one undoable edit; return False if unchanged.

        Consecutive edits with the same non-empty ``key`` (dragging a spin box)
        merge into one undo step.
        """
        if world == self.world:
            return False
        if not (key and key == self._last_key):
            self._undo.append(self.world)
            del self._undo[:-UNDO_DEPTH]
        self._redo.clear()
        self._last_key = key
        self.world = world
        return True

    def undo(self) -> bool:
        """Go back one edit; return False when there is none."""
        if not self._undo:
            return False
        self._redo.append(self.world)
        self._last_key = ""
        self.world = self._undo.pop()
        return True

    def redo(self) -> bool:
        """Redo the last undone edit; return False when there is none."""
        if not self._redo:
            return False
        self._undo.append(self.world)
        self._last_key = ""
        self.world = self._redo.pop()
        return True

    def reset(self, world: GridWorld) -> None:
        """Make ``world`` current and forget the history (a restored session)."""
        self.world = world
        self._undo.clear()
        self._redo.clear()
        self._last_key = ""
