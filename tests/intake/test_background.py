"""Background intake resumes after a dead worker, never stores an item twice, and is retried."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django_tasks_db.models import DBTaskResult

from clearinghouse.audit.models import AuditEvent
from clearinghouse.cli import main
from clearinghouse.intake import services
from clearinghouse.intake.models import Report, Submission

from .conftest import native

pytestmark = pytest.mark.django_db
ITEMS = 6


def document(name: str = "bug") -> bytes:
    return native(*({"title": f"{name} {n}", "description": f"flaw {n}"} for n in range(ITEMS)))


def stored(user, name: str = "bug") -> Submission:
    """A background submission, queued with its task (not yet processed)."""
    submission = services.submit(user, document(name), background=True).submission
    assert submission.status == "queued"
    return submission


def processed_half(submission: Submission) -> list[int]:
    """The state a worker killed after its first chunks leaves: some reports, processing."""
    services.process(submission.pk)
    Report.objects.filter(submission=submission, index__gte=ITEMS // 2).delete()
    Submission.objects.filter(pk=submission.pk).update(
        status="processing", processed_items=ITEMS // 2, completed_at=None
    )
    return list(
        Report.objects.filter(submission=submission).order_by("index").values_list("pk", flat=True)
    )


def tasks(submission: Submission) -> list[str]:
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="process_submission", args_kwargs__args__0=submission.pk
        ).values_list("status", flat=True)
    )


def test_processing_resumes_where_a_dead_run_stopped(cast, settings) -> None:
    settings.CLEARINGHOUSE_INTAKE_CHUNK_ITEMS = 2
    submission = stored(cast["lab1"])
    kept = processed_half(submission)
    services.process(submission.pk)
    reports = Report.objects.filter(submission=submission).order_by("index")
    assert list(reports.values_list("index", flat=True)) == list(range(ITEMS))
    assert list(reports.values_list("pk", flat=True))[: ITEMS // 2] == kept  # not made again
    submission.refresh_from_db()
    assert (submission.status, submission.processed_items) == ("completed", ITEMS)
    done = AuditEvent.objects.filter(action="submission.processed").order_by("sequence").last()
    assert done is not None and '"reports":6' in done.after


def test_an_item_cannot_be_stored_twice(cast) -> None:
    submission = stored(cast["lab1"])
    services.process(submission.pk)
    again = Report.objects.filter(submission=submission).first()
    assert again is not None
    again.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_the_submitter_retries_a_failed_submission_through_the_api(cast, api_as) -> None:
    submission = stored(cast["lab1"])
    Submission.objects.filter(pk=submission.pk).update(original="{not json")
    with pytest.raises(Exception, match="not valid JSON"):
        services.process(submission.pk)
    submission.refresh_from_db()
    assert submission.status == "failed" and submission.errors
    Submission.objects.filter(pk=submission.pk).update(original=document().decode())
    url = f"/api/intake/submissions/{submission.pk}/retry"
    assert api_as(cast["lab2"]).post(url).status_code == 404  # another lab never sees it
    response = api_as(cast["lab1"]).post(url)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["errors"]) == ("queued", [])
    assert tasks(submission) == ["READY", "READY"]  # the first one's, and the retry's
    assert api_as(cast["lab1"]).post(url).status_code == 409  # queued, its task alive
    services.process(submission.pk)
    assert Report.objects.filter(submission=submission).count() == ITEMS
    assert (
        api_as(cast["coordinator"])
        .post(url)
        .json()["detail"]
        .startswith(f"submission #{submission.pk} is completed")
    )
    assert AuditEvent.objects.filter(action="submission.retried").count() == 1


def test_only_the_submitter_or_a_coordinator_retries(cast, api_as, user_in) -> None:
    submission = stored(cast["lab1"])
    DBTaskResult.objects.all().delete()  # its task lost: stalled
    colleague = user_in("developer", cast["lab1"].organisation)
    url = f"/api/intake/submissions/{submission.pk}/retry"
    denied = api_as(colleague).post(url)
    assert denied.status_code == 403 and "submitter" in denied.json()["detail"]
    assert api_as(cast["coordinator"]).post(url).status_code == 200


def test_sending_a_stalled_document_again_resumes_it(cast, settings) -> None:
    settings.CLEARINGHOUSE_INTAKE_CHUNK_ITEMS = 2
    submission = stored(cast["lab1"])
    processed_half(submission)
    DBTaskResult.objects.all().delete()  # its worker died and the task is gone
    assert services.stalled(submission)
    outcome = services.submit(cast["lab1"], document(), background=True)
    assert (outcome.submission.pk, outcome.created, outcome.submission.status) == (
        submission.pk,
        False,
        "queued",
    )
    assert tasks(submission) == ["READY"]
    assert not services.stalled(outcome.submission)
    # Sent again while its task is alive: the same submission, nothing queued twice.
    services.submit(cast["lab1"], document(), background=True)
    assert tasks(submission) == ["READY"]
    assert AuditEvent.objects.filter(action="submission.resent").count() == 1


def test_the_page_offers_a_retry_to_the_submitter(cast, pages_as) -> None:
    submission = stored(cast["lab1"])
    DBTaskResult.objects.all().delete()
    page = f"/intake/submissions/{submission.pk}/"
    assert b'data-testid="retry"' in pages_as(cast["lab1"]).get(page).content
    assert (
        b'data-testid="retry"'
        not in pages_as(cast["coordinator"])
        .get(f"/intake/submissions/{stored(cast['lab2'], 'other').pk}/")
        .content
    )  # its task is alive: nothing to retry
    response = pages_as(cast["lab1"]).post(f"{page}retry/")
    assert response.status_code == 302
    assert Submission.objects.get(pk=submission.pk).status == "queued"
    assert b'data-testid="retry"' not in pages_as(cast["lab1"]).get(page).content


def test_the_cli_retries_a_stalled_submission(cast, capsys) -> None:
    submission = stored(cast["lab1"])
    DBTaskResult.objects.all().delete()
    username = cast["lab1"].username
    assert main(["intake-retry", str(submission.pk), "--as-user", username]) == 0
    assert capsys.readouterr().out.strip() == f"submission #{submission.pk}: queued, 0/6 items"
    assert main(["intake-retry", str(submission.pk), "--as-user", username]) == 2
    assert "only a failed or stalled submission is retried" in capsys.readouterr().err
