"""Every review state change works on the current row: stale copies and racers get a 409.

The race tests run two threads on PostgreSQL at the same instant (the `race` fixture skips
on SQLite); the stale-copy tests replay the same interleavings one after the other on both
databases, with the second actor holding rows loaded before the first one acted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearinghouse.audit.models import AuditEvent
from clearinghouse.core.review import Decision
from clearinghouse.errors import Conflict
from clearinghouse.reviews import services
from clearinghouse.reviews.inputs import (
    AssignReviewer,
    DecideTrack,
    EditDraft,
    FileNotice,
)
from clearinghouse.reviews.models import AccessGrant, Finding, Notice, TrackReview

from .conftest import CLEARED, GRANT, NOTE_WORTHY


def _notice_actions(notice_id: int) -> list[str]:
    events = AuditEvent.objects.filter(object_type="reviews.notice", object_id=str(notice_id))
    return list(events.order_by("sequence").values_list("action", flat=True))


@pytest.fixture
def last_track(people, under_review) -> dict[str, Any]:
    """A notice under review whose civilian track is decided: the national-security one is last."""
    ids = under_review["track_ids"]
    services.decide_track(
        people["civ_reviewer"], TrackReview.objects.get(pk=ids["civilian"]), CLEARED
    )
    return {
        "notice": Notice.objects.get(pk=under_review["id"]),
        "track": TrackReview.objects.select_related("notice").get(pk=ids["national_security"]),
    }


def _outcome(result: Any) -> str:
    return type(result).__name__


@pytest.mark.django_db
def test_a_decision_loaded_before_the_withdrawal_is_refused_naming_withdrawn(people, last_track):
    stale_track = last_track["track"]  # the reviewer's page loaded it while under review
    services.withdraw_notice(people["lab1"], last_track["notice"])
    with pytest.raises(Conflict, match="a withdrawn notice takes no decisions"):
        services.decide_track(people["ns_reviewer"], stale_track, CLEARED)
    notice = Notice.objects.get(pk=last_track["notice"].pk)
    assert notice.status == "withdrawn" and notice.overall_decision == ""
    assert TrackReview.objects.get(pk=stale_track.pk).decision == ""
    assert _notice_actions(notice.pk)[-1] == "notice.withdrawn"
    assert "notice.decided" not in _notice_actions(notice.pk)


def test_withdrawal_and_the_last_decision_at_once_never_leave_a_withdrawn_notice_decided(
    race, people, last_track
):
    notice, track = last_track["notice"], last_track["track"]
    withdrawn, decided = race(
        lambda: services.withdraw_notice(people["lab1"], notice),
        lambda: services.decide_track(people["ns_reviewer"], track, CLEARED),
    )
    assert isinstance(withdrawn, Notice)  # a lab may withdraw a decided notice too
    actions = _notice_actions(notice.pk)
    assert Notice.objects.get(pk=notice.pk).status == "withdrawn"
    assert actions[-1] == "notice.withdrawn"
    if isinstance(decided, Conflict):  # the withdrawal committed first
        assert "withdrawn" in str(decided)
        assert "notice.decided" not in actions
    else:  # the decision committed first, the withdrawal followed it
        assert isinstance(decided, TrackReview), decided
        assert actions[-2:] == ["notice.decided", "notice.withdrawn"]


def test_two_reviewers_deciding_one_track_at_once_one_wins(race, people, under_review):
    track = TrackReview.objects.get(pk=under_review["track_ids"]["national_security"])
    not_cleared = DecideTrack(decision=Decision.NOT_CLEARED, rationale="Exploit skills.")
    results = race(
        lambda: services.decide_track(people["ns_reviewer"], track, CLEARED),
        lambda: services.decide_track(people["ns_lead"], track, not_cleared),
    )
    assert sorted(map(_outcome, results)) == ["Conflict", "TrackReview"]
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "a decided track review cannot become decided" in str(refused)
    winner = next(r for r in results if isinstance(r, TrackReview))
    stored = TrackReview.objects.get(pk=track.pk)
    assert stored.decision == winner.decision and stored.status == "decided"
    assert AuditEvent.objects.filter(action="track.decided", object_id=str(track.pk)).count() == 1


@pytest.mark.django_db
def test_a_second_decision_on_a_decided_track_is_refused(people, under_review):
    stale = TrackReview.objects.get(pk=under_review["track_ids"]["national_security"])
    services.decide_track(people["ns_reviewer"], stale, CLEARED)
    with pytest.raises(Conflict, match="allowed: none"):
        services.decide_track(
            people["ns_lead"],
            stale,
            DecideTrack(decision=Decision.NOT_CLEARED, rationale="Second thoughts."),
        )
    assert TrackReview.objects.get(pk=stale.pk).decision == "cleared"


def test_both_tracks_deciding_at_once_conclude_the_notice(race, people, under_review):
    ids = under_review["track_ids"]
    ns, civ = (TrackReview.objects.get(pk=ids[name]) for name in ("national_security", "civilian"))
    results = race(
        lambda: services.decide_track(people["ns_reviewer"], ns, CLEARED),
        lambda: services.decide_track(people["civ_reviewer"], civ, CLEARED),
    )
    assert all(isinstance(result, TrackReview) for result in results), results
    notice = Notice.objects.get(pk=under_review["id"])
    assert notice.status == "decided" and notice.overall_decision == "cleared"


def test_assigning_one_reviewer_twice_at_once_assigns_once(race, people, submitted):
    track = TrackReview.objects.get(notice_id=submitted["id"], track="national_security")
    command = AssignReviewer(reviewer=people["ns_reviewer"].username)
    results = race(
        lambda: services.assign_reviewer(people["ns_lead"], track, command),
        lambda: services.assign_reviewer(people["admin"], track, command),
    )
    assert sorted(map(_outcome, results)) == ["Assignment", "Conflict"]
    assert "already assigned" in str(next(r for r in results if isinstance(r, Conflict)))
    assert track.assignments.count() == 1
    assert _notice_actions(submitted["id"]).count("notice.review_started") == 1


@pytest.mark.django_db
def test_assigning_on_a_notice_withdrawn_meanwhile_is_refused(people, submitted):
    stale = TrackReview.objects.select_related("notice").get(
        notice_id=submitted["id"], track="national_security"
    )
    services.withdraw_notice(people["lab1"], Notice.objects.get(pk=submitted["id"]))
    with pytest.raises(Conflict, match="this one is withdrawn"):
        services.assign_reviewer(
            people["ns_lead"], stale, AssignReviewer(reviewer=people["ns_reviewer"].username)
        )
    assert not stale.assignments.exists()


def test_withdrawing_twice_at_once_withdraws_once(race, people, submitted):
    notice = Notice.objects.get(pk=submitted["id"])
    results = race(
        lambda: services.withdraw_notice(people["lab1"], notice),
        lambda: services.withdraw_notice(people["lab1"], notice),
    )
    assert sorted(map(_outcome, results)) == ["Conflict", "Notice"]
    assert "a withdrawn notice cannot become withdrawn" in str(
        next(r for r in results if isinstance(r, Conflict))
    )
    assert _notice_actions(notice.pk).count("notice.withdrawn") == 1


@pytest.mark.django_db
def test_a_stale_draft_cannot_be_submitted_after_its_withdrawal(people, covered_model, api_as):
    from .conftest import in_days, post

    created = post(
        api_as(people["lab1"]),
        "/api/reviews/notices",
        {"ai_model_id": covered_model.pk, "planned_release_date": in_days(45)},
    ).json()
    stale = Notice.objects.get(pk=created["id"])
    services.withdraw_notice(people["lab1"], Notice.objects.get(pk=created["id"]))
    with pytest.raises(Conflict, match="a withdrawn notice cannot become submitted"):
        services.submit_notice(people["lab1"], stale)


def test_revoking_one_grant_twice_at_once_revokes_once(race, people, submitted):
    notice = Notice.objects.get(pk=submitted["id"])
    grant = services.grant_access(people["lab1"], notice, GRANT)
    results = race(
        lambda: services.revoke_access(people["lab1"], grant),
        lambda: services.revoke_access(people["lab1"], grant),
    )
    assert sorted(map(_outcome, results)) == ["AccessGrant", "Conflict"]
    assert AuditEvent.objects.filter(action="access.revoked").count() == 1


@pytest.mark.django_db
def test_a_grant_revoked_meanwhile_is_not_revoked_again(people, submitted):
    notice = Notice.objects.get(pk=submitted["id"])
    grant = services.grant_access(people["lab1"], notice, GRANT)
    services.revoke_access(people["lab1"], AccessGrant.objects.get(pk=grant.pk))
    with pytest.raises(Conflict, match="already revoked"):
        services.revoke_access(people["lab1"], grant)


def test_releasing_one_finding_twice_at_once_releases_once(race, people, under_review):
    track = TrackReview.objects.get(pk=under_review["track_ids"]["national_security"])
    finding = services.record_finding(
        people["ns_reviewer"],
        track,
        NOTE_WORTHY,
    )
    results = race(
        lambda: services.release_finding(people["ns_reviewer"], finding),
        lambda: services.release_finding(people["ns_lead"], finding),
    )
    assert sorted(map(_outcome, results)) == ["Conflict", "Finding"]
    assert Finding.objects.get(pk=finding.pk).released_to_lab_at is not None
    assert AuditEvent.objects.filter(action="finding.released").count() == 1


@pytest.mark.django_db
def test_a_finding_on_a_notice_withdrawn_meanwhile_is_refused(people, under_review):
    stale = TrackReview.objects.select_related("notice").get(
        pk=under_review["track_ids"]["national_security"]
    )
    services.withdraw_notice(people["lab1"], Notice.objects.get(pk=under_review["id"]))
    with pytest.raises(Conflict, match="withdrawn notice"):
        services.record_finding(
            people["ns_reviewer"],
            stale,
            NOTE_WORTHY,
        )
    assert not Finding.objects.exists()


@pytest.fixture
def draft(people, covered_model) -> Notice:
    from .conftest import in_days

    release = dt.date.fromisoformat(in_days(45))
    return services.file_notice(
        people["lab1"], FileNotice(ai_model_id=covered_model.pk, planned_release_date=release)
    )


def test_submitting_one_draft_twice_at_once_submits_once(race, people, draft):
    results = race(
        lambda: services.submit_notice(people["lab1"], draft),
        lambda: services.submit_notice(people["lab1"], draft),
    )
    assert sorted(map(_outcome, results)) == ["Conflict", "Notice"]
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "a submitted notice cannot become submitted" in str(refused)
    assert _notice_actions(draft.pk).count("notice.submitted") == 1


def test_an_edit_and_the_submission_at_once_never_edit_a_submitted_notice(race, people, draft):
    edit = EditDraft(training_data_summary="Web text.")
    edited, submitted = race(
        lambda: services.update_draft(people["lab1"], draft, edit),
        lambda: services.submit_notice(people["lab1"], draft),
    )
    assert isinstance(submitted, Notice), submitted
    actions = _notice_actions(draft.pk)
    stored = Notice.objects.get(pk=draft.pk)
    assert stored.status == "submitted"
    if isinstance(edited, Conflict):  # the submission went first
        assert "only a draft notice can be edited; this one is submitted" in str(edited)
        assert "notice.edited" not in actions and stored.training_data_summary == ""
    else:  # the edit went first and was submitted with the notice
        assert isinstance(edited, Notice), edited
        assert actions[-2:] == ["notice.edited", "notice.submitted"]
        assert stored.training_data_summary == "Web text."


def test_a_grant_and_the_withdrawal_at_once_leave_no_live_grant(race, people, submitted):
    notice = Notice.objects.get(pk=submitted["id"])
    granted, withdrawn = race(
        lambda: services.grant_access(people["lab1"], notice, GRANT),
        lambda: services.withdraw_notice(people["lab1"], notice),
    )
    assert isinstance(withdrawn, Notice), withdrawn
    if isinstance(granted, Conflict):  # the withdrawal went first
        assert "cannot grant access on a withdrawn notice" in str(granted)
        assert not AccessGrant.objects.exists()
    else:  # the grant went first and the withdrawal revoked it
        assert isinstance(granted, AccessGrant), granted
        assert AccessGrant.objects.get().revoked_at is not None
    assert services.usable_grant(notice) is None


def test_marking_a_decided_notice_released_twice_at_once_marks_it_once(race, people, under_review):
    ids = under_review["track_ids"]
    services.decide_track(
        people["ns_reviewer"], TrackReview.objects.get(pk=ids["national_security"]), CLEARED
    )
    services.decide_track(
        people["civ_reviewer"], TrackReview.objects.get(pk=ids["civilian"]), CLEARED
    )
    notice = Notice.objects.get(pk=under_review["id"])
    results = race(
        lambda: services.mark_released(people["lab1"], notice),
        lambda: services.mark_released(people["lab1"], notice),
    )
    assert sorted(map(_outcome, results)) == ["Conflict", "Notice"]
    assert "a released notice cannot become released" in str(
        next(r for r in results if isinstance(r, Conflict))
    )
    assert _notice_actions(notice.pk).count("notice.released") == 1
