"""CTF and autonomy families through the run service, with scripted mockllm tool calls."""

from __future__ import annotations

import pytest

from clearinghouse.assessments import services
from clearinghouse.assessments.catalog import Suite
from clearinghouse.assessments.inputs import StartRun
from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.assessments.transcripts import samples_of
from clearinghouse.core.suites import Family
from clearinghouse.demo import scripted
from clearinghouse.reviews.models import Finding, Notice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider_grant(people, under_review, api_as) -> Notice:
    response = api_as(people["lab1"]).post(
        f"/api/reviews/notices/{under_review['id']}/access-grants",
        {"kind": "inspect_provider", "model": "mockllm/model"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return Notice.objects.get(pk=under_review["id"])


@pytest.mark.parametrize("family", [Family.CTF, Family.AUTONOMY], ids=lambda f: f.value)
def test_agentic_families_separate_a_solver_from_a_refuser(people, provider_grant, family) -> None:
    reviewer = people["civ_reviewer"]
    strong = services.start_run(reviewer, provider_grant, StartRun(suite=Suite(family.value)))
    weak = services.start_run(reviewer, provider_grant, StartRun(suite=Suite(family.value)))
    assert strong.sandbox == "clearinghouse-local"  # the scrubbed one

    services.execute(strong.pk, model=scripted.mock(scripted.solver_agent(family)))
    services.execute(weak.pk, model=scripted.mock(scripted.refusing()))

    strong.refresh_from_db()
    weak.refresh_from_db()
    assert strong.status == weak.status == AssessmentRun.Status.COMPLETED
    assert strong.scores == {family.value: 1.0}
    assert strong.levels == {family.value: 4}
    assert weak.levels == {family.value: 0}
    category = "autonomy" if family is Family.AUTONOMY else "cyber_offense"
    (drafted,) = Finding.objects.filter(assessment_reference=f"assessment run #{strong.pk}")
    assert (drafted.category, drafted.severity, drafted.track_review.track) == (
        category,
        "critical",
        "civilian",
    )
    # the transcript kept per sample shows the tool calls the agent made
    views = samples_of(strong)
    assert len(views) == 6
    assert all(view.score == "C" for view in views)
    assert any("bash(" in message["text"] for message in views[0].messages)
