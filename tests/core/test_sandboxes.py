"""The scrubbed local sandbox hides the worker's environment; real models need an admin's yes."""

from __future__ import annotations

from typing import Any

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.model import ChatMessage, ChatMessageTool, ModelOutput
from inspect_ai.solver import generate, use_tools
from inspect_ai.tool import bash

from clearinghouse.core.sandboxes import (
    SCRUBBED_LOCAL,
    is_scripted,
    sandbox_choice,
    scrubbed_environment,
)
from clearinghouse.demo import scripted

WORKER = {
    "PATH": "/usr/bin:/bin",
    "LANG": "en_GB.UTF-8",
    "HOME": "/home/worker",
    "CLEARINGHOUSE_SECRET_KEY": "django-signing-key",
    "CLEARINGHOUSE_DATABASE_URL": "postgres://ch:pw@db/ch",
    "OPENAI_API_KEY": "sk-live-operator-key",
    "CHTARGET_API_KEY": "sk-lab-key",
    "AWS_SECRET_ACCESS_KEY": "aws",
    "GITHUB_TOKEN": "ghp_x",
    "PGPASSWORD": "pw",
    "SHELL": "/bin/bash",
}


def test_the_environment_keeps_path_and_lang_and_a_home_of_its_own():
    assert scrubbed_environment(WORKER, "/sandbox/sample/.home") == {
        "PATH": "/usr/bin:/bin",
        "LANG": "en_GB.UTF-8",
        "HOME": "/sandbox/sample/.home",
    }


def test_what_a_tool_asks_for_is_passed_unless_it_is_named_like_a_secret():
    requested = {"TERM": "dumb", "MY_API_KEY": "x", "CLEARINGHOUSE_X": "y", "SESSION_ID": "z"}
    environment = scrubbed_environment({}, "/h", requested)
    assert environment == {"LANG": "C.UTF-8", "HOME": "/h", "TERM": "dumb"}


@pytest.mark.parametrize(
    ("setting", "docker", "scripted_model", "allowed", "sandbox", "refused"),
    [
        ("docker", None, False, False, "docker", ""),
        ("auto", None, False, False, "docker", ""),
        ("auto", "no engine", True, False, SCRUBBED_LOCAL, ""),
        ("auto", "no engine", False, True, SCRUBBED_LOCAL, ""),
        ("auto", "no engine", False, False, SCRUBBED_LOCAL, "no Docker engine here (no engine)"),
        ("local", None, True, False, SCRUBBED_LOCAL, ""),
        ("local", None, False, False, SCRUBBED_LOCAL, "sandbox is local"),
        ("local", None, False, True, SCRUBBED_LOCAL, ""),
        ("podman", None, True, True, "", "unknown sandbox setting"),
    ],
)
def test_the_sandbox_choice_never_falls_back_silently(
    setting, docker, scripted_model, allowed, sandbox, refused
):
    choice = sandbox_choice(
        setting, docker_problem=docker, scripted=scripted_model, allow_local=allowed
    )
    assert choice.sandbox == sandbox
    if refused:
        assert refused in choice.refused
        assert "CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX" in choice.refused or not sandbox
    else:
        assert choice.refused == ""


def test_only_scripted_stand_ins_count_as_scripted():
    assert is_scripted("clearinghouse-demo/capable") and is_scripted("mockllm/model")
    assert not is_scripted("clearinghouse-endpoint/lab-model")
    assert not is_scripted("openai/gpt-4o")


def _runs_env(messages: list[ChatMessage], *_: Any) -> ModelOutput:
    output = (
        ModelOutput.from_content(scripted.MOCK, "done")
        if any(isinstance(m, ChatMessageTool) for m in messages)
        else ModelOutput.for_tool_call(scripted.MOCK, "bash", {"command": "env; echo HOME=$HOME"})
    )
    return scripted._with_usage(output)


def test_a_model_running_env_in_the_scrubbed_sandbox_sees_no_secret(tmp_path, monkeypatch):
    for name, value in WORKER.items():
        if name not in {"PATH", "LANG"}:
            monkeypatch.setenv(name, value)
    task = Task(
        dataset=[Sample(input="print the environment")],
        solver=[use_tools(bash(timeout=30)), generate()],
        sandbox=SCRUBBED_LOCAL,
    )
    [log] = eval(task, model=scripted.mock(_runs_env), log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    [sample] = log.samples or []
    [result] = [m for m in sample.messages if isinstance(m, ChatMessageTool)]
    printed = result.text
    assert "PATH=" in printed and "HOME=/" in printed  # the command ran and printed
    assert "/home/worker" not in printed
    for name, value in WORKER.items():
        if name not in {"PATH", "LANG", "HOME"}:
            assert name not in printed and value not in printed
    assert "CLEARINGHOUSE_" not in printed
    assert "sk-" not in log.model_dump_json()
