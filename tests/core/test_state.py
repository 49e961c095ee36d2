"""Settings dataclasses: versioned round trips and refusals that name the field."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np
import pytest

from explorer.core.state import StateBase, StateError, field_limits, limits


@dataclass(frozen=True)
class Inner(StateBase):
    k: int = field(default=3, metadata=limits(1, 9))


@dataclass(frozen=True)
class Demo(StateBase):
    VERSION: ClassVar[int] = 2
    data: Literal["ring8", "grid25"] = "ring8"
    lr: float = field(default=2e-4, metadata=limits(1e-6, 1.0))
    seed: int = field(default=0, metadata=limits(0, 2**31 - 1))
    on: bool = True
    points: tuple[tuple[float, float], ...] = ()
    compare: str | None = None
    weights: dict[str, float] = field(default_factory=dict)
    inner: Inner = field(default_factory=Inner)


def test_round_trip_through_json_keeps_every_value() -> None:
    state = Demo(
        data="grid25",
        lr=0.01,
        seed=7,
        on=False,
        points=((1.0, -2.5), (3.0, 4.0)),
        compare="wgan-gp",
        weights={"a": 0.5},
        inner=Inner(k=5),
    )
    text = json.dumps(state.to_dict(), allow_nan=False)
    assert Demo.from_dict(json.loads(text)) == state
    assert json.loads(text)["version"] == 2


def test_missing_keys_take_defaults_and_unknown_keys_are_ignored() -> None:
    assert Demo.from_dict({"version": 2, "seed": 4, "future": 1}) == Demo(seed=4)


@pytest.mark.parametrize(
    ("doc", "names"),
    [
        ({"version": 3}, "version 3"),
        ({"version": "2"}, "version"),
        ({"seed": "fast"}, "seed"),
        ({"seed": 1.5}, "seed"),
        ({"seed": -1}, "seed"),
        ({"seed": int("9" * 400)}, "seed"),
        ({"lr": math.nan}, "lr"),
        ({"lr": math.inf}, "lr"),
        ({"lr": 1e9}, "lr"),
        ({"lr": True}, "lr"),
        ({"data": "spiral"}, "data"),
        ({"on": 1}, "on"),
        ({"points": [[1.0]]}, "points[0]"),
        ({"points": "x"}, "points"),
        ({"compare": 3}, "compare"),
        ({"weights": {"a": "x"}}, "weights"),
        ({"inner": {"k": 10}}, "inner.k"),
    ],
)
def test_a_bad_value_is_refused_with_the_field_named(doc: dict, names: str) -> None:
    with pytest.raises(StateError) as info:
        Demo.from_dict({"version": 2, **doc})
    assert str(info.value).startswith(names), str(info.value)


def test_limits_are_checked_on_construction_and_readable() -> None:
    with pytest.raises(StateError, match="lr: expected a number from 1e-06 to 1"):
        Demo(lr=2.0)
    assert field_limits(Demo, "seed") == (0, 2**31 - 1)
    assert Demo().replace(seed=3).seed == 3


def test_whole_floats_become_ints_and_arrays_pass_through() -> None:
    @dataclass(frozen=True, eq=False)
    class WithArray(StateBase):
        n: int = 1
        grid: np.ndarray = field(default_factory=lambda: np.zeros(2))

    state = WithArray.from_dict({"n": 4.0, "grid": [[1, 2], [3, 4]]})
    assert state.n == 4 and isinstance(state.n, int)
    np.testing.assert_array_equal(state.grid, [[1, 2], [3, 4]])
