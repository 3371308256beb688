"""Importing OSV feeds into the store (new, changed, unchanged, withdrawn) and exporting them.

A re-import touches only records whose `modified` is newer than the stored one, and tells the
scanning side (`signals.advisories_changed`, inside the import's transaction, so the re-match
it queues commits with the change) exactly which package keys changed.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require, visible
from clearinghouse.audit.services import record
from clearinghouse.core.formats.osv import Advisory as OSVAdvisory
from clearinghouse.core.formats.osv import OSVFormatError, parse_osv, read_osv
from clearinghouse.core.matching import AdvisoryIndex, PackageKey

from .inputs import AdvisoryFilter
from .models import Advisory, AdvisoryImport, AffectedPackage
from .severity import severity_of
from .signals import advisories_changed

BATCH_SIZE = 500
T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[tuple[T, ...]]:
    """Tuples of up to `size` items (itertools.batched arrives only in Python 3.12)."""
    iterator = iter(items)
    while chunk := tuple(islice(iterator, size)):
        yield chunk


@dataclass
class ImportReport:
    """What an import did; `refused` lists each bad record as (file or member, reason)."""

    run: AdvisoryImport
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)
    lenient: list[str] = field(default_factory=list)


def import_osv(
    path: Path, *, actor: User | None = None, progress: Callable[[str], None] | None = None
) -> ImportReport:
    """Load an OSV file, directory tree or zip archive; a bad record is reported and skipped.

    `progress` is called with each record's id as it is stored or skipped. Abbreviated GIT
    commit hashes (a schema rule real feeds break; GIT ranges are never evaluated) are
    accepted and reported in `lenient`.
    """
    if actor is not None:  # None: the instance's own command line
        require(actor, "advisories.import")
    run = AdvisoryImport.objects.create(source=str(path), imported_by=actor)
    report = ImportReport(run)

    def refuse(error: OSVFormatError) -> None:
        report.refused.append((error.source, error.reason))

    records = read_osv(path, allow_short_commits=True, on_error=refuse)
    for batch in batched(_reported(records, report, progress), BATCH_SIZE):
        _store_batch(batch, report)
    _finish(report, actor)
    return report


def _reported(
    records: Iterable[OSVAdvisory], report: ImportReport, progress: Callable[[str], None] | None
) -> Iterator[OSVAdvisory]:
    for advisory in records:
        if advisory.forgiven:
            report.lenient.append(advisory.id)
        if progress is not None:
            progress(advisory.id)
        yield advisory


def _newest_per_id(batch: Iterable[OSVAdvisory]) -> dict[str, OSVAdvisory]:
    newest: dict[str, OSVAdvisory] = {}
    for advisory in batch:
        held = newest.get(advisory.id)
        if held is None or advisory.modified > held.modified:
            newest[advisory.id] = advisory
    return newest


def _fields(advisory: OSVAdvisory) -> dict[str, object]:
    return {
        "modified": advisory.modified,
        "published": advisory.published,
        "withdrawn": advisory.withdrawn,
        "aliases": list(advisory.aliases),
        "summary": advisory.summary,
        "severity": severity_of(advisory.raw),
        "document": dict(advisory.raw),
    }


#: Tries of a batch that another import inserted advisories of meanwhile.
STORE_TRIES = 3


def _store_batch(batch: tuple[OSVAdvisory, ...], report: ImportReport) -> None:
    """Store a batch in one transaction; one that raced another import is read again.

    Two imports at once (two feeds naming one advisory, or one feed sent twice) are
    serialised on the advisories' rows: stored ones are locked before they are compared, and
    an insert that meets another import's new row waits for it to commit and fails, after
    which the batch is read again and finds that row (the unique `osv_id` is the get-or-create).
    """
    counts = (report.new, report.updated, report.unchanged, report.withdrawn)
    for attempt in range(1, STORE_TRIES + 1):
        try:
            _store_once(batch, report)
            return
        except IntegrityError:
            if attempt == STORE_TRIES:
                raise
            report.new, report.updated, report.unchanged, report.withdrawn = counts


def _store_once(batch: tuple[OSVAdvisory, ...], report: ImportReport) -> None:
    newest = dict(sorted(_newest_per_id(batch).items()))  # locks and inserts in one order
    report.unchanged += len(batch) - len(newest)
    touched: set[PackageKey] = set()
    changed_ids: list[str] = []
    with transaction.atomic():
        rows = Advisory.objects.filter(osv_id__in=list(newest)).order_by("osv_id")
        held = {row.osv_id: row for row in rows.select_for_update()}
        created, updated = [], []
        for osv_id, advisory in newest.items():
            row = held.get(osv_id)
            if row is not None and row.modified >= advisory.modified:
                report.unchanged += 1
                continue
            if advisory.is_withdrawn and (row is None or row.withdrawn is None):
                report.withdrawn += 1
            if row is None:
                created.append(Advisory(osv_id=osv_id, **_fields(advisory)))
            else:
                for name, value in _fields(advisory).items():
                    setattr(row, name, value)
                updated.append(row)
            changed_ids.append(osv_id)
            touched |= AdvisoryIndex.keys_for(advisory)
        Advisory.objects.bulk_create(created)
        Advisory.objects.bulk_update(updated, [*_fields(batch[0]), "updated_at"])
        report.new += len(created)
        report.updated += len(updated)
        stored = Advisory.objects.filter(osv_id__in=changed_ids)
        old = AffectedPackage.objects.filter(advisory__in=stored)
        touched |= set(old.values_list("ecosystem", "name"))
        old.delete()
        ids = dict(stored.values_list("osv_id", "pk"))
        AffectedPackage.objects.bulk_create(
            AffectedPackage(advisory_id=ids[osv_id], ecosystem=ecosystem, name=name)
            for osv_id in changed_ids
            for ecosystem, name in AdvisoryIndex.keys_for(newest[osv_id])
        )
        if changed_ids:
            # In the transaction: the follow-up task commits with the change or not at all.
            advisories_changed.send(
                sender=Advisory,
                keys=[list(key) for key in sorted(touched)],
                advisory_ids=changed_ids,
            )


def _finish(report: ImportReport, actor: User | None) -> None:
    run = report.run
    run.new, run.updated, run.unchanged = report.new, report.updated, report.unchanged
    run.withdrawn, run.refused, run.lenient = (
        report.withdrawn,
        len(report.refused),
        len(report.lenient),
    )
    with transaction.atomic():
        run.save()
        record(
            actor=actor,
            action="advisories.imported",
            subject=run,
            after={
                "source": run.source,
                "new": run.new,
                "updated": run.updated,
                "unchanged": run.unchanged,
                "withdrawn": run.withdrawn,
                "refused": run.refused,
                "lenient": run.lenient,
            },
        )


def current_advisories(keys: Iterable[PackageKey]) -> dict[int, OSVAdvisory]:
    """The stored, not withdrawn advisories naming any of `keys`, by primary key, parsed.

    An advisory for a whole distribution ("Debian") also applies to its releases
    ("Debian:12"), so a key with a release suffix also brings the base ecosystem's advisories.
    The lookup goes through the (ecosystem, name) index: its cost follows the keys, not the store.
    """
    wanted: dict[str, set[str]] = {}
    for ecosystem, name in keys:
        wanted.setdefault(ecosystem, set()).add(name)
        if ":" in ecosystem:
            wanted.setdefault(ecosystem.partition(":")[0], set()).add(name)
    advisories: dict[int, OSVAdvisory] = {}
    for ecosystem, names in wanted.items():
        for chunk in batched(sorted(names), BATCH_SIZE):
            rows = Advisory.objects.filter(
                withdrawn__isnull=True,
                packages__ecosystem=ecosystem,
                packages__name__in=chunk,
            ).values_list("pk", "osv_id", "document")
            for pk, osv_id, document in rows:
                if pk not in advisories:
                    advisories[pk] = parse_stored(osv_id, document)
    return advisories


def parse_stored(osv_id: str, document: dict[str, object]) -> OSVAdvisory:
    """A stored record as the matcher reads it; it was validated when imported."""
    return parse_osv(document, source=osv_id, validate=False)


def advisories_for(user: User, filters: AdvisoryFilter) -> QuerySet[Advisory]:
    """The advisories a list shows `user`, narrowed by package (the API's and the page's)."""
    advisories = visible(Advisory, user)
    if not (filters.ecosystem or filters.package):
        return advisories  # no join, so no DISTINCT: the count stays a plain COUNT(*)
    if filters.ecosystem:
        advisories = advisories.filter(packages__ecosystem=filters.ecosystem)
    if filters.package:
        advisories = advisories.filter(packages__name=filters.package)
    return advisories.distinct()


def export_zip(user: User) -> IO[bytes]:
    """Every advisory the user may see as an OSV zip (one `ID.json` each), for `scan`."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        rows = visible(Advisory, user).order_by("osv_id").values_list("osv_id", "document")
        for osv_id, document in rows.iterator(chunk_size=BATCH_SIZE):
            name = osv_id.replace("/", "_")
            archive.writestr(f"{name}.json", json.dumps(document, ensure_ascii=False))
    spool.seek(0)
    return spool
