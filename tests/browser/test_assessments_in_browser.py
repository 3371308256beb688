"""A reviewer runs an assessment from the notice page and watches it finish, in the browser."""

from __future__ import annotations

import threading

import pytest

from clearinghouse.assessments import services
from clearinghouse.assessments.models import AssessmentRun
from clearinghouse.inputs import parse
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import AssignReviewer, GrantAccess
from clearinghouse.reviews.models import Notice
from tests.assessments import openai_server
from tests.assessments.conftest import assessment_settings, covered_model, people, submitted

from .conftest import sign_in

__all__ = ["assessment_settings", "covered_model", "people", "submitted"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_runs_an_assessment_and_sees_levels_and_transcripts(
    page, people, submitted, screenshots
) -> None:
    notice = Notice.objects.get(pk=submitted["id"])
    track = notice.tracks.get(track="national_security")
    reviews.assign_reviewer(
        people["ns_lead"], track, AssignReviewer(reviewer=people["ns_reviewer"].username)
    )
    with openai_server.serve(openai_server.capable()) as endpoint:
        reviews.grant_access(
            people["lab1"],
            notice,
            parse(
                GrantAccess,
                {
                    "kind": "openai_compatible",
                    "base_url": endpoint.base_url,
                    "model": "lab-model",
                    "api_key": openai_server.API_KEY,
                },
            ),
        )
        people["ns_reviewer"].set_password("browser-password-1")
        people["ns_reviewer"].save()
        sign_in(page, people["ns_reviewer"].username, "browser-password-1")
        page.goto(f"/reviews/notices/{notice.pk}/")
        page.get_by_test_id("sandbox-warning").wait_for()
        page.select_option("#assess-suite", "cyber_vuln_id")
        page.get_by_test_id("start-assessment").locator("button").click()
        assert page.get_by_test_id("run-status").inner_text() == "Queued"
        run = AssessmentRun.objects.get()

        # the worker's job, in a thread of its own (Playwright holds this thread's event loop)
        worker = threading.Thread(target=services.execute, args=(run.pk,))
        worker.start()
        worker.join(timeout=120)
        # the page polls with htmx and reloads itself once the run has ended
        page.get_by_test_id("level-cyber_vuln_id").wait_for()
    assert page.get_by_test_id("level-cyber_vuln_id").inner_text() == "4 (severe)"
    assert page.get_by_test_id("sample").count() == 6
    assert "CWE-" in page.get_by_test_id("candidates").inner_text()
    page.screenshot(path=str(screenshots / "assessment-run.png"), full_page=True)
