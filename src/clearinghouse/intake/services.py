"""The intake workflow: submit a document, turn its items into scored, de-duplicated reports,
triage them (accept, decline, mark duplicate, merge, unmerge), and load the KEV/EPSS feeds.

Every state change is audited. A refused document stores nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from clearinghouse.accounts.models import Role, User
from clearinghouse.audit.services import Entry, record, record_many
from clearinghouse.core.scoring import ScoringError, load_epss_scores, load_kev_catalog
from clearinghouse.core.scoring.dedup import (
    DEFAULT_GROUP_THRESHOLD,
    DEFAULT_MIN_SCORE,
    ProductRef,
    find_duplicates,
    fingerprint,
)
from clearinghouse.core.scoring.dedup import Report as DedupReport
from clearinghouse.errors import Conflict, FieldError, InvalidInput

from . import scoring
from .documents import DocumentError, Format, Item, read_document
from .models import (
    DuplicateCandidate,
    EpssEntry,
    FeedImport,
    KevListing,
    Report,
    ReporterKind,
    ReportKey,
    Submission,
)

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ITEMS = 5000
DEFAULT_BACKGROUND_ITEMS = 500
_CHUNK = 250
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_ROLE_KIND = {
    Role.DEVELOPER: ReporterKind.LAB,
    Role.VENDOR: ReporterKind.VENDOR,
    Role.OPERATOR: ReporterKind.OPERATOR,
}
#: How many earlier reports sharing no key with a new one are still compared (newest first):
#: reports that name no product can only be found by their text.
UNKEYED_POOL = 2000
#: What dedup reads of a stored report (in `_stored_dedup_report`'s order).
_DEDUP_FIELDS = (
    "pk", "title", "description", "aliases", "products", "cwe", "cvss_vectors",
    "source_format", "submission_id", "duplicate_of_id",
)  # fmt: skip


def max_bytes() -> int:
    """The largest document accepted (setting CLEARINGHOUSE_INTAKE_MAX_BYTES)."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_items() -> int:
    """The most items one document may hold (setting CLEARINGHOUSE_INTAKE_MAX_ITEMS)."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_MAX_ITEMS", DEFAULT_MAX_ITEMS))


def background_items() -> int:
    """Documents with more items than this are processed by the worker."""
    return int(getattr(settings, "CLEARINGHOUSE_INTAKE_BACKGROUND_ITEMS", DEFAULT_BACKGROUND_ITEMS))


def is_coordinator(user: User) -> bool:
    """Coordinators and admins triage every report."""
    return user.is_program_admin or user.role == Role.COORDINATOR


def _require_coordinator(user: User) -> None:
    if not is_coordinator(user):
        raise PermissionDenied("only coordinators triage reports")


# --- submission ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A submission and whether this call created it (False: the earlier result)."""

    submission: Submission
    created: bool


