"""De-duplication at intake, triage actions, visibility by organisation and role, scoring feeds."""

from __future__ import annotations

import json

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.intake import services
from clearinghouse.intake.models import DuplicateCandidate, Report, Submission
from tests.shared_data import shared_data

from .conftest import native, reports_of, submit

URL = "/api/intake"


def test_a_shared_identifier_links_the_new_report_to_the_earlier(two_reports) -> None:
    earlier, later = two_reports
    report = Report.objects.get(pk=later)
    assert report.duplicate_of_id == earlier
    assert report.status == "received"  # a coordinator confirms
    (candidate,) = DuplicateCandidate.objects.filter(report=report)
    assert (candidate.candidate_id, candidate.score) == (earlier, 1.0)
    assert candidate.reasons == ["shared identifier cve-2021-31344"]


def test_a_lab_learns_only_that_its_report_was_received(cast, api_as, two_reports) -> None:
    """The earlier report is the vendor's: the lab is not told that the bug is known."""
    earlier, later = two_reports
    submission = Report.objects.get(pk=later).submission_id
    lab = api_as(cast["lab1"])
    assert reports_of(lab, submission)[0] | {"ssvc_decision": "", "priority_points": 0} == {
        "id": later,
        "index": 0,
        "title": "Found by Cirrus",
        "status": "received",
        "duplicate_of": None,
        "ssvc_decision": "",
        "priority_points": 0,
    }
    assert lab.get(f"{URL}/reports/{later}").json()["duplicate_of"] is None
    assert [r["duplicate_of"] for r in lab.get(f"{URL}/reports").json()["items"]] == [None]
    coordinator = api_as(cast["coordinator"])
    assert reports_of(coordinator, submission)[0]["duplicate_of"] == earlier
    assert coordinator.get(f"{URL}/reports/{later}").json()["duplicate_of"] == earlier


def test_text_similarity_finds_a_duplicate_without_identifiers(cast, api_as) -> None:
    text = (
        "The web management interface of the Gridware RTU-9 does not validate the length of "
        "the session cookie, so an unauthenticated attacker can overflow a stack buffer and "
        "execute code remotely."
    )
    product = {"vendor": "Gridware", "product": "RTU-9", "version": "4.2"}
    first = submit(
        api_as(cast["lab1"]),
        native({"title": "Cookie overflow in RTU-9", "description": text, "cwe": "CWE-121",
                "products": [product]}),
    )  # fmt: skip
    second = submit(
        api_as(cast["lab2"]),
        native({"title": "RTU-9 cookie stack overflow", "description": text, "cwe": "CWE-121",
                "products": [product]}),
    )  # fmt: skip
    (report,) = Report.objects.filter(submission_id=second["id"])
    (candidate,) = DuplicateCandidate.objects.filter(report=report)
    assert candidate.candidate_id == Report.objects.get(submission_id=first["id"]).pk
    assert candidate.reasons[0].startswith("text similarity")
    assert "same weakness CWE-121" in candidate.reasons


