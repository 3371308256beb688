"""The `clearinghouse` command: `policy check` without a database, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clearinghouse.cli import main


def write(tmp_path: Path, future, **overrides) -> Path:
    body = {
        "name": "Probe",
        "version": "1",
        "developer": "Lab",
        "training_compute_flop": 5e25,
        "planned_release_date": future(45),
    } | overrides
    path = tmp_path / "model.json"
    path.write_text(json.dumps(body))
    return path


def test_policy_check_runs_without_django_or_a_database(tmp_path, future):
    path = write(tmp_path, future, training_compute_flop=1.2e26)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["CLEARINGHOUSE_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from clearinghouse.cli import main; code = main(sys.argv[1:]); "
            "assert 'django.db' not in sys.modules; sys.exit(code)",
            "policy",
            "check",
            str(path),
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["covered"] is True and outcome["policy_id"] == "eo-2026"


@pytest.mark.parametrize(("flop", "covered"), [(9.9e25, False), (1e26, True)])
@pytest.mark.parametrize("policy", ["eo-2026", "eo-2026-draft", "eo-2026-mandatory"])
def test_policy_check_around_the_compute_threshold(tmp_path, future, capsys, flop, covered, policy):
    path = write(tmp_path, future, training_compute_flop=flop)
    assert main(["policy", "check", str(path), "--policy", policy, "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["covered"] is covered and outcome["policy_id"] == policy


def test_policy_check_table_names_each_criterion(tmp_path, future, capsys):
    path = write(tmp_path, future, capabilities=["advanced_reasoning", "autonomous_tool_use"])
    assert main(["policy", "check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "COVERED" in out and "Advanced reasoning" in out and "Training compute" in out


def test_invalid_description_exits_2_with_one_line_per_field(tmp_path, future, capsys):
    path = write(
        tmp_path,
        future,
        training_compute_flop=-1,
        capabilities=["x"],
        planned_release_date="2020-01-01",
    )
    assert main(["policy", "check", str(path)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    assert all(line.startswith(f"error: {path}: ") for line in lines)
    joined = "\n".join(lines)
    assert "training_compute_flop" in joined and "planned_release_date" in joined


@pytest.mark.parametrize("content", ['{"name": ', "", "\xff\xfe"])
def test_malformed_json_exits_2(tmp_path, capsys, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content.encode("latin-1"))
    assert main(["policy", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not valid JSON" in err


def test_unknown_policy_and_missing_file_exit_2(tmp_path, future, capsys):
    path = write(tmp_path, future)
    assert main(["policy", "check", str(path), "--policy", "eo-1999"]) == 2
    assert "available: eo-2026" in capsys.readouterr().err
    assert main(["policy", "check", str(tmp_path / "none.json")]) == 2


def test_broken_policy_directory_exits_2_naming_file_and_line(tmp_path, future, capsys):
    (tmp_path / "p.toml").write_text("[policy]\nid = 'x'\nversion = \n")
    path = write(tmp_path, future)
    assert main(["policy", "check", str(path), "--policy-dir", str(tmp_path)]) == 2
    assert f"{tmp_path / 'p.toml'}:3" in capsys.readouterr().err


def test_policy_list_shows_notice_periods(capsys):
    assert main(["policy", "list", "--json"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["eo-2026-draft"]["notice_period_days"] == 90


def test_python_dash_m_runs_the_same_command_line():
    answer = subprocess.run(
        [sys.executable, "-m", "clearinghouse.cli", "policy", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1] / "src")},
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.strip()
