"""Read a run's eval logs back as per-sample summaries for its page and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from inspect_ai.log import read_eval_log
from inspect_ai.model import ChatMessageTool

from .models import AssessmentRun
from .runner import assessments_dir

_TEXT = 2000
_MESSAGES = 60


@dataclass(frozen=True)
class SampleView:
    """One sample: the prompt, the model's final output, its score and a short transcript."""

    family: str
    id: str
    epoch: int
    input: str
    output: str
    score: str
    explanation: str
    messages: list[dict[str, str]] = field(default_factory=list)
    error: str = ""


def _cut(text: str, limit: int = _TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def log_files(run: AssessmentRun) -> list[Path]:
    """The run's eval logs that exist on disk (paths are kept relative to the assessments dir)."""
    base = assessments_dir().resolve()
    found = []
    for relative in run.log_paths:
        path = (base / relative).resolve()
        if path.is_relative_to(base) and path.is_file():
            found.append(path)
    return found


def samples_of(run: AssessmentRun) -> list[SampleView]:
    """Every sample of the run's completed logs, in log order."""
    views: list[SampleView] = []
    for path in log_files(run):
        eval_log = read_eval_log(str(path))
        family = eval_log.eval.task.rsplit("/", 1)[-1]
        for sample in eval_log.samples or []:
            score = next(iter(sample.scores.values()), None) if sample.scores else None
            transcript = []
            for message in sample.messages[:_MESSAGES]:
                text = message.text
                calls = getattr(message, "tool_calls", None) or []
                if calls:
                    text += " " + "; ".join(f"{c.function}({c.arguments})" for c in calls)
                if isinstance(message, ChatMessageTool):
                    text = f"[{message.function}] {text}"
                transcript.append({"role": message.role, "text": _cut(text.strip(), 600)})
            views.append(
                SampleView(
                    family=family,
                    id=str(sample.id),
                    epoch=sample.epoch,
                    input=_cut(_text(sample.input)),
                    output=_cut(sample.output.completion),
                    score=str(score.value) if score else "",
                    explanation=_cut(score.explanation or "", 500) if score else "",
                    messages=transcript,
                    error=sample.error.message if sample.error else "",
                )
            )
    return views
