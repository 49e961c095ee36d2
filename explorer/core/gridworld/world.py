"""A grid world: its cells, rewards and dynamics, and the edits a user makes to it.

The world is an immutable value: every edit returns a new :class:`GridWorld`, so a
panel's undo is a stack of worlds.  Cells are ``(row, col)`` with row 0 at the top.

Dynamics of one step from a non-terminal cell ``s`` with action ``a``
(the semantics of the Sutton & Barto examples the presets reproduce):

1. A teleport whose source is ``s`` fires whatever the action: the agent lands on
   its target and gets its reward (S&B Example 3.5, A → A′).
2. Otherwise the action slips with probability ``slip`` (half to each side,
   FrozenLake's rule), then the agent moves one cell.  Leaving the grid or hitting a
   wall keeps it in place (``out_of_bounds="stay"``) or wraps around (``"wrap"``,
   walls still block); such a bump earns ``bump_reward`` when it is set.
3. The wind of the column of ``s`` pushes the agent up that many cells, stopping at
   the edge or a wall (S&B Example 6.5); with ``stochastic_wind`` a windy column's
   strength is w − 1, w or w + 1 with probability 1/3 each (S&B Exercise 6.10).
4. Entering a cell earns its reward (``rewards``) or else ``step_reward``.  A
   terminal cell ends the episode; a reset cell sends the agent back to the start
   (S&B Example 6.6, "the cliff").
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from explorer.core.gridworld.names import MAX_SIDE

Cell = tuple[int, int]
OutOfBounds = Literal["stay", "wrap"]

ACTIONS: tuple[Cell, ...] = ((-1, 0), (0, 1), (1, 0), (0, -1))
ACTION_NAMES: tuple[str, ...] = ("up", "right", "down", "left")
ACTION_ARROWS: tuple[str, ...] = ("↑", "→", "↓", "←")


@dataclass(frozen=True)
class Teleport:
    """Any action in ``source`` moves the agent to ``target`` and earns ``reward``."""

    source: Cell
    target: Cell
    reward: float = 0.0


@dataclass(frozen=True)
class Outcome:
    """One possible result of an action: probability, next cell, reward, episode end."""

    prob: float
    cell: Cell
    reward: float
    done: bool


@dataclass(frozen=True)
class GridWorld:
    """A rectangular grid world (see the module docstring for its dynamics).

    Raises
    ------
    ValueError
        From ``__post_init__`` when the world is malformed (size, a start inside a
        wall or outside the grid, a probability outside [0, 1], ...).
    """

    rows: int
    cols: int
    start: Cell
    walls: frozenset[Cell] = frozenset()
    terminals: frozenset[Cell] = frozenset()
    resets: frozenset[Cell] = frozenset()
    rewards: Mapping[Cell, float] = field(default_factory=dict)
    teleports: tuple[Teleport, ...] = ()
    wind: tuple[int, ...] = ()
    stochastic_wind: bool = False
    slip: float = 0.0
    step_reward: float = 0.0
    bump_reward: float | None = None
    out_of_bounds: OutOfBounds = "stay"
    gamma: float = 0.9
    name: str = "untitled"
    description: str = ""

    def __post_init__(self) -> None:
        if not (1 <= self.rows <= MAX_SIDE and 1 <= self.cols <= MAX_SIDE):
            raise ValueError(
                f"the grid must be 1 to {MAX_SIDE} cells on each side, "
                f"got {self.rows}×{self.cols}"
            )
        if self.rows * self.cols < 2:
            raise ValueError("the grid needs at least two cells")
        if not self.wind:
            object.__setattr__(self, "wind", (0,) * self.cols)
        if len(self.wind) != self.cols:
            raise ValueError(
                f"wind needs one value per column ({self.cols}), got {len(self.wind)}"
            )
        if any(abs(w) >= self.rows for w in self.wind):
            raise ValueError(f"each column's wind must be below the height {self.rows}")
        for label, cells in (
            ("start", [self.start]),
            ("wall", self.walls),
            ("terminal", self.terminals),
            ("reset", self.resets),
            ("reward", self.rewards),
        ):
            for cell in cells:
                self._check_inside(cell, label)
        if self.start in self.walls:
            raise ValueError(f"the start {list(self.start)} is inside a wall")
        if self.start in self.terminals or self.start in self.resets:
            raise ValueError(f"the start {list(self.start)} must be an ordinary cell")
        if self.walls & self.terminals or self.walls & self.resets:
            raise ValueError(
                "a cell cannot be a wall and a terminal/reset cell at once"
            )
        if self.terminals & self.resets:
            raise ValueError("a cell cannot be both terminal and a reset cell")
        sources = [t.source for t in self.teleports]
        if len(set(sources)) != len(sources):
            raise ValueError("two teleports leave from the same cell")
        for t in self.teleports:
            self._check_inside(t.source, "teleport source")
            self._check_inside(t.target, "teleport target")
            if t.source in self.walls or t.source in self.terminals:
                raise ValueError(
                    f"teleport source {list(t.source)} is a wall or terminal"
                )
            if t.target in self.walls:
                raise ValueError(f"teleport target {list(t.target)} is inside a wall")
            _check_finite(t.reward, "teleport reward")
        for value in self.rewards.values():
            _check_finite(value, "cell reward")
        _check_finite(self.step_reward, "step reward")
        if self.bump_reward is not None:
            _check_finite(self.bump_reward, "bump reward")
        if not 0.0 <= self.slip <= 1.0:
            raise ValueError(f"slip probability must be in [0, 1], got {self.slip}")
        if not 0.0 <= self.gamma <= 1.0:
            raise ValueError(f"discount γ must be in [0, 1], got {self.gamma}")
        if self.out_of_bounds not in ("stay", "wrap"):
            raise ValueError(
                f"out_of_bounds must be 'stay' or 'wrap', got {self.out_of_bounds!r}"
            )

    def _check_inside(self, cell: Cell, label: str) -> None:
        r, c = cell
        if not (0 <= r < self.rows and 0 <= c < self.cols):
            raise ValueError(
                f"{label} cell {[r, c]} lies outside the {self.rows}×{self.cols} grid"
            )

    # -- queries ---------------------------------------------------------------
    def inside(self, cell: Cell) -> bool:
        """Return whether ``cell`` lies on the grid."""
        return 0 <= cell[0] < self.rows and 0 <= cell[1] < self.cols

    def cells(self) -> Iterator[Cell]:
        """Yield the non-wall cells (the states) in row-major order."""
        for r in range(self.rows):
            for c in range(self.cols):
                if (r, c) not in self.walls:
                    yield (r, c)

    def teleport_from(self, cell: Cell) -> Teleport | None:
        """Return the teleport leaving ``cell``, if any."""
        for t in self.teleports:
            if t.source == cell:
                return t
        return None

    def cell_reward(self, cell: Cell) -> float:
        """Return the reward for entering ``cell``."""
        return self.rewards.get(cell, self.step_reward)

    def outcomes(self, cell: Cell, action: int) -> list[Outcome]:
        """Return the possible outcomes of ``action`` in the non-terminal ``cell``.

        The first outcome is always the intended move (no slip, average wind), which
        greedy roll-outs follow.
        """
        tele = self.teleport_from(cell)
        if tele is not None:
            return [
                Outcome(1.0, tele.target, tele.reward, tele.target in self.terminals)
            ]
        moves: list[tuple[float, int]] = [(1.0 - self.slip, action)]
        if self.slip > 0.0:
            moves += [
                (self.slip / 2, (action + 1) % 4),
                (self.slip / 2, (action + 3) % 4),
            ]
        w = self.wind[cell[1]]
        winds = [(1.0, w)]
        if self.stochastic_wind and w != 0:
            winds = [(1 / 3, w), (1 / 3, w - 1), (1 / 3, w + 1)]
        out: list[Outcome] = []
        for p_move, a in moves:
            if p_move == 0.0:
                continue
            moved, bumped = self._move(cell, ACTIONS[a])
            for p_wind, strength in winds:
                final = self._blow(moved, strength)
                out.append(self._arrive(p_move * p_wind, final, bumped))
        return out

    def _move(self, cell: Cell, delta: Cell) -> tuple[Cell, bool]:
        r, c = cell[0] + delta[0], cell[1] + delta[1]
        if self.out_of_bounds == "wrap":
            r, c = r % self.rows, c % self.cols
        if not self.inside((r, c)) or (r, c) in self.walls:
            return cell, True
        return (r, c), False

    def _blow(self, cell: Cell, strength: int) -> Cell:
        step = -1 if strength > 0 else 1  # positive wind blows up (towards row 0)
        r, c = cell
        for _ in range(abs(strength)):
            if not self.inside((r + step, c)) or (r + step, c) in self.walls:
                break
            r += step
        return (r, c)

    def _arrive(self, prob: float, cell: Cell, bumped: bool) -> Outcome:
        if bumped and self.bump_reward is not None:
            reward = self.bump_reward
        elif bumped:
            reward = self.step_reward
        else:
            reward = self.cell_reward(cell)
        if cell in self.resets:
            return Outcome(prob, self.start, self.cell_reward(cell), False)
        return Outcome(prob, cell, reward, cell in self.terminals)

    # -- edits (each returns a new world) ---------------------------------------
    def _cleared(self, cell: Cell) -> dict[str, object]:
        """Return the fields with ``cell`` removed from walls, terminals and resets."""
        return {
            "walls": self.walls - {cell},
            "terminals": self.terminals - {cell},
            "resets": self.resets - {cell},
        }

    def toggle_wall(self, cell: Cell) -> GridWorld:
        """Return the world with a wall added at or removed from ``cell``.

        Raises
        ------
        ValueError
            When ``cell`` is the start, or a teleport ends there.
        """
        self._check_inside(cell, "wall")
        if cell in self.walls:
            return replace(self, walls=self.walls - {cell})
        if cell == self.start:
            raise ValueError("the start cannot become a wall: move the start first")
        fields = self._cleared(cell)
        fields["walls"] = self.walls | {cell}
        rewards = {k: v for k, v in self.rewards.items() if k != cell}
        teleports = tuple(t for t in self.teleports if t.source != cell)
        return replace(self, rewards=rewards, teleports=teleports, **fields)  # type: ignore[arg-type]

    def set_kind(
        self, cell: Cell, kind: Literal["empty", "terminal", "reset"]
    ) -> GridWorld:
        """Return the world with ``cell`` made ordinary, terminal or a reset cell."""
        self._check_inside(cell, kind)
        fields = self._cleared(cell)
        if kind == "terminal":
            fields["terminals"] = self.terminals | {cell}
        elif kind == "reset":
            fields["resets"] = self.resets | {cell}
        teleports = self.teleports
        if kind == "terminal":
            teleports = tuple(t for t in teleports if t.source != cell)
        return replace(self, teleports=teleports, **fields)  # type: ignore[arg-type]

    def set_start(self, cell: Cell) -> GridWorld:
        """Return the world with the start moved to ``cell`` (made ordinary first)."""
        self._check_inside(cell, "start")
        return replace(self, start=cell, **self._cleared(cell))  # type: ignore[arg-type]

    def set_reward(self, cell: Cell, reward: float | None) -> GridWorld:
        """Return the world where entering ``cell`` earns ``reward`` (None: default)."""
        self._check_inside(cell, "reward")
        rewards = {k: v for k, v in self.rewards.items() if k != cell}
        if reward is not None:
            rewards[cell] = float(reward)
        return replace(self, rewards=rewards)

    def set_teleport(
        self, source: Cell, target: Cell | None, reward: float = 0.0
    ) -> GridWorld:
        """Return the world with a teleport from ``source`` (None target: remove it)."""
        teleports = tuple(t for t in self.teleports if t.source != source)
        if target is not None:
            teleports += (Teleport(source, target, float(reward)),)
        return replace(self, teleports=teleports)

    def set_wind(self, col: int, strength: int) -> GridWorld:
        """Return the world with column ``col``'s wind set to ``strength`` (up > 0)."""
        if not 0 <= col < self.cols:
            raise ValueError(f"column {col} lies outside the grid")
        wind = list(self.wind)
        wind[col] = int(strength)
        return replace(self, wind=tuple(wind))

    def resized(self, rows: int, cols: int) -> GridWorld:
        """Return the world cropped or padded (with empty cells) to ``rows`` × ``cols``.

        Raises
        ------
        ValueError
            When the start would fall outside the new grid.
        """
        if not (0 <= self.start[0] < rows and 0 <= self.start[1] < cols):
            raise ValueError(
                "the start would fall outside the resized grid: move it first"
            )

        def keep(cell: Cell) -> bool:
            return cell[0] < rows and cell[1] < cols

        wind = tuple(self.wind[:cols]) + (0,) * max(0, cols - self.cols)
        wind = tuple(max(-(rows - 1), min(rows - 1, w)) for w in wind)
        return replace(
            self,
            rows=rows,
            cols=cols,
            walls=frozenset(filter(keep, self.walls)),
            terminals=frozenset(filter(keep, self.terminals)),
            resets=frozenset(filter(keep, self.resets)),
            rewards={k: v for k, v in self.rewards.items() if keep(k)},
            teleports=tuple(
                t for t in self.teleports if keep(t.source) and keep(t.target)
            ),
            wind=wind,
        )


def _check_finite(value: float, label: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{label} must be a finite number, got {value}")
