"""Each review command appends to the audit chain once, however many events it records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clearinghouse.audit.models import AuditEvent
from clearinghouse.reviews import services
from clearinghouse.reviews.inputs import (
    AddNote,
    AssignReviewer,
    EditDraft,
    FileNotice,
)
from clearinghouse.reviews.models import Notice, TrackReview

from .conftest import CLEARED, GRANT, NOTE_WORTHY

pytestmark = pytest.mark.django_db


def _appended_once(chain_appends, command):
    before = AuditEvent.objects.count()
    with chain_appends() as appends:
        result = command()
    assert appends.count == 1
    assert AuditEvent.objects.count() > before
    return result


def test_the_lab_commands_append_once_each(people, covered_model, chain_appends):
    lab = people["lab1"]
    release = dt.date.today() + dt.timedelta(days=45)
    notice = _appended_once(
        chain_appends,
        lambda: services.file_notice(
            lab, FileNotice(ai_model_id=covered_model.pk, planned_release_date=release)
        ),
    )
    _appended_once(
        chain_appends,
        lambda: services.update_draft(lab, notice, EditDraft(training_data_summary="Web text.")),
    )
    assert Notice.objects.get(pk=notice.pk).training_data_summary == "Web text."
    grant = _appended_once(
        chain_appends,
        lambda: services.grant_access(lab, notice, GRANT),
    )
    _appended_once(chain_appends, lambda: services.revoke_access(lab, grant))
    _appended_once(chain_appends, lambda: services.submit_notice(lab, notice))
    _appended_once(chain_appends, lambda: services.withdraw_notice(lab, notice))


def test_the_reviewer_commands_append_once_each(people, submitted, chain_appends):
    ns = TrackReview.objects.get(notice_id=submitted["id"], track="national_security")
    civ = TrackReview.objects.get(notice_id=submitted["id"], track="civilian")
    # assigning the first reviewer also starts the review: two events, one append
    _appended_once(
        chain_appends,
        lambda: services.assign_reviewer(
            people["ns_lead"], ns, AssignReviewer(reviewer=people["ns_reviewer"].username)
        ),
    )
    services.assign_reviewer(
        people["civ_lead"], civ, AssignReviewer(reviewer=people["civ_reviewer"].username)
    )
    reviewer = people["ns_reviewer"]
    finding = _appended_once(
        chain_appends,
        lambda: services.record_finding(
            reviewer,
            ns,
            NOTE_WORTHY,
        ),
    )
    _appended_once(
        chain_appends,
        lambda: services.attach_evidence(
            reviewer, finding, SimpleUploadedFile("log.txt", b"transcript"), 1000
        ),
    )
    _appended_once(chain_appends, lambda: services.release_finding(reviewer, finding))
    _appended_once(chain_appends, lambda: services.add_note(reviewer, ns, AddNote(body="Ask.")))
    _appended_once(chain_appends, lambda: services.decide_track(reviewer, ns, CLEARED))
    # the last decision also decides the notice: two events, one append
    _appended_once(
        chain_appends, lambda: services.decide_track(people["civ_reviewer"], civ, CLEARED)
    )
    assert Notice.objects.get(pk=submitted["id"]).status == "decided"
