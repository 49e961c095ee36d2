"""The grid-world JSON format, and the presets shipped in ``assets/gridworld``.

A world file is one JSON object::

    {
      "format": "explorer-gridworld",      // required, identifies the file
      "version": 1,                        // required
      "name": "cliff",
      "description": "Sutton & Barto Example 6.6 ...",
      "map": ["............",              // required: one string per row, top first
              "............",              //   .  ordinary cell    #  wall
              "............",              //   S  start (exactly one)
              "SXXXXXXXXXXG"],             //   T or G  terminal    X  reset ("cliff")
      "start": [3, 0],                     // optional: the start instead of an "S"
      "step_reward": -1,                   // reward for entering an ordinary cell
      "bump_reward": null,                 // reward when a move hits the edge or a
                                           //   wall (null: the step reward)
      "rewards": [{"cells": [[3, 1], [3, 2]], "reward": -100},
                  {"cell": [0, 0], "reward": 1}],   // per-cell entering rewards
      "teleports": [{"from": [0, 1], "to": [4, 1], "reward": 10}],
      "wind": [0, 0, 0, 1, 1, 1, 2, 2, 1, 0],       // per column, up > 0
      "stochastic_wind": false,
      "slip": 0.0,                         // probability the action slips sideways
      "out_of_bounds": "stay",             // or "wrap"
      "gamma": 1.0                         // discount γ in [0, 1]
    }

Every key but ``format``, ``version`` and ``map`` is optional (defaults: rewards 0,
no wind, no slip, "stay", γ = 0.9).  Comments (``//``) are not allowed in real files.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from explorer.core.data import DataFormatError, asset_path
from explorer.core.files import atomic_write
from explorer.core.gridworld.names import PRESETS
from explorer.core.gridworld.world import Cell, GridWorld, Teleport
from explorer.core.reading import FileError, MiB, read_json

FORMAT = "explorer-gridworld"
VERSION = 1
MAX_WORLD_BYTES = 1 * MiB  # a 200 × 200 world with every reward listed is ~0.5 MB
# Rewards beyond this are refused: sums of a few 1e308 rewards overflow to inf.
MAX_REWARD = 1e6

_WALL, _START, _RESET, _EMPTY = "#", "S", "X", "."
_TERMINALS = "TG"
_KEYS = frozenset(
    {
        "format",
        "version",
        "name",
        "description",
        "map",
        "start",
        "step_reward",
        "bump_reward",
        "rewards",
        "teleports",
        "wind",
        "stochastic_wind",
        "slip",
        "out_of_bounds",
        "gamma",
    }
)


def world_to_dict(world: GridWorld) -> dict[str, Any]:
    """Return ``world`` as a JSON-able dict in the documented format."""
    rows = []
    for r in range(world.rows):
        line = []
        for c in range(world.cols):
            cell = (r, c)
            if cell in world.walls:
                line.append(_WALL)
            elif cell == world.start:
                line.append(_START)
            elif cell in world.terminals:
                line.append("T")
            elif cell in world.resets:
                line.append(_RESET)
            else:
                line.append(_EMPTY)
        rows.append("".join(line))
    by_value: dict[float, list[list[int]]] = {}
    for cell, value in sorted(world.rewards.items()):
        by_value.setdefault(value, []).append(list(cell))
    return {
        "format": FORMAT,
        "version": VERSION,
        "name": world.name,
        "description": world.description,
        "map": rows,
        "step_reward": world.step_reward,
        "bump_reward": world.bump_reward,
        "rewards": [{"cells": cells, "reward": v} for v, cells in by_value.items()],
        "teleports": [
            {"from": list(t.source), "to": list(t.target), "reward": t.reward}
            for t in world.teleports
        ],
        "wind": list(world.wind),
        "stochastic_wind": world.stochastic_wind,
        "slip": world.slip,
        "out_of_bounds": world.out_of_bounds,
        "gamma": world.gamma,
    }


def world_from_dict(doc: Any, *, source: str = "world") -> GridWorld:
    """Return the world described by ``doc`` (a parsed JSON object).

    Raises
    ------
    DataFormatError
        With a message naming ``source`` and what is wrong.
    """
    try:
        return _parse(doc)
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
        raise DataFormatError(f"{source}: not a valid grid world: {detail}") from exc


def _cell(value: Any) -> Cell:
    if (
        not isinstance(value, list | tuple)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    ):
        raise ValueError(f"a cell must be [row, col] integers, got {value!r}")
    return (int(value[0]), int(value[1]))


def _number(value: Any, label: str, limit: float = MAX_REWARD) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{label} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{label} must be finite")
    if abs(value) > limit:
        raise ValueError(f"{label} must lie within ±{limit:g}, got {value:g}")
    return float(value)


def _entries(doc: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = doc.get(key, [])
    if not isinstance(items, list) or not all(isinstance(e, dict) for e in items):
        raise ValueError(f'"{key}" must be a list of objects')
    return items


def _parse(doc: Any) -> GridWorld:
    if not isinstance(doc, dict):
        raise ValueError("the file must hold one JSON object")
    if doc.get("format") != FORMAT:
        raise ValueError(f'"format" must be "{FORMAT}"')
    if isinstance(doc.get("version"), bool) or doc.get("version") != VERSION:
        raise ValueError(
            f"unsupported version {doc.get('version')!r} (this is {VERSION})"
        )
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise ValueError(
            f"unknown key {unknown[0]!r} (a typo? the keys are "
            f"{', '.join(sorted(_KEYS))})"
        )
    grid = doc["map"]
    if (
        not isinstance(grid, list)
        or not grid
        or not all(isinstance(s, str) for s in grid)
    ):
        raise ValueError('"map" must be a non-empty list of strings')
    cols = len(grid[0])
    if any(len(line) != cols for line in grid):
        raise ValueError('all "map" rows must have the same length')
    walls, terminals, resets, starts = set(), set(), set(), []
    for r, line in enumerate(grid):
        for c, ch in enumerate(line):
            if ch == _WALL:
                walls.add((r, c))
            elif ch == _START:
                starts.append((r, c))
            elif ch in _TERMINALS:
                terminals.add((r, c))
            elif ch == _RESET:
                resets.add((r, c))
            elif ch != _EMPTY:
                raise ValueError(f"unknown map character {ch!r} at row {r}, column {c}")
    if "start" in doc:
        start = _cell(doc["start"])
        if starts and starts != [start]:
            raise ValueError('"start" disagrees with the "S" in the map')
        starts = [start]
    if len(starts) != 1:
        raise ValueError(f'the map needs exactly one start "S", found {len(starts)}')
    rewards: dict[Cell, float] = {}
    for entry in _entries(doc, "rewards"):
        cells = entry["cells"] if "cells" in entry else [entry["cell"]]
        if not isinstance(cells, list):
            raise ValueError('"cells" must be a list of [row, col] cells')
        for cell in cells:
            rewards[_cell(cell)] = _number(entry["reward"], "reward")
    teleports = tuple(
        Teleport(
            _cell(t["from"]), _cell(t["to"]), _number(t.get("reward", 0.0), "reward")
        )
        for t in _entries(doc, "teleports")
    )
    wind = doc.get("wind") or [0] * cols
    if not isinstance(wind, list) or not all(
        isinstance(w, int) and not isinstance(w, bool) for w in wind
    ):
        raise ValueError('"wind" must be a list of integers, one per column')
    bump = doc.get("bump_reward")
    return GridWorld(
        rows=len(grid),
        cols=cols,
        start=starts[0],
        walls=frozenset(walls),
        terminals=frozenset(terminals),
        resets=frozenset(resets),
        rewards=rewards,
        teleports=teleports,
        wind=tuple(wind),
        stochastic_wind=bool(doc.get("stochastic_wind", False)),
        slip=_number(doc.get("slip", 0.0), "slip", 1.0),
        step_reward=_number(doc.get("step_reward", 0.0), "step_reward"),
        bump_reward=None if bump is None else _number(bump, "bump_reward"),
        out_of_bounds=doc.get("out_of_bounds", "stay"),
        gamma=_number(doc.get("gamma", 0.9), "gamma", 1.0),
        name=str(doc.get("name", "untitled")),
        description=str(doc.get("description", "")),
    )


def load_world(path: str | Path) -> GridWorld:
    """Return the world stored in the JSON file ``path``.

    Raises
    ------
    DataFormatError
        When the file is not valid JSON or not a valid world.
        (also when it is missing, empty or larger than :data:`MAX_WORLD_BYTES`).
    """
    p = Path(path)
    try:
        doc = read_json(p, max_bytes=MAX_WORLD_BYTES)
    except FileError as exc:
        raise DataFormatError(str(exc)) from None
    return world_from_dict(doc, source=p.name)


def save_world(world: GridWorld, path: str | Path) -> None:
    """Write ``world`` to ``path`` as JSON, atomically (temp file + rename)."""
    atomic_write(path, json.dumps(world_to_dict(world), indent=2) + "\n")


def load_preset(name: str) -> GridWorld:
    """Return the shipped preset ``name`` (one of :data:`PRESETS`).

    Raises
    ------
    KeyError
        For an unknown name, listing the known ones.
    """
    if name not in PRESETS:
        raise KeyError(f"unknown preset {name!r} (known: {', '.join(PRESETS)})")
    return load_world(asset_path(f"gridworld/{name}.json"))


def load_preset_or_file(spec: str) -> GridWorld:
    """Return the preset called ``spec``, or else the world in the file ``spec``.

    Raises
    ------
    KeyError
        When ``spec`` is neither a preset nor an existing file.
    DataFormatError
        When the file is not a valid world.
    """
    if spec in PRESETS:
        return load_preset(spec)
    if Path(spec).is_file():
        return load_world(spec)
    raise KeyError(
        f"{spec!r} is neither a preset ({', '.join(PRESETS)}) nor an existing file"
    )
