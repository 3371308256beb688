"""Inspect provider grants (`openai-api/…`, `ollama/…`, any provider given a URL) go through
the outbound policy like granted endpoints: when the lab enters the URL, when the run starts
(the provider's own default and the operator's `<SERVICE>_BASE_URL` included) and on every
request (redirects and DNS answers), and the run says only that the policy refused it."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.management import call_command

from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.core.egress import Allowlist

from . import openai_server

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = "the granted endpoint was refused by the outbound policy"


def _grant(api_as, people, notice_id: int, model: str, **provider_args: Any) -> Any:
    return api_as(people["lab1"]).post(
        f"/api/reviews/notices/{notice_id}/access-grants",
        {"kind": "inspect_provider", "model": model, "provider_args": provider_args},
        content_type="application/json",
    )


def _run(api_as, people, notice_id: int) -> AssessmentRun:
    started = api_as(people["ns_reviewer"]).post(
        f"/api/assessments/notices/{notice_id}/runs",
        {"suite": "cyber_vuln_id"},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    call_command("db_worker", batch=True, startup_delay=False)
    return AssessmentRun.objects.get(pk=started.json()["id"])


@pytest.mark.parametrize(
    ("argument", "url"),
    [
        ("base_url", "http://127.0.0.1:11434/v1"),
        ("azure_endpoint", "https://169.254.169.254"),
        ("api_base", "http://0x7f.1:8000/v1"),
    ],
)
def test_a_provider_url_at_an_internal_address_is_refused_when_the_lab_enters_it(
    people, under_review, api_as, settings, argument, url
) -> None:
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist()
    response = _grant(api_as, people, under_review["id"], "ollama/llama3", **{argument: url})
    assert response.status_code == 422
    error = response.json()["detail"][0]
    assert error["loc"][-1] == f"provider_args.{argument}"
    assert "must not point at the server itself" in error["msg"]
    # the operator's allow-list lets a local model server in
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse("127.0.0.0/8, 169.254.169.254")
    allowed = _grant(api_as, people, under_review["id"], "ollama/llama3", **{argument: url})
    assert allowed.status_code == 201, allowed.content


def test_a_providers_default_url_on_this_machine_is_never_called_unless_allowed(
    people, under_review, api_as, settings, monkeypatch
) -> None:
    """`ollama/` calls localhost by default (here: where the operator's OLLAMA_BASE_URL says)."""
    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist()
    with openai_server.serve(openai_server.refusing) as endpoint:
        monkeypatch.setenv("OLLAMA_BASE_URL", endpoint.base_url)
        assert _grant(api_as, people, under_review["id"], "ollama/lab-model").status_code == 201
        run = _run(api_as, people, under_review["id"])
        assert run.status == "failed"
        assert run.failure_reason == REFUSED
        assert endpoint.requests == []
        port = endpoint.base_url.split(":")[2].split("/")[0]
        settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(f"127.0.0.1:{port}")
        _run(api_as, people, under_review["id"])
        assert endpoint.requests  # allowed: called (it refuses Ollama's placeholder key)


def test_an_allowed_provider_url_runs_the_suite(
    people, under_review, api_as, capable_endpoint, monkeypatch
) -> None:
    monkeypatch.setenv("LAB_API_KEY", openai_server.API_KEY)  # the operator's key for `lab`
    granted = _grant(
        api_as,
        people,
        under_review["id"],
        "openai-api/lab/lab-model",
        base_url=capable_endpoint.base_url,
    )
    assert granted.status_code == 201, granted.content
    run = _run(api_as, people, under_review["id"])
    assert run.status == "completed", run.failure_reason
    assert capable_endpoint.requests


def test_a_provider_redirected_to_another_local_port_is_refused_on_the_hop(
    people, under_review, api_as, settings, monkeypatch
) -> None:
    """The provider's own HTTP client is replaced by the vetting one, so each hop is checked."""
    monkeypatch.setenv("LAB_API_KEY", openai_server.API_KEY)
    with openai_server.serve(openai_server.refusing, mode="redirect") as endpoint:
        port = endpoint.base_url.split(":")[2].split("/")[0]
        settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(f"127.0.0.1:{port}")
        endpoint.redirect_to = "http://localhost:6379/v1/chat/completions"
        _grant(
            api_as,
            people,
            under_review["id"],
            "openai-api/lab/lab-model",
            base_url=endpoint.base_url,
        )
        run = _run(api_as, people, under_review["id"])
    assert run.status == "failed"
    assert "refused by the outbound policy" in run.failure_reason
    assert "6379" not in run.failure_reason and "localhost" not in run.failure_reason
    assert len(endpoint.requests) >= 1  # the first hop was served; the second never made


def test_a_provider_url_whose_name_resolves_inside_the_network_is_never_called(
    people, under_review, api_as, monkeypatch
) -> None:
    monkeypatch.setenv("LAB_API_KEY", openai_server.API_KEY)
    granted = _grant(
        api_as,
        people,
        under_review["id"],
        "openai-api/lab/lab-model",
        base_url="https://models.lab.example/v1",
    )
    assert granted.status_code == 201

    def internal(host: str, port: int, *args: object, **kwargs: object) -> list[tuple]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.20.30.40", port))]

    monkeypatch.setattr(socket, "getaddrinfo", internal)  # the resolver, not our code
    run = _run(api_as, people, under_review["id"])
    assert run.status == "failed"
    assert run.failure_reason == REFUSED
    assert "10.20" not in run.failure_reason and run.samples_done == 0