def _reporter_kind(user: User, given: str | None) -> str:
    if given:
        if given not in ReporterKind.values:
            allowed = ", ".join(ReporterKind.values)
            raise InvalidInput.single("reporter_kind", f"must be one of {allowed}")
        return given
    return _ROLE_KIND.get(Role(user.role), ReporterKind.RESEARCHER).value


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
    forces either way).
    """
    if user.organisation_id is None:
        raise PermissionDenied("only members of an organisation submit reports")
    key = (idempotency_key or "").strip() or None
    if key is not None and len(key) > 200:
        raise InvalidInput.single("idempotency_key", "at most 200 characters")
    if len(data) > max_bytes():
        raise InvalidInput.single("document", f"larger than the {max_bytes():,}-byte limit")
    if not data.strip():
        raise InvalidInput.single("document", "the document is empty")
    sha256 = hashlib.sha256(data).hexdigest()
    if (earlier := _earlier(user, sha256, key)) is not None:
        return Outcome(earlier, False)
    kind = _reporter_kind(user, reporter_kind)
    declared = _format(format)
    document = _read(data, filename, declared)
    deferred = len(document.items) > background_items() if background is None else background
    try:
        with transaction.atomic():
            # Processed now: stored as completed at once (it commits with its reports or not
            # at all), which saves an update.
            done = {} if deferred else {
                "status": Submission.Status.COMPLETED,
                "processed_items": len(document.items),
                "completed_at": timezone.now(),
            }  # fmt: skip
            submission = Submission.objects.create(
                organisation_id=user.organisation_id,
                submitted_by=user,
                format=document.format.value,
                filename=filename[:255],
                sha256=sha256,
                idempotency_key=key,
                original=data.decode("utf-8-sig"),
                size_bytes=len(data),
                reporter_kind=kind,
                model_name=model_name.strip()[:200],
                assessment_reference=assessment_reference.strip()[:500],
                total_items=len(document.items),
                **done,
            )
            received = Entry(
                actor=user,
                action="submission.received",
                subject=submission,
                after={
                    "format": document.format.value,
                    "sha256": sha256,
                    "items": len(document.items),
                    "reporter_kind": kind,
                },
            )
            if deferred:
                from .tasks import process_submission

                record_many([received])
                pk = submission.pk
                transaction.on_commit(lambda: process_submission.enqueue(pk))
            else:
                # Both events under one lock of the audit chain head.
                record_many([received, _process(submission, document.items, finished=True)])
    except IntegrityError:
        # Another request stored the same document or key first: answer with its result.
        if (earlier := _earlier(user, sha256, key)) is not None:
            return Outcome(earlier, False)
        raise
    return Outcome(submission, True)


def _format(given: str | None) -> Format | None:
    if not given:
        return None
    try:
        return Format(given)
    except ValueError:
        allowed = ", ".join(Format)
        raise InvalidInput.single("format", f"must be one of {allowed}") from None


def _read(data: bytes, filename: str, declared: Format | None) -> Any:
    try:
        return read_document(data, filename=filename, declared=declared, max_items=max_items())
    except DocumentError as error:
        raise InvalidInput(
            [
                FieldError(("document", *(() if loc == "document" else loc.split("/"))), msg)
                for loc, msg in error.problems
            ]
        ) from None


def process(submission_id: int) -> Submission:
    """Turn a stored submission's items into reports (the worker's part of `submit`)."""
    submission = Submission.objects.get(pk=submission_id)
    if submission.status == Submission.Status.COMPLETED:
        return submission
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.PROCESSING)
    try:
        document = _read(
            submission.original.encode("utf-8"), submission.filename, Format(submission.format)
        )
        # Chunks commit one by one so that the submission's progress is visible meanwhile; a
        # run that failed half-way is started again from nothing.
        Report.objects.filter(submission=submission).delete()
        record_many([_process(submission, document.items, progress=True)])
    except Exception as error:
        Submission.objects.filter(pk=submission.pk).update(
            status=Submission.Status.FAILED, errors=[str(error)[:2000]]
        )
        raise
    submission.refresh_from_db()
    return submission


def _cves(aliases: Iterable[str]) -> list[str]:
    return sorted({alias.upper() for alias in aliases if _CVE.match(alias)})


def _product_dict(product: ProductRef) -> dict[str, str]:
    return {k: v for k, v in vars(product).items() if v}


def _new_report(submission: Submission, item: Item) -> Report:
    sectors = list(item.sectors)
    # Only an operator's own sector is added: other submissions do not load the organisation.
    if submission.reporter_kind == ReporterKind.OPERATOR and submission.organisation.sector:
        sectors = list(dict.fromkeys([*sectors, submission.organisation.sector]))
    cves = _cves(item.aliases)
    return Report(
        submission=submission,
        organisation_id=submission.organisation_id,
        index=item.index,
        source_format=submission.format,
        reporter_kind=submission.reporter_kind,
        model_name=item.model or submission.model_name,
        assessment_reference=item.assessment or submission.assessment_reference,
        title=item.title or f"item {item.index}",
        description=item.description,
        aliases=list(item.aliases),
        cve_ids=cves,
        has_cve=bool(cves),
        cwe=item.cwe.upper(),
        products=[_product_dict(product) for product in item.products],
        fingerprint=fingerprint(_dedup_report(item_report=item)),
        item=item.raw,
        cvss_vectors=list(item.cvss_vectors),
        sectors=sectors,
        ssvc_exploitation=item.exploitation,
        ssvc_automatable=item.automatable,
        ssvc_technical_impact=item.technical_impact,
    )


def _feeds_for(cves: Iterable[str]) -> tuple[dict[str, KevListing], dict[str, EpssEntry]]:
    wanted = sorted(set(cves))
    kev: dict[str, KevListing] = {}
    epss: dict[str, EpssEntry] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        kev |= {k.cve_id: k for k in KevListing.objects.filter(cve_id__in=chunk)}
        epss |= {e.cve_id: e for e in EpssEntry.objects.filter(cve_id__in=chunk)}
    return kev, epss


def _score(report: Report, kev: dict[str, KevListing], epss: dict[str, EpssEntry]) -> None:
    scoring.score(
        report,
        kev=[kev[c] for c in report.cve_ids if c in kev],
        epss=[epss[c] for c in report.cve_ids if c in epss],
    )


def _process(
    submission: Submission, items: Sequence[Item], *, progress: bool = False, finished: bool = False
) -> Entry:
    """Store, score and de-duplicate the items' reports; the audit entry is the caller's to record.

    `finished`: the submission was stored as completed already (processed in its transaction).
    """
    reports = [_new_report(submission, item) for item in items]
    kev, epss = _feeds_for(c for r in reports for c in r.cve_ids)
    for report in reports:
        _score(report, kev, epss)
    created: list[Report] = []
    for start in range(0, len(reports), _CHUNK):
        chunk = Report.objects.bulk_create(reports[start : start + _CHUNK])
        created += chunk
        if progress:
            Submission.objects.filter(pk=submission.pk).update(processed_items=len(created))
    ReportKey.objects.bulk_create(
        (ReportKey(report=report, key=key) for report in created for key in _keys(report)),
        batch_size=2000,
    )
    linked = _dedup(created)
    if not finished:
        submission.status = Submission.Status.COMPLETED
        submission.processed_items = len(created)
        submission.completed_at = timezone.now()
        submission.save(update_fields=["status", "processed_items", "completed_at"])
    return Entry(
        actor=None,
        action="submission.processed",
        subject=submission,
        after={
            "reports": len(created),
            "likely_duplicates": linked,
            "report_ids": [r.pk for r in created[:1000]],
        },
    )


# --- de-duplication --------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(_NON_ALNUM.sub(" ", text.casefold()).split())


def _keys(report: Report) -> set[str]:
    keys = {f"alias:{alias.casefold()}" for alias in report.aliases}
    if report.fingerprint:
        keys.add(f"fp:{report.fingerprint}")
    for product in report.products:
        if name := _norm(product.get("product", "")):
            keys.add(f"product:{name}"[:300])
        if purl := product.get("purl"):
            keys.add(f"purl:{purl.split('@', 1)[0].casefold()}"[:300])
    return keys


def _dedup_report(*, report: Report | None = None, item_report: Item | None = None) -> DedupReport:
    if item_report is not None:
        return DedupReport(
            report_id="new",
            title=item_report.title,
            description=item_report.description,
            aliases=frozenset(item_report.aliases),
            products=item_report.products,
            cwe=item_report.cwe,
            cvss_vectors=item_report.cvss_vectors,
        )
    assert report is not None
    return _stored_dedup_report(*(getattr(report, field) for field in _DEDUP_FIELDS))


def _stored_dedup_report(
    pk: int,
    title: str,
    description: str,
    aliases: list[str],
    products: list[dict[str, str]],
    cwe: str,
    cvss_vectors: list[str],
    source_format: str,
    submission_id: int,
    *_: object,
) -> DedupReport:
    """A stored report as dedup sees it, from its `_DEDUP_FIELDS` (a row, not a model)."""
    # Items of one CSAF advisory or CVE record are distinct vulnerabilities by construction.
    by_construction = source_format in {Format.CSAF, Format.CVE5}
    return DedupReport(
        report_id=str(pk),
        title=title,
        description=description,
        aliases=frozenset(aliases),
        products=tuple(ProductRef(**product) for product in products),
        cwe=cwe,
        cvss_vectors=tuple(cvss_vectors),
        source=f"submission:{submission_id}" if by_construction else "",
    )


def _pool(new: Sequence[Report]) -> list[tuple[DedupReport, int | None]]:
    """The earlier, not declined reports sharing a key with a new one, in one query.

    Read as rows (not models): each as dedup sees it, with its `duplicate_of` id.
    """
    new_ids = {report.pk for report in new}
    keys = sorted({key for report in new for key in _keys(report)})
    keyed = Q()
    for start in range(0, len(keys), 500):
        keyed |= Q(
            pk__in=ReportKey.objects.filter(key__in=keys[start : start + 500]).values("report_id")
        )
    if any(not report.products and not report.aliases for report in new):
        keyed |= Q(pk__in=Report.objects.order_by("-pk").values("pk")[:UNKEYED_POOL])
    if not keyed:
        return []
    earlier = Report.objects.filter(keyed).exclude(pk__in=new_ids)
    rows = earlier.exclude(status=Report.Status.DECLINED).values_list(*_DEDUP_FIELDS)
    return [(_stored_dedup_report(*row), row[-1]) for row in rows]


def _root(pk: int, parent: dict[int, int | None]) -> int:
    """Follow `duplicate_of` links from a report to its primary (stopping at a cycle)."""
    seen = set()
    while (up := parent[pk]) is not None and up not in seen:
        seen.add(pk)
        if up not in parent:
            break
        pk = up
    return pk


def _dedup(new: Sequence[Report]) -> int:
    """Store duplicate candidates for new reports; link each to a near-certain earlier one.

    Order of evidence (the core's `find_duplicates`): a shared identifier, then text
    similarity adjusted by weakness, CVSS vector and the products fingerprint.
    """
    if not new:
        return 0
    pool = _pool(new)
    parent: dict[int, int | None] = {int(dedup.report_id): up for dedup, up in pool}
    parent |= {report.pk: report.duplicate_of_id for report in new}
    new_by_id = {report.pk: report for report in new}
    candidates = find_duplicates(
        [*(dedup for dedup, _ in pool), *(_dedup_report(report=report) for report in new)],
        min_score=DEFAULT_MIN_SCORE,
        involving={str(pk) for pk in new_by_id},
    )
    rows = []
    best: dict[int, tuple[float, int]] = {}
    for candidate in candidates:
        left, right = int(candidate.left), int(candidate.right)
        later, earlier = max(left, right), min(left, right)
        if later not in new_by_id:
            continue
        rows.append(
            DuplicateCandidate(
                report_id=later,
                candidate_id=earlier,
                score=candidate.score,
                reasons=list(candidate.reasons),
            )
        )
        if (
            candidate.score >= DEFAULT_GROUP_THRESHOLD
            and candidate.score > best.get(later, (0.0, 0))[0]
        ):
            best[later] = (candidate.score, earlier)
    if rows:
        DuplicateCandidate.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    linked: list[Report] = []
    for later in sorted(best):
        root = _root(best[later][1], parent)
        if root != later:
            parent[later] = new_by_id[later].duplicate_of_id = root
            linked.append(new_by_id[later])
    # One query either way; a plain update when all share a primary (cheaper than a CASE).
    if len(roots := {report.duplicate_of_id for report in linked}) == 1:
        Report.objects.filter(pk__in=[r.pk for r in linked]).update(duplicate_of_id=roots.pop())
    elif linked:
        Report.objects.bulk_update(linked, ["duplicate_of"], batch_size=500)
    return len(linked)


# --- triage ----------------------------------------------------------------------------------

_ALLOWED = {
    Report.Status.RECEIVED: {
        Report.Status.ACCEPTED,
        Report.Status.DECLINED,
        Report.Status.DUPLICATE,
    },
    Report.Status.ACCEPTED: {Report.Status.DECLINED, Report.Status.DUPLICATE},
    Report.Status.DECLINED: {Report.Status.RECEIVED},
    Report.Status.DUPLICATE: {Report.Status.RECEIVED},
    Report.Status.CASE: set(),
}


def _transition(report: Report, status: str) -> None:
    allowed = _ALLOWED[Report.Status(report.status)]
    if status not in allowed:
        names = ", ".join(sorted(allowed)) or "none"
        raise Conflict(f"report #{report.pk} is {report.status}; it can go to: {names}")


def _state(report: Report) -> dict[str, Any]:
    return {
        "status": report.status,
        "duplicate_of": report.duplicate_of_id,
        "decline_reason": report.decline_reason,
        "aliases": list(report.aliases),
    }


def _triaged(user: User, report: Report, action: str, before: dict[str, Any]) -> Report:
    report.triaged_at = timezone.now()
    report.triaged_by = user
    report.save()
    record(
        actor=user, action=f"report.{action}", subject=report, before=before, after=_state(report)
    )
    return report


def accept(user: User, report: Report) -> Report:
    """A coordinator accepts a report as a new vulnerability for the clearinghouse to handle."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.ACCEPTED)
        before = _state(report)
        report.status = Report.Status.ACCEPTED
        report.duplicate_of = None
        return _triaged(user, report, "accepted", before)


def decline(user: User, report: Report, reason: str) -> Report:
    """A coordinator declines a report, saying why (the reporter sees the reason)."""
    _require_coordinator(user)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.single("reason", "say why the report is declined")
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.DECLINED)
        before = _state(report)
        report.status = Report.Status.DECLINED
        report.decline_reason = reason[:2000]
        return _triaged(user, report, "declined", before)


