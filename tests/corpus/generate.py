"""A generator of malformed inputs, one list per file kind Explorer reads.

Nothing hostile is checked in: :func:`cases` builds each file on demand in a
temporary folder.  Every case is *invalid* — a reader that accepts one has a bug
(a "silent acceptance"), and a reader that raises anything but its clear
one-line error has another.  Kinds: stack JSON, grid worlds, pose JSON, session
JSON and its arrays ``.npz``, lesson files, latent checkpoints, SMPL-family
``.npz``, meshes, images, points CSV and IDX.

Each kind combines
- the generic faults of any file (empty, one byte, random bytes, NUL bytes,
  UTF-16 with a BOM, not UTF-8, truncated, 50 MB, a directory, missing, another
  format, a malicious pickle that would create a file),
- the faults of its format (JSON: 100,000-deep nesting, 5,000-digit numbers,
  NaN / Infinity / 1e308, wrong types, missing and unknown keys, unknown
  versions; binary formats: damaged headers, lying sizes, NaN data…).
"""

from __future__ import annotations

import gzip
import io
import json
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

Writer = Callable[[Path], None]
PWNED = "PWNED"  # the file a malicious payload would create next to its input

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
DIGITS_5000 = "9" * 5000
DIGITS_400 = "-" + "7" * 400


@dataclass(frozen=True)
class Case:
    """One malformed input: ``write(path)`` creates it at ``path``."""

    kind: str
    name: str
    suffix: str
    write: Writer

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}"


