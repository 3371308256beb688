"""Triage as a workflow: the current row under a lock, one chain append, no cross-tenant links."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.audit.history import history_for
from clearinghouse.errors import Conflict
from clearinghouse.inputs import parse
from clearinghouse.intake import services
from clearinghouse.intake.inputs import BulkTriage, Triage, TriageAction
from clearinghouse.intake.models import Report

from .conftest import native, reports_of, submit

URL = "/api/intake"


def decide(client: Any, report: int, **body: Any) -> Any:
    return client.post(f"{URL}/reports/{report}/triage", body, content_type="application/json")


def others_of(earlier: int) -> list[Report]:
    """The vendor advisory's other items: each names its own CVE."""
    first = Report.objects.get(pk=earlier)
    return list(Report.objects.filter(submission=first.submission).exclude(pk=earlier))


def another_cve(cast: Any) -> Report:
    """A lab's report, in a document of its own, naming a CVE the vendor's advisory does not."""
    outcome = services.submit(cast["lab2"], native({"title": "x", "aliases": ["CVE-2021-31346"]}))
    return outcome.submission.reports.get()


# -- nothing leaks across tenants --------------------------------------------------------------


def test_the_lab_pages_never_name_the_other_organisations_report(
    cast, pages_as, two_reports
) -> None:
    earlier, later = two_reports
    submission = Report.objects.get(pk=later).submission_id
    lab = pages_as(cast["lab1"])
    report_page = lab.get(f"/intake/reports/{later}/").content.decode()
    assert "likely a duplicate" not in report_page
    assert f"/intake/reports/{earlier}/" not in report_page
    submission_page = lab.get(f"/intake/submissions/{submission}/").content.decode()
    assert f"<td>#{earlier}</td>" not in submission_page  # (the submission's own id may match)
    assert f"(of #{earlier})" not in lab.get("/intake/reports/").content.decode()
    desk = pages_as(cast["coordinator"]).get(f"/intake/reports/{later}/").content.decode()
    assert "likely a duplicate of" in desk and f"/intake/reports/{earlier}/" in desk


def test_the_batch_answer_tells_a_lab_only_that_its_reports_were_received(
    cast, api_as, two_reports
) -> None:
    earlier, _ = two_reports
    lab2 = api_as(cast["lab2"])
    files = [SimpleUploadedFile("a.json", native({"title": "x", "aliases": ["CVE-2021-31344"]}))]
    (answer,) = lab2.post(f"{URL}/submissions/batch", {"documents": files}).json()
    assert "duplicate" not in str(answer)  # the answer itself names no report
    (report,) = reports_of(lab2, answer["submission"])
    assert report["status"] == "received" and report["duplicate_of"] is None
    assert Report.objects.get(pk=report["id"]).duplicate_of_id == earlier  # the desk sees it
    (shown,) = reports_of(api_as(cast["coordinator"]), answer["submission"])
    assert shown["duplicate_of"] == earlier


