"""Intake at once: two sends of one document, two retries, two workers on one submission.

Two threads on PostgreSQL at the same instant (the `race` fixture skips on SQLite): one
outcome wins, the other is told why or given the winner's result, and nothing is stored or
recorded twice.
"""

from __future__ import annotations

from typing import Any

from clearinghouse.audit.models import AuditEvent
from clearinghouse.audit.services import first_broken_link
from clearinghouse.errors import Conflict
from clearinghouse.intake import services
from clearinghouse.intake.inputs import (
    BulkTriage,
    MergeCluster,
    SplitCluster,
    Triage,
    TriageAction,
)
from clearinghouse.intake.models import Report, Submission

from .conftest import native

DOCUMENT = native(*({"title": f"bug {n}", "description": f"flaw {n}"} for n in range(6)))


def _actions(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_one_document_sent_twice_at_once_is_stored_once(race, cast) -> None:
    lab = cast["lab1"]
    results = race(
        lambda: services.submit(lab, DOCUMENT, idempotency_key="k-1"),
        lambda: services.submit(lab, DOCUMENT, idempotency_key="k-1"),
    )
    assert sorted(outcome.created for outcome in results) == [False, True], results
    assert {outcome.submission.pk for outcome in results} == {Submission.objects.get().pk}
    assert Report.objects.count() == 6
    assert (_actions("submission.received"), _actions("submission.processed")) == (1, 1)
    assert first_broken_link() is None


def test_two_retries_of_a_failed_submission_at_once_queue_it_once(race, cast) -> None:
    lab = cast["lab1"]
    submission = services.submit(lab, DOCUMENT, background=True).submission
    Submission.objects.filter(pk=submission.pk).update(status="failed")
    results = race(
        lambda: services.retry(lab, submission),
        lambda: services.retry(cast["coordinator"], submission),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Submission"], results
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "is queued and its task is still queued" in str(refused)
    assert Submission.objects.get(pk=submission.pk).status == "queued"
    assert _actions("submission.retried") == 1


def test_two_workers_processing_one_submission_at_once_store_each_report_once(
    race, cast, settings
) -> None:
    settings.CLEARINGHOUSE_INTAKE_CHUNK_ITEMS = 2  # three chunks: the workers interleave
    submission = services.submit(cast["lab1"], DOCUMENT, background=True).submission
    results = race(
        lambda: services.process(submission.pk),
        lambda: services.process(submission.pk),
    )
    assert all(isinstance(r, Submission) for r in results), results
    stored = Report.objects.filter(submission=submission)
    assert sorted(stored.values_list("index", flat=True)) == list(range(6))
    done = Submission.objects.get(pk=submission.pk)
    assert (done.status, done.processed_items) == ("completed", 6)
    assert _actions("submission.processed") == 1
    assert first_broken_link() is None


def test_a_bulk_decision_and_a_single_one_at_once_decide_each_report_once(
    race, cast, user_in, two_reports
) -> None:
    earlier, later = two_reports
    other = user_in("coordinator", cast["coordinator"].organisation)
    report = Report.objects.get(pk=later)
    bulk = BulkTriage(action=TriageAction.ACCEPT, report_ids=[earlier, later])
    decline = Triage(action=TriageAction.DECLINE, reason="Not a flaw.")
    results: list[Any] = race(
        lambda: services.bulk_triage(cast["coordinator"], bulk),
        lambda: services.triage(other, report, decline),
    )
    counted, single = results
    assert isinstance(single, Report), single  # an accepted report may still be declined
    assert Report.objects.get(pk=later).status == "declined"
    events = AuditEvent.objects.filter(object_type="intake.report", object_id=str(later))
    decided = list(events.order_by("sequence").values_list("action", flat=True))
    if isinstance(counted, Conflict):  # the decline went first: the bulk one is refused whole
        assert "a declined report cannot become accepted" in str(counted)
        assert Report.objects.get(pk=earlier).status == "received"
        assert decided[-1:] == ["report.declined"] and "report.accepted" not in decided
    else:  # the bulk decision went first, the decline then moved the accepted report on
        assert counted == 2
        assert Report.objects.get(pk=earlier).status == "accepted"
        assert decided[-2:] == ["report.accepted", "report.declined"]
    assert first_broken_link() is None


def _alone(user: Any, title: str) -> Report:
    body = native({"title": title, "description": f"{title}: nothing like the others"})
    report: Report = services.submit(user, body).submission.reports.get()
    return report


def test_two_crosswise_merges_at_once_make_one_group_never_a_cycle(race, cast, user_in) -> None:
    one, other = _alone(cast["lab1"], "Parser flaw"), _alone(cast["lab2"], "Parser bug")
    second = user_in("coordinator", cast["coordinator"].organisation)
    results: list[Any] = race(
        lambda: services.merge(cast["coordinator"], other.pk, MergeCluster(report=one.pk)),
        lambda: services.merge(second, one.pk, MergeCluster(report=other.pk)),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Report"], results
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "cycle" in str(refused) or "in this group already" in str(refused), refused
    links = dict(Report.objects.filter(pk__in=[one.pk, other.pk]).values_list("pk", "duplicate_of"))
    assert set(links.values()) in ({None, one.pk}, {None, other.pk})
    assert sorted(Report.objects.values_list("status", flat=True)) == ["duplicate", "received"]
    assert _actions("report.duplicate") == 1
    assert first_broken_link() is None


def test_a_split_and_a_merge_of_one_member_at_once_leave_it_where_the_merge_put_it(
    race, cast, user_in
) -> None:
    primary, member = _alone(cast["lab1"], "Login overflow"), _alone(cast["lab2"], "Login bug")
    elsewhere = _alone(cast["vendor"], "Export traversal")
    coordinator = cast["coordinator"]
    services.merge(coordinator, primary.pk, MergeCluster(report=member.pk))
    second = user_in("coordinator", coordinator.organisation)
    results: list[Any] = race(
        lambda: services.split(coordinator, primary.pk, SplitCluster(member=member.pk)),
        lambda: services.merge(
            second, elsewhere.pk, MergeCluster(report=member.pk, whole_group=False)
        ),
    )
    split, merged = results
    assert isinstance(merged, Report), merged  # the merge takes it out of its group itself
    if isinstance(split, Conflict):  # the merge went first: the split finds it gone
        assert "changed meanwhile" in str(split) or "not in the group" in str(split), split
    else:
        assert isinstance(split, Report), split
    moved = Report.objects.get(pk=member.pk)
    assert (moved.duplicate_of_id, moved.status) == (elsewhere.pk, "duplicate")
    assert first_broken_link() is None
