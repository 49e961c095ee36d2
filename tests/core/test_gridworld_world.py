"""Grid worlds: dynamics by hand, the JSON format, presets, validation and edits."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from explorer.core.data import DataFormatError
from explorer.core.gridworld import (
    PRESETS,
    GridWorld,
    Teleport,
    build_model,
    load_preset,
    load_preset_or_file,
    load_world,
    save_world,
    world_from_dict,
    world_to_dict,
)
from explorer.core.gridworld.model import build_model_reference

UP, RIGHT, DOWN, LEFT = range(4)


def only(
    world: GridWorld, cell: tuple[int, int], action: int
) -> tuple[tuple[int, int], float]:
    outs = world.outcomes(cell, action)
    assert len(outs) == 1 and outs[0].prob == 1.0
    return outs[0].cell, outs[0].reward


@pytest.mark.parametrize("name", PRESETS)
def test_presets_load_round_trip_and_have_proper_probabilities(name: str) -> None:
    world = load_preset(name)
    assert world.name == name
    assert world_from_dict(world_to_dict(world)) == world
    model = build_model(world)
    np.testing.assert_allclose(model.prob.sum(axis=2), 1.0)
    np.testing.assert_array_equal(
        model.next_state, build_model_reference(world).next_state
    )


def test_example_3_5_teleports_and_edge_penalty() -> None:
    world = load_preset("sb-5x5")
    for a in range(4):  # every action in A earns +10 and lands on A′ (S&B Example 3.5)
        assert only(world, (0, 1), a) == ((4, 1), 10.0)
        assert only(world, (0, 3), a) == ((2, 3), 5.0)
    assert only(world, (0, 0), UP) == ((0, 0), -1.0)
    assert only(world, (2, 2), LEFT) == ((2, 1), 0.0)


def test_cliff_sends_back_to_start_with_minus_100() -> None:
    world = load_preset("cliff")
    assert only(world, (2, 5), DOWN) == ((3, 0), -100.0)
    assert only(world, (2, 11), DOWN) == ((3, 11), -1.0)
    assert world.outcomes((2, 11), DOWN)[0].done


def test_windy_pushes_up_by_the_column_of_the_start_cell() -> None:
    world = load_preset("windy")
    assert only(world, (3, 6), RIGHT)[0] == (1, 7)  # wind 2 in column 6
    assert only(world, (0, 6), UP)[0] == (0, 6)  # the top edge stops the wind
    assert only(world, (3, 0), RIGHT)[0] == (3, 1)  # no wind in column 0


def test_stochastic_wind_and_slip_split_probability() -> None:
    world = GridWorld(
        rows=5, cols=3, start=(4, 0), wind=(0, 1, 0), stochastic_wind=True
    )
    outs = world.outcomes((3, 1), LEFT)
    assert sorted((o.cell, round(o.prob, 6)) for o in outs) == [
        ((1, 0), 0.333333),
        ((2, 0), 0.333333),
        ((3, 0), 0.333333),
    ]
    lake = load_preset("frozen-lake")
    outs = lake.outcomes((0, 1), DOWN)  # down (hole), or slip left / right
    cells = {o.cell: o.prob for o in outs}
    assert cells == pytest.approx({(1, 1): 1 / 3, (0, 2): 1 / 3, (0, 0): 1 / 3})
    assert [o.done for o in outs if o.cell == (1, 1)] == [True]


def test_wrap_and_walls() -> None:
    world = GridWorld(
        rows=3,
        cols=3,
        start=(0, 0),
        walls=frozenset({(1, 1)}),
        out_of_bounds="wrap",
        bump_reward=-5.0,
        step_reward=-1.0,
    )
    assert only(world, (0, 0), UP) == ((2, 0), -1.0)
    assert only(world, (1, 0), RIGHT) == ((1, 0), -5.0)  # the wall bounces


def test_start_inside_a_wall_is_rejected_but_unreachable_terminal_is_fine() -> None:
    doc = world_to_dict(load_preset("maze"))
    doc["map"] = [row.replace("S", ".") for row in doc["map"]]
    doc["start"] = [0, 3]  # a wall in the maze
    with pytest.raises(DataFormatError, match="wall"):
        world_from_dict(doc)
    boxed = GridWorld(
        rows=3,
        cols=3,
        start=(0, 0),
        walls=frozenset({(1, 2), (2, 1)}),
        terminals=frozenset({(2, 2)}),
    )
    assert build_model(boxed).n_states == 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "other"}, "format"),
        ({"version": 9}, "version"),
        ({"map": ["S.", "..."]}, "same length"),
        ({"map": ["S?"]}, "unknown map character"),
        ({"map": [".."]}, "exactly one start"),
        ({"slip": 1.5}, "slip"),
        ({"gamma": -0.1}, "γ"),
        ({"wind": [9, 0]}, "wind"),
        ({"teleports": [{"from": [0, 0], "to": [5, 5]}]}, "outside"),
    ],
)
def test_malformed_worlds_give_clear_messages(
    change: dict[str, object], message: str
) -> None:
    doc = {"format": "explorer-gridworld", "version": 1, "map": ["S.", ".T"]}
    doc.update(change)
    with pytest.raises(DataFormatError, match=message):
        world_from_dict(doc, source="mine.json")


def test_files_save_load_and_bad_files(tmp_path: Path) -> None:
    world = load_preset("cliff").toggle_wall((0, 5))
    path = tmp_path / "w.json"
    save_world(world, path)
    assert load_world(path) == world
    save_world(load_preset("maze"), path)  # replaced atomically: no temp file left
    assert [f.name for f in tmp_path.iterdir()] == ["w.json"]
    assert load_world(path) == load_preset("maze")
    save_world(world, path)
    assert load_preset_or_file(str(path)) == world
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(DataFormatError, match="not valid JSON"):
        load_world(bad)
    bad.write_text(json.dumps([1, 2]))
    with pytest.raises(DataFormatError, match="one JSON object"):
        load_world(bad)
    with pytest.raises(KeyError, match="neither a preset"):
        load_preset_or_file("no-such-world")


def test_edits_return_new_worlds_and_guard_the_start() -> None:
    world = load_preset("sb-4x4")
    walled = world.toggle_wall((2, 2))
    assert (2, 2) in walled.walls and (2, 2) not in world.walls
    assert walled.toggle_wall((2, 2)) == world
    with pytest.raises(ValueError, match="start"):
        world.toggle_wall(world.start)
    assert world.set_kind((0, 0), "empty").terminals == frozenset({(3, 3)})
    moved = world.set_start((0, 0))
    assert moved.start == (0, 0) and (0, 0) not in moved.terminals
    assert world.set_reward((1, 2), 5.0).cell_reward((1, 2)) == 5.0
    assert world.set_teleport((2, 0), (0, 3), 2.0).outcomes((2, 0), UP)[0].cell == (
        0,
        3,
    )
    assert world.set_wind(1, 2).wind == (0, 2, 0, 0)
    small = world.resized(2, 3)
    assert (small.rows, small.cols, small.terminals) == (2, 3, frozenset({(0, 0)}))
    with pytest.raises(ValueError, match="start"):
        world.resized(1, 1)


def random_world(seed: int) -> GridWorld:
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    order = rng.permutation(len(cells))
    start = cells[order[0]]
    walls = {cells[i] for i in order[1:] if rng.random() < 0.2}
    rest = [cells[i] for i in order[1:] if cells[i] not in walls]
    terminals = {c for c in rest if rng.random() < 0.1}
    resets = {c for c in rest if c not in terminals and rng.random() < 0.1}
    rewards = {c: float(rng.integers(-5, 6)) for c in rest if rng.random() < 0.2}
    free = [c for c in rest if c not in terminals]
    teleports: tuple[Teleport, ...] = ()
    if free and rng.random() < 0.7:
        teleports = (Teleport(free[0], start, float(rng.integers(-3, 4))),)
    return GridWorld(
        rows=rows,
        cols=cols,
        start=start,
        walls=frozenset(walls),
        terminals=frozenset(terminals),
        resets=frozenset(resets),
        rewards=rewards,
        teleports=teleports,
        wind=tuple(int(w) for w in rng.integers(-(rows - 1), rows, cols)),
        step_reward=-1.0,
        bump_reward=None if rng.random() < 0.5 else -3.0,
        out_of_bounds="wrap" if rng.random() < 0.3 else "stay",
    )


@pytest.mark.parametrize("seed", range(40))
def test_array_model_matches_the_cell_by_cell_rules(seed: int) -> None:
    world = random_world(seed)
    fast, slow = build_model(world), build_model_reference(world)
    np.testing.assert_array_equal(fast.next_state, slow.next_state)
    np.testing.assert_array_equal(fast.reward, slow.reward)
    np.testing.assert_array_equal(fast.prob, slow.prob)
