"""The per-document intake path: its queries, its audit events, its duplicate links."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.intake import services
from clearinghouse.intake.models import DuplicateCandidate, Report, Submission
from tests.shared_data import shared_data

from .conftest import native

pytestmark = pytest.mark.django_db

SECOND_CSAF = "csaf/cisa/2022/icsa-22-069-01.json"


def test_a_small_document_costs_a_bounded_number_of_queries(cast, csaf_path: Path) -> None:
    # Stored reports to compare with, so the dedup look-up and links run too.
    services.submit(cast["vendor"], csaf_path.read_bytes(), background=False)
    again = native(
        {"title": "Found by Cirrus", "aliases": ["CVE-2021-31344"]},
        {"title": "Found by Cirrus too", "aliases": ["CVE-2021-31889"]},
    )
    with CaptureQueriesContext(connection) as queries:
        outcome = services.submit(cast["lab1"], again, background=False)
    # Idempotency look-up, submission, KEV + EPSS, reports, the store's counts of the new
    # words, the index look-up, the pool (one query, whole documents), the counts of the
    # pool's words, the new postings and counts, candidates, the groups the links would join
    # (for the veto, read whole: one query while no member has duplicates of its own),
    # links, three for the audit chain, and the transaction.
    assert len(queries.captured_queries) <= 19, [q["sql"][:80] for q in queries]
    reports = list(outcome.submission.reports.order_by("index"))
    assert all(report.duplicate_of_id is not None for report in reports)
    assert DuplicateCandidate.objects.filter(report__in=reports).count() >= 2


def test_received_and_processed_are_consecutive_events_and_the_chain_verifies(
    cast, csaf_path: Path
) -> None:
    first = services.submit(cast["vendor"], csaf_path.read_bytes(), background=False)
    second = services.submit(cast["lab1"], shared_data(SECOND_CSAF).read_bytes(), background=False)
    events = list(AuditEvent.objects.filter(object_type="intake.submission").order_by("sequence"))
    assert [(e.action, e.object_id) for e in events] == [
        ("submission.received", str(first.submission.pk)),
        ("submission.processed", str(first.submission.pk)),
        ("submission.received", str(second.submission.pk)),
        ("submission.processed", str(second.submission.pk)),
    ]
    assert events[1].sequence == events[0].sequence + 1
    assert events[0].actor_label == cast["vendor"].username and events[1].actor_label == "system"
    assert f'"reports":{first.submission.total_items}' in events[1].after
    assert first_broken_link() is None


def test_a_synchronous_submission_is_stored_completed(cast, csaf_path: Path) -> None:
    outcome = services.submit(cast["vendor"], csaf_path.read_bytes(), background=False)
    stored = Submission.objects.get(pk=outcome.submission.pk)
    assert stored.status == "completed" and stored.completed_at is not None
    assert stored.processed_items == stored.total_items == stored.reports.count() == 4


def test_operator_reports_carry_the_operators_sector(cast) -> None:
    outcome = services.submit(
        cast["operator"],
        native({"title": "relay", "sectors": ["water_and_wastewater"]}),
        background=False,
    )
    (report,) = outcome.submission.reports.all()
    assert report.reporter_kind == "operator"
    assert report.sectors == ["water_and_wastewater", "energy"]
    lab = services.submit(
        cast["lab1"], native({"title": "model", "sectors": ["water_and_wastewater"]})
    )
    assert lab.submission.reports.get().sectors == ["water_and_wastewater"]


def test_items_of_one_document_are_candidates_but_never_linked(cast) -> None:
    outcome = services.submit(
        cast["lab1"],
        native(
            *(
                {"title": f"Found by Cirrus {n}", "aliases": ["GHSA-aaaa-bbbb-cccc"]}
                for n in range(3)
            )
        ),
        background=False,
    )
    first, *rest = outcome.submission.reports.order_by("index")
    assert [report.duplicate_of_id for report in [first, *rest]] == [None, None, None]
    # still shown to coordinators: they may decide the items are one finding
    assert DuplicateCandidate.objects.filter(report__in=rest, candidate=first).count() == 2


def test_declined_reports_are_not_duplicate_targets(cast, csaf_path: Path) -> None:
    services.submit(cast["vendor"], csaf_path.read_bytes(), background=False)
    Report.objects.filter(cve_ids=["CVE-2021-31344"]).update(status="declined")
    outcome = services.submit(
        cast["lab1"], native({"title": "again", "aliases": ["CVE-2021-31344"]}), background=False
    )
    report = outcome.submission.reports.get()
    assert report.duplicate_of_id is None
    assert not DuplicateCandidate.objects.filter(report=report).exists()