def _primary(report: Report, of: Report) -> Report:
    seen = {report.pk}
    primary = of
    while primary.duplicate_of_id is not None and primary.status == Report.Status.DUPLICATE:
        if primary.duplicate_of_id in seen:
            break
        seen.add(primary.pk)
        primary = Report.objects.get(pk=primary.duplicate_of_id)
    if primary.pk == report.pk:
        raise InvalidInput.single("duplicate_of", "a report cannot be a duplicate of itself")
    return primary


def mark_duplicate(user: User, report: Report, of: Report, *, merge: bool = False) -> Report:
    """Confirm a report as a duplicate of an earlier one; `merge` also gives it its aliases.

    The primary is followed to the report everything in a chain is a duplicate of.
    """
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        primary = _primary(report, Report.objects.select_for_update().get(pk=of.pk))
        _transition(report, Report.Status.DUPLICATE)
        before = _state(report)
        report.status = Report.Status.DUPLICATE
        report.duplicate_of = primary
        if merge:
            known = {alias.casefold() for alias in primary.aliases}
            added = [alias for alias in report.aliases if alias.casefold() not in known]
            primary_before = _state(primary)
            primary.aliases = [*primary.aliases, *added]
            primary.cve_ids = sorted({*primary.cve_ids, *report.cve_ids})
            primary.has_cve = bool(primary.cve_ids)
            primary.save(update_fields=["aliases", "cve_ids", "has_cve"])
            report.merged_aliases = added
            record(
                actor=user,
                action="report.merged_into",
                subject=primary,
                before=primary_before,
                after=_state(primary) | {"merged": report.pk},
            )
        return _triaged(user, report, "merged" if merge else "duplicate", before)


