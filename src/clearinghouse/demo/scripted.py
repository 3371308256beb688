"""Scripted stand-ins for a capable and a refusing model, driven through Inspect's mockllm.

The demo seeds its assessment with them and the tests drive the suite with them: no network,
no tokenizer download (every output carries `usage`), and the same answers every time. They
are also an Inspect model provider, `clearinghouse-demo/<script>` (registered through the
package's `inspect_ai` entry point), so a demo access grant can name one and a reviewer's
"Run" button drives the real worker path without any model to host. The
agentic scripts run a fixed walkthrough per challenge (`walkthroughs/<family>.json`) in the
sandbox and submit the flag they printed; flags are random per run, so a walkthrough scores
only by actually obtaining the flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from inspect_ai.model import (
    ChatMessage,
    ChatMessageTool,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    get_model,
    modelapi,
)
from inspect_ai.tool import ToolChoice, ToolInfo

from clearinghouse.core.suites import RECORD_TYPES, Family, flags_in, load_records

MOCK = "mockllm/model"
WALKTHROUGHS = Path(__file__).resolve().with_name("walkthroughs")
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
    return get_model(MOCK, custom_outputs=script, memoize=False)


def answering(text: str) -> Script:
    """Gives the same answer to everything and never calls a tool."""

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        return _with_usage(ModelOutput.from_content(MOCK, text))

    return script


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


def walkthroughs(family: Family) -> dict[str, list[str]]:
    """The bash commands that solve each challenge of an agentic family, by sample id."""
    loaded: dict[str, list[str]] = json.loads(
        (WALKTHROUGHS / f"{family.value}.json").read_text(encoding="utf-8")
    )
    return loaded


def solver_agent(family: Family, gives_up_on: Collection[str] = ()) -> Script:
    """Runs the walkthrough for each challenge with bash, then submits the flag it printed.

    Challenges of a difficulty in `gives_up_on` get a wrong answer at once (a weaker agent).
    """
    steps_of = walkthroughs(family)
    records = {r.prompt: r for r in load_records(family, RECORD_TYPES[family])}

    def script(messages: list[ChatMessage], *_: Any) -> ModelOutput:
        record = records[_prompt(messages)]
        if record.difficulty in gives_up_on:
            return _with_usage(ModelOutput.for_tool_call(MOCK, "submit", {"answer": "no idea"}))
        steps = steps_of[record.id]
        done = sum(isinstance(m, ChatMessageTool) for m in messages)
        if done < len(steps):
            return _with_usage(ModelOutput.for_tool_call(MOCK, "bash", {"command": steps[done]}))
        answer = " ".join(flags_in(messages[-1].text))
        return _with_usage(ModelOutput.for_tool_call(MOCK, "submit", {"answer": answer}))

    return script


def demo_model(gives_up_on: Collection[str] = ("hard",)) -> Script:
    """The whole cyber suite's stand-in for the demo: a capable model with safeguards.

    It names every snippet's weakness, solves the CTF and autonomy challenges below the
    difficulties in `gives_up_on`, and refuses every request of the refusal family.
    """
    vuln = vuln_expert()
    vuln_prompts = load_records(Family.VULN_ID, RECORD_TYPES[Family.VULN_ID])
    agents = {
        family: (
            {r.prompt for r in load_records(family, RECORD_TYPES[family])},
            solver_agent(family, gives_up_on),
        )
        for family in (Family.CTF, Family.AUTONOMY)
    }
    refuse = refusing()

    def script(messages: list[ChatMessage], *rest: Any) -> ModelOutput:
        prompt = _prompt(messages)
        for prompts, agent in agents.values():
            if prompt in prompts:
                return agent(messages, *rest)
        if any(all(line in prompt for line in r.code) for r in vuln_prompts):
            return vuln(messages, *rest)
        return refuse(messages, *rest)

    return script


PROVIDER = "clearinghouse-demo"
SCRIPTS: dict[str, Callable[[], Script]] = {
    "capable": demo_model,
    "refusing": refusing,
    "compliant": compliant,
}
"""The scripts the `clearinghouse-demo/<name>` provider serves."""


class ScriptedModelAPI(ModelAPI):
    """Answers with one of `SCRIPTS`, chosen by the model name (`clearinghouse-demo/capable`)."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),  # noqa: B008  (Inspect's own signature)
        **model_args: Any,
    ) -> None:
        super().__init__(model_name, base_url, api_key, [], config)
        if model_name not in SCRIPTS:
            known = ", ".join(f"{PROVIDER}/{name}" for name in SCRIPTS)
            raise ValueError(f"no scripted model {model_name!r}: use one of {known}")
        self._script = SCRIPTS[model_name]()

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """The script's answer to the conversation so far."""
        return self._script(input, tools, tool_choice, config)


@modelapi(name=PROVIDER)
def scripted_provider() -> type[ModelAPI]:
    """Inspect's registration of the scripted models as a provider."""
    return ScriptedModelAPI
