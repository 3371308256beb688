"""Optional inspect_evals suites: listed with their availability, refused where they cannot run.

No Docker engine is reachable in tests (DOCKER_HOST points at a socket that does not exist),
so every optional suite is listed as unavailable with the reason, and starting one is refused
before anything is stored. Where inspect_evals is installed, its tasks load their datasets
from the package with the run's limits.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from inspect_ai import Task, eval
from inspect_ai.dataset import Sample
from inspect_ai.scorer import includes

from clearinghouse.assessments import availability, runner
from clearinghouse.assessments.catalog import FINDING_CATEGORY, OPTIONAL_SUITES
from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.cli import main
from clearinghouse.core.suites import DEFAULT_THRESHOLDS, Family, capability_level
from clearinghouse.demo import scripted

pytestmark = pytest.mark.django_db

NAMES = {"threecb", "gdm_in_house_ctf", "cyse2_vulnerability_exploit"}


@pytest.fixture(autouse=True)
def no_docker_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    host = f"unix://{tmp_path}/no-engine.sock"
    monkeypatch.setenv("DOCKER_HOST", host)
    availability.forget_docker_probe()
    yield host
    availability.forget_docker_probe()


def _expected_reason(host: str) -> list[str]:
    parts = ["needs a Docker engine"]
    if shutil.which("docker"):
        parts.append(f"none reachable at {host}")
    return parts


def test_the_catalog_lists_the_optional_suites_and_why_they_cannot_run(
    people, api_as, no_docker_engine
) -> None:
    suites = api_as(people["ns_reviewer"]).get("/api/assessments/suites").json()
    optional = {s["name"]: s for s in suites if s["optional"]}
    assert set(optional) == NAMES == set(OPTIONAL_SUITES)
    assert {s["name"] for s in suites if not s["optional"] and s["available"]} >= {"cyber"}
    for suite in optional.values():
        assert suite["available"] is False
        assert suite["families"] == [suite["name"]]
        for part in _expected_reason(no_docker_engine):
            assert part in suite["reason"], suite["reason"]
        assert f"inspect_evals/{suite['name']}" in suite["title"]


def test_optional_suites_are_drafted_and_levelled_as_the_family_they_measure() -> None:
    for name, suite in OPTIONAL_SUITES.items():
        assert FINDING_CATEGORY[name] == FINDING_CATEGORY[suite.scored_as.value]


def test_starting_an_optional_suite_without_docker_is_refused_with_the_reason(
    people, under_review, grant_endpoint, api_as, capsys, no_docker_engine
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    response = api_as(people["ns_reviewer"]).post(
        f"/api/assessments/notices/{under_review['id']}/runs",
        {"suite": "threecb"},
        content_type="application/json",
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("threecb cannot run here: ")
    for part in _expected_reason(no_docker_engine):
        assert part in detail
    argv = ["assess", str(under_review["id"]), "--suite", "gdm_in_house_ctf"]
    assert main([*argv, "--as-user", people["ns_reviewer"].username]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("error: gdm_in_house_ctf cannot run here: needs")
    assert not AssessmentRun.objects.exists()


def test_the_notice_page_and_the_terminal_show_optional_suites_as_unavailable(
    people, under_review, grant_endpoint, pages_as, capsys
) -> None:
    grant_endpoint(under_review["id"], "http://127.0.0.1:9/v1")
    page = pages_as(people["ns_reviewer"]).get(f"/reviews/notices/{under_review['id']}/")
    assert b'data-testid="optional-suites"' in page.content
    assert b'<option value="threecb" disabled>' in page.content
    assert b"needs a Docker engine" in page.content

    assert main(["assess", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in NAMES:
        assert f"{name} " in listed
    assert listed.count("optional  unavailable: ") == len(NAMES)
    assert main(["assess", "--list", "--suite", "x"]) == 0  # --list wins
    capsys.readouterr()
    assert main(["assess", "--suite", "cyber"]) == 2
    assert "give NOTICE_ID" in capsys.readouterr().err


def test_an_optional_suite_log_is_scored_by_accuracy_on_its_family_thresholds(
    tmp_path: Path,
) -> None:
    # A real Inspect log whose task bears an optional suite's name: 2 of 3 samples correct.
    task = Task(
        name="gdm_in_house_ctf",
        dataset=[
            Sample(input=f"flag {i}?", target="FLAG{x}" if i < 2 else "other") for i in (0, 1, 2)
        ],
        scorer=includes(),
    )
    (eval_log,) = eval(
        task,
        model=scripted.mock(scripted.answering("FLAG{x}")),
        log_dir=str(tmp_path),
        display="none",
    )
    score, level = runner.scored("gdm_in_house_ctf", eval_log, {})
    assert score == pytest.approx(2 / 3)
    assert level == capability_level(Family.CTF, 2 / 3, DEFAULT_THRESHOLDS) == 3


@pytest.mark.parametrize("name", sorted(NAMES))
def test_inspect_evals_tasks_load_their_data_from_the_package(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # any hub download would fail
    bounds = {**runner.limits(), "sample_limit": 2, "token_limit": 1234}
    task = runner.task_for(name, bounds, "local")
    assert len(task.dataset) == 2
    assert task.token_limit == 1234
    package = Path(importlib.util.find_spec("inspect_evals").origin or "").parent  # type: ignore[union-attr]
    for sample in task.dataset:
        spec = sample.sandbox or task.sandbox
        assert spec is not None and spec.type == "docker"
        config = spec.config or (task.sandbox.config if task.sandbox else None)
        assert config is None or Path(str(config)).resolve().is_relative_to(package)
    assert runner.sample_count(task) == 2 * (task.epochs or 1)


def test_a_machine_without_inspect_evals_is_told_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "inspect_evals" else real(name),
    )
    reason = availability.problem(OPTIONAL_SUITES["threecb"])
    assert "needs inspect_evals: install clearinghouse[evals]" in reason
    assert "needs a Docker engine" in reason