def test_coordinator_confirms_merges_and_unmerges_audited(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    coordinator = api_as(cast["coordinator"])
    Report.objects.filter(pk=later).update(aliases=["CVE-2021-31344", "GHSA-aaaa-bbbb-cccc"])
    response = coordinator.post(
        f"{URL}/reports/{later}/triage",
        {"action": "merge", "duplicate_of": earlier},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "duplicate"
    assert "GHSA-aaaa-bbbb-cccc" in Report.objects.get(pk=earlier).aliases
    response = coordinator.post(
        f"{URL}/reports/{later}/triage", {"action": "unmerge"}, content_type="application/json"
    )
    assert response.json()["status"] == "received"
    assert "GHSA-aaaa-bbbb-cccc" not in Report.objects.get(pk=earlier).aliases
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "report.merged",
        "report.merged_into",
        "report.unmerged",
        "report.unmerged_from",
    } <= set(actions)


def test_illegal_transitions_are_409_naming_the_allowed(cast, api_as, two_reports) -> None:
    earlier, _ = two_reports
    coordinator = api_as(cast["coordinator"])
    decline = {"action": "decline", "reason": "not a vulnerability"}
    assert (
        coordinator.post(
            f"{URL}/reports/{earlier}/triage", decline, content_type="application/json"
        ).status_code
        == 200
    )
    response = coordinator.post(
        f"{URL}/reports/{earlier}/triage", {"action": "accept"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert (
        "a declined report cannot become accepted; allowed: received" in (response.json()["detail"])
    )


def test_declining_needs_a_reason(cast, api_as, two_reports) -> None:
    earlier, _ = two_reports
    response = api_as(cast["coordinator"]).post(
        f"{URL}/reports/{earlier}/triage", {"action": "decline"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert Report.objects.get(pk=earlier).status == "received"


def test_bulk_actions_apply_to_all_or_none(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    coordinator = api_as(cast["coordinator"])
    others = list(Report.objects.exclude(pk__in=[earlier, later]).values_list("pk", flat=True))
    response = coordinator.post(
        f"{URL}/reports/bulk",
        {"report_ids": others, "action": "decline", "reason": "vendor disputes"},
        content_type="application/json",
    )
    assert response.json() == {"changed": len(others)}
    # One already declined: the whole batch is refused and nothing changes.
    response = coordinator.post(
        f"{URL}/reports/bulk",
        {"report_ids": [earlier, *others], "action": "accept"},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert Report.objects.get(pk=earlier).status == "received"


@pytest.mark.parametrize("role", ["lab1", "lab2", "vendor", "operator", "reviewer"])
def test_only_coordinators_triage(cast, api_as, two_reports, role: str) -> None:
    _, later = two_reports
    response = api_as(cast[role]).post(
        f"{URL}/reports/{later}/triage", {"action": "accept"}, content_type="application/json"
    )
    # The lab sees its own report (403: may not triage); everyone else does not see it (404).
    assert response.status_code == (403 if role == "lab1" else 404)
    assert Report.objects.get(pk=later).status == "received"


def test_reporters_see_their_own_reports_only(cast, api_as, two_reports) -> None:
    earlier, later = two_reports
    seen = {
        role: {r["id"] for r in api_as(cast[role]).get(f"{URL}/reports").json()["items"]}
        for role in ("lab1", "lab2", "vendor", "operator", "coordinator", "admin")
    }
    assert seen["lab1"] == {later}
    assert seen["lab2"] == set() and seen["operator"] == set()
    assert earlier in seen["vendor"] and later not in seen["vendor"]
    assert seen["coordinator"] == seen["admin"] == set(Report.objects.values_list("pk", flat=True))
    assert api_as(cast["lab2"]).get(f"{URL}/reports/{later}").status_code == 404
    submission = Report.objects.get(pk=later).submission_id
    assert api_as(cast["vendor"]).get(f"{URL}/submissions/{submission}").status_code == 404
    # Candidates name other organisations' reports: coordinators only.
    assert api_as(cast["lab1"]).get(f"{URL}/reports/{later}").json()["candidates"] == []
    assert api_as(cast["coordinator"]).get(f"{URL}/reports/{later}").json()["candidates"]


def test_queue_filters(cast, api_as, two_reports) -> None:
    coordinator = api_as(cast["coordinator"])

    def ids(query: str) -> set[int]:
        return {r["id"] for r in coordinator.get(f"{URL}/reports?{query}").json()["items"]}

    everything = set(Report.objects.values_list("pk", flat=True))
    csaf = set(Report.objects.filter(source_format="csaf").values_list("pk", flat=True))
    assert ids("source=csaf") == csaf
    assert ids("sector=energy") == csaf
    assert ids("sector=financial_services") == set()
    assert ids("has_cve=true") == everything
    assert ids("kev=true") == set()
    decision = Report.objects.get(pk=two_reports[0]).ssvc_decision
    assert ids(f"ssvc={decision}") == set(
        Report.objects.filter(ssvc_decision=decision).values_list("pk", flat=True)
    )
    points = [r["priority_points"] for r in coordinator.get(f"{URL}/reports").json()["items"]]
    assert points == sorted(points, reverse=True)


def test_kev_import_marks_and_rescores_reports(cast, api_as, two_reports, tmp_path) -> None:
    earlier, _ = two_reports
    before = Report.objects.get(pk=earlier).priority_points
    catalog = json.loads(shared_data("kev/known_exploited_vulnerabilities.json").read_text())
    entry = dict(catalog["vulnerabilities"][0], cveID="CVE-2021-31344")
    catalog["vulnerabilities"] = [entry]
    catalog["count"] = 1
    path = tmp_path / "kev.json"
    path.write_text(json.dumps(catalog))
    run = services.import_kev(cast["coordinator"], path)
    assert (run.entries, run.rescored) == (1, 2)  # the CSAF item and the lab's report
    report = Report.objects.get(pk=earlier)
    assert report.in_kev
    assert report.ssvc_inputs["exploitation"] == "Active"
    assert report.priority_points >= before + 700
    assert report.priority_reasons[0].startswith("in CISA KEV since")


def test_the_real_kev_catalog_imports(cast, db) -> None:
    run = services.import_kev(None, shared_data("kev/known_exploited_vulnerabilities.json"))
    assert run.entries > 1000


def test_epss_import_adds_probability(cast, two_reports, tmp_path) -> None:
    earlier, _ = two_reports
    path = tmp_path / "epss.csv"
    path.write_text(
        "#model_version:v2025.03.14,score_date:2026-11-20T00:00:00+0000\n"
        "cve,epss,percentile\nCVE-2021-31344,0.42000,0.97000\n"
    )
    run = services.import_epss(cast["coordinator"], path)
    assert run.entries == 1
    report = Report.objects.get(pk=earlier)
    assert report.epss == pytest.approx(0.42)
    assert any(reason.startswith("EPSS 0.420") for reason in report.priority_reasons)


def test_feeds_are_imported_by_coordinators_only(cast, tmp_path) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_kev(cast["lab1"], shared_data("kev/known_exploited_vulnerabilities.json"))


@pytest.mark.django_db(transaction=True)
def test_large_submissions_are_processed_by_the_worker(cast, api_as, settings) -> None:
    from django.core.management import call_command

    settings.CLEARINGHOUSE_INTAKE_BACKGROUND_ITEMS = 2
    response = api_as(cast["lab1"]).post(
        f"{URL}/submissions",
        native(*({"title": f"bug {i}", "description": f"distinct text {i}"} for i in range(3))),
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["processed_items"], body["total_items"]) == ("queued", 0, 3)
    assert reports_of(api_as(cast["lab1"]), body) == []
    call_command("db_worker", batch=True, startup_delay=False)
    done = api_as(cast["lab1"]).get(f"{URL}/submissions/{body['id']}").json()
    assert (done["status"], done["processed_items"]) == ("completed", 3)
    assert [r["index"] for r in reports_of(api_as(cast["lab1"]), done)] == [0, 1, 2]
    assert Submission.objects.get().status == "completed"
