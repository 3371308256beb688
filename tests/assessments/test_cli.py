"""`clearinghouse assess` against a server with a token, or the local database as a reviewer."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from clearinghouse.accounts.services import issue_token
from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.cli import _assess, main

pytestmark = pytest.mark.django_db(transaction=True)


def _error_lines(stderr: str) -> list[str]:
    # the worker run by earlier tests may leave its own log lines on stderr
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


@pytest.fixture
def worker_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--wait` sleeps between polls; here each sleep lets the worker drain the queue."""
    monkeypatch.setattr(
        _assess, "_pause", lambda _: call_command("db_worker", batch=True, startup_delay=False)
    )


def test_a_reviewer_assesses_from_the_terminal_against_a_server(
    live_server,
    people,
    under_review,
    grant_endpoint,
    capable_endpoint,
    monkeypatch,
    capsys,
    worker_while_waiting,
) -> None:
    grant_endpoint(under_review["id"], capable_endpoint.base_url)
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(people["ns_reviewer"], "cli")[1])
    argv = ["assess", str(under_review["id"]), "--suite", "cyber_vuln_id"]
    code = main([*argv, "--server", live_server.url, "--wait", "--json"])
    assert code == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    run = json.loads(out[out.index("{\n") :])  # after the worker's own log lines
    assert run["status"] == "completed"
    assert run["levels"] == {"cyber_vuln_id": 4}

    # a lab's token cannot start one: the server's 403 is one error line, exit 2
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(people["lab1"], "cli")[1])
    assert main([*argv, "--server", live_server.url]) == 2
    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1
    assert AssessmentRun.objects.count() == 1


def test_a_failed_run_exits_1_with_its_reason(
    people, under_review, grant_endpoint, capsys, worker_while_waiting
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    argv = ["assess", str(under_review["id"]), "--suite", "cyber_refusal"]
    assert main([*argv, "--as-user", people["civ_reviewer"].username, "--wait"]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]  # after the worker's log lines
    assert last.startswith("error: assessment #")
    assert "could not be reached" in last


@pytest.mark.parametrize(
    ("who", "notice", "suite", "message"),
    [
        ("civ_reviewer", None, "cyber_everything", "suite: one of cyber"),
        ("lab1", None, "cyber", "only reviewers assigned to this notice"),
        ("ns_reviewer", 99999, "cyber", "no notice #99999"),
        ("nobody", None, "cyber", "no active user named 'nobody'"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(
    people, under_review, grant_endpoint, capsys, who, notice, suite, message
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    username = people[who].username if who in people else who
    argv = ["assess", str(notice or under_review["id"]), "--suite", suite, "--as-user", username]
    assert main(argv) == 2
    errors = _error_lines(capsys.readouterr().err)
    assert len(errors) == 1 and message in errors[0], errors
    assert not AssessmentRun.objects.exists()


def test_without_a_server_or_user_the_verb_says_what_to_give(capsys) -> None:
    assert main(["assess", "1", "--suite", "cyber"]) == 2
    assert "--as-user" in capsys.readouterr().err
