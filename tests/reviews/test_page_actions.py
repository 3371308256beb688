"""The notice page and the queue offer each action only to the roles its rule allows."""

from __future__ import annotations

import pytest

from clearinghouse.reviews.models import TrackReview

pytestmark = pytest.mark.django_db


def test_the_notice_page_offers_each_action_to_the_roles_allowed_it(people, under_review, pages_as):
    url = f"/reviews/notices/{under_review['id']}/"
    ns = TrackReview.objects.get(pk=under_review["track_ids"]["national_security"])
    assign_form = f'action="/reviews/tracks/{ns.pk}/assign/"'
    decide_form = 'data-testid="decide-national_security"'
    expected = {
        # role: (withdraw, assign on the NS track, decide on the NS track, names reviewers)
        "lab1": (True, False, False, False),
        "ns_lead": (False, True, True, True),
        "ns_reviewer": (False, False, True, True),
        "civ_reviewer": (False, False, False, True),
        "admin": (False, True, True, True),
    }
    for role, (withdraw, assign, decide, names) in expected.items():
        page = pages_as(people[role]).get(url).content.decode()
        assert (">Withdraw<" in page) == withdraw, role
        assert (assign_form in page) == assign, role
        assert (decide_form in page) == decide, role
        assert ("Reviewers:" in page) == names, role
    for role in ("lab2", "reviewer", "coordinator", "operator", "vendor"):
        assert pages_as(people[role]).get(url).status_code == 404, role


def test_the_queue_is_paged_and_titled_by_what_the_user_does(people, submitted, pages_as):
    lab = pages_as(people["lab1"]).get("/reviews/").content.decode()
    lead = pages_as(people["ns_lead"]).get("/reviews/").content.decode()
    assert "Your pre-deployment notices" in lab and "Review queue" in lead
    assert 'data-testid="page-summary">1\u20131 of 1' in lab


def test_a_refused_decision_is_shown_next_to_its_field_and_nothing_is_saved(
    people, under_review, pages_as
):
    ns = under_review["track_ids"]["national_security"]
    response = pages_as(people["ns_reviewer"]).post(
        f"/reviews/tracks/{ns}/decide/",
        {"decision": "cleared_with_conditions", "rationale": "Gated.", "conditions": ""},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="error-conditions"' in page
    assert "list the conditions of the clearance" in page
    assert TrackReview.objects.get(pk=ns).status == "open"


def test_a_refused_finding_keeps_what_was_typed(people, under_review, pages_as):
    ns = under_review["track_ids"]["national_security"]
    response = pages_as(people["ns_reviewer"]).post(
        f"/reviews/tracks/{ns}/findings/",
        {"category": "vibes", "severity": "high", "title": "Kept title", "description": ""},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'data-testid="error-category"' in page and 'data-testid="error-description"' in page
    assert 'value="Kept title"' in page


def test_a_finding_with_an_oversized_file_is_not_recorded(people, under_review, pages_as, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clearinghouse.reviews.models import Finding

    settings.CLEARINGHOUSE_MAX_EVIDENCE_BYTES = 10
    ns = under_review["track_ids"]["national_security"]
    response = pages_as(people["ns_reviewer"]).post(
        f"/reviews/tracks/{ns}/findings/",
        {
            "category": "other",
            "severity": "low",
            "title": "With a big file",
            "description": "d",
            "evidence": SimpleUploadedFile("big.bin", b"x" * 11),
        },
    )
    assert response.status_code == 422
    assert "over the 10-byte limit" in response.content.decode()
    assert not Finding.objects.exists()
