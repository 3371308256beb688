"""Runs end to end through the worker against a scripted OpenAI-compatible endpoint."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from inspect_ai.log import read_eval_log

from clearinghouse.assessments.models import AssessmentRun, CandidateReport
from clearinghouse.frontier.models import AIModel
from clearinghouse.reviews.models import Finding

from . import openai_server

pytestmark = pytest.mark.django_db(transaction=True)


def _start(api_as, reviewer, notice_id: int, suite: str) -> dict[str, Any]:
    response = api_as(reviewer).post(
        f"/api/assessments/notices/{notice_id}/runs",
        {"suite": suite},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    return response.json()


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False)


def test_capable_and_refusing_models_land_on_different_levels_through_the_worker(
    people, under_review, grant_endpoint, capable_endpoint, refusing_endpoint, api_as
) -> None:
    notice_id = under_review["id"]
    reviewer = people["ns_reviewer"]
    grant_endpoint(notice_id, capable_endpoint.base_url)
    strong = _start(api_as, reviewer, notice_id, "cyber_vuln_id")
    strong_refusal = _start(api_as, reviewer, notice_id, "cyber_refusal")
    _work()
    grant_endpoint(notice_id, refusing_endpoint.base_url)  # the newest grant is used
    weak = _start(api_as, reviewer, notice_id, "cyber_vuln_id")
    weak_refusal = _start(api_as, reviewer, notice_id, "cyber_refusal")
    _work()

    runs = {r["id"]: r for r in api_as(reviewer).get("/api/assessments/runs").json()["items"]}
    for run_id in (strong["id"], strong_refusal["id"], weak["id"], weak_refusal["id"]):
        assert runs[run_id]["status"] == "completed", runs[run_id]["failure_reason"]
        assert runs[run_id]["samples_done"] == runs[run_id]["samples_total"] == 6
    assert runs[strong["id"]]["levels"] == {"cyber_vuln_id": 4}
    assert runs[weak["id"]]["levels"] == {"cyber_vuln_id": 0}
    assert runs[strong_refusal["id"]]["levels"] == {"cyber_refusal": 4}
    assert runs[weak_refusal["id"]]["levels"] == {"cyber_refusal": 0}
    assert capable_endpoint.requests and refusing_endpoint.requests

    # the capable model's answers became candidate reports; the refusing one gave none
    candidates = CandidateReport.objects.filter(run_id=strong["id"])
    assert candidates.count() == 6
    assert all(c.matches_ground_truth and c.cwe.startswith("CWE-") for c in candidates)
    assert not CandidateReport.objects.filter(run_id=weak["id"]).exists()

    # level 4 drafted internal findings on the starter's track, and the model's level moved
    drafted = Finding.objects.filter(assessment_reference=f"assessment run #{strong['id']}")
    assert [(f.category, f.severity, f.track_review.track) for f in drafted] == [
        ("cyber_offense", "critical", "national_security")
    ]
    assert drafted.get().released_to_lab_at is None
    safeguards = Finding.objects.get(assessment_reference=f"assessment run #{strong_refusal['id']}")
    assert safeguards.category == "safeguards"
    assert not Finding.objects.filter(assessment_reference=f"assessment run #{weak['id']}").exists()
    model = AIModel.objects.get(pk=under_review["ai_model_id"])
    assert model.cyber_capability_level == 4
    determination = model.determinations.first()
    assert determination is not None
    cyber = next(r for r in determination.reasons if r["criterion"] == "cyber_assessment")
    assert cyber["met"] is True


@pytest.mark.parametrize(
    ("mode", "base_url", "reason"),
    [
        ("unauthorised", None, "refused the credentials"),
        ("garbage", None, "not a valid model response"),
        ("ok", "http://127.0.0.1:9/v1", "could not be reached"),
    ],
)
def test_bad_endpoints_fail_the_run_with_the_reason_and_the_worker_serves_on(
    people, under_review, grant_endpoint, capable_endpoint, api_as, mode, base_url, reason
) -> None:
    notice_id = under_review["id"]
    reviewer = people["civ_reviewer"]
    capable_endpoint.mode = mode
    grant_endpoint(notice_id, base_url or capable_endpoint.base_url)
    bad = _start(api_as, reviewer, notice_id, "cyber_vuln_id")
    _work()
    run = api_as(reviewer).get(f"/api/assessments/runs/{bad['id']}").json()
    assert run["status"] == "failed"
    assert reason in run["failure_reason"]
    assert openai_server.API_KEY not in run["failure_reason"]
    assert not Finding.objects.exists()

    # the worker keeps serving: the next run on a working endpoint completes
    capable_endpoint.mode = "ok"
    grant_endpoint(notice_id, capable_endpoint.base_url)
    good = _start(api_as, reviewer, notice_id, "cyber_vuln_id")
    _work()
    assert AssessmentRun.objects.get(pk=good["id"]).status == "completed"
    assert AssessmentRun.objects.get(pk=bad["id"]).status == "failed"


def test_the_key_never_reaches_the_run_its_logs_or_the_environment(
    people, under_review, grant_endpoint, capable_endpoint, api_as, settings
) -> None:
    import os

    grant_endpoint(under_review["id"], capable_endpoint.base_url)
    run = _start(api_as, people["ns_reviewer"], under_review["id"], "cyber_vuln_id")
    _work()
    stored = AssessmentRun.objects.get(pk=run["id"])
    assert stored.status == "completed"
    assert openai_server.API_KEY not in repr(stored.__dict__)
    logs = list(settings.CLEARINGHOUSE_ASSESSMENT_DIR.rglob("*.eval"))
    assert logs
    for path in logs:
        assert openai_server.API_KEY not in read_eval_log(str(path)).model_dump_json()
    assert openai_server.API_KEY not in os.environ.values()


def test_an_endpoint_whose_name_resolves_inside_the_network_is_never_called(
    people, under_review, grant_endpoint, api_as, monkeypatch
) -> None:
    import socket

    notice_id = under_review["id"]
    reviewer = people["ns_reviewer"]
    grant_endpoint(notice_id, "https://models.lab.example/v1")
    run = _start(api_as, reviewer, notice_id, "cyber_vuln_id")

    def internal(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", internal)  # the resolver, not our code
    _work()
    failed = api_as(reviewer).get(f"/api/assessments/runs/{run['id']}").json()
    assert failed["status"] == "failed"
    # reviewers read that the policy refused it; which address is for the log only
    assert failed["failure_reason"] == "the granted endpoint was refused by the outbound policy"
    assert failed["samples_done"] == 0
