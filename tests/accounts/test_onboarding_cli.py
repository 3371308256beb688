"""A fresh install set up from the command line: organisations, users in them, clear refusals."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from clearinghouse.accounts.models import Organisation, User
from clearinghouse.audit.models import AuditEvent
from clearinghouse.cli import main


@pytest.fixture
def password(monkeypatch) -> str:
    monkeypatch.setenv("CLEARINGHOUSE_PASSWORD", "a-long-password")
    return "a-long-password"


def test_organisations_and_their_users_are_created_and_listed(db, password, capsys) -> None:
    assert main(["org", "create", "Grid Co", "--kind", "operator", "--sector", "energy"]) == 0
    assert main(["org", "create", "CISA", "--kind", "agency", "--track", "civilian"]) == 0
    assert main(["createuser", "ops", "--role", "operator", "--organisation", "Grid Co"]) == 0
    grid = Organisation.objects.get(name="Grid Co")
    assert (grid.kind, grid.sector) == ("operator", "energy")
    assert User.objects.get(username="ops").organisation == grid
    assert AuditEvent.objects.filter(action="organisation.created").count() == 2
    capsys.readouterr()
    assert main(["org", "list", "--json", "--limit", "1"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["count"] == 2
    assert listed["items"] == [
        {"name": "CISA", "kind": "agency", "sector": "", "track": "civilian", "users": 0}
    ]
    assert main(["org", "list", "--kind", "operator"]) == 0
    assert "Grid Co\toperator / energy\t1 users" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["org", "create", "Grid", "--kind", "operator"], "an operator names its sector"),
        (["org", "create", "Lab", "--kind", "lab", "--sector", "energy"], "only an operator"),
        (["org", "create", "", "--kind", "lab"], "name"),
        (["org", "create", "Castle", "--kind", "castle"], "kind"),
        (["org", "list", "--limit", "0"], "--limit is 1 to 500"),
        (["createuser", "x", "--role", "operator", "--organisation", "Nowhere"], "no organisation"),
    ],
)
def test_bad_onboarding_input_is_one_error_line(db, password, capsys, argv, message) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert not Organisation.objects.exists()


def test_a_second_organisation_of_one_name_is_refused(db, capsys) -> None:
    assert main(["org", "create", "Lab A", "--kind", "lab"]) == 0
    assert main(["org", "create", "Lab A", "--kind", "vendor"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert Organisation.objects.get().kind == "lab"


def test_a_verb_refused_by_the_permission_layer_prints_one_line(
    cast, tmp_path, declaration, capsys
) -> None:
    model = tmp_path / "model.json"
    model.write_text(json.dumps(declaration()))
    code = main(["models", "register", str(model), "--as-user", cast["reviewer"].username])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: "), err


@pytest.mark.parametrize("option", ["--processes", "--threads"])
def test_serving_with_no_processes_or_threads_is_one_error_line(option: str, capsys) -> None:
    assert main(["serve", option, "0"]) == 2
    assert capsys.readouterr().err == "error: --processes and --threads must be at least 1\n"


@pytest.mark.parametrize("processes", ["1", "2"])
def test_serving_on_a_busy_port_is_one_error_line(tmp_path, processes: str) -> None:
    """Run as a user runs it (a process of its own: waitress sets up logging for its process).

    With several processes the parent binds the port before forking: still one line."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "CLEARINGHOUSE_DATABASE_URL"},
        "CLEARINGHOUSE_DATA_DIR": str(tmp_path),
    }  # its own SQLite file: the port is what is under test, not the database
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from clearinghouse.cli import main; sys.exit(main())",
                "migrate",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from clearinghouse.cli import main; sys.exit(main())",
                "serve",
                "--port",
                str(port),
                "--processes",
                processes,
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    err = done.stderr.strip().splitlines()
    assert done.returncode == 2
    assert len(err) == 1 and "already in use" in err[0], err
