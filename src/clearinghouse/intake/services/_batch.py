"""Submitting many documents at once (bulk upload): each its own submission, stored together.

Every document is read and validated first (no writes); a refused one is answered with its
errors and stores nothing, without holding back the others. The accepted ones are then
written in one transaction: their submissions, reports, blocking keys and duplicate
candidates each in bulk inserts, de-duplicated in one pass over the whole batch and the
stored reports it shares keys with, and audited in one append to the chain with the same
`submission.received` / `submission.processed` events, in the same order, that submitting
them one by one records. That is what makes a stream of small documents cheap: per document
it is the validation and the per-row work left, not a dozen round trips.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction

from clearinghouse.accounts.models import User
from clearinghouse.audit.services import Entry, audited, record_many
from clearinghouse.errors import Conflict, InvalidInput

from ..models import ReporterKind, Submission
from ..readers import Document, Item
from . import _rows
from ._limits import background_items, max_batch_bytes, max_batch_documents, max_items
from ._reports import store_reports
from ._submission import (
    Outcome,
    check_size,
    declared_format,
    enqueue,
    new_submission,
    read,
    read_upload,
    received,
    reporter_kind_of,
    require_member,
    resumed,
    submit,
)


@dataclass(frozen=True)
class Upload:
    """One document of a batch: its bytes, its file name, and how results name it."""

    data: bytes
    filename: str = ""
    #: Shown with the document's result or errors (default: the file name).
    name: str = ""

    @property
    def label(self) -> str:
        """The name the document's result goes under."""
        return self.name or self.filename or "document"


@dataclass(frozen=True)
class BatchResult:
    """What became of one document of a batch: its submission, or why it was refused."""

    name: str
    outcome: Outcome | None = None
    error: InvalidInput | Conflict | None = None


@dataclass(frozen=True)
class _Accepted:
    position: int
    upload: Upload
    sha256: str
    document: Document
    deferred: bool


def check_batch(documents: int, size: int) -> None:
    """Refuse a batch with no document, or over the limits on documents or bytes in all."""
    if not documents:
        raise InvalidInput.single("documents", "give at least one document")
    if documents > max_batch_documents():
        raise InvalidInput.single("documents", f"at most {max_batch_documents():,} at once")
    if size > max_batch_bytes():
        raise InvalidInput.single(
            "documents", f"larger than the {max_batch_bytes():,}-byte limit in all"
        )


def submit_files(
    user: User,
    files: Sequence[File[Any]],
    *,
    also: Sequence[Upload] = (),
    **options: Any,
) -> list[BatchResult]:
    """Submit uploaded files (and `also`, e.g. a pasted document) as one batch, in order.

    The batch's limits are checked before any file is read; a file over the size limit is
    refused alone, without being held whole. `options` are `submit_many`'s.
    """
    size = sum(file.size or 0 for file in files) + sum(len(upload.data) for upload in also)
    check_batch(len(files) + len(also), size)
    uploads: list[Upload] = []
    refused: dict[int, BatchResult] = {}
    for position, file in enumerate(files):
        name = file.name or f"document {position + 1}"
        try:
            uploads.append(Upload(read_upload(file), filename=name))
        except InvalidInput as error:
            refused[position] = BatchResult(name, error=error)
    uploads.extend(also)
    results = iter(submit_many(user, uploads, **options) if uploads else [])
    return [
        refused[position] if position in refused else next(results)
        for position in range(len(files) + len(also))
    ]


