"""Versioned, validated settings dataclasses (a panel's state, a job's config).

A panel's settings are one frozen dataclass deriving from :class:`StateBase`::

    @dataclass(frozen=True)
    class GanState(StateBase):
        VERSION: ClassVar[int] = 1
        data: Literal["ring8", "grid25"] = "ring8"
        lr: float = field(default=2e-4, metadata=limits(1e-6, 1.0))
        seed: int = field(default=0, metadata=limits(0, 2**31 - 1))

``to_dict()`` gives a JSON-able dict with the version; ``from_dict(d)`` checks
the version and every field against its annotation and limits, and raises a
:class:`StateError` whose message names the field ("seed: expected a whole
number from 0 to 2147483647, got 'fast'").  Missing keys take their defaults;
unknown keys are ignored (a newer file can still be read).  The limits are the
ones the CLI uses too: one source for ranges and defaults.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from collections.abc import Mapping
from typing import Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

import numpy as np

S = TypeVar("S", bound="StateBase")

_LIMITS_KEY = "explorer.limits"
# Whole numbers beyond this are refused before conversion (a 5,000-digit "seed").
_MAX_INT_DIGITS = 19


class StateError(ValueError):
    """A settings dict is unusable; the message names the field and the reason."""


def limits(low: float | None = None, high: float | None = None) -> dict[str, Any]:
    """Return dataclass-field metadata saying a number must lie in [low, high]."""
    return {_LIMITS_KEY: (low, high)}


def field_limits(cls: type[StateBase], name: str) -> tuple[float | None, float | None]:
    """Return the (low, high) limits of field ``name`` of ``cls`` (None: open)."""
    for f in dataclasses.fields(cls):
        if f.name == name:
            lo, hi = f.metadata.get(_LIMITS_KEY, (None, None))
            return lo, hi
    raise KeyError(name)


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


def _num(value: float) -> str:
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return str(int(value))
    return f"{value:g}"


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f" from {_num(lo)} to {_num(hi)}"
    if lo is not None:
        return f" ≥ {_num(lo)}"
    if hi is not None:
        return f" ≤ {_num(hi)}"
    return ""


def _check_range(
    name: str, value: float, lo: float | None, hi: float | None, kind: str
) -> None:
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise StateError(
            f"{name}: expected {kind}{_range_text(lo, hi)}, got {_num(value)}"
        )


def _convert(name: str, hint: Any, value: Any, lims: tuple[Any, Any]) -> Any:
    """Return ``value`` converted to ``hint`` or raise :class:`StateError`."""
    origin = get_origin(hint)
    args = get_args(hint)
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        errors = []
        for option in options:
            try:
                return _convert(name, option, value, lims)
            except StateError as exc:
                errors.append(str(exc))
        raise StateError(
            errors[0]
            if len(errors) == 1
            else f"{name}: {_describe(value)} fits none of its types"
        )
    if origin is Literal:
        for allowed_value in args:
            if type(value) is type(allowed_value) and value == allowed_value:
                return value
        allowed = ", ".join(repr(a) for a in args)
        raise StateError(f"{name}: expected one of {allowed}, got {_describe(value)}")
    if hint is bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        raise StateError(f"{name}: expected true or false, got {_describe(value)}")
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            if isinstance(value, float) and value.is_integer() and math.isfinite(value):
                value = int(value)
            else:
                raise StateError(
                    f"{name}: expected a whole number{_range_text(*lims)}, "
                    f"got {_describe(value)}"
                )
        if len(str(abs(int(value)))) > _MAX_INT_DIGITS:
            raise StateError(f"{name}: the number is far too large")
        _check_range(name, int(value), *lims, "a whole number")
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise StateError(
                f"{name}: expected a number{_range_text(*lims)}, got {_describe(value)}"
            )
        if isinstance(value, int) and len(str(abs(value))) > _MAX_INT_DIGITS:
            raise StateError(f"{name}: the number is far too large")
        out = float(value)
        if not math.isfinite(out):
            raise StateError(f"{name}: expected a finite number, got {out}")
        _check_range(name, out, *lims, "a number")
        return out
    if hint is str:
        if isinstance(value, str):
            return value
        raise StateError(f"{name}: expected text, got {_describe(value)}")
    if origin is tuple:
        if not isinstance(value, list | tuple):
            raise StateError(f"{name}: expected a list, got {_describe(value)}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(
                _convert(f"{name}[{i}]", args[0], v, lims) for i, v in enumerate(value)
            )
        if len(value) != len(args):
            raise StateError(f"{name}: expected {len(args)} values, got {len(value)}")
        return tuple(
            _convert(f"{name}[{i}]", a, v, lims)
            for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if origin in (dict, Mapping) or hint is dict:
        if not isinstance(value, Mapping):
            raise StateError(f"{name}: expected a mapping, got {_describe(value)}")
        key_t, val_t = args if args else (str, Any)
        return {
            _convert(f"{name} key", key_t, k, (None, None)): _convert(
                f"{name}[{k!r}]", val_t, v, lims
            )
            for k, v in value.items()
        }
    if hint is np.ndarray or origin is np.ndarray:
        if isinstance(value, np.ndarray):
            return value
        try:
            return np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise StateError(f"{name}: expected an array ({exc})") from None
    if isinstance(hint, type) and issubclass(hint, StateBase):
        if isinstance(value, hint):
            return value
        if not isinstance(value, Mapping):
            raise StateError(f"{name}: expected a mapping, got {_describe(value)}")
        return hint._from_fields(value, prefix=f"{name}.")
    if hint is Any:
        return value
    raise TypeError(f"{name}: unsupported field type {hint!r}")


def _plain(value: Any) -> Any:
    if isinstance(value, StateBase):
        return value._fields_dict()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


@dataclasses.dataclass(frozen=True)
class StateBase:
    """Base of the frozen settings dataclasses (see the module docstring)."""

    VERSION: ClassVar[int] = 1

    def __post_init__(self) -> None:
        # Check defaults and direct construction too: a state is always valid.
        hints = typing.get_type_hints(type(self))
        for f in dataclasses.fields(self):
            lims = f.metadata.get(_LIMITS_KEY, (None, None))
            value = _convert(f.name, hints[f.name], getattr(self, f.name), lims)
            object.__setattr__(self, f.name, value)

    def _fields_dict(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_dict(self) -> dict[str, Any]:
        """Return the state as a JSON-able dict with its ``version``."""
        return {"version": self.VERSION, **self._fields_dict()}

    @classmethod
    def _from_fields(cls: type[S], data: Mapping[str, Any], prefix: str = "") -> S:
        hints = typing.get_type_hints(cls)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            lims = f.metadata.get(_LIMITS_KEY, (None, None))
            values[f.name] = _convert(
                prefix + f.name, hints[f.name], data[f.name], lims
            )
        try:
            return cls(**values)
        except StateError as exc:
            raise StateError(f"{prefix}{exc}") from None

    @classmethod
    def from_dict(cls: type[S], data: Mapping[str, Any]) -> S:
        """Return the state stored in ``data`` (as :meth:`to_dict` wrote it).

        Raises
        ------
        StateError
            For a missing or unknown version, or a field of the wrong type or out of
            its limits; the message names the field.
        """
        if not isinstance(data, Mapping):
            raise StateError(f"expected a mapping of settings, got {_describe(data)}")
        version = data.get("version", cls.VERSION)
        if isinstance(version, bool) or not isinstance(version, int):
            raise StateError(
                f"version: expected a whole number, got {_describe(version)}"
            )
        if version != cls.VERSION:
            raise StateError(
                f"version {version} is not supported (this Explorer reads version "
                f"{cls.VERSION})"
            )
        return cls._from_fields(data)

    def replace(self: S, **changes: Any) -> S:
        """Return a copy with ``changes`` applied (validated like any state)."""
        return dataclasses.replace(self, **changes)
