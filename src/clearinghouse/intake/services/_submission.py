"""Submitting one document: validated whole, stored with its reports, or refused whole.

Small documents become reports in the submitting transaction; large ones are stored and
turned into reports by the worker (`process`), with their progress visible meanwhile. The
worker's task is queued in the transaction that stores the submission (django-tasks'
database backend: the task is a row), and `process` resumes where a dead worker stopped,
chunk by chunk: an item's report is unique by (submission, index), so none is made twice.
A failed or stalled submission is sent back to the worker by `retry`, or by sending the
same document again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import Entry, audited, record, record_many
from clearinghouse.background.queue import queued_for
from clearinghouse.core.submissions import SUBMISSION_LIFECYCLE, UNFINISHED, SubmissionStatus
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.workflow import advance, locked

from ..models import Report, ReporterKind, Submission
from ..readers import Document, Format, Item, formats, read_document
from ._limits import background_items, max_bytes, max_items
from ._reports import processed, store_reports

_ROLE_KIND = {
    Role.DEVELOPER: ReporterKind.LAB,
    Role.VENDOR: ReporterKind.VENDOR,
    Role.OPERATOR: ReporterKind.OPERATOR,
}


@dataclass(frozen=True)
class Outcome:
    """A submission and whether this call created it (False: the earlier result)."""

    submission: Submission
    created: bool


def reporter_kind_of(user: User, given: str | None) -> str:
    """Who found the vulnerabilities: as given, or from the submitter's role."""
    if given:
        if given not in ReporterKind.values:
            allowed = ", ".join(ReporterKind.values)
            raise InvalidInput.single("reporter_kind", f"must be one of {allowed}")
        return given
    return _ROLE_KIND.get(Role(user.role), ReporterKind.RESEARCHER).value


def declared_format(given: str | None) -> Format | None:
    """The format the submitter named, if any (otherwise it is detected)."""
    if not given:
        return None
    try:
        return Format(given)
    except ValueError:
        allowed = ", ".join(formats())
        raise InvalidInput.single("format", f"must be one of {allowed}") from None


def require_member(user: User) -> None:
    """Reports belong to an organisation: a user without one cannot submit (`intake.submit`)."""
    require(user, "intake.submit")


def check_size(data: bytes) -> None:
    """Refuse an oversized or empty document before reading it."""
    if len(data) > max_bytes():
        raise InvalidInput.single("document", f"larger than the {max_bytes():,}-byte limit")
    if not data.strip():
        raise InvalidInput.single("document", "the document is empty")


def read_upload(upload: File[Any]) -> bytes:
    """Read an uploaded document, refusing one over the limit before holding it whole."""
    limit = max_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise InvalidInput.single("document", f"larger than the {limit:,}-byte limit")
    return bytes(data)


def read(data: bytes, filename: str, declared: Format | None) -> Document:
    """Validate a document whole, or raise `DocumentError` (an InvalidInput) naming each place."""
    return read_document(data, filename=filename, declared=declared, max_items=max_items())


def new_submission(
    user: User,
    data: bytes,
    document: Document,
    *,
    sha256: str,
    filename: str,
    idempotency_key: str | None,
    reporter_kind: str,
    model_name: str,
    assessment_reference: str,
    deferred: bool,
) -> Submission:
    """An unsaved submission of a validated document (completed at once unless deferred)."""
    assert user.organisation_id is not None  # checked by `require_member`
    # Processed now: stored as completed at once (it commits with its reports or not at
    # all), which saves an update.
    done = {} if deferred else {
        "status": Submission.Status.COMPLETED,
        "processed_items": len(document.items),
        "completed_at": timezone.now(),
    }  # fmt: skip
    return Submission(
        organisation_id=user.organisation_id,
        submitted_by=user,
        format=document.format.value,
        filename=filename[:255],
        sha256=sha256,
        idempotency_key=idempotency_key,
        original=data.decode("utf-8-sig"),
        size_bytes=len(data),
        reporter_kind=reporter_kind,
        model_name=model_name.strip()[:200],
        assessment_reference=assessment_reference.strip()[:500],
        total_items=len(document.items),
        **done,
    )