def submit_many(
    user: User,
    uploads: Iterable[Upload],
    *,
    format: str | None = None,
    reporter_kind: str | None = None,
    model_name: str = "",
    assessment_reference: str = "",
    background: bool | None = None,
) -> list[BatchResult]:
    """Submit several documents, each as `submit` would, written together; one result each.

    Results are in the order given. A document stored before by the organisation, or given
    twice, is answered with its (first) submission, `created` False. Options that are wrong
    for all (format, reporter_kind) or a batch over the limits raise InvalidInput and store
    nothing. Documents with more items than `background_items()` are stored now and
    processed by the worker, as `submit` does.
    """
    require_member(user)
    uploads = list(uploads)
    check_batch(len(uploads), sum(len(upload.data) for upload in uploads))
    organisation = user.organisation_id
    assert organisation is not None  # checked by `require_member`
    kind = reporter_kind_of(user, reporter_kind)
    declared = declared_format(format)
    hashes = [hashlib.sha256(upload.data).hexdigest() for upload in uploads]
    stored = {
        submission.sha256: submission
        for submission in Submission.objects.filter(
            organisation_id=organisation, sha256__in=set(hashes)
        )
    }
    results: list[BatchResult | None] = [None] * len(uploads)
    accepted: list[_Accepted] = []
    first: dict[str, int] = {}
    repeats: list[tuple[int, str]] = []
    again: list[int] = []
    # Read and validate everything before writing anything.
    for position, (upload, sha256) in enumerate(zip(uploads, hashes, strict=True)):
        if sha256 in stored:
            again.append(position)
            continue
        if sha256 in first:
            repeats.append((position, sha256))
            continue
        try:
            check_size(upload.data)
            document = read(upload.data, upload.filename, declared)
        except InvalidInput as error:
            results[position] = BatchResult(upload.label, error=error)
            continue
        deferred = len(document.items) > background_items() if background is None else background
        first[sha256] = position
        accepted.append(_Accepted(position, upload, sha256, document, deferred))
    options = {"kind": kind, "model_name": model_name, "assessment_reference": assessment_reference}
    # One unit of work for the batch's writes: the documents sent again (a stalled one back to
    # the worker) and every group of new ones are appended to the audit chain once, at its end.
    with audited():
        for position in again:
            sent = resumed(user, stored[hashes[position]])
            results[position] = BatchResult(uploads[position].label, Outcome(sent, False))
        for group in _groups(accepted, max_items()):
            for position, result in _store(user, group, **options):
                results[position] = result
    for position, sha256 in repeats:
        earlier = results[first[sha256]]
        assert earlier is not None
        outcome = Outcome(earlier.outcome.submission, False) if earlier.outcome else None
        results[position] = BatchResult(uploads[position].label, outcome, earlier.error)
    return [result for result in results if result is not None]


def _groups(accepted: Sequence[_Accepted], items: int) -> Iterator[list[_Accepted]]:
    """Consecutive documents with at most `items` items processed now between them.

    One savepoint per group of the batch's transaction bounds what a huge batch holds in
    memory at once (the batch's limits bound the rest); a stream of small documents is one
    group.
    """
    group: list[_Accepted] = []
    held = 0
    for entry in accepted:
        size = 0 if entry.deferred else len(entry.document.items)
        if group and held + size > items:
            yield group
            group, held = [], 0
        group.append(entry)
        held += size
    if group:
        yield group


def _store(
    user: User, group: Sequence[_Accepted], *, kind: str, model_name: str, assessment_reference: str
) -> list[tuple[int, BatchResult]]:
    submissions = [
        new_submission(
            user,
            entry.upload.data,
            entry.document,
            sha256=entry.sha256,
            filename=entry.upload.filename,
            idempotency_key=None,
            reporter_kind=kind,
            model_name=model_name,
            assessment_reference=assessment_reference,
            deferred=entry.deferred,
        )
        for entry in group
    ]
    if kind == ReporterKind.OPERATOR and (organisation := user.organisation) is not None:
        for submission in submissions:
            submission.organisation = organisation  # read once, for the operator's sector
    try:
        with transaction.atomic():
            _rows.create(Submission, submissions)
            now: list[tuple[Submission, Sequence[Item]]] = [
                (submission, entry.document.items)
                for submission, entry in zip(submissions, group, strict=True)
                if not entry.deferred
            ]
            processed = iter(store_reports(now, finished=True) if now else [])
            entries: list[Entry] = []
            for submission, entry in zip(submissions, group, strict=True):
                entries.append(received(user, submission))
                if entry.deferred:
                    enqueue(submission)
                else:
                    entries.append(next(processed))
            # Every event of the batch under one lock of the audit chain head.
            record_many(entries)
    except IntegrityError:
        # Another request stored one of these documents first: submit them one by one, each
        # answered as `submit` answers (the earlier result for the one stored meanwhile).
        return [_one(user, entry, kind, model_name, assessment_reference) for entry in group]
    return [
        (entry.position, BatchResult(entry.upload.label, Outcome(submission, True)))
        for submission, entry in zip(submissions, group, strict=True)
    ]


def _one(
    user: User, entry: _Accepted, kind: str, model_name: str, assessment_reference: str
) -> tuple[int, BatchResult]:
    try:
        outcome = submit(
            user,
            entry.upload.data,
            filename=entry.upload.filename,
            format=entry.document.format.value,
            reporter_kind=kind,
            model_name=model_name,
            assessment_reference=assessment_reference,
            background=entry.deferred,
        )
    except (InvalidInput, Conflict) as error:
        return entry.position, BatchResult(entry.upload.label, error=error)
    return entry.position, BatchResult(entry.upload.label, outcome)
