"""`clearinghouse notices …` drives the whole review through a running server with tokens."""

from __future__ import annotations

import json

import pytest

from clearinghouse.accounts.services import issue_token
from clearinghouse.cli import main
from clearinghouse.reviews.models import AccessGrant, Notice

from .conftest import in_days


@pytest.mark.django_db(transaction=True)
def test_a_lab_and_two_tracks_complete_a_review_from_the_terminal(
    live_server, people, covered_model, monkeypatch, capsys, tmp_path
):
    def as_user(role: str, *argv: str) -> dict:
        monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(people[role], "cli")[1])
        assert main(["notices", *argv, "--server", live_server.url, "--json"]) == 0, (
            capsys.readouterr().err
        )
        return json.loads(capsys.readouterr().out)

    notice = as_user("lab1", "file", str(covered_model.pk), "--release", in_days(40))
    monkeypatch.setenv("CLEARINGHOUSE_MODEL_API_KEY", "sk-cli-secret-value")
    grant = as_user(
        "lab1",
        "grant",
        str(notice["id"]),
        "--kind",
        "openai_compatible",
        "--model",
        "frontier-1",
        "--base-url",
        "https://models.example.org/v1",
    )
    assert "sk-cli-secret-value" not in json.dumps(grant)
    assert AccessGrant.objects.get().secret_fingerprint == grant["secret_fingerprint"]
    as_user("lab1", "submit", str(notice["id"]))
    tracks = {t["track"]: t["id"] for t in notice["tracks"]}
    as_user("ns_lead", "assign", str(tracks["national_security"]), people["ns_reviewer"].username)
    as_user("civ_lead", "assign", str(tracks["civilian"]), people["civ_reviewer"].username)
    finding = as_user(
        "ns_reviewer",
        "finding",
        str(tracks["national_security"]),
        "--category",
        "cyber_offense",
        "--severity",
        "high",
        "--title",
        "Exploit writing",
        "--description",
        "Solved the CTF set.",
    )
    as_user("ns_reviewer", "release-finding", str(finding["id"]))
    as_user(
        "ns_reviewer",
        "decide",
        str(tracks["national_security"]),
        "--decision",
        "cleared_with_conditions",
        "--rationale",
        "Gated",
        "--condition",
        "Keep safeguards on",
    )
    decided = as_user(
        "civ_reviewer",
        "decide",
        str(tracks["civilian"]),
        "--decision",
        "not_cleared",
        "--rationale",
        "Civil-harm risk unresolved",
    )
    assert decided["status"] == "decided" and decided["overall_decision"] == "not_cleared"

    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(people["lab1"], "cli")[1])
    out = tmp_path / "report.pdf"
    assert (
        main(
            [
                "notices",
                "report",
                str(notice["id"]),
                "--server",
                live_server.url,
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"%PDF-")

    # a reviewer of the wrong track is refused with a one-line error, exit 2
    monkeypatch.setenv("CLEARINGHOUSE_TOKEN", issue_token(people["civ_reviewer"], "cli")[1])
    code = main(
        [
            "notices",
            "finding",
            str(tracks["national_security"]),
            "--server",
            live_server.url,
            "--category",
            "other",
            "--severity",
            "low",
            "--title",
            "x",
            "--description",
            "y",
        ]
    )
    assert code == 2
    assert Notice.objects.get().status == "decided"