def received(user: User, submission: Submission) -> Entry:
    """The `submission.received` audit entry of a stored submission."""
    return Entry(
        actor=user,
        action="submission.received",
        subject=submission,
        after={
            "format": submission.format,
            "sha256": submission.sha256,
            "items": submission.total_items,
            "reporter_kind": submission.reporter_kind,
        },
    )


def enqueue(submission: Submission) -> None:
    """Queue the worker's processing of a deferred submission, in the caller's transaction."""
    from ..tasks import process_submission

    process_submission.enqueue(submission.pk)


def stalled(submission: Submission) -> bool:
    """Failed, or unfinished with no queued or running task to finish it: retry it."""
    from ..tasks import process_submission

    status = SubmissionStatus(submission.status)
    if status == SubmissionStatus.FAILED:
        return True
    return status in UNFINISHED and not queued_for(process_submission, [submission.pk])


def _requeue(actor: User, submission: Submission, action: str) -> Submission:
    """Send a locked, stalled submission back to the worker; it resumes where it stopped."""
    before = {"status": submission.status, "processed_items": submission.processed_items}
    if submission.status != Submission.Status.QUEUED:  # queued with its task lost: as it is
        advance(submission, SUBMISSION_LIFECYCLE, SubmissionStatus.QUEUED)
    submission.errors = []
    submission.save(update_fields=["status", "errors"])
    enqueue(submission)
    record(
        actor=actor, action=action, subject=submission, before=before, after={"status": "queued"}
    )
    return submission


def retry(user: User, submission: Submission) -> Submission:
    """The submitter (or a coordinator) sends a failed or stalled submission back to the worker.

    A 409 when it is completed, or still queued or processing with its task alive.
    """
    with audited():
        submission = locked(submission)
        require(user, "intake.retry_submission", submission)
        if not stalled(submission):
            waiting = " and its task is still queued" if submission.status != "completed" else ""
            raise Conflict(
                f"submission #{submission.pk} is {submission.status}{waiting}; "
                "only a failed or stalled submission is retried"
            )
        return _requeue(user, submission, "submission.retried")


def resumed(user: User, earlier: Submission) -> Submission:
    """The earlier submission of a document sent again, sent back to the worker if stalled.

    Sending the document again is asking for it to be processed: it must not just answer
    with a submission that nothing will ever finish.
    """
    if not stalled(earlier):
        return earlier
    with audited():
        earlier = locked(earlier)
        return _requeue(user, earlier, "submission.resent") if stalled(earlier) else earlier


def _earlier(user: User, sha256: str, key: str | None) -> Submission | None:
    organisation = user.organisation_id
    assert organisation is not None  # checked by `submit`
    if key:
        keyed = Submission.objects.filter(organisation_id=organisation, idempotency_key=key).first()
        if keyed is not None:
            if keyed.sha256 != sha256:
                raise Conflict(
                    f"Idempotency-Key {key!r} was used for a different document "
                    f"(submission #{keyed.pk})"
                )
            return keyed
    return Submission.objects.filter(organisation_id=organisation, sha256=sha256).first()


def submit(
    user: User,
    data: bytes,
    *,
    filename: str = "",
    format: str | None = None,
    idempotency_key: str | None = None,
    reporter_kind: str | None = None,
    model_name: str = "",
    assessment_reference: str = "",
    background: bool | None = None,
) -> Outcome:
    """Validate a document whole and store it with one report per item, or refuse it.

    The same document (by SHA-256) or the same idempotency key from one organisation returns
    the earlier submission and creates nothing. Documents with more items than
    `background_items()` are stored now and turned into reports by the worker (`background`
    forces either way). Several documents at once: `submit_many`.
    """
    require_member(user)
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 200:
        raise InvalidInput.single("idempotency_key", "at most 200 characters")
    check_size(data)
    sha256 = hashlib.sha256(data).hexdigest()
    if (earlier := _earlier(user, sha256, key)) is not None:
        return Outcome(resumed(user, earlier), False)
    kind = reporter_kind_of(user, reporter_kind)
    document = read(data, filename, declared_format(format))
    deferred = len(document.items) > background_items() if background is None else background
    submission = new_submission(
        user,
        data,
        document,
        sha256=sha256,
        filename=filename,
        idempotency_key=key,
        reporter_kind=kind,
        model_name=model_name,
        assessment_reference=assessment_reference,
        deferred=deferred,
    )
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
            if deferred:
                record_many([received(user, submission)])
                enqueue(submission)
            else:
                # Both events under one lock of the audit chain head.
                processed = store_reports([(submission, document.items)], finished=True)
                record_many([received(user, submission), *processed])
    except IntegrityError:
        # Another request stored the same document or key first: answer with its result.
        if (earlier := _earlier(user, sha256, key)) is not None:
            return Outcome(earlier, False)
        raise
    return Outcome(submission, True)


