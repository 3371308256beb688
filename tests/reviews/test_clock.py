"""The periodic clock flags overdue notices once and sends reminders at the policy's points."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from clearinghouse.audit.models import AuditEvent
from clearinghouse.notifications.models import Delivery
from clearinghouse.reviews.models import Notice
from clearinghouse.reviews.services import run_clock

pytestmark = pytest.mark.django_db


def test_an_undecided_notice_past_its_deadline_is_flagged_and_escalated_once(people, under_review):
    notice = Notice.objects.get()
    before = notice.review_deadline - dt.timedelta(hours=1)
    assert run_clock(before)["overdue"] == 0
    after = notice.review_deadline + dt.timedelta(minutes=1)
    assert run_clock(after) == {"overdue": 1, "reminders": 0}
    assert run_clock(after + dt.timedelta(days=1))["overdue"] == 0
    notice.refresh_from_db()
    assert notice.overdue_since == after
    escalations = Delivery.objects.filter(event="notice.overdue")
    assert list(escalations.values_list("recipient", flat=True)) == ["admin@example.org"]
    assert AuditEvent.objects.filter(action="notice.overdue", actor=None).count() == 1


def test_decided_notices_are_never_overdue(people, under_review, api_as):
    ids = under_review["track_ids"]
    for prefix, track in (("ns", "national_security"), ("civ", "civilian")):
        api_as(people[f"{prefix}_reviewer"]).post(
            f"/api/reviews/tracks/{ids[track]}/decision",
            {"decision": "cleared", "rationale": "ok"},
            content_type="application/json",
        )
    notice = Notice.objects.get()
    assert notice.status == "decided"
    assert run_clock(notice.review_deadline + dt.timedelta(days=3))["overdue"] == 0


def test_reminders_go_to_undecided_reviewers_at_7_and_2_days(people, under_review):
    notice = Notice.objects.get()
    eight_days = notice.review_deadline - dt.timedelta(days=8)
    assert run_clock(eight_days)["reminders"] == 0
    assert run_clock(notice.review_deadline - dt.timedelta(days=6, hours=23))["reminders"] == 1
    assert run_clock(notice.review_deadline - dt.timedelta(days=5))["reminders"] == 0
    assert run_clock(notice.review_deadline - dt.timedelta(days=1))["reminders"] == 1
    reminded = set(
        Delivery.objects.filter(event="review.reminder").values_list("recipient", flat=True)
    )
    assert reminded == {"ns-reviewer@example.org", "civ-reviewer@example.org"}
    notice.refresh_from_db()
    assert notice.reminders_sent == [7, 2]


def test_the_clock_command_runs_the_check(people, under_review, capsys):
    call_command("review_clock")
    assert "overdue" in capsys.readouterr().out
