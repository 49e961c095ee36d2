"""The right-click menu of a grid cell: walls, terminals, start, rewards, wind."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from explorer.core.gridworld import GridWorld

Change = Callable[[GridWorld], GridWorld]


def cell_menu(
    parent: QWidget,
    world: GridWorld,
    cell: tuple[int, int],
    edit: Callable[[Change], None],
    show_error: Callable[[str], None],
) -> QMenu:
    """Return the menu of ``cell`` in ``world``; its actions call ``edit(change)``.

    A change the user types (a reward, a teleport target, a wind strength) is
    asked for in a dialog over ``parent``; unreadable input goes to ``show_error``.
    """
    col = cell[1]
    menu = QMenu(parent)
    menu.setToolTipsVisible(True)

    def add(text: str, change: Change, tip: str = "") -> None:
        action = menu.addAction(text)
        action.setToolTip(tip)
        action.triggered.connect(lambda: edit(change))

    def ask_reward() -> None:
        value, ok = QInputDialog.getDouble(
            parent,
            "Reward",
            f"Reward for entering cell {cell}:",
            world.cell_reward(cell),
            -1000.0,
            1000.0,
            2,
        )
        if ok:
            edit(lambda w: w.set_reward(cell, value))

    def ask_teleport() -> None:
        text, ok = QInputDialog.getText(
            parent, "Teleport", "Target row, column and reward (e.g. 4, 1, 10):"
        )
        if not ok:
            return
        try:
            r, c, reward = (float(part) for part in text.split(","))
        except ValueError:
            show_error(f"Teleport needs 'row, column, reward', got {text!r}")
            return
        edit(lambda w: w.set_teleport(cell, (int(r), int(c)), reward))

    def ask_wind() -> None:
        limit = world.rows - 1
        value, ok = QInputDialog.getInt(
            parent,
            "Wind",
            f"Wind in column {col} (cells pushed up; negative: down):",
            world.wind[col],
            -limit,
            limit,
        )
        if ok:
            edit(lambda w: w.set_wind(col, value))

    add("Toggle wall", lambda x: x.toggle_wall(cell))
    add(
        "Make terminal", lambda x: x.set_kind(cell, "terminal"), "The episode ends here"
    )
    add(
        "Make reset cell (the cliff)",
        lambda x: x.set_kind(cell, "reset"),
        "Entering it sends the agent back to the start",
    )
    add("Make ordinary cell", lambda x: x.set_kind(cell, "empty"))
    add("Set start here", lambda x: x.set_start(cell))
    menu.addSeparator()
    reward = menu.addAction(f"Reward for entering… (now {world.cell_reward(cell):+g})")
    reward.triggered.connect(ask_reward)
    if cell in world.rewards:
        add("Use the step reward here", lambda x: x.set_reward(cell, None))
    teleport = menu.addAction("Teleport from here…")
    teleport.setToolTip(
        "Any action here jumps to another cell with a reward (S&B Example 3.5)"
    )
    teleport.triggered.connect(ask_teleport)
    if world.teleport_from(cell) is not None:
        add("Remove teleport", lambda x: x.set_teleport(cell, None))
    wind = menu.addAction(f"Wind in column {col}… (now {world.wind[col]})")
    wind.triggered.connect(ask_wind)
    return menu
