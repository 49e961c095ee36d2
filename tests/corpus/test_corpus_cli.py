"""Every malformed input of the corpus, through the CLI: exit 2, one line, no traceback.

The CLI runs in-process (``explorer.cli.main(argv)``) so the few hundred cases
stay fast; ``test_real_processes_exit_2_with_one_line`` spawns a few real
``python -m explorer`` processes to prove the wiring (exit code, stderr).
Kinds no subcommand reads (images, sessions) go through their core reader here
and through the panels in ``test_corpus_gui.py``.
"""

from __future__ import annotations

import collections
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from explorer.cli import main
from tests.corpus.generate import (
    KINDS,
    PWNED,
    SUBCOMMANDS,
    Case,
    absurd_argument_cases,
    all_cases,
    cases,
    smpl_arrays,
)

CASES = all_cases()
COUNTS = collections.Counter(c.kind for c in CASES)
MIN_PER_KIND = 40


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny SMPL-format body (the pose cases' model) and an output folder."""
    root = tmp_path_factory.mktemp("corpus-env")
    model = root / "model.npz"
    np.savez(model, **smpl_arrays())  # type: ignore[arg-type]
    return {"model": model, "out": root}


def _argv(case: Case, path: Path, env: dict[str, Path]) -> list[str] | None:
    p, out = str(path), str(env["out"])
    return {
        "stack": ["rf", "layers", p],
        "world": ["rl", "solve", p, "--max-sweeps", "5"],
        "pose": ["body", "pose", "--model", str(env["model"]), "--pose", p],
        "smpl": ["body", "bones", "--model", p],
        "checkpoint": ["latent", "grid", "--load", p, "--out", f"{out}/g.png"],
        "mesh": ["rays", "fit-sdf", "--mesh", p, "--steps", "1", "--device", "cpu"],
        "csv": ["gan", "train", "--data", p, "--steps", "1", "--device", "cpu"],
        "idx": ["latent", "train", "--images", p, "--epochs", "1", "--limit", "10"],
        "lesson": ["lesson", "check", p],
    }.get(case.kind)


def _core_reader(case: Case) -> Callable[[Path], object]:
    """Return the reader of a kind no subcommand reads (it must raise ValueError)."""
    if case.kind == "image":
        from explorer.core.data import load_image_gray

        return load_image_gray
    from explorer.app.session import load_session

    if case.kind == "session":
        return load_session

    def session_with(npz: Path) -> object:
        doc = npz.with_name(npz.name.removesuffix(".npz") + ".json")
        doc.write_text(
            '{"format": "explorer-session", "version": 1, "active": "gan", '
            '"panels": {"gan": {"w": {"__array__": "a0"}}}}'
        )
        return load_session(doc)

    return session_with


def _exit_code(argv: list[str]) -> int:
    """Return the exit code of ``explorer ARGV`` (argparse exits by SystemExit)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


def _check(case: Case, path: Path, env: dict[str, Path], capsys: Any) -> str | None:
    """Return what is wrong with the handling of ``case`` (None: a clear refusal)."""
    argv = _argv(case, path, env)
    if argv is None:
        try:
            _core_reader(case)(path)
        except ValueError as exc:
            message = str(exc).strip()
            if not message or "\n" in message:
                return f"not one line: {message!r}"
            return None
        return "accepted in silence"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = _exit_code(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    if caught:  # a real process prints these on stderr: a second line
        return f"warned: {caught[0].message}"
    if code != 2:
        return f"exit {code} (accepted in silence?): {err[-300:]!r}"
    if len(lines) != 1 or not lines[0].startswith("explorer") or "Traceback" in err:
        return f"not one clear line: {err[-300:]!r}"
    return None


def test_every_kind_has_at_least_40_cases() -> None:
    print("corpus cases per kind:", dict(COUNTS), "total", sum(COUNTS.values()))
    assert set(COUNTS) == set(KINDS)
    assert min(COUNTS.values()) >= MIN_PER_KIND, COUNTS


# One test per kind, its cases in a loop: a pytest item per case would spend
# most of the time in the suite's per-test fixtures (a full gc.collect()).
@pytest.mark.parametrize("kind", KINDS)
def test_malformed_inputs_get_one_clear_line(
    kind: str,
    tmp_path: Path,
    env: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    problems: list[str] = []
    kind_cases = cases(kind)
    for i, case in enumerate(kind_cases):
        folder = tmp_path / str(i)
        folder.mkdir()
        path = folder / f"input{case.suffix}"
        case.write(path)
        try:
            problem = _check(case, path, env, capsys)
        except BaseException as exc:  # a traceback: what the corpus is here to catch
            if isinstance(exc, KeyboardInterrupt):
                raise
            problem = f"raised {type(exc).__name__}: {str(exc)[:200]}"
        if (folder / PWNED).exists():
            problem = "a payload in the file ran"
        if problem:
            problems.append(f"{case.id}: {problem}")
    with capsys.disabled():
        print(f"\n{kind}: {len(kind_cases)} cases, {len(problems)} problems")
    assert not problems, "\n".join(problems)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "explorer", *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_real_processes_exit_2_with_one_line(tmp_path: Path) -> None:
    stack = next(c for c in cases("stack") if c.name == "deep_list")
    path = tmp_path / "deep.json"
    stack.write(path)
    for argv in (
        ("rf", "layers", str(path)),
        ("rays", "samples", "--size", "1000000000000"),
        ("gan", "train", "--seed", "1000000000000"),
    ):
        done = _run(*argv)
        assert done.returncode == 2, done
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "Traceback" not in done.stderr


def test_a_closed_pipe_ends_quietly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "explorer", "rf", "layers", "resnet50"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` exiting before the table is printed
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipe" not in err, err
    assert proc.returncode == 141


ABSURD = absurd_argument_cases()


def test_absurd_arguments_get_one_clear_line(
    tmp_path: Path, env: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    problems: list[str] = []
    commands: set[str] = set()
    for line in ABSURD:
        argv = [str(env["model"]) if a == "MODEL" else a for a in line]
        argv = [str(tmp_path / a) if a.endswith((".png", ".pt")) else a for a in argv]
        commands.add(" ".join(line[:2]))
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                code = _exit_code(argv)
        except BaseException as exc:  # a traceback is the bug this test is for
            if isinstance(exc, KeyboardInterrupt):
                raise
            problems.append(f"{' '.join(line)[:120]}: raised {type(exc).__name__}")
            continue
        err = capsys.readouterr().err
        lines = err.strip().splitlines()
        if code != 2 or len(lines) != 1 or "Traceback" in err or caught:
            problems.append(
                f"{' '.join(line)[:120]}: exit {code}, stderr {err[-300:]!r}"
            )
    with capsys.disabled():
        print(
            f"\nabsurd arguments: {len(ABSURD)} command lines, {len(problems)} problems"
        )
    assert not problems, "\n".join(problems)
    # every subcommand with a number to give is covered
    assert {c for c in SUBCOMMANDS} <= {" ".join(c.split()[:2]) for c in commands} | {
        "snapshot"
    }