class Evil:
    """Unpickling this creates the file ``PWNED`` in the current folder's target."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (self.target, "w"))


def _bytes(data: bytes) -> Writer:
    def write(path: Path) -> None:
        path.write_bytes(data)

    return write


def _text(text: str, encoding: str = "utf-8") -> Writer:
    return _bytes(text.encode(encoding))


def _sparse(size: int) -> Writer:
    def write(path: Path) -> None:
        with path.open("wb") as fh:
            fh.seek(size - 1)
            fh.write(b"\0")

    return write


def _directory(path: Path) -> None:
    path.mkdir()


def _missing(path: Path) -> None:
    """Write nothing: the path does not exist."""


def _pickle_file(path: Path) -> None:
    path.write_bytes(pickle.dumps({"payload": Evil(str(path.parent / PWNED))}))


def _png(width: int, height: int, data: bytes | None = None) -> bytes:
    """Return a PNG with a real header for ``width × height`` and tiny image data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(data if data is not None else b"\0" * 16)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def _zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def truncations(valid: bytes, count: int = 8) -> Iterator[tuple[str, Writer]]:
    """Yield ``valid`` cut at ``count`` points between 10 % and 90 % of its length."""
    for i in range(count):
        percent = 10 + (80 * i) // max(count - 1, 1)
        yield f"cut_at_{percent}_percent", _bytes(valid[: len(valid) * percent // 100])


def generic_cases(
    valid: bytes, binary: bool, *, lenient: bool = False
) -> Iterator[tuple[str, Writer]]:
    """Yield the faults any file can have (``valid`` is a good file of the kind).

    ``lenient`` formats (CSV, OBJ, PNG) are still whole without their last byte
    (a newline, IEND's checksum) or in UTF-16: those cases are left out there.
    """
    rng = np.random.default_rng(0)
    yield "empty", _bytes(b"")
    yield "one_byte", _bytes(b"{")
    yield "random_bytes", _bytes(rng.bytes(4096))
    yield "nul_bytes", _bytes(b"\0" * 1000)
    yield "not_utf8", _bytes(b"\xff\xfe\xfa\xfb" * 50)
    yield "utf16_with_bom", _bytes(b"\xff\xfe" + b"\0\xd8" * 40)
    yield "truncated_half", _bytes(valid[: len(valid) // 2])
    if not lenient:
        yield "truncated_last_byte", _bytes(valid[:-1])
    yield "truncated_first_bytes", _bytes(valid[:3])
    yield "fifty_megabytes", _sparse(50 * 1024 * 1024)
    yield "a_directory", _directory
    yield "missing", _missing
    yield "a_pickle", _pickle_file
    yield "a_zip_of_text", _bytes(_zip_of({"readme.txt": b"hello"}))
    yield "a_png", _bytes(_png(2, 2))
    yield "html_page", _text("<!DOCTYPE html><html><body>404</body></html>")
    if not binary and not lenient:
        yield "utf16_of_the_valid_file", _bytes(valid.decode().encode("utf-16"))
        yield "latin1_inside", _bytes(valid[:-2] + b"\xe9\xff" + valid[-2:])


# -- JSON formats ---------------------------------------------------------------

_RAW = "@@RAW@@"

# raw JSON text put in place of a value; every one is wrong for a number
BAD_NUMBERS: dict[str, str] = {
    "nan": "NaN",
    "infinity": "Infinity",
    "minus_infinity": "-Infinity",
    "1e999": "1e999",
    "1e308": "1e308",
    "minus_1e308": "-1e308",
    "5000_digits": DIGITS_5000,
    "400_digits": DIGITS_400,
    "deep_nesting": DEEP,
    "string": '"3"',
    "true": "true",
    "object": "{}",
}


def _dumps_with(doc: Any, path: tuple[Any, ...], raw: str | None) -> str:
    """Return ``doc`` as JSON text with the value at ``path`` replaced (or deleted)."""
    doc = json.loads(json.dumps(doc))
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if raw is None:
        del parent[path[-1]]
        return json.dumps(doc)
    parent[path[-1]] = _RAW
    return json.dumps(doc).replace(json.dumps(_RAW), raw)


def json_cases(
    valid: dict[str, Any],
    *,
    numbers: dict[tuple[Any, ...], tuple[str, ...]],
    required: tuple[tuple[Any, ...], ...],
    extra: tuple[tuple[Any, ...], ...],
    version: tuple[Any, ...] | None,
) -> Iterator[tuple[str, Writer]]:
    """Yield the faults of a JSON format described by its valid document.

    ``numbers`` maps the path of each number to the :data:`BAD_NUMBERS` keys that
    are wrong there (all of them when empty); ``required`` lists keys whose
    absence is an error; ``extra`` lists objects where an unknown key is one.
    """
    text = json.dumps(valid)
    yield from generic_cases(text.encode(), binary=False)
    yield "deep_list", _text(DEEP)
    yield "deep_object", _text(DEEP_OBJECT)
    yield "top_level_5000_digits", _text(DIGITS_5000)
    yield "top_level_list", _text("[" + text + "]")
    yield "top_level_string", _text(json.dumps(text))
    yield "top_level_null", _text("null")
    yield "trailing_comma", _text(text[:-1] + ",}")
    yield "with_comments", _text("// a comment\n" + text)
    yield "two_documents", _text(text + text)
    for path, names in numbers.items():
        where = ".".join(str(p) for p in path)
        for name in names or tuple(BAD_NUMBERS):
            yield f"{where}={name}", _text(_dumps_with(valid, path, BAD_NUMBERS[name]))
    for path in required:
        where = ".".join(str(p) for p in path)
        yield f"missing_{where}", _text(_dumps_with(valid, path, None))
    for path in extra:
        where = ".".join(str(p) for p in path) or "top"
        yield (
            f"unknown_key_in_{where}",
            _text(_dumps_with(valid, (*path, "unknown_key"), "1")),
        )
    if version is not None:
        for name, raw in {
            "version_2": "2",
            "version_0": "0",
            "version_negative": "-1",
            "version_string": '"1"',
            "version_true": "true",
            "version_float": "1.5",
            "version_5000_digits": DIGITS_5000,
        }.items():
            yield name, _text(_dumps_with(valid, version, raw))


STACK: dict[str, Any] = {
    "input_size": 32,
    "in_channels": 1,
    "layers": [
        {"type": "conv", "kernel": 3, "stride": 1, "padding": 1, "channels": 8},
        {"type": "pool", "kernel": 2, "stride": 2},
    ],
}


def stack_cases() -> Iterator[tuple[str, Writer]]:
    conv = ("layers", 0)
    yield from json_cases(
        STACK,
        numbers={
            ("input_size",): (),
            ("in_channels",): (),
            (*conv, "kernel"): (),
            (*conv, "stride"): (),
            (*conv, "padding"): (),
            (*conv, "channels"): (),
        },
        required=(("layers",), (*conv, "kernel"), (*conv, "type")),
        extra=(conv,),
        version=None,
    )
    yield "kernel_zero", _text(_dumps_with(STACK, (*conv, "kernel"), "0"))
    yield "stride_negative", _text(_dumps_with(STACK, (*conv, "stride"), "-1"))
    yield (
        "kernel_larger_than_input",
        _text(_dumps_with(STACK, (*conv, "kernel"), "999")),
    )
    yield "no_layers", _text(_dumps_with(STACK, ("layers",), "[]"))
    yield "unknown_type", _text(_dumps_with(STACK, (*conv, "type"), '"dense"'))
    yield (
        "branch_of_one_path",
        _text(_dumps_with(STACK, ("layers", 1), '{"type": "branch", "paths": [[]]}')),
    )
    nested: Any = {"type": "conv", "kernel": 1}
    for _ in range(200):
        nested = {
            "type": "branch",
            "paths": [[nested], [{"type": "conv", "kernel": 1}]],
        }
    yield "branches_200_deep", _text(json.dumps({**STACK, "layers": [nested]}))


WORLD: dict[str, Any] = {
    "format": "explorer-gridworld",
    "version": 1,
    "name": "corpus",
    "map": ["S..", ".#.", "..G"],
    "step_reward": -1,
    "bump_reward": -2,
    "rewards": [{"cell": [0, 1], "reward": -5}],
    "teleports": [{"from": [1, 0], "to": [0, 2], "reward": 1}],
    "wind": [0, 1, 0],
    "slip": 0.1,
    "gamma": 0.9,
}


def world_cases() -> Iterator[tuple[str, Writer]]:
    yield from json_cases(
        WORLD,
        numbers={
            ("step_reward",): (),
            ("bump_reward",): (),
            ("rewards", 0, "reward"): (),
            ("teleports", 0, "reward"): (),
            ("slip",): (),
            ("gamma",): (),
            ("wind", 1): (),
            ("rewards", 0, "cell", 0): (),
        },
        required=(("map",), ("format",), ("version",), ("rewards", 0, "reward")),
        extra=((),),
        version=("version",),
    )
    yield "map_of_numbers", _text(_dumps_with(WORLD, ("map",), "[1, 2, 3]"))
    yield "map_ragged", _text(_dumps_with(WORLD, ("map",), '["S..", ".", "..G"]'))
    yield "map_without_start", _text(_dumps_with(WORLD, ("map",), '["...", "..G"]'))
    yield (
        "map_10000_wide",
        _text(_dumps_with(WORLD, ("map",), json.dumps(["S" + "." * 9999]))),
    )
    yield "map_unknown_character", _text(_dumps_with(WORLD, ("map",), '["S?G"]'))
    yield "rewards_not_a_list", _text(_dumps_with(WORLD, ("rewards",), '"all"'))
    yield (
        "reward_cell_outside",
        _text(_dumps_with(WORLD, ("rewards", 0, "cell"), "[50, 50]")),
    )
    yield "gamma_above_one", _text(_dumps_with(WORLD, ("gamma",), "1.5"))
    yield (
        "out_of_bounds_unknown",
        _text(_dumps_with(WORLD, ("name",), '"x", "out_of_bounds": "bounce"')),
    )
    yield "wrong_format", _text(_dumps_with(WORLD, ("format",), '"explorer-stack"'))


# The pose files are read for the tiny SMPL-format body of :func:`smpl_model`
# (joints joint0, joint1, joint2; four β).
POSE: dict[str, Any] = {
    "format": "explorer-body-pose",
    "version": 1,
    "model": "model.npz",
    "rotations": {"joint1": [10.0, 0.0, 0.0]},
    "translation": [0.0, 0.1, 0.0],
    "shape": {"beta0": 0.5},
}


def pose_cases() -> Iterator[tuple[str, Writer]]:
    yield from json_cases(
        POSE,
        numbers={
            ("rotations", "joint1", 0): (),
            ("translation", 1): (),
            ("shape", "beta0"): (),
        },
        required=(("format",), ("version",)),
        extra=((),),
        version=("version",),
    )
    yield (
        "unknown_bone",
        _text(_dumps_with(POSE, ("rotations",), '{"tail": [1, 2, 3]}')),
    )
    yield "two_angles", _text(_dumps_with(POSE, ("rotations", "joint1"), "[1, 2]"))
    yield "angle_of_720", _text(_dumps_with(POSE, ("rotations", "joint1", 2), "720"))
    yield "translation_of_a_km", _text(_dumps_with(POSE, ("translation", 0), "1000"))
    yield "model_unknown", _text(_dumps_with(POSE, ("model",), '"anny"'))
    yield "model_a_number", _text(_dumps_with(POSE, ("model",), "7"))
    yield "shape_unknown_name", _text(_dumps_with(POSE, ("shape",), '{"height": 1}'))
    yield "shape_out_of_range", _text(_dumps_with(POSE, ("shape", "beta0"), "50"))
    yield "rotations_a_list", _text(_dumps_with(POSE, ("rotations",), "[1, 2, 3]"))


SESSION: dict[str, Any] = {
    "format": "explorer-session",
    "version": 1,
    "active": "gan",
    "panels": {"gan": {"version": 1}},
}


def session_cases() -> Iterator[tuple[str, Writer]]:
    yield from json_cases(
        SESSION,
        numbers={},
        required=(("format",), ("panels",)),
        extra=(),
        version=("version",),
    )
    yield "panels_a_list", _text(_dumps_with(SESSION, ("panels",), "[]"))
    yield "panel_state_a_number", _text(_dumps_with(SESSION, ("panels", "gan"), "3"))
    yield "wrong_format", _text(_dumps_with(SESSION, ("format",), '"explorer"'))
    yield (
        "array_missing",
        _text(_dumps_with(SESSION, ("panels", "gan"), '{"w": {"__array__": "a9"}}')),
    )
    for name, raw in BAD_NUMBERS.items():
        if name in ("string", "true", "object", "1e308", "minus_1e308"):
            continue  # well-formed JSON: the panel's restore judges those values
        yield (
            f"panel_value={name}",
            _text(_dumps_with(SESSION, ("panels", "gan"), '{"lr": ' + raw + "}")),
        )


# A valid lesson: two steps, a gridworld one that runs 3 steps and a GAN one that
# starts its job (each state is checked by its panel's state class).
LESSON: dict[str, Any] = {
    "format": "explorer-lesson",
    "version": 1,
    "title": "A lesson",
    "chapter": "Reinforcement learning",
    "steps": [
        {
            "panel": "gridworld",
            "state": {"version": 1},
            "caption": "A grid.",
            "run": {"steps": 3},
        },
        {
            "panel": "gan",
            "state": {"version": 1, "seed": 2},
            "caption": "A GAN.",
            "run": {"start": True},
            "highlight": "seed",
        },
    ],
}


def lesson_cases() -> Iterator[tuple[str, Writer]]:
    step = ("steps", 0)
    yield from json_cases(
        LESSON,
        numbers={(*step, "run", "steps"): (), ("steps", 1, "state", "seed"): ()},
        required=(("format",), ("version",), ("title",), ("steps",)),
        extra=(),
        version=("version",),
    )
    for name, raw in {
        "steps_empty": "[]",
        "steps_an_object": "{}",
        "steps_a_string": '"all"',
        "steps_of_numbers": "[1, 2]",
        "steps_100000": "[" + ",".join(['{"panel": "gan"}'] * 100_000) + "]",
    }.items():
        yield name, _text(_dumps_with(LESSON, ("steps",), raw))
    for name, path, raw in (
        ("title_empty", ("title",), '"  "'),
        ("title_a_number", ("title",), "3"),
        ("title_too_long", ("title",), json.dumps("t" * 10_000)),
        ("chapter_a_list", ("chapter",), "[]"),
        ("wrong_format", ("format",), '"explorer-session"'),
        ("panel_unknown", (*step, "panel"), '"tetris"'),
        ("panel_empty", (*step, "panel"), '""'),
        ("panel_a_number", (*step, "panel"), "7"),
        ("state_a_list", (*step, "state"), "[1]"),
        ("state_version_2", (*step, "state", "version"), "2"),
        ("state_wrong_type", ("steps", 1, "state", "seed"), '"zero"'),
        ("caption_a_number", (*step, "caption"), "1"),
        ("caption_too_long", (*step, "caption"), json.dumps("c" * 100_000)),
        ("highlight_a_list", (*step, "highlight"), "[]"),
        ("run_a_string", (*step, "run"), '"go"'),
        ("run_both", (*step, "run"), '{"start": true, "steps": 2}'),
        ("run_empty", (*step, "run"), "{}"),
        ("run_unknown_key", (*step, "run"), '{"forever": true}'),
        ("run_start_a_number", (*step, "run"), '{"start": 1}'),
        ("run_steps_zero", (*step, "run", "steps"), "0"),
        ("run_steps_a_float", (*step, "run", "steps"), "2.5"),
        ("run_steps_a_billion", (*step, "run", "steps"), "1000000000"),
    ):
        yield name, _text(_dumps_with(LESSON, path, raw))


def _npz_bytes(arrays: dict[str, Any], compressed: bool = False) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    return buf.getvalue()


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def npz_generic_cases(
    valid: bytes, marker_dir: Callable[[Path], str]
) -> Iterator[tuple[str, Writer]]:
    """Yield the faults of any ``.npz`` archive (after the generic ones)."""
    yield from generic_cases(valid, binary=True)
    yield "npy_renamed_npz", _bytes(_npy_bytes(np.zeros(3)))

    def evil(path: Path) -> None:
        arr = np.array([Evil(marker_dir(path))], dtype=object)
        path.write_bytes(
            _zip_of({"v_template.npy": _npy_bytes(arr), "a0.npy": _npy_bytes(arr)})
        )

    yield "pickled_object_member", evil
    yield "member_not_npy", _bytes(_zip_of({"v_template.npy": b"hello world"}))
    big = b"\x93NUMPY\x01\x00" + _header(
        "{'descr': '<f8', 'fortran_order': False, 'shape': (100000, 100000, 100), }"
    )
    yield (
        "member_declares_8_TB",
        _bytes(_zip_of({"v_template.npy": big, "a0.npy": big})),
    )
    yield (
        "member_bad_header",
        _bytes(
            _zip_of(
                {
                    "v_template.npy": b"\x93NUMPY\x01\x00"
                    + _header("{'descr': 'nonsense'}")
                }
            )
        ),
    )
    data = bytearray(_npz_bytes({"v_template": np.ones(200), "a0": np.ones(200)}, True))
    data[len(data) // 3] ^= 0xFF
    yield "flipped_byte_compressed", _bytes(bytes(data))
    yield "zip_truncated_central_directory", _bytes(valid[: len(valid) - 30])


def _zip_flags(data: bytes, *, flag: int = 0, method: int | None = None) -> bytes:
    """Return the zip ``data`` with its entries' flag bits or method rewritten."""
    out = bytearray(data)
    for sig, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = 0
        while (at := out.find(sig, start)) >= 0:
            out[at + flag_at] |= flag
            if method is not None:
                out[at + method_at : at + method_at + 2] = struct.pack("<H", method)
            start = at + 4
    return bytes(out)


def _header(text: str) -> bytes:
    body = text.encode("latin1")
    pad = 64 - (10 + len(body) + 1) % 64
    body = body + b" " * pad + b"\n"
    return struct.pack("<H", len(body)) + body


def session_npz_cases() -> Iterator[tuple[str, Writer]]:
    valid = _npz_bytes({"a0": np.zeros(3)})
    yield from npz_generic_cases(valid, lambda p: str(p.parent / PWNED))
    yield "wrong_member_name", _bytes(_npz_bytes({"b7": np.zeros(3)}))
    big = _npz_bytes({"a0": np.random.default_rng(1).random(2000)}, compressed=True)
    yield from truncations(big)
    for i, at in enumerate((100, 400, 1000, 2000, 3000)):
        data = bytearray(big)
        data[at] ^= 0x5A
        yield f"flipped_byte_{i}", _bytes(bytes(data))
    plain = _npz_bytes({"a0": np.zeros(3)})
    yield "marked_encrypted", _bytes(_zip_flags(plain, flag=0x1))
    yield "compression_method_99", _bytes(_zip_flags(plain, method=99))
    yield "member_is_a_zip", _bytes(_zip_of({"a0.npy": plain}))
    yield "member_is_a_folder", _bytes(_zip_of({"a0.npy/": b""}))


def smpl_arrays() -> dict[str, np.ndarray]:
    """Return a tiny valid SMPL-format body (3 joints, 8 vertices, 4 β)."""
    rng = np.random.default_rng(0)
    k, b = 3, 4
    weights = np.zeros((8, k))
    weights[:4, 0] = 1.0
    weights[4:6, 1] = 1.0
    weights[6:, 1:] = 0.5
    j_regressor = np.zeros((k, 8))
    j_regressor[0, :4] = 0.25
    j_regressor[1, 4:6] = 0.5
    j_regressor[2, 6:] = 0.5
    return {
        "v_template": rng.uniform(-1.0, 1.0, (8, 3)),
        "shapedirs": rng.normal(0.0, 0.01, (8, 3, b)),
        "posedirs": rng.normal(0.0, 0.01, (8, 3, 9 * (k - 1))),
        "J_regressor": j_regressor,
        "kintree_table": np.array([[2**32 - 1, 0, 1], [0, 1, 2]], dtype=np.uint32),
        "weights": weights,
        "f": np.array([[0, 1, 2], [0, 2, 3], [4, 5, 6], [5, 6, 7]], dtype=np.uint32),
    }


def smpl_cases() -> Iterator[tuple[str, Writer]]:
    good = smpl_arrays()
    yield from npz_generic_cases(_npz_bytes(good), lambda p: str(p.parent / PWNED))

    def changed(**arrays: Any) -> Writer:
        return _bytes(_npz_bytes({**good, **arrays}))

    for key in good:
        yield (
            f"missing_{key}",
            _bytes(_npz_bytes({k: v for k, v in good.items() if k != key})),
        )
        yield f"{key}_empty", changed(**{key: np.zeros((0,))})
        yield f"{key}_strings", changed(**{key: np.array(["a", "b"])})
    for bad, value in (("nan", np.nan), ("inf", np.inf), ("1e308", 1e308)):
        v = good["v_template"].copy()
        v[3, 1] = value
        yield f"v_template_{bad}", changed(v_template=v)
    yield "v_template_wrong_shape", changed(v_template=np.zeros((8, 2)))
    yield "weights_sum_to_zero", changed(weights=np.zeros((8, 3)))
    yield "weights_negative", changed(weights=-good["weights"])
    yield "weights_wrong_shape", changed(weights=np.ones((8, 2)))
    yield "faces_out_of_range", changed(f=np.array([[0, 1, 99]]))
    yield "faces_negative", changed(f=np.array([[0, 1, -2]]))
    yield (
        "kintree_unordered",
        changed(
            kintree_table=np.array([[2**32 - 1, 2, 0], [0, 1, 2]], dtype=np.uint32)
        ),
    )
    yield "posedirs_wrong_shape", changed(posedirs=np.zeros((8, 3, 5)))
    yield "shapedirs_nan", changed(shapedirs=np.full((8, 3, 4), np.nan))


def checkpoint_cases() -> Iterator[tuple[str, Writer]]:
    import torch

    from explorer.core.latent.config import LatentConfig
    from explorer.core.latent.models import build_model

    cfg = LatentConfig(model="ae", hidden=8, latent_dim=2)
    state = {k: v.clone() for k, v in build_model(cfg).state_dict().items()}
    payload = {
        "format": "explorer.latent",
        "version": 1,
        "config": cfg.to_dict(),
        "state_dict": state,
    }

    def saved(obj: Any) -> bytes:
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    valid = saved(payload)
    yield from generic_cases(valid, binary=True)

    def torch_evil(path: Path) -> None:
        path.write_bytes(saved({**payload, "extra": Evil(str(path.parent / PWNED))}))

    yield "torch_file_with_a_payload", torch_evil
    yield "a_list", _bytes(saved([1, 2, 3]))
    yield "a_bare_tensor", _bytes(saved(torch.zeros(3)))
    yield (
        "no_format",
        _bytes(saved({k: v for k, v in payload.items() if k != "format"})),
    )
    yield "wrong_format", _bytes(saved({**payload, "format": "explorer.gan"}))
    for name, version in (("2", 2), ("0", 0), ("minus_1", -1), ("string", "1")):
        yield f"version_{name}", _bytes(saved({**payload, "version": version}))
    yield (
        "no_config",
        _bytes(saved({k: v for k, v in payload.items() if k != "config"})),
    )
    yield (
        "no_weights",
        _bytes(saved({k: v for k, v in payload.items() if k != "state_dict"})),
    )
    for name, value in (
        ("lr_5000_digits", 10**5000 - 1),
        ("lr_400_digits", -(10**400)),
        ("lr_nan", float("nan")),
        ("lr_inf", float("inf")),
        ("lr_1e308", 1e308),
        ("lr_string", "fast"),
        ("lr_negative", -1.0),
        ("latent_dim_huge", 10**12),
        ("hidden_zero", 0),
        ("model_unknown", "gan"),
    ):
        key = name.split("_")[0] if not name.startswith("latent_dim") else "latent_dim"
        cfg_dict = {**cfg.to_dict(), key: value}
        yield f"config_{name}", _bytes(saved({**payload, "config": cfg_dict}))
    first = next(iter(state))
    yield (
        "weights_nan",
        _bytes(
            saved({**payload, "state_dict": {**state, first: state[first] * np.nan}})
        ),
    )
    yield (
        "weights_inf",
        _bytes(
            saved({**payload, "state_dict": {**state, first: state[first] + np.inf}})
        ),
    )
    yield (
        "weights_wrong_shape",
        _bytes(saved({**payload, "state_dict": {**state, first: torch.zeros(1)}})),
    )
    yield (
        "weights_missing_one",
        _bytes(
            saved(
                {
                    **payload,
                    "state_dict": {k: v for k, v in state.items() if k != first},
                }
            )
        ),
    )
    yield (
        "weights_not_tensors",
        _bytes(saved({**payload, "state_dict": {k: 1.0 for k in state}})),
    )
    yield "a_plain_pickle_of_the_payload", _bytes(pickle.dumps({"format": "x"}))
    yield "zip_without_data", _bytes(_zip_of({"archive/data.pkl": b"garbage"}))


def mesh_cases() -> Iterator[tuple[str, Writer]]:
    valid = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"
    yield from generic_cases(valid.encode(), binary=False, lenient=True)
    verts = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\n"
    faces = "f 1 2 3\nf 1 2 4\nf 1 3 4\nf 2 3 4\n"
    yield "point_cloud", _text(verts)
    yield "only_faces", _text(faces)
    for name, value in (
        ("nan", "nan"),
        ("inf", "inf"),
        ("1e308", "1e308"),
        ("minus_1e308", "-1e308"),
        ("1e200", "1e200"),
        ("5000_digits", DIGITS_5000),
    ):
        yield (
            f"vertex_{name}",
            _text(verts.replace("v 1 0 0", f"v {value} 0 0") + faces),
        )
    yield "all_vertices_coincide", _text("v 1 1 1\n" * 4 + faces)
    yield "zero_area", _text("v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\n" + faces)
    yield "face_index_too_large", _text(verts + "f 1 2 99\n")
    yield "one_vertex", _text("v 0 0 0\nf 1 1 1\n")
    yield "letters_for_numbers", _text("v a b c\nv d e f\nv g h i\nf 1 2 3\n")
    yield "a_json_file", _text(json.dumps(STACK))
    yield "face_with_two_indices", _text(verts + "f 1 2\n")
    yield "face_index_zero", _text(verts + "f 0 0 0\n")
    yield "negative_index_out_of_range", _text(verts + "f -10 -11 -12\n")
    yield "vertex_with_two_coordinates", _text("v 0 0\nv 1 0\nv 0 1\nf 1 2 3\n")
    yield "faces_of_letters", _text(verts + "f a b c\n")
    yield "coordinates_1e10", _text(verts.replace("v 0 1 0", "v 0 1e10 0") + faces)
    yield "only_a_degenerate_face", _text(verts + "f 1 1 2\n")
    yield "nan_everywhere", _text("v nan nan nan\n" * 4 + faces)
    yield "utf16_point_cloud", _bytes(verts.encode("utf-16"))
    yield "vertices_on_a_line", _text("v 0 0 0\nv 1 1 1\nv 2 2 2\nv 3 3 3\n" + faces)
    yield "faces_of_negative_zero", _text(verts + "f -0 -0 -0\n")


def image_cases() -> Iterator[tuple[str, Writer]]:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (8, 8), 128).save(buf, format="PNG")
    valid = buf.getvalue()
    for name, writer in generic_cases(valid, binary=True, lenient=True):
        if name != "a_png":  # a tiny valid PNG
            yield name, writer
    yield "bomb_20000_square", _bytes(_png(20_000, 20_000))
    yield "bomb_100000_by_1000", _bytes(_png(100_000, 1000))
    yield "zero_width", _bytes(_png(0, 10))
    yield "header_only", _bytes(valid[:33])
    data = bytearray(valid)
    data[40] ^= 0xFF
    yield "bad_crc", _bytes(bytes(data))
    yield "idat_garbage", _bytes(_png(8, 8)[:41] + b"garbage" + _png(8, 8)[48:])
    yield "jpeg_truncated", _bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\0" * 20)
    yield "gif_header_only", _bytes(b"GIF89a\x10\x00\x10\x00")
    yield (
        "bmp_lying_size",
        _bytes(
            b"BM"
            + struct.pack("<IHHI", 1000, 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, 30000, 30000, 1, 24, 0, 0, 0, 0, 0, 0)
        ),
    )
    yield "text_renamed_png", _text("not an image at all\n")
    yield "numpy_file_renamed_png", _bytes(_npy_bytes(np.zeros((8, 8))))
    yield "svg_renamed_png", _text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    noisy = io.BytesIO()
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (64, 64), dtype=np.uint8)).save(
        noisy, format="PNG"
    )
    yield from truncations(noisy.getvalue())
    yield "width_2_to_the_31", _bytes(_png(2**31 - 1, 1))
    yield "height_2_to_the_31", _bytes(_png(1, 2**31 - 1))
    bad_depth = bytearray(_png(8, 8))
    bad_depth[24] = 7  # bit depth 7 does not exist
    yield "bit_depth_7", _bytes(bytes(bad_depth))
    bad_type = bytearray(_png(8, 8))
    bad_type[25] = 5  # colour type 5 does not exist
    yield "colour_type_5", _bytes(bytes(bad_type))
    no_data = _png(8, 8)
    yield "no_image_data", _bytes(no_data[:33] + no_data[-12:])
    palette = bytearray(_png(8, 8))
    palette[25] = 3  # a palette image without its palette
    yield "palette_missing", _bytes(bytes(palette))


def csv_cases() -> Iterator[tuple[str, Writer]]:
    valid = "x,y\n0,0\n1,1\n2,0\n"
    yield from generic_cases(valid.encode(), binary=False, lenient=True)
    yield "utf16_without_bom", _bytes(valid.encode("utf-16-le"))
    yield "one_point", _text("x,y\n1,2\n")
    yield "header_only", _text("x,y\n")
    for name, value in (
        ("nan", "nan"),
        ("inf", "inf"),
        ("minus_inf", "-inf"),
        ("1e308", "1e308"),
        ("1e20", "1e20"),
        ("5000_digits", DIGITS_5000),
        ("letters", "abc"),
        ("empty_cell", ""),
    ):
        yield f"value_{name}", _text(f"0,0\n1,{value}\n2,2\n")
    yield "three_columns", _text("0,0,0\n1,1,1\n")
    yield "one_column", _text("0\n1\n2\n")
    yield "semicolons", _text("0;0\n1;1\n")
    yield "five_hundred_and_one", _text("".join(f"{i},{i}\n" for i in range(501)))
    yield "json_inside", _text(json.dumps(STACK))
    yield "quoted_text", _text('"a","b"\n"c","d"\n')
    yield "value_minus_1e308", _text("0,0\n-1e308,1\n")
    yield "only_blank_lines", _text("\n\n\n")
    yield "tab_separated", _text("0\t0\n1\t1\n")
    yield "hex_numbers", _text("2,3\n0x10,1\n4,5\n")
    yield "second_header_mid_file", _text("0,0\nx,y\n1,1\n")
    yield "magnitude_1e5", _text("0,0\n100000,1\n")
    yield "value_with_a_unit", _text("0,0\n1,2m\n")
    yield "decimal_commas", _text("0,5,1,5\n2,5,3,5\n")


def _idx(code: int, shape: tuple[int, ...], body: bytes) -> bytes:
    return (
        bytes([0, 0, code, len(shape)])
        + b"".join(s.to_bytes(4, "big") for s in shape)
        + body
    )


def idx_cases() -> Iterator[tuple[str, Writer]]:
    valid = _idx(0x08, (4, 28, 28), bytes(4 * 28 * 28))
    yield from generic_cases(valid, binary=True)
    yield "bad_magic", _bytes(b"\x01\x02" + valid[2:])
    yield "unknown_type", _bytes(_idx(0x0A, (4, 28, 28), bytes(4 * 784)))
    yield "zero_dimensions", _bytes(bytes([0, 0, 8, 0]))
    yield "truncated_header", _bytes(valid[:9])
    yield "body_too_short", _bytes(valid[:-10])
    yield "body_too_long", _bytes(valid + b"\0" * 10)
    yield (
        "header_declares_4_billion",
        _bytes(_idx(0x08, (2**32 - 1, 28, 28), b"\0" * 100)),
    )
    yield (
        "float_nan",
        _bytes(_idx(0x0D, (1, 28, 28), np.full(784, np.nan, dtype=">f4").tobytes())),
    )
    yield "labels_not_images", _bytes(_idx(0x08, (10,), bytes(10)))
    yield "one_dimensional_images", _bytes(_idx(0x08, (784,), bytes(784)))
    yield "gzip_corrupt", _bytes(b"\x1f\x8b\x08\x00" + b"\xff" * 100)
    yield "gzip_truncated", _bytes(gzip.compress(valid)[:-20])
    yield "zero_images", _bytes(_idx(0x08, (0, 28, 28), b""))

    larger = _idx(0x08, (20, 28, 28), np.arange(20 * 784, dtype=np.uint8).tobytes())
    yield from truncations(larger)
    yield (
        "float64_inf",
        _bytes(_idx(0x0E, (1, 28, 28), np.full(784, np.inf, dtype=">f8").tobytes())),
    )
    yield "ndim_255", _bytes(bytes([0, 0, 8, 255]) + b"\0\0\0\1" * 255 + b"\0")

    def bomb(path: Path) -> None:
        comp = zlib.compressobj(9, zlib.DEFLATED, 31)
        chunk = bytes(1 << 20)
        with path.open("wb") as fh:
            fh.write(comp.compress(_idx(0x08, (300_000, 28, 28), b"")))
            for _ in range(260):
                fh.write(comp.compress(chunk))
            fh.write(comp.flush())

    yield "gzip_bomb_260_MB", bomb


SUFFIX = {
    "stack": ".json",
    "world": ".json",
    "pose": ".json",
    "session": ".explorer.json",
    "session-npz": ".explorer.npz",
    "lesson": ".lesson.json",
    "checkpoint": ".pt",
    "smpl": ".npz",
    "mesh": ".obj",
    "image": ".png",
    "csv": ".csv",
    "idx": ".idx",
}

_BUILDERS: dict[str, Callable[[], Iterator[tuple[str, Writer]]]] = {
    "stack": stack_cases,
    "world": world_cases,
    "pose": pose_cases,
    "session": session_cases,
    "session-npz": session_npz_cases,
    "lesson": lesson_cases,
    "checkpoint": checkpoint_cases,
    "smpl": smpl_cases,
    "mesh": mesh_cases,
    "image": image_cases,
    "csv": csv_cases,
    "idx": idx_cases,
}

KINDS = tuple(_BUILDERS)


def cases(kind: str) -> list[Case]:
    """Return the malformed inputs of ``kind`` (one of :data:`KINDS`)."""
    out = [Case(kind, name, SUFFIX[kind], w) for name, w in _BUILDERS[kind]()]
    names = [c.name for c in out]
    assert len(names) == len(set(names)), "case names must be unique"
    return out


def all_cases() -> list[Case]:
    """Return every malformed input of every kind."""
    return [c for kind in KINDS for c in cases(kind)]


# -- absurd arguments ---------------------------------------------------------------

HUGE = "1" + "0" * 12
ABSURD_NUMBERS = ("1e308", "-1", "0", "nan", "inf", HUGE, "9" * 5000, "abc")

# subcommand → (the arguments it needs, the numeric flags to feed absurd values)
SUBCOMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "rf layers": (("resnet18",), ("--input-size",)),
    "rf erf": (("resnet18",), ("--input-size", "--inputs", "--steps", "--seed")),
    "gan train": (
        (),
        ("--points-std", "--unroll", "--steps", "--report-every", "--seed"),
    ),
    "rl solve": (("cliff",), ("--gamma", "--theta", "--max-sweeps")),
    "rl train": (
        ("cliff",),
        (
            "--episodes",
            "--max-steps",
            "--alpha",
            "--alpha-critic",
            "--epsilon",
            "--gamma",
            "--seed",
        ),
    ),
    "latent train": (
        (),
        ("--beta", "--latent-dim", "--epochs", "--seed", "--noise", "--lr", "--limit"),
    ),
    "latent interpolate": (
        ("--load", "m.pt", "--out", "o.png"),
        ("--from", "--to", "--steps", "--scale"),
    ),
    "latent grid": (
        ("--load", "m.pt", "--out", "o.png"),
        ("--n", "--range", "--scale"),
    ),
    "rays samples": (
        (),
        (
            "--density",
            "--sharpness",
            "--samples",
            "--near",
            "--far",
            "--size",
            "--seed",
        ),
    ),
    "rays trace": (
        ("--origin", "0,0,-3", "--direction", "0,0,1"),
        ("--density", "--sharpness", "--near", "--far"),
    ),
    "rays render": (("--out", "o.png"), ("--samples", "--near", "--far", "--size")),
    "rays fit-sdf": ((), ("--steps", "--seed")),
    "rays train-nerf": ((), ("--steps", "--freqs", "--seed")),
    "snapshot": (("rf", "--out", "o.png"), ("--scale",)),
}

# flags where a listed value is allowed (0 is a fine seed, padding, γ…)
_ALLOWED: dict[str, frozenset[str]] = {
    "--seed": frozenset({"0"}),
    "--from": frozenset({"0"}),
    "--to": frozenset({"0"}),
    "--gamma": frozenset({"0"}),
    "--epsilon": frozenset({"0"}),
    "--noise": frozenset({"0"}),
    "--beta": frozenset({"0"}),
    "--near": frozenset({"0"}),
    "--far": frozenset({"0"}),
    "--density": frozenset({"0"}),
    "--freqs": frozenset({"0"}),
}

# whole command lines that make no sense, beyond single numbers ("MODEL": the path
# of the tiny SMPL-format body of :func:`smpl_arrays`)
ABSURD_LINES: tuple[tuple[str, ...], ...] = (
    ("rf", "erf", "resnet18", "--unit", "-1", "5"),
    ("rf", "erf", "resnet18", "--unit", HUGE, "0"),
    ("rays", "samples", "--origin", "1e308,0,0", "--direction", "0,0,1"),
    ("rays", "samples", "--origin", "nan,0,0", "--direction", "0,0,1"),
    ("rays", "samples", "--origin", "0,0", "--direction", "0,0,1"),
    ("rays", "samples", "--pixel", f"{HUGE},1"),
    ("rays", "samples", "--pixel", "-1,-1"),
    ("rays", "trace", "--origin", "0,0,-3", "--direction", "0,0,1e308"),
    ("body", "pose", "--model", "MODEL", "--rotate", "joint0=1e308,0,0"),
    ("body", "pose", "--model", "MODEL", "--rotate", "joint0=nan,0,0"),
    ("body", "pose", "--model", "MODEL", "--rotate", "joint0=720,0,0"),
    ("body", "pose", "--model", "MODEL", "--rotate", "joint0=1,2"),
    ("body", "pose", "--model", "MODEL", "--phenotype", "beta0=1e308"),
    ("body", "pose", "--model", "MODEL", "--phenotype", "beta0=nan"),
    ("body", "pose", "--model", "MODEL", "--phenotype", "beta0"),
    ("body", "pose", "--model", "MODEL", "--phenotype", "nonsense=0.5"),
    ("gan", "train", "--data", "nonexistent"),
    ("rl", "solve", "nonexistent-world"),
    ("rf", "layers", "nonexistent-arch"),
    ("latent", "grid", "--load", "missing.pt", "--out", "o.png"),
)


def absurd_argument_cases() -> list[tuple[str, ...]]:
    """Return command lines with an absurd value, for every subcommand's numbers."""
    lines: list[tuple[str, ...]] = []
    for command, (needed, flags) in SUBCOMMANDS.items():
        for flag in flags:
            for value in ABSURD_NUMBERS:
                if value in _ALLOWED.get(flag, frozenset()):
                    continue
                lines.append((*command.split(), *needed, flag, value))
    return [*lines, *ABSURD_LINES]