def unmerge(user: User, report: Report) -> Report:
    """Undo a duplicate marking or merge: the report is received again, its aliases returned."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _transition(report, Report.Status.RECEIVED)
        if report.status != Report.Status.DUPLICATE:
            raise Conflict(f"report #{report.pk} is {report.status}, not a duplicate")
        before = _state(report)
        primary = report.duplicate_of
        if primary is not None and report.merged_aliases:
            primary = Report.objects.select_for_update().get(pk=primary.pk)
            primary_before = _state(primary)
            given = {alias.casefold() for alias in report.merged_aliases}
            primary.aliases = [a for a in primary.aliases if a.casefold() not in given]
            primary.cve_ids = _cves(primary.aliases)
            primary.has_cve = bool(primary.cve_ids)
            primary.save(update_fields=["aliases", "cve_ids", "has_cve"])
            record(
                actor=user,
                action="report.unmerged_from",
                subject=primary,
                before=primary_before,
                after=_state(primary) | {"unmerged": report.pk},
            )
        report.status = Report.Status.RECEIVED
        report.duplicate_of = None
        report.merged_aliases = []
        return _triaged(user, report, "unmerged", before)


def reopen(user: User, report: Report) -> Report:
    """A declined report is received again (a coordinator changed their mind)."""
    _require_coordinator(user)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        if report.status == Report.Status.DUPLICATE:
            raise Conflict(f"report #{report.pk} is a duplicate: unmerge it instead")
        _transition(report, Report.Status.RECEIVED)
        before = _state(report)
        report.status = Report.Status.RECEIVED
        report.decline_reason = ""
        return _triaged(user, report, "reopened", before)


BULK_ACTIONS = ("accept", "decline", "duplicate")


def bulk_triage(
    user: User,
    reports: QuerySet[Report],
    *,
    action: str,
    reason: str = "",
    of: Report | None = None,
) -> int:
    """Apply one action to many reports, all or none; returns how many changed."""
    _require_coordinator(user)
    if action not in BULK_ACTIONS:
        raise InvalidInput.single("action", f"must be one of {', '.join(BULK_ACTIONS)}")
    if action == "duplicate" and of is None:
        raise InvalidInput.single("duplicate_of", "name the report they duplicate")
    if action == "decline" and not reason.strip():
        raise InvalidInput.single("reason", "say why the reports are declined")
    chosen = list(reports.order_by("pk"))
    if not chosen:
        raise InvalidInput.single("reports", "choose at least one report")
    with transaction.atomic():
        for report in chosen:
            if action == "accept":
                accept(user, report)
            elif action == "decline":
                decline(user, report, reason)
            else:
                assert of is not None
                mark_duplicate(user, report, of)
    return len(chosen)


# --- scoring feeds ---------------------------------------------------------------------------


def _require_feed_importer(user: User | None) -> None:
    if user is not None and not is_coordinator(user):
        raise PermissionDenied("only coordinators and admins import scoring feeds")


def rescore(reports: QuerySet[Report]) -> int:
    """Score reports again from the stored feeds; returns how many changed priority or flags."""
    changed = []
    fields = [
        "cvss_vector", "cvss_version", "cvss_score", "cvss_label", "in_kev", "epss",
        "ssvc_inputs", "ssvc_mission_well_being", "ssvc_decision", "priority_points",
        "priority_reasons",
    ]  # fmt: skip
    for start in range(0, 1_000_000_000, 2000):
        batch = list(reports.order_by("pk")[start : start + 2000])
        if not batch:
            break
        kev, epss = _feeds_for(c for r in batch for c in r.cve_ids)
        for report in batch:
            before = (report.priority_points, report.in_kev, report.epss, report.ssvc_decision)
            _score(report, kev, epss)
            if before != (report.priority_points, report.in_kev, report.epss, report.ssvc_decision):
                changed.append(report)
    Report.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def import_kev(user: User | None, path: Path) -> FeedImport:
    """Replace the stored KEV catalog with a file's, then re-score reports naming CVEs."""
    _require_feed_importer(user)
    try:
        catalog = load_kev_catalog(path)
    except (ScoringError, OSError) as error:
        raise InvalidInput.single("file", str(error)) from None
    with transaction.atomic():
        KevListing.objects.all().delete()
        KevListing.objects.bulk_create(
            (
                KevListing(
                    cve_id=entry.cve_id,
                    vendor=entry.vendor[:200],
                    product=entry.product[:200],
                    vulnerability_name=entry.vulnerability_name[:500],
                    date_added=entry.date_added,
                    known_ransomware_campaign_use=entry.known_ransomware_campaign_use,
                )
                for entry in catalog.entries.values()
            ),
            batch_size=2000,
        )
        rescored = rescore(Report.objects.filter(has_cve=True))
        run = FeedImport.objects.create(
            kind="kev",
            source=str(path)[:1000],
            version=catalog.catalog_version[:100],
            entries=len(catalog.entries),
            rescored=rescored,
            imported_by=user,
        )
        record(
            actor=user,
            action="feed.kev_imported",
            subject=run,
            after={"version": run.version, "entries": run.entries, "rescored": rescored},
        )
    return run


