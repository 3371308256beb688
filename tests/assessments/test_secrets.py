"""The lab's key stays with the model object; a real model is refused the local sandbox unless
an admin allows it, and the start form says why."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.core.management import call_command

from clearinghouse.assessments import availability, services
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun
from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.assessments.transcripts import samples_of
from clearinghouse.demo import scripted
from clearinghouse.reviews.models import Notice

from . import openai_server

pytestmark = pytest.mark.django_db(transaction=True)

ALLOW = "CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX=1"


def _start(api_as, user, notice_id: int, suite: str) -> Any:
    return api_as(user).post(
        f"/api/assessments/notices/{notice_id}/runs",
        {"suite": suite},
        content_type="application/json",
    )


def _work() -> None:
    call_command("db_worker", batch=True, startup_delay=False)


def test_the_key_is_never_in_the_environment_while_the_endpoint_is_called(
    people, under_review, grant_endpoint, api_as, pages_as, settings
) -> None:
    capable = openai_server.capable()
    key_in_environment: list[bool] = []

    def watching(prompt: str) -> str:  # runs in this process, while the worker evaluates
        key_in_environment.append(any(openai_server.API_KEY in v for v in os.environ.values()))
        return capable(prompt)

    with openai_server.serve(watching) as endpoint:
        grant_endpoint(under_review["id"], endpoint.base_url)
        started = _start(api_as, people["ns_reviewer"], under_review["id"], "cyber_vuln_id")
        _work()
    run = AssessmentRun.objects.get(pk=started.json()["id"])
    assert run.status == "completed", run.failure_reason
    assert key_in_environment and not any(key_in_environment)
    # the stored log, as a reviewer downloads it
    download = pages_as(people["ns_reviewer"]).get(f"/assessments/runs/{run.pk}/logs/0/")
    assert download.status_code == 200
    stored = b"".join(download.streaming_content)
    assert stored and openai_server.API_KEY.encode() not in stored


def _runs_env_then_gives_up(messages: list[Any], *_: Any) -> Any:
    from inspect_ai.model import ChatMessageTool, ModelOutput

    if any(isinstance(m, ChatMessageTool) for m in messages):
        output = ModelOutput.for_tool_call(scripted.MOCK, "submit", {"answer": "no idea"})
    else:
        output = ModelOutput.for_tool_call(scripted.MOCK, "bash", {"command": "env"})
    return scripted._with_usage(output)


def test_a_model_running_env_in_the_local_sandbox_writes_no_secret_into_its_transcript(
    people, under_review, grant_endpoint, monkeypatch
) -> None:
    monkeypatch.setenv("CLEARINGHOUSE_SECRET_KEY", "worker-signing-key-not-for-models")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-operator-key-not-for-models")
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")  # decrypted, lent, unused
    notice = Notice.objects.get(pk=under_review["id"])
    run = services.start_run(people["civ_reviewer"], notice, StartRun(suite=Suite.CYBER_CTF))
    services.execute(run.pk, model=scripted.mock(_runs_env_then_gives_up))
    run.refresh_from_db()
    assert run.status == "completed", run.failure_reason
    printed = [
        message["text"]
        for view in samples_of(run)
        for message in view.messages
        if "PATH=" in message["text"]
    ]
    assert printed  # the tool call ran and its output is in the transcript
    for text in printed:
        assert "CLEARINGHOUSE_" not in text
        assert "not-for-models" not in text
        assert openai_server.API_KEY not in text


@pytest.fixture
def no_local_for_real_models(settings: Any) -> None:
    settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = False


@pytest.mark.usefixtures("no_local_for_real_models")
def test_a_real_model_is_refused_the_local_sandbox_and_the_form_says_why(
    people, under_review, grant_endpoint, api_as, pages_as
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    reviewer = people["ns_reviewer"]
    for suite in ("cyber", "cyber_ctf", "cyber_autonomy"):
        refused = _start(api_as, reviewer, under_review["id"], suite)
        assert refused.status_code == 409
        assert "sandbox is local" in refused.json()["detail"] and ALLOW in refused.json()["detail"]
    assert not AssessmentRun.objects.exists()
    # a suite without tools needs no sandbox
    assert _start(api_as, reviewer, under_review["id"], "cyber_vuln_id").status_code == 201
    page = pages_as(reviewer).get(f"/reviews/notices/{under_review['id']}/").content.decode()
    assert 'data-testid="sandbox-refused"' in page and ALLOW in page
    assert '<option value="cyber_ctf" disabled>' in page
    assert '<option value="cyber_vuln_id">' in page


@pytest.mark.usefixtures("no_local_for_real_models")
def test_auto_without_a_docker_engine_is_refused_never_silently_local(
    people, under_review, grant_endpoint, api_as, settings, monkeypatch
) -> None:
    settings.CLEARINGHOUSE_ASSESSMENT = dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "sandbox": "auto"
    }
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")  # no engine answers
    availability.forget_docker_probe()
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    refused = _start(api_as, people["ns_reviewer"], under_review["id"], "cyber_ctf")
    availability.forget_docker_probe()
    assert refused.status_code == 409
    assert "no Docker engine here (needs a Docker engine" in refused.json()["detail"]
    assert not AssessmentRun.objects.exists()


@pytest.mark.usefixtures("no_local_for_real_models")
def test_scripted_demo_models_and_an_admins_allowance_get_the_scrubbed_local_sandbox(
    people, under_review, api_as, settings
) -> None:
    lab, reviewer = api_as(people["lab1"]), people["ns_reviewer"]
    grant = {"kind": "inspect_provider", "model": "clearinghouse-demo/capable"}
    url = f"/api/reviews/notices/{under_review['id']}/access-grants"
    assert lab.post(url, grant, content_type="application/json").status_code == 201
    started = _start(api_as, reviewer, under_review["id"], "cyber")
    assert started.status_code == 201 and started.json()["sandbox"] == "clearinghouse-local"

    grant = {"kind": "inspect_provider", "model": "openai/gpt-4o"}  # a real model
    assert lab.post(url, grant, content_type="application/json").status_code == 201
    assert _start(api_as, reviewer, under_review["id"], "cyber").status_code == 409
    settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = True
    assert _start(api_as, reviewer, under_review["id"], "cyber").status_code == 201


def test_a_queued_run_is_refused_when_the_allowance_is_withdrawn_before_it_runs(
    people, under_review, grant_endpoint, api_as, settings
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    started = _start(api_as, people["ns_reviewer"], under_review["id"], "cyber_ctf")
    assert started.status_code == 201
    settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX = False
    _work()
    run = AssessmentRun.objects.get(pk=started.json()["id"])
    assert run.status == "failed" and run.failure_reason.startswith(
        "the local sandbox is refused: sandbox is local"
    )


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:11434/v1", "https://169.254.169.254/v1", "http://2130706433/v1"]
)
def test_a_grant_at_an_internal_address_is_refused_when_the_lab_enters_it(
    people, under_review, api_as, settings, base_url
) -> None:
    from clearinghouse.core.egress import Allowlist

    settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist()
    response = api_as(people["lab1"]).post(
        f"/api/reviews/notices/{under_review['id']}/access-grants",
        {"kind": "openai_compatible", "base_url": base_url, "model": "m", "api_key": "sk-x"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "must not point at the server itself" in response.json()["detail"][0]["msg"]


def test_an_endpoint_redirecting_to_another_local_port_is_not_followed(
    people, under_review, grant_endpoint, api_as, settings
) -> None:
    """The OpenAI SDK follows redirects; the vetting transport checks the hop and refuses it."""
    from clearinghouse.core.egress import Allowlist

    with openai_server.serve(openai_server.refusing, mode="redirect") as endpoint:
        port = endpoint.base_url.split(":")[2].split("/")[0]
        settings.CLEARINGHOUSE_OUTBOUND_ALLOW = Allowlist.parse(f"127.0.0.1:{port}")
        endpoint.redirect_to = "http://localhost:6379/v1/chat/completions"
        grant_endpoint(under_review["id"], endpoint.base_url)
        started = _start(api_as, people["ns_reviewer"], under_review["id"], "cyber_vuln_id")
        _work()
    run = AssessmentRun.objects.get(pk=started.json()["id"])
    assert run.status == "failed"
    assert "refused by the outbound policy" in run.failure_reason
    assert "6379" not in run.failure_reason and "localhost" not in run.failure_reason
    assert len(endpoint.requests) >= 1  # the first hop was served; the second never made


def test_the_endpoint_provider_never_reads_a_key_from_the_environment(monkeypatch) -> None:
    from inspect_ai.model import get_model

    from clearinghouse.assessments.endpoint import Grant, granted

    monkeypatch.setenv("CLEARINGHOUSE_ENDPOINT_API_KEY", "sk-from-the-environment")
    with pytest.raises(ValueError, match="take the key as api_key"):
        get_model("clearinghouse-endpoint/m", base_url="https://m.example/v1", memoize=False)
    with granted(Grant("sk-lent-for-this-run")):
        lent = get_model("clearinghouse-endpoint/m", base_url="https://m.example/v1", memoize=False)
    assert lent.api.api_key == "sk-lent-for-this-run"
    given = get_model(
        "clearinghouse-endpoint/m",
        base_url="https://m.example/v1",
        api_key="sk-given",
        memoize=False,
    )
    assert given.api.api_key == "sk-given"
