"""`locked` + `advance`: a state change works on the current row and is serialised."""

from __future__ import annotations

import datetime as dt

import pytest

from clearinghouse.audit.services import audited
from clearinghouse.core.review import NOTICE_LIFECYCLE, NoticeStatus
from clearinghouse.errors import Conflict
from clearinghouse.frontier.inputs import RegisterModel
from clearinghouse.frontier.services import register_model
from clearinghouse.reviews.inputs import FileNotice
from clearinghouse.reviews.models import Notice
from clearinghouse.reviews.services import file_notice
from clearinghouse.workflow import advance, locked


@pytest.fixture
def draft(cast, declaration):
    model = register_model(cast["lab1"], RegisterModel(**declaration(training_compute_flop=2e26)))
    release = dt.date.today() + dt.timedelta(days=60)
    return file_notice(cast["lab1"], FileNotice(ai_model_id=model.pk, planned_release_date=release))


def _submit(notice: Notice) -> str:
    with audited():
        row = locked(notice)
        advance(row, NOTICE_LIFECYCLE, NoticeStatus.SUBMITTED)
        row.save(update_fields=["status"])
    return row.status


@pytest.mark.django_db
def test_a_stale_copy_is_refused_with_the_current_state(draft):
    stale = Notice.objects.get(pk=draft.pk)
    _submit(draft)
    Notice.objects.filter(pk=draft.pk).update(status=NoticeStatus.WITHDRAWN)
    with pytest.raises(Conflict, match="a withdrawn notice cannot become submitted"):
        _submit(stale)
    assert Notice.objects.get(pk=draft.pk).status == NoticeStatus.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_rows_are_locked_only_inside_a_transaction(draft):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        locked(draft)


@pytest.mark.django_db
def test_a_row_deleted_meanwhile_is_a_conflict(draft):
    Notice.objects.filter(pk=draft.pk).delete()
    with pytest.raises(Conflict, match="no longer exists"), audited():
        locked(draft)


def test_two_at_once_one_wins_and_the_other_is_told_why(race, draft):
    results = race(lambda: _submit(draft), lambda: _submit(draft))
    assert sorted(map(type, results), key=str) == sorted([str, Conflict], key=str)
    refused = next(r for r in results if isinstance(r, Conflict))
    assert "a submitted notice cannot become submitted" in str(refused)
