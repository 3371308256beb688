"""Submitting one document: validated whole, stored with its reports, or refused whole.

Small documents become reports in the submitting transaction; large ones are stored and
turned into reports by the worker (`process`), with their progress visible meanwhile.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import Entry, record_many
from clearinghouse.errors import Conflict, FieldError, InvalidInput

from ..documents import Document, DocumentError, Format, read_document
from ..models import Report, ReporterKind, Submission
from ._limits import background_items, max_bytes, max_items
from ._reports import store_reports

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
        allowed = ", ".join(Format)
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
    """Validate a document whole, or raise InvalidInput naming every problem's place."""
    try:
        return read_document(data, filename=filename, declared=declared, max_items=max_items())
    except DocumentError as error:
        raise InvalidInput(
            [
                FieldError(("document", *(() if loc == "document" else loc.split("/"))), msg)
                for loc, msg in error.problems
            ]
        ) from None


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


def enqueue_on_commit(submission: Submission) -> None:
    """Have the worker process a deferred submission once it is committed."""
    from ..tasks import process_submission

    pk = submission.pk
    transaction.on_commit(lambda: process_submission.enqueue(pk))


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
        return Outcome(earlier, False)
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
                enqueue_on_commit(submission)
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
    """Turn a stored submission's items into reports (the worker's part of `submit`)."""
    submission = Submission.objects.get(pk=submission_id)
    if submission.status == Submission.Status.COMPLETED:
        return submission
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.PROCESSING)
    try:
        document = read(
            submission.original.encode("utf-8"), submission.filename, Format(submission.format)
        )
        # Chunks commit one by one so that the submission's progress is visible meanwhile; a
        # run that failed half-way is started again from nothing.
        Report.objects.filter(submission=submission).delete()
        record_many(store_reports([(submission, document.items)], progress=True))
    except Exception as error:
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.FAILED, errors=[str(error)[:2000]]
        )
        raise
    submission.refresh_from_db()
    return submission
