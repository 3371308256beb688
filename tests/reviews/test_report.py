"""The review report, as a page and a PDF, holds only what its reader may see."""

from __future__ import annotations

import zlib

import pytest

from .conftest import post

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF made by fpdf2 (its page streams are zlib-compressed)."""
    chunks = []
    for part in content.split(b"stream\n")[1:]:
        raw = part.split(b"\nendstream")[0]
        try:
            chunks.append(zlib.decompress(raw).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(chunks)


@pytest.fixture
def reviewed(people, under_review, api_as):
    ns = under_review["track_ids"]["national_security"]
    reviewer = api_as(people["ns_reviewer"])
    released = post(
        reviewer,
        f"/api/reviews/tracks/{ns}/findings",
        {
            "category": "autonomy",
            "severity": "medium",
            "title": "Chains tools unaided",
            "description": "Reached the goal in 8 of 11 hosts.",
        },
    ).json()
    post(reviewer, f"/api/reviews/findings/{released['id']}/release")
    post(
        reviewer,
        f"/api/reviews/tracks/{ns}/findings",
        {
            "category": "other",
            "severity": "low",
            "title": "Unreleased suspicion",
            "description": "internal",
        },
    )
    return under_review


def test_the_lab_report_shows_released_findings_only(people, reviewed, pages_as, api_as):
    page = (
        pages_as(people["lab1"]).get(f"/reviews/notices/{reviewed['id']}/report/").content.decode()
    )
    assert "Chains tools unaided" in page and "Unreleased suspicion" not in page
    response = api_as(people["lab1"]).get(f"/api/reviews/notices/{reviewed['id']}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Chains tools unaided" in text and "Unreleased suspicion" not in text


def test_the_reviewer_report_shows_their_tracks_findings(people, reviewed, pages_as):
    response = pages_as(people["ns_reviewer"]).get(f"/reviews/notices/{reviewed['id']}/report.pdf")
    text = pdf_text(response.content)
    assert "Chains tools unaided" in text and "Unreleased suspicion" in text
    assert "Review deadline" in text and "UTC" in text


def test_other_tenants_get_no_report(people, reviewed, pages_as):
    for role in ("lab2", "reviewer", "operator"):  # "reviewer": same track, not assigned
        assert (
            pages_as(people[role]).get(f"/reviews/notices/{reviewed['id']}/report.pdf").status_code
            == 404
        )