def process(submission_id: int) -> Submission:
    """Turn a stored submission's items into reports (the worker's part of `submit`).

    Run again after its worker died, it resumes: each chunk of items
    (`CLEARINGHOUSE_INTAKE_CHUNK_ITEMS`) is one unit of work that skips the items already
    stored, so the audit chain head and the submission's row are held for one chunk at a
    time, and progress is visible meanwhile. A document that cannot be read any more, or a
    failure of the work, marks the submission failed (retry sends it back).
    """
    submission = Submission.objects.get(pk=submission_id)
    if submission.status == Submission.Status.COMPLETED:
        return submission
    try:
        document = read(
            submission.original.encode("utf-8"), submission.filename, Format(submission.format)
        )
        size = settings.CLEARINGHOUSE_INTAKE_CHUNK_ITEMS
        for start in range(0, len(document.items), size):
            if not _process_chunk(submission, document.items[start : start + size]):
                return Submission.objects.get(pk=submission_id)
        return _finish(submission)
    except Exception as error:
        with audited():
            submission = locked(submission)
            if SubmissionStatus(submission.status) in UNFINISHED:
                advance(submission, SUBMISSION_LIFECYCLE, SubmissionStatus.FAILED)
                submission.errors = failure_entries(error)
                submission.save(update_fields=["status", "errors"])
                record(
                    actor=None,
                    action="submission.failed",
                    subject=submission,
                    after={"error": submission.errors[0]["msg"]},
                )
        raise


def failure_entries(error: Exception) -> list[dict[str, object]]:
    """Why processing failed, stored as the entries of a 422 (`loc`, `msg`; a document's
    problems with their `format`, `item` and `pointer`), so nothing parses a message back.
    """
    if isinstance(error, InvalidInput) and error.errors:
        return error.detail()[:20]
    return [{"loc": [], "msg": str(error)[:2000]}]


def _process_chunk(submission: Submission, items: Sequence[Item]) -> bool:
    """Store the reports of those items not stored yet; False if it is not ours to process."""
    with audited():
        submission = locked(submission)
        if SubmissionStatus(submission.status) not in UNFINISHED:
            return False  # finished by another run, or failed and waiting for a retry
        if submission.status == Submission.Status.QUEUED:
            advance(submission, SUBMISSION_LIFECYCLE, SubmissionStatus.PROCESSING)
        reports = Report.objects.filter(submission=submission)
        stored = set(
            reports.filter(index__in=[i.index for i in items]).values_list("index", flat=True)
        )
        fresh = [item for item in items if item.index not in stored]
        if fresh:
            store_reports([(submission, fresh)], finished=True)
        submission.processed_items = reports.count()
        submission.save(update_fields=["status", "processed_items"])
    return True


def _finish(submission: Submission) -> Submission:
    with audited():
        submission = locked(submission)
        if submission.status == Submission.Status.COMPLETED:
            return submission
        advance(submission, SUBMISSION_LIFECYCLE, SubmissionStatus.COMPLETED)
        reports = Report.objects.filter(submission=submission)
        submission.processed_items = reports.count()
        submission.completed_at = timezone.now()
        submission.save(update_fields=["status", "processed_items", "completed_at"])
        ids = list(reports.order_by("pk").values_list("pk", flat=True)[:1000])
        duplicates = reports.filter(duplicate_of__isnull=False).count()
        record_many([processed(submission, submission.processed_items, duplicates, ids)])
    return submission
