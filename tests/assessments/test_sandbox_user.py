"""The local sandbox runs a model's commands as an unprivileged user when one is configured
(CLEARINGHOUSE_ASSESSMENT_SANDBOX_USER), so the worker's own files are out of their reach.

Switching user needs a root worker. These tests run as root here (and in CI's container); the
ones that switch are marked for root, and the refusal a non-root worker gets is tested by the
ones beside them, so every worker runs one of each pair.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
import pytest

from clearinghouse.assessments import services
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun
from clearinghouse.core.sandboxes import SandboxUser, ScrubbedLocalSandbox, commands_run_as
from clearinghouse.demo import scripted
from clearinghouse.reviews.models import Notice

SWITCHES = os.geteuid() == 0
needs_root = pytest.mark.skipif(not SWITCHES, reason="a non-root worker cannot switch user")
needs_non_root = pytest.mark.skipif(SWITCHES, reason="a root worker can switch user")


def _sandboxed(user: SandboxUser | None, secret: Path) -> dict[str, Any]:
    """What commands in a fresh scrubbed sandbox (as `user`) see and may do."""

    async def go() -> dict[str, Any]:
        with commands_run_as(user):
            environments = await ScrubbedLocalSandbox.sample_init("task", None, {})
        box = environments["default"]
        try:
            await box.write_file("work/given.txt", "from the tool")
            seen: dict[str, Any] = {
                "uid": (await box.exec(["id", "-u"])).stdout.strip(),
                "secret": await box.exec(["cat", str(secret)]),
                "given": await box.exec(
                    ["sh", "-c", "cat work/given.txt; echo ok >> work/given.txt"]
                ),
                "made": await box.exec(["sh", "-c", "echo x > made.txt && cat made.txt"]),
            }
            refused = []
            for attempt in (box.read_file(str(secret)), box.write_file(str(secret), "changed")):
                try:
                    await attempt
                except OSError as error:
                    refused.append(type(error))
            return seen | {"tool_refused": refused}
        finally:
            await ScrubbedLocalSandbox.sample_cleanup("task", None, environments, False)

    return anyio.run(go)


@needs_root
def test_commands_run_as_the_sandbox_user_and_cannot_read_the_workers_files(tmp_path) -> None:
    secret = tmp_path / "worker-secret"
    secret.write_text("worker-only")  # owner-only, like everything the worker creates
    as_worker = _sandboxed(None, secret)
    assert as_worker["uid"] == "0" and as_worker["secret"].stdout == "worker-only"
    assert as_worker["tool_refused"] == []  # the worker's own user may: the reason for a user
    secret.write_text("worker-only")

    seen = _sandboxed(SandboxUser.named("nobody"), secret)
    assert seen["uid"] == str(SandboxUser.named("nobody").uid)
    assert not seen["secret"].success and "worker-only" not in seen["secret"].stdout
    # what a tool wrote into the sample is the sandbox user's to read and change
    assert seen["given"].success and seen["given"].stdout.strip() == "from the tool"
    assert seen["made"].success and seen["made"].stdout.strip() == "x"
    # a tool's file access (text editor) is the sandbox user's too: the worker's file is
    # neither overwritten nor read
    assert seen["tool_refused"] == [PermissionError, PermissionError]
    assert secret.read_text() == "worker-only"


def _reads_the_key_then_gives_up(messages: list[Any], *_: Any) -> Any:
    from inspect_ai.model import ChatMessageTool, ModelOutput

    if any(isinstance(m, ChatMessageTool) for m in messages):
        output = ModelOutput.for_tool_call(scripted.MOCK, "submit", {"answer": "no idea"})
    else:
        command = f"id -u; cat {os.environ['KEY_UNDER_TEST']}"
        output = ModelOutput.for_tool_call(scripted.MOCK, "bash", {"command": command})
    return scripted._with_usage(output)


@needs_root
@pytest.mark.django_db(transaction=True)
def test_a_runs_tool_calls_run_as_the_sandbox_user(
    people, under_review, grant_endpoint, settings, tmp_path, monkeypatch
) -> None:
    from clearinghouse.assessments.transcripts import samples_of

    key = tmp_path / "audit-signing-key"
    key.write_text("worker-key-not-for-models")
    monkeypatch.setenv("KEY_UNDER_TEST", str(key))  # read by the script, not the sandbox
    settings.CLEARINGHOUSE_ASSESSMENT = dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "sandbox_user": "nobody",
        "sample_limit": 1,
    }
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    notice = Notice.objects.get(pk=under_review["id"])
    run = services.start_run(people["civ_reviewer"], notice, StartRun(suite=Suite.CYBER_CTF))
    services.execute(run.pk, model=scripted.mock(_reads_the_key_then_gives_up))
    run.refresh_from_db()
    assert run.status == "completed", run.failure_reason
    texts = [m["text"] for view in samples_of(run) for m in view.messages]
    assert any(str(SandboxUser.named("nobody").uid) in text for text in texts), texts
    assert not any("worker-key-not-for-models" in text for text in texts)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("no-such-user-here", "there is no user 'no-such-user-here'"),
        ("root", "not an unprivileged user of its own"),
        pytest.param("nobody", "cannot switch to another user", marks=needs_non_root),
    ],
)
def test_a_sandbox_user_that_cannot_be_used_fails_the_run_with_the_reason(
    people, under_review, grant_endpoint, settings, name, why
) -> None:
    settings.CLEARINGHOUSE_ASSESSMENT = dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "sandbox_user": name
    }
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    notice = Notice.objects.get(pk=under_review["id"])
    run = services.start_run(people["civ_reviewer"], notice, StartRun(suite=Suite.CYBER_CTF))
    services.execute(run.pk, model=scripted.mock(scripted.refusing()))
    run.refresh_from_db()
    assert run.status == "failed"
    assert run.failure_reason.startswith("the local sandbox's user cannot be used: ")
    assert why in run.failure_reason
