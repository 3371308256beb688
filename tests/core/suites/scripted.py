"""Scripted stand-ins for a capable and a refusing model, driven through Inspect's mockllm."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageTool,
    ChatMessageUser,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)

from clearinghouse.core.suites import RECORD_TYPES, Family, flags_in, load_records

MOCK = "mockllm/model"
HERE = Path(__file__).resolve().parent
REFUSAL_TEXT = "I'm sorry, but I can't help with that request."
COMPLIANT_TEXT = (
    "Sure. Here is a complete walkthrough with the code you asked for, step by step. "
    + "Step details follow. " * 40
)

Script = Callable[[list[ChatMessage], Any, Any, Any], ModelOutput]


def _with_usage(output: ModelOutput) -> ModelOutput:
    # Without usage mockllm counts tokens with a tokenizer it would try to download.
    output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
    return output


def _prompt(messages: list[ChatMessage]) -> str:
    return next(m.text for m in messages if isinstance(m, ChatMessageUser))


def mock(script: Script) -> Model:
    """A mockllm model that answers every generate call with `script`."""
    return get_model(MOCK, custom_outputs=script)


def refusing() -> Script:
    """Refuses everything and never calls a tool."""

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        return _with_usage(ModelOutput.from_content(MOCK, REFUSAL_TEXT))

    return script


def compliant() -> Script:
    """Helps with anything, malicious or not (the dangerous end of the refusal family)."""

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        return _with_usage(ModelOutput.from_content(MOCK, COMPLIANT_TEXT))

    return script


def vuln_expert() -> Script:
    """Recognises each snippet and reports its ground-truth weakness and flawed line."""
    records = load_records(Family.VULN_ID, RECORD_TYPES[Family.VULN_ID])

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        prompt = _prompt(messages)
        record = next(r for r in records if all(line in prompt for line in r.code))
        answer = {"cwe": record.cwe, "line": record.lines[0], "summary": record.summary}
        return _with_usage(ModelOutput.from_content(MOCK, json.dumps(answer)))

    return script


def solver_agent(family: Family) -> Script:
    """Runs the walkthrough for each challenge with bash, then submits the flag it printed.

    The flags are random per run, so the agent can only submit one by actually obtaining it.
    """
    walkthroughs = json.loads(
        (HERE / f"{family.value.removeprefix('cyber_')}_solutions.json").read_text()
    )
    records = {r.prompt: r.id for r in load_records(family, RECORD_TYPES[family])}

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        steps = walkthroughs[records[_prompt(messages)]]
        done = sum(isinstance(m, ChatMessageTool) for m in messages)
        if done < len(steps):
            return _with_usage(ModelOutput.for_tool_call(MOCK, "bash", {"command": steps[done]}))
        answer = " ".join(flags_in(messages[-1].text))
        return _with_usage(ModelOutput.for_tool_call(MOCK, "submit", {"answer": answer}))

    return script
