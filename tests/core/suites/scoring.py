"""Call a suite scorer directly on a hand-built TaskState, without running an eval."""

from __future__ import annotations

import asyncio
from typing import Any

from inspect_ai.model import ChatMessage, ChatMessageUser, ModelName, ModelOutput
from inspect_ai.scorer import Score, Scorer, Target
from inspect_ai.solver import TaskState


def score_completion(
    scorer: Scorer,
    completion: str,
    target: str,
    metadata: dict[str, Any] | None = None,
    messages: list[ChatMessage] | None = None,
    stop_reason: str = "stop",
) -> Score:
    """The score `scorer` gives a model that answered `completion`."""
    state = TaskState(
        model=ModelName("mockllm/model"),
        sample_id="unit",
        epoch=1,
        input="question",
        messages=messages or [ChatMessageUser(content="question")],
        target=Target(target),
        output=ModelOutput.from_content("mockllm/model", completion, stop_reason=stop_reason),  # type: ignore[arg-type]
        metadata=metadata or {},
    )
    result = asyncio.run(scorer(state, Target(target)))
    assert result is not None
    return result