def test_history_hides_the_linked_report_from_reporters(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    merged = decide(api_as(cast["coordinator"]), later, action="merge", duplicate_of=earlier)
    assert merged.status_code == 200
    lab_view = history_for(cast["lab1"], Report.objects.get(pk=later))
    assert [e.action for e in lab_view] == ["report.merged"]
    assert "duplicate_of" not in lab_view[0].after and lab_view[0].after["status"] == "duplicate"
    vendor_view = history_for(cast["vendor"], Report.objects.get(pk=earlier))
    assert [e.action for e in vendor_view] == ["report.merged_into"]
    assert "merged" not in vendor_view[0].after
    desk = history_for(cast["coordinator"], Report.objects.filter(pk__in=[earlier, later]))
    assert {e.after.get("merged") for e in desk} == {later, None}
    assert any(e.after.get("duplicate_of") == earlier for e in desk)


# -- the current row, one append, one winner ---------------------------------------------------


def test_a_stale_copy_is_refused_naming_the_current_state(cast, two_reports) -> None:
    earlier, _ = two_reports
    stale = Report.objects.get(pk=earlier)
    decline = Triage(action=TriageAction.DECLINE, reason="not reproducible")
    services.triage(cast["coordinator"], Report.objects.get(pk=earlier), decline)
    with pytest.raises(Conflict, match="a declined report cannot become accepted"):
        services.triage(cast["coordinator"], stale, Triage(action=TriageAction.ACCEPT))
    assert Report.objects.get(pk=earlier).status == "declined"


def test_each_decision_is_one_chain_append(cast, two_reports, chain_appends) -> None:
    earlier, later = two_reports
    merge = Triage(action=TriageAction.MERGE, duplicate_of=earlier)
    with chain_appends() as appends:
        services.triage(cast["coordinator"], Report.objects.get(pk=later), merge)
    assert appends.count == 1  # the report's event and its primary's, appended together
    with chain_appends() as appends:
        services.bulk_triage(
            cast["coordinator"],
            BulkTriage(action=TriageAction.ACCEPT, report_ids=[r.pk for r in others_of(earlier)]),
        )
    assert appends.count == 1


def test_two_coordinators_at_once_one_wins(race, cast, user_in, two_reports) -> None:
    # Both decline (declined -> declined is no move), so whichever thread wins, the other must
    # see the winner's row: without the lock both would read "received" and both succeed.
    # (Accept against decline is no race test: accepted -> declined is a move of its own.)
    earlier, _ = two_reports
    other = user_in("coordinator", cast["coordinator"].organisation)
    report = Report.objects.get(pk=earlier)
    results = race(
        lambda: services.triage(
            cast["coordinator"], report, Triage(action=TriageAction.DECLINE, reason="first")
        ),
        lambda: services.triage(
            other, report, Triage(action=TriageAction.DECLINE, reason="second")
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Report"]
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "report cannot become" in str(refused)
    winner = next(r for r in results if isinstance(r, Report))
    assert Report.objects.get(pk=earlier).decline_reason == winner.decline_reason


# -- duplicates that cannot be one vulnerability -----------------------------------------------


def test_items_of_one_document_are_never_marked_one_group_even_insisting(
    cast, api_as, two_reports
) -> None:
    earlier, _ = two_reports
    other = others_of(earlier)[0]
    coordinator = api_as(cast["coordinator"])
    for despite in (False, True):
        refused = decide(
            coordinator,
            other.pk,
            action="duplicate",
            duplicate_of=earlier,
            despite_conflict=despite,
        )
        assert refused.status_code == 409
        assert "are items of one document" in refused.json()["detail"]
    assert Report.objects.get(pk=other.pk).duplicate_of_id is None


def test_different_cve_ids_are_refused_unless_the_coordinator_insists(
    cast, api_as, two_reports
) -> None:
    earlier, _ = two_reports
    other = another_cve(cast)
    coordinator = api_as(cast["coordinator"])
    refused = decide(coordinator, other.pk, action="duplicate", duplicate_of=earlier)
    assert refused.status_code == 409
    assert f"{other.cve_ids[0]}" in refused.json()["detail"]
    assert Report.objects.get(pk=other.pk).status == "received"
    insisted = decide(
        coordinator, other.pk, action="duplicate", duplicate_of=earlier, despite_conflict=True
    )
    assert insisted.status_code == 200, insisted.content
    assert insisted.json()["duplicate_of"] == earlier


def test_the_report_page_offers_to_insist_after_a_conflict(cast, pages_as, two_reports) -> None:
    earlier, _ = two_reports
    other = another_cve(cast)
    client = pages_as(cast["coordinator"])
    url = f"/intake/reports/{other.pk}/"
    assert 'data-testid="despite-conflict"' not in client.get(url).content.decode()
    page = client.post(url, {"action": "duplicate", "duplicate_of": earlier}).content.decode()
    assert 'data-testid="despite-conflict"' in page and "name different identifiers" in page
    done = client.post(
        url, {"action": "duplicate", "duplicate_of": earlier, "despite_conflict": "on"}
    )
    assert done.status_code == 302
    assert Report.objects.get(pk=other.pk).duplicate_of_id == earlier


def test_an_automatic_link_counts_for_the_cycle_check(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    assert Report.objects.get(pk=later).duplicate_of_id == earlier  # linked by intake
    cycle = decide(api_as(cast["coordinator"]), earlier, action="duplicate", duplicate_of=later)
    assert cycle.status_code == 409, cycle.content
    assert f"report #{later} is a duplicate of report #{earlier}" in cycle.json()["detail"]
    assert Report.objects.get(pk=earlier).duplicate_of_id is None


def test_a_report_cannot_duplicate_itself_or_form_a_cycle(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    coordinator = api_as(cast["coordinator"])
    itself = decide(coordinator, earlier, action="duplicate", duplicate_of=earlier)
    assert itself.status_code == 409 and "itself" in itself.json()["detail"]
    marked = decide(coordinator, later, action="duplicate", duplicate_of=earlier)
    assert marked.status_code == 200
    cycle = decide(coordinator, earlier, action="duplicate", duplicate_of=later)
    assert cycle.status_code == 409 and "cycle" in cycle.json()["detail"]
    assert Report.objects.get(pk=earlier).status == "received"


# -- bulk over a filter ------------------------------------------------------------------------


def test_bulk_over_a_filter_needs_the_count_the_coordinator_saw(cast, api_as, two_reports) -> None:
    coordinator = api_as(cast["coordinator"])
    matching = {"source": "csaf"}
    body = {"action": "decline", "reason": "vendor disputes", "matching": matching}
    stale = coordinator.post(
        f"{URL}/reports/bulk", body | {"expected": 3}, content_type="application/json"
    )
    assert stale.status_code == 409 and "4 reports match now" in stale.json()["detail"]
    assert not Report.objects.filter(status="declined").exists()
    done = coordinator.post(
        f"{URL}/reports/bulk", body | {"expected": 4}, content_type="application/json"
    )
    assert done.json() == {"changed": 4}
    assert set(Report.objects.values_list("source_format", "status")) == {
        ("csaf", "declined"),
        ("native", "received"),
    }


@pytest.mark.parametrize(
    "body",
    [
        {"action": "accept"},  # neither ids nor a filter
        {"action": "accept", "report_ids": [1], "matching": {}, "expected": 1},
        {"action": "accept", "matching": {"source": "csaf"}},  # no expected count
        {"action": "merge", "report_ids": [1], "duplicate_of": 1},  # not a bulk action
        {"action": "decline", "report_ids": [1]},  # no reason
        {"action": "accept", "report_ids": [10**30]},  # no such id could exist
        {"action": "duplicate", "report_ids": [1], "duplicate_of": 0},
    ],
)
def test_bulk_inputs_are_checked_before_anything_changes(cast, api_as, two_reports, body) -> None:
    response = api_as(cast["coordinator"]).post(
        f"{URL}/reports/bulk", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content


def test_the_queue_applies_a_decision_to_all_matching(cast, pages_as, two_reports) -> None:
    client = pages_as(cast["coordinator"])
    url = "/intake/reports/?source=csaf"
    assert "All 4 reports matching" in client.get(url).content.decode()
    post = {"scope": "matching", "expected": 5, "action": "decline", "reason": "out of scope"}
    # Asked first, with the count as it is now; nothing changes until confirmed.
    asked = client.post(url, post).content.decode()
    assert '<strong data-testid="bulk-count">4</strong>' in asked
    assert not Report.objects.filter(status="declined").exists()
    refused = client.post(url, post | {"confirmed": "on"}, follow=True).content.decode()
    assert "4 reports match now, not the 5 you saw" in refused
    assert client.post(url, post | {"expected": 4, "confirmed": "on"}).status_code == 302
    assert Report.objects.filter(status="declined").count() == 4


def test_only_coordinators_bulk_triage(cast, api_as, two_reports) -> None:
    _, later = two_reports
    response = api_as(cast["lab1"]).post(
        f"{URL}/reports/bulk",
        {"action": "accept", "report_ids": [later]},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "only coordinators triage reports"


# -- lists are paged ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=501", "offset=-1", "limit=ten", "cve=nope", "status=bogus", "sort=x"],
)
def test_bad_list_parameters_are_422(cast, api_as, two_reports, query: str) -> None:
    response = api_as(cast["coordinator"]).get(f"{URL}/reports?{query}")
    assert response.status_code == 422, response.content


def test_every_list_is_paged_with_its_count(cast, api_as, two_reports) -> None:
    coordinator = api_as(cast["coordinator"])
    earlier, _ = two_reports
    submission = Report.objects.get(pk=earlier).submission_id
    page = coordinator.get(f"{URL}/submissions/{submission}/reports?limit=3&offset=2").json()
    assert page["count"] == 4 and [r["index"] for r in page["items"]] == [2, 3]
    listed = coordinator.get(f"{URL}/submissions?limit=1").json()
    assert listed["count"] == 2 and len(listed["items"]) == 1
    assert "reports" not in listed["items"][0] and "sha256" not in listed["items"][0]
    reports = coordinator.get(f"{URL}/reports?limit=2&cve=cve-2021-31344&sort=oldest").json()
    assert reports["count"] == 2 and [r["id"] for r in reports["items"]] == sorted(two_reports)
    for bad in ("limit=0", "offset=-5"):
        assert coordinator.get(f"{URL}/submissions?{bad}").status_code == 422


def test_the_queue_shows_one_page_at_a_time(cast, api_as, pages_as) -> None:
    submit(
        api_as(cast["lab1"]),
        native(*({"title": f"bug {i}", "description": f"distinct words {i}"} for i in range(55))),
    )
    client = pages_as(cast["coordinator"])
    first = client.get("/intake/reports/?sort=oldest").content.decode()
    second = client.get("/intake/reports/?sort=oldest&page=2").content.decode()
    assert first.count('data-testid="report-') == 50
    assert second.count('data-testid="report-') == 5
    assert "51\N{EN DASH}55 of 55" in second and "sort=oldest" in second  # links keep the filter


def test_a_filter_the_queue_cannot_use_is_said(cast, pages_as, two_reports) -> None:
    page = pages_as(cast["coordinator"]).get("/intake/reports/?cve=nope").content.decode()
    assert "Filter not applied" in page and "must be a CVE id" in page


def test_the_command_is_the_one_the_form_builds() -> None:
    command = parse(Triage, {"action": "duplicate", "duplicate_of": "7", "despite_conflict": True})
    assert (command.duplicate_of, command.despite_conflict) == (7, True)


def test_two_coordinators_marking_a_pair_both_ways_at_once_make_no_cycle(
    race, cast, user_in, two_reports
) -> None:
    earlier, later = two_reports
    Report.objects.filter(pk=later).update(duplicate_of=None)  # neither is linked yet
    other = user_in("coordinator", cast["coordinator"].organisation)
    results = race(
        lambda: services.triage(
            cast["coordinator"],
            Report.objects.get(pk=earlier),
            Triage(action=TriageAction.DUPLICATE, duplicate_of=later),
        ),
        lambda: services.triage(
            other,
            Report.objects.get(pk=later),
            Triage(action=TriageAction.DUPLICATE, duplicate_of=earlier),
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Report"], results
    assert "cycle" in str(next(r for r in results if isinstance(r, Conflict)))
    rows = {r.pk: r.duplicate_of_id for r in Report.objects.filter(pk__in=[earlier, later])}
    assert None in rows.values()
