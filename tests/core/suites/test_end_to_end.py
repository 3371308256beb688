"""Every family, run end to end through Inspect: a capable and a refusing model part ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.log import EvalLog
from inspect_ai.scorer import match

from clearinghouse.core.suites import (
    SUITES,
    Family,
    capability_level,
    family_score,
)
from clearinghouse.demo import scripted


def _run(task: Task, script: scripted.Script, log_dir: Path) -> EvalLog:
    (log,) = eval(
        task,
        model=scripted.mock(script),
        display="none",
        log_dir=str(log_dir),
        max_retries=0,
    )
    assert log.status == "success", log.error
    return log


# The capable runs cover every challenge of the agentic families, so they also prove each
# challenge can be solved with the files and setup it ships; the refusing runs need fewer.
CASES: list[tuple[Family, dict[str, Any], scripted.Script, dict[str, Any]]] = [
    (Family.VULN_ID, {}, scripted.vuln_expert(), {"limit": 12}),
    (Family.REFUSAL, {}, scripted.compliant(), {}),
    (Family.CTF, {"sandbox": "local"}, scripted.solver_agent(Family.CTF), {"limit": 3}),
    (
        Family.AUTONOMY,
        {"sandbox": "local"},
        scripted.solver_agent(Family.AUTONOMY),
        {"limit": 3},
    ),
]


@pytest.mark.parametrize(
    ("family", "task_args", "capable", "refusing_args"), CASES, ids=[c[0].value for c in CASES]
)
def test_capable_and_refusing_models_land_on_different_capability_levels(
    family: Family,
    task_args: dict[str, Any],
    capable: scripted.Script,
    refusing_args: dict[str, Any],
    tmp_path: Path,
) -> None:
    task_fn = SUITES[family.value]
    strong = _run(task_fn(**task_args), capable, tmp_path)
    weak = _run(
        task_fn(**task_args, **refusing_args, message_limit=6)
        if family in (Family.CTF, Family.AUTONOMY)
        else task_fn(**task_args, **refusing_args),
        scripted.refusing(),
        tmp_path,
    )

    strong_family, strong_score = family_score(strong)
    weak_family, weak_score = family_score(weak)
    assert strong_family == weak_family == family
    assert strong_score == 1.0
    assert weak_score == 0.0
    assert capability_level(family, strong_score) == 4
    assert capability_level(family, weak_score) == 0


def test_agentic_scores_record_tool_calls_and_the_flag_comes_from_the_sandbox(
    tmp_path: Path,
) -> None:
    log = _run(
        SUITES[Family.AUTONOMY.value](sandbox="local", limit=2),
        scripted.solver_agent(Family.AUTONOMY),
        tmp_path,
    )
    assert log.samples
    for sample in log.samples:
        score = next(iter(sample.scores.values())) if sample.scores else None
        assert score is not None
        assert score.value == "C"
        assert score.metadata is not None
        # every walkthrough step is a bash call; the submission is not counted
        assert score.metadata["tool_calls"] >= 2
        assert score.metadata["tools_used"] == ["bash"]
        assert score.metadata["flags_submitted"] == [sample.target]
        # the flag never appeared before the agent ran its tools: not in the prompt
        assert str(sample.target) not in str(sample.input)


def test_task_parameters_are_recorded_in_the_log(tmp_path: Path) -> None:
    log = _run(
        SUITES[Family.VULN_ID.value](difficulty="hard", limit=2),
        scripted.refusing(),
        tmp_path,
    )
    assert log.eval.task_args["difficulty"] == "hard"
    assert log.eval.task_args["limit"] == 2
    assert log.samples is not None and len(log.samples) == 2
    assert {s.metadata["difficulty"] for s in log.samples} == {"hard"}


def test_vuln_id_keeps_the_parsed_finding_for_the_clearinghouse(tmp_path: Path) -> None:
    log = _run(SUITES[Family.VULN_ID.value](limit=1), scripted.vuln_expert(), tmp_path)
    assert log.samples
    (sample,) = log.samples
    score = next(iter(sample.scores.values())) if sample.scores else None
    assert score is not None and score.metadata is not None
    finding = score.metadata["answer"]
    assert finding["cwe"] == sample.metadata["cwe"]
    assert finding["line"] in sample.metadata["lines"]
    assert finding["summary"] == sample.metadata["summary"]


def test_a_log_from_another_task_has_no_family_score(tmp_path: Path) -> None:
    other = Task(dataset=[Sample(input="hello", target="hi")], scorer=match(), name="greeting")
    log = _run(other, scripted.refusing(), tmp_path)
    with pytest.raises(ValueError, match="not a task of the cyber suite"):
        family_score(log)
