"""`clearinghouse models register|list` against a running server with a token, and locally."""

from __future__ import annotations

import json

import pytest

from clearinghouse.accounts.services import issue_token
from clearinghouse.cli import main
from clearinghouse.frontier.models import AIModel


@pytest.fixture
def model_file(tmp_path, declaration):
    def write(**overrides):
        path = tmp_path / "model.json"
        path.write_text(json.dumps(declaration(**overrides) | {"developer": "ignored"}))
        return path

    return write


@pytest.mark.django_db(transaction=True)
def test_a_lab_registers_and_lists_through_the_server_with_its_token(
    live_server, cast, model_file, monkeypatch, capsys
):
    _, secret = issue_token(cast["lab1"], "cli")
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", secret)
    path = model_file(name="Remote", training_compute_flop=3e26)
    assert main(["models", "register", str(path), "--server", live_server.url, "--json"]) == 0
    registered = json.loads(capsys.readouterr().out)
    assert registered["covered"] and registered["organisation"] == "Lab One"
    assert AIModel.objects.get(name="Remote").organisation == cast["lab1"].organisation

    assert main(["models", "list", "--server", live_server.url]) == 0
    assert "Remote" in capsys.readouterr().out

    bad = model_file(name="Bad", training_compute_flop=-1, capabilities=["x"])
    assert main(["models", "register", str(bad), "--server", live_server.url]) == 2
    # (the live server thread logs to stderr too: keep the command's own lines)
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(err) == 2 and all(line.startswith(f"error: {bad}: ") for line in err)
    assert not AIModel.objects.filter(name="Bad").exists()

    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", "chk_wrong")
    assert main(["models", "list", "--server", live_server.url]) == 2
    assert "401" in capsys.readouterr().err


@pytest.mark.django_db
def test_local_registration_acts_as_the_named_user(cast, model_file, capsys):
    path = model_file(name="Local")
    assert main(["models", "register", str(path), "--as-user", cast["lab2"].username]) == 0
    assert "not covered" in capsys.readouterr().out
    assert main(["models", "register", str(path), "--as-user", cast["lab2"].username]) == 2
    assert "already registered" in capsys.readouterr().err
    assert main(["models", "register", str(path), "--as-user", cast["vendor"].username]) == 2
    assert main(["models", "register", str(path)]) == 2
    assert "--server" in capsys.readouterr().err
