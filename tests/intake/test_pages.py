"""Intake pages: submit form and bulk upload, the queue, report page, visibility, escaping."""

from __future__ import annotations

import io
from pathlib import Path

from clearinghouse.intake import services
from clearinghouse.intake.models import Report, Submission

from .conftest import native


def test_bulk_upload_makes_one_submission_per_file(cast, pages_as, csaf_path: Path) -> None:
    client = pages_as(cast["lab1"])
    files = [
        io.BytesIO(csaf_path.read_bytes()),
        io.BytesIO(native({"title": "Auth bypass"})),
        io.BytesIO(b"{broken"),
    ]
    for handle, name in zip(files, ["a.json", "b.json", "c.json"], strict=True):
        handle.name = name
    response = client.post("/intake/", {"documents": files})
    assert response.status_code == 200
    page = response.content.decode()
    assert "refused: document: not valid JSON" in page
    assert Submission.objects.count() == 2


def test_pasting_one_document_shows_its_submission(cast, pages_as) -> None:
    response = pages_as(cast["lab1"]).post(
        "/intake/",
        {"text": native({"title": "Pasted bug"}).decode(), "model": "Cirrus 7"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Pasted bug" in response.content.decode()
    assert Report.objects.get().model_name == "Cirrus 7"


def test_an_empty_form_is_an_error(cast, pages_as) -> None:
    response = pages_as(cast["lab1"]).post("/intake/", {})
    assert "Upload a file or paste a document." in response.content.decode()


def test_html_in_titles_is_escaped_everywhere(cast, pages_as, api_as) -> None:
    api_as(cast["lab1"]).post(
        "/api/intake/submissions",
        native(
            {"title": "<script>alert(1)</script>", "description": "<img src=x onerror=alert(2)>"}
        ),
        content_type="application/json",
    )
    report = Report.objects.get()
    for user, url in [
        (cast["lab1"], f"/intake/reports/{report.pk}/"),
        (cast["coordinator"], "/intake/reports/"),
        (cast["lab1"], f"/intake/submissions/{report.submission_id}/"),
    ]:
        page = pages_as(user).get(url).content.decode()
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    original = pages_as(cast["lab1"]).get(f"/intake/submissions/{report.submission_id}/original/")
    assert original["Content-Type"].startswith("text/plain")
    assert original["Content-Disposition"].startswith("attachment")


def test_report_pages_are_visible_to_own_org_and_coordinators_only(cast, pages_as, api_as) -> None:
    api_as(cast["lab1"]).post(
        "/api/intake/submissions",
        native({"title": "Lab one's bug"}),
        content_type="application/json",
    )
    report = Report.objects.get()
    url = f"/intake/reports/{report.pk}/"
    statuses = {role: pages_as(cast[role]).get(url).status_code for role in cast}
    assert statuses == {
        "lab1": 200, "lab2": 404, "reviewer": 404, "coordinator": 200,
        "vendor": 404, "operator": 404, "admin": 200,
    }  # fmt: skip
    assert (
        pages_as(cast["lab2"]).get(f"/intake/submissions/{report.submission_id}/").status_code
        == 404
    )
    assert "Lab one" not in pages_as(cast["lab2"]).get("/intake/reports/").content.decode()


def test_the_reporter_sees_no_triage_form_and_cannot_post_one(cast, pages_as, api_as) -> None:
    api_as(cast["lab1"]).post(
        "/api/intake/submissions", native({"title": "bug"}), content_type="application/json"
    )
    report = Report.objects.get()
    client = pages_as(cast["lab1"])
    assert (
        'data-testid="triage-form"'
        not in client.get(f"/intake/reports/{report.pk}/").content.decode()
    )
    assert client.post(f"/intake/reports/{report.pk}/", {"action": "accept"}).status_code == 403
    assert (
        client.post("/intake/reports/", {"report_ids": [report.pk], "action": "accept"}).status_code
        == 403
    )
    assert Report.objects.get().status == "received"


def test_coordinator_triages_from_the_pages(cast, pages_as, api_as, csaf_path: Path) -> None:
    api_as(cast["vendor"]).post(
        "/api/intake/submissions", csaf_path.read_bytes(), content_type="application/json"
    )
    client = pages_as(cast["coordinator"])
    first, second, *rest = Report.objects.order_by("index")
    page = client.get(f"/intake/reports/{first.pk}/").content.decode()
    assert (
        'data-testid="score"' in page
        and "SSVC" in page
        and "&quot;cve&quot;: &quot;CVE-2021-31344&quot;" in page
    )
    response = client.post(
        f"/intake/reports/{first.pk}/", {"action": "decline", "reason": "not reproducible"}
    )
    assert response.status_code == 302
    assert Report.objects.get(pk=first.pk).decline_reason == "not reproducible"
    chosen = {"report_ids": [r.pk for r in rest], "action": "duplicate", "duplicate_of": second.pk}
    # Items of one advisory are distinct by construction: refused even insisting.
    for despite in ({}, {"despite_conflict": "on"}):
        refused = client.post("/intake/reports/", chosen | despite, follow=True).content.decode()
        assert "are items of one document" in refused
    assert not Report.objects.filter(status="duplicate").exists()
    # Reports of other documents, each naming another CVE: refused unless the coordinator insists.
    rest = [
        services.submit(
            cast["lab1"], native({"title": "t", "aliases": [cve]})
        ).submission.reports.get()
        for cve in ("CVE-2020-0001", "CVE-2020-0002")
    ]
    chosen = {"report_ids": [r.pk for r in rest], "action": "duplicate", "duplicate_of": second.pk}
    refused = client.post("/intake/reports/", chosen, follow=True).content.decode()
    assert "name different identifiers" in refused
    assert not Report.objects.filter(status="duplicate").exists()
    response = client.post("/intake/reports/", chosen | {"despite_conflict": "on"})
    assert response.status_code == 302
    assert {r.duplicate_of_id for r in Report.objects.filter(pk__in=[r.pk for r in rest])} == {
        second.pk
    }
    queue = client.get("/intake/reports/?status=duplicate").content.decode()
    assert all(f'data-testid="report-{r.pk}"' in queue for r in rest)
    assert f'data-testid="report-{second.pk}"' not in queue


def test_queue_filter_by_sector(cast, pages_as, api_as, csaf_path: Path) -> None:
    api_as(cast["vendor"]).post(
        "/api/intake/submissions", csaf_path.read_bytes(), content_type="application/json"
    )
    api_as(cast["lab1"]).post(
        "/api/intake/submissions", native({"title": "bank bug", "sectors": ["financial_services"]}),
        content_type="application/json",
    )  # fmt: skip
    client = pages_as(cast["coordinator"])
    page = client.get("/intake/reports/?sector=financial_services").content.decode()
    assert "bank bug" in page and "CVE-2021-31344" not in page
