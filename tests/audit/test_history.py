"""`history_for` shows each viewer only the events it may see, naming only actors it may know."""

from __future__ import annotations

import datetime as dt

import pytest

from clearinghouse.audit.history import NEWEST_SHOWN, history_for
from clearinghouse.audit.services import Entry, record_many
from clearinghouse.frontier.inputs import Designate, RegisterModel
from clearinghouse.frontier.services import designate, register_model
from clearinghouse.intake import services as intake
from clearinghouse.intake.inputs import Triage, TriageAction
from tests.intake.conftest import native

pytestmark = pytest.mark.django_db


@pytest.fixture
def designated(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel(**declaration()))
    designate(
        cast["reviewer"],
        model,
        Designate(
            authority="Office of National Cyber Review",
            reference="OCR-7",
            designated_on=dt.date.today(),
        ),
    )
    return model


def _actors(user, subject) -> dict[str, str]:
    return {entry.action: entry.actor for entry in history_for(user, subject)}


def test_a_lab_never_learns_which_reviewer_designated_its_model(designated, cast):
    seen = _actors(cast["lab1"], designated)
    assert seen["model.registered"] == cast["lab1"].username
    assert seen["model.designated"] == "the review program"
    assert cast["reviewer"].username not in repr(history_for(cast["lab1"], designated))


def test_government_staff_and_admins_see_every_actor(designated, cast):
    for viewer in (cast["reviewer"], cast["admin"]):
        seen = _actors(viewer, designated)
        assert seen["model.designated"] == cast["reviewer"].username
        assert seen["model.registered"] == cast["lab1"].username


def test_a_subject_the_viewer_may_not_see_contributes_nothing(designated, cast):
    assert history_for(cast["lab2"], designated) == []
    assert history_for(cast["operator"], [designated]) == []


def test_a_reporter_never_learns_which_coordinator_declined(cast):
    outcome = intake.submit(cast["vendor"], native({"title": "Overflow in widget"}))
    report = outcome.submission.reports.get()
    declined = Triage(action=TriageAction.DECLINE, reason="not a vulnerability")
    intake.triage(cast["coordinator"], report, declined)
    seen = _actors(cast["vendor"], report)
    assert seen["report.declined"] == "the clearinghouse"
    assert _actors(cast["coordinator"], report)["report.declined"] == (cast["coordinator"].username)


def test_newest_gives_the_last_events_oldest_first(designated, cast):
    every = history_for(cast["admin"], designated)
    last_two = history_for(cast["admin"], designated, newest=2)
    assert [e.sequence for e in last_two] == [e.sequence for e in every[-2:]]


def test_a_timeline_is_bounded_to_the_newest_events_when_no_length_is_given(designated, cast):
    record_many([Entry(cast["lab1"], "model.noted", designated) for _ in range(NEWEST_SHOWN + 5)])
    shown = history_for(cast["admin"], designated)
    assert len(shown) == NEWEST_SHOWN
    assert [e.action for e in shown] == ["model.noted"] * NEWEST_SHOWN