def import_epss(user: User | None, path: Path) -> FeedImport:
    """Replace the stored EPSS scores with a daily file's, then re-score reports naming CVEs."""
    _require_feed_importer(user)
    try:
        scores = load_epss_scores(path)
    except (ScoringError, OSError) as error:
        raise InvalidInput.single("file", str(error)) from None
    with transaction.atomic():
        EpssEntry.objects.all().delete()
        EpssEntry.objects.bulk_create(
            (
                EpssEntry(cve_id=s.cve_id, probability=s.probability, percentile=s.percentile)
                for s in scores.scores.values()
            ),
            batch_size=5000,
        )
        rescored = rescore(Report.objects.filter(has_cve=True))
        run = FeedImport.objects.create(
            kind="epss",
            source=str(path)[:1000],
            version=(scores.score_date.date().isoformat() if scores.score_date else ""),
            entries=len(scores.scores),
            rescored=rescored,
            imported_by=user,
        )
        record(
            actor=user,
            action="feed.epss_imported",
            subject=run,
            after={"date": run.version, "entries": run.entries, "rescored": rescored},
        )
    return run


def candidates_by_report(reports: Iterable[Report]) -> dict[int, list[DuplicateCandidate]]:
    """Each report's stored duplicate candidates, best first."""
    grouped: defaultdict[int, list[DuplicateCandidate]] = defaultdict(list)
    for candidate in DuplicateCandidate.objects.filter(report__in=list(reports)).select_related(
        "candidate"
    ):
        grouped[candidate.report_id].append(candidate)
    return dict(grouped)
