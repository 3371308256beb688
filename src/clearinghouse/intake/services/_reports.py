"""Turning a document's items into stored, scored, de-duplicated reports.

Shared by one submission (`submit`, the worker's `process`) and a batch (`submit_many`):
either way the reports of every document given are inserted together and de-duplicated in
one pass, and each submission gets its own `submission.processed` audit entry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from django.utils import timezone

from clearinghouse.audit.services import Entry
from clearinghouse.core.scoring.dedup import ProductRef, fingerprint

from .. import scoring
from ..models import EpssEntry, KevListing, Report, ReporterKind, Submission
from ..readers import Item
from . import _rows
from ._dedup import item_dedup_report, link_duplicates

_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)


def cves(aliases: Iterable[str]) -> list[str]:
    """The CVE ids among aliases, upper-cased and sorted."""
    return sorted({alias.upper() for alias in aliases if _CVE.match(alias)})


def _product_dict(product: ProductRef) -> dict[str, str]:
    return {k: v for k, v in vars(product).items() if v}


def _new_report(submission: Submission, item: Item) -> Report:
    sectors = list(item.sectors)
    # Only an operator's own sector is added: other submissions do not load the organisation.
    if submission.reporter_kind == ReporterKind.OPERATOR and submission.organisation.sector:
        sectors = list(dict.fromkeys([*sectors, submission.organisation.sector]))
    found = cves(item.aliases)
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
        cve_ids=found,
        has_cve=bool(found),
        cwe=item.cwe.upper(),
        products=[_product_dict(product) for product in item.products],
        fingerprint=fingerprint(item_dedup_report(item)),
        item=item.raw,
        cvss_vectors=list(item.cvss_vectors),
        sectors=sectors,
        ssvc_exploitation=item.exploitation,
        ssvc_automatable=item.automatable,
        ssvc_technical_impact=item.technical_impact,
    )


def feeds_for(cves: Iterable[str]) -> tuple[dict[str, KevListing], dict[str, EpssEntry]]:
    """The stored KEV listings and EPSS scores of these CVEs, by CVE id."""
    wanted = sorted(set(cves))
    kev: dict[str, KevListing] = {}
    epss: dict[str, EpssEntry] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        kev |= {k.cve_id: k for k in KevListing.objects.filter(cve_id__in=chunk)}
        epss |= {e.cve_id: e for e in EpssEntry.objects.filter(cve_id__in=chunk)}
    return kev, epss


def score(report: Report, kev: dict[str, KevListing], epss: dict[str, EpssEntry]) -> None:
    """Score a report from the feed entries of its CVEs (does not save)."""
    scoring.score(
        report,
        kev=[kev[c] for c in report.cve_ids if c in kev],
        epss=[epss[c] for c in report.cve_ids if c in epss],
    )


def processed(submission: Submission, reports: int, duplicates: int, ids: list[int]) -> Entry:
    """The `submission.processed` audit entry: its reports, how many are likely duplicates."""
    return Entry(
        actor=None,
        action="submission.processed",
        subject=submission,
        after={"reports": reports, "likely_duplicates": duplicates, "report_ids": ids[:1000]},
    )


def store_reports(
    batch: Sequence[tuple[Submission, Sequence[Item]]], *, finished: bool = False
) -> list[Entry]:
    """Store, score and de-duplicate the items' reports; one audit entry per submission.

    The entries are the caller's to record (with its own, under one lock of the chain).
    `finished`: the submissions were stored as completed already (processed in their
    transaction, or by the worker's own last step).
    """
    reports = [_new_report(submission, item) for submission, items in batch for item in items]
    kev, epss = feeds_for(c for r in reports for c in r.cve_ids)
    for report in reports:
        score(report, kev, epss)
    created = _rows.create(Report, reports)
    linked = Counter(report.submission_id for report in link_duplicates(created))
    by_submission: dict[int, list[Report]] = {submission.pk: [] for submission, _ in batch}
    for report in created:
        by_submission[report.submission_id].append(report)
    entries = []
    for submission, _ in batch:
        mine = by_submission[submission.pk]
        if not finished:
            submission.status = Submission.Status.COMPLETED
            submission.processed_items = len(mine)
            submission.completed_at = timezone.now()
            submission.save(update_fields=["status", "processed_items", "completed_at"])
        entries.append(
            processed(submission, len(mine), linked[submission.pk], [r.pk for r in mine])
        )
    return entries
