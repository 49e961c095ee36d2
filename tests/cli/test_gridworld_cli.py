"""``explorer rl solve`` / ``rl train``: JSON shape, known answers, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from explorer.cli import main
from explorer.core.gridworld import load_preset, world_to_dict
from tests.cli.exit_code import exit_code


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    assert main([*argv, "--json"]) == 0
    out = capsys.readouterr().out
    doc = json.loads(out)
    assert isinstance(doc, dict)
    return doc


def test_solve_policy_evaluation_gives_figure_4_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    doc = run_json(
        capsys,
        "rl",
        "solve",
        "sb-4x4",
        "--algo",
        "policy-evaluation",
        "--policy",
        "random",
        "--theta",
        "1e-6",
    )
    values = doc["values"]
    assert isinstance(values, list)
    assert [round(v) for v in values[0]] == [0, -14, -20, -22]
    assert doc["policy"][1][1] == "URDL"  # type: ignore[index]
    assert doc["policy"][0][0] == ""  # type: ignore[index]
    assert isinstance(doc["sweeps"], int) and doc["sweeps"] > 10
    assert doc["world"]["name"] == "sb-4x4"  # type: ignore[index]


def test_solve_value_iteration_on_a_file_with_walls(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    world = load_preset("windy").toggle_wall((0, 0))
    path = tmp_path / "windy-wall.json"
    path.write_text(json.dumps(world_to_dict(world)))
    doc = run_json(capsys, "rl", "solve", str(path), "--gamma", "1", "--in-place")
    values = doc["values"]
    assert isinstance(values, list)
    assert values[0][0] is None  # the wall
    assert values[3][0] == pytest.approx(-15.0)
    assert doc["policy"][0][0] is None  # type: ignore[index]


def test_train_q_learning_json(capsys: pytest.CaptureFixture[str]) -> None:
    doc = run_json(
        capsys,
        "rl",
        "train",
        "cliff",
        "--algo",
        "q-learning",
        "--episodes",
        "300",
        "--alpha",
        "0.5",
        "--epsilon",
        "0.1",
        "--seed",
        "1",
    )
    returns, lengths = doc["returns"], doc["lengths"]
    assert isinstance(returns, list) and isinstance(lengths, list)
    assert len(returns) == len(lengths) == 300
    path = doc["greedy_path"]
    assert isinstance(path, list)
    assert path[0] == [3, 0] and path[-1] == [3, 11] and len(path) == 14
    assert len(doc["values"]) == 4  # type: ignore[arg-type]


def test_train_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    args = ("rl", "train", "frozen-lake", "--algo", "sarsa", "--episodes", "50")
    assert run_json(capsys, *args, "--seed", "4") == run_json(
        capsys, *args, "--seed", "4"
    )


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rl", "solve", "sb-5x5"]) == 0
    out = capsys.readouterr().out
    assert "converged" in out and "24.42" in out and "→" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rl", "solve", "nowhere"], "neither a preset"),
        (
            [
                "rl",
                "train",
                "cliff",
                "--algo",
                "dqn",
                "--max-steps",
                "5",
                "--alpha",
                "11",
            ],
            "alpha",
        ),
    ],
)
def test_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = exit_code(argv)
    assert code == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_start_inside_a_wall_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    doc = world_to_dict(load_preset("maze"))
    doc["map"] = [row.replace("S", ".") for row in doc["map"]]
    doc["start"] = [0, 3]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    assert main(["rl", "solve", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and "wall" in err and "Traceback" not in err


def test_argparse_rejects_bad_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["rl", "train", "cliff", "--epsilon", "1.5"])
    assert exc.value.code == 2
    assert "must be in [0, 1]" in capsys.readouterr().err


def test_policy_evaluation_names_the_evaluated_policy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rl", "solve", "sb-4x4", "--algo", "policy-evaluation"]) == 0
    out = capsys.readouterr().out
    assert "greedy" not in out
    assert "evaluated policy (random" in out and "↑→↓←" in out


def test_non_convergence_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["rl", "solve", "sb-5x5", "--gamma", "1", "--max-sweeps", "50"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "did NOT converge after 50 sweeps" in out and "use γ < 1" in out


@pytest.mark.parametrize("form", ["baseline", "total-return"])
def test_train_reinforce_in_either_form(
    capsys: pytest.CaptureFixture[str], form: str
) -> None:
    argv = ["rl", "train", "sb-4x4", "--algo", "reinforce", "--episodes", "20"]
    assert main([*argv, "--reinforce", form, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["reinforce"] == form and len(doc["returns"]) == 20
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--reinforce", "vanilla"])
    assert exc.value.code == 2
    assert "invalid choice: 'vanilla'" in capsys.readouterr().err
