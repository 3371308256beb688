"""The whole pre-deployment review in the browser, as the lab, both agency leads and reviewers."""

from __future__ import annotations

import datetime as dt

import pytest

from clearinghouse.accounts.models import User
from clearinghouse.demo.seed import DEMO_PASSWORD, seed
from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.services import register_model
from clearinghouse.reviews.models import Notice

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_details(page, summary: str, scope=None) -> None:
    (scope or page).locator("summary", has_text=summary).click()


def test_full_review_lifecycle_through_the_pages(page, screenshots):
    seed(assessments=False)
    lab = User.objects.get(username="northwind-dev")
    release = dt.date.today() + dt.timedelta(days=50)
    model = register_model(
        lab,
        RegisterModel(
            name="Cumulus", version="3", training_compute_flop=2.5e26, planned_release_date=release
        ),
    )

    sign_in(page, "northwind-dev", DEMO_PASSWORD)
    page.goto(f"/models/{model.pk}/")
    page.get_by_test_id("file-notice").click()
    page.fill("#id_planned_release_date", release.isoformat())
    page.click("#main-content button[type=submit]")
    page.get_by_test_id("notice-title").wait_for()
    notice = Notice.objects.get(ai_model=model)
    open_details(page, "Grant access")
    page.select_option("#id_kind", "openai_compatible")
    page.fill("#id_base_url", "https://models.northwind.example/v1")
    page.fill("#id_model", "cumulus-3")
    page.fill("#id_api_key", "sk-browser-secret-123")
    page.click("text=Grant access >> xpath=ancestor::details//button[@type='submit']")
    assert "hmac:" in page.get_by_test_id("fingerprint").first.inner_text()
    assert "sk-browser-secret-123" not in page.content()
    page.get_by_test_id("submit-notice").click()
    assert page.get_by_test_id("status").inner_text().lower() == "submitted"
    assert page.get_by_test_id("deadline").inner_text().endswith("UTC")
    page.get_by_test_id("logout").click()

    for lead, reviewer, track in (
        ("ns-lead", "ns-reviewer", "national_security"),
        ("civ-lead", "civ-reviewer", "civilian"),
    ):
        sign_in(page, lead, DEMO_PASSWORD)
        page.goto(f"/reviews/notices/{notice.pk}/")
        card = page.get_by_test_id(f"track-{track}")
        card.locator("select[name=reviewer]").select_option(
            label=next(
                o for o in card.locator("option").all_inner_texts() if o.startswith(reviewer)
            )
        )
        card.get_by_role("button", name="Assign").click()
        assert reviewer in page.get_by_test_id(f"track-{track}").inner_text()
        page.get_by_test_id("logout").click()

    sign_in(page, "ns-reviewer", DEMO_PASSWORD)
    page.goto("/reviews/")
    page.get_by_role("link", name=f"#{notice.pk}").click()
    card = page.get_by_test_id("track-national_security")
    open_details(page, "Record a finding", card)
    card.locator("select[name=category]").select_option("cyber_offense")
    card.locator("select[name=severity]").select_option("high")
    card.locator("input[name=title]").fill("Writes exploits for known CVEs")
    card.locator("textarea[name=description]").fill("9 of 13 CTF challenges solved.")
    card.get_by_role("button", name="Record finding").click()
    page.get_by_role("button", name="Release to the lab").click()
    card = page.get_by_test_id("track-national_security")
    open_details(page, "Internal note", card)
    card.locator("textarea[name=body]").fill("Internal: compare with last year's model")
    card.get_by_role("button", name="Add note").click()
    card = page.get_by_test_id("track-national_security")
    open_details(page, "Decide for this track", card)
    card.locator("select[name=decision]").select_option("cleared_with_conditions")
    card.locator("textarea[name=rationale]").fill("Safeguards gate the capability.")
    card.locator("textarea[name=conditions]").fill("Keep exploit safeguards on")
    card.get_by_role("button", name="Record decision").click()
    assert (
        "Cleared with conditions" in page.get_by_test_id("decision-national_security").inner_text()
    )
    page.get_by_test_id("logout").click()

    sign_in(page, "civ-reviewer", DEMO_PASSWORD)
    page.goto(f"/reviews/notices/{notice.pk}/")
    assert "Writes exploits" not in page.content()  # the other track's findings stay with it
    card = page.get_by_test_id("track-civilian")
    open_details(page, "Decide for this track", card)
    card.locator("select[name=decision]").select_option("cleared")
    card.locator("textarea[name=rationale]").fill("No civilian concerns.")
    card.get_by_role("button", name="Record decision").click()
    assert "Cleared with conditions" in page.get_by_test_id("overall-decision").inner_text()
    page.get_by_test_id("logout").click()

    sign_in(page, "northwind-dev", DEMO_PASSWORD)
    page.goto(f"/reviews/notices/{notice.pk}/")
    content = page.content()
    assert "Writes exploits for known CVEs" in content
    assert "Internal: compare" not in content and "ns-reviewer" not in content
    page.screenshot(path=str(screenshots / "notice-decided-lab-view.png"), full_page=True)
    page.get_by_role("button", name="Record public release").click()
    assert page.get_by_test_id("status").inner_text().lower() == "released"
    notice.refresh_from_db()
    assert (notice.status, notice.overall_decision) == ("released", "cleared_with_conditions")
