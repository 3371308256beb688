"""The scoring feeds: CISA's KEV catalog and FIRST's EPSS scores, imported whole, then re-scoring.

Importing replaces the stored feed and re-scores every report naming a CVE, in one audited
unit of work; reports are read in keyset batches, so no import holds them all at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from django.db.models import QuerySet

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import audited, record
from clearinghouse.core.scoring import ScoringError, load_epss_scores, load_kev_catalog
from clearinghouse.errors import InvalidInput

from ..models import EpssEntry, FeedImport, KevListing, Report
from ._reports import feeds_for, score

_Feed = TypeVar("_Feed", KevListing, EpssEntry)
_BATCH = 2000


def _require_feed_importer(user: User | None) -> None:
    # None: the command line acting as the system itself (an operator's import job).
    if user is not None:
        require(user, "intake.import_feed")


def rescore(reports: QuerySet[Report]) -> int:
    """Score reports again from the stored feeds; returns how many changed priority or flags."""
    changed = 0
    fields = [
        "cvss_vector", "cvss_version", "cvss_score", "cvss_label", "in_kev", "epss",
        "ssvc_inputs", "ssvc_mission_well_being", "ssvc_decision", "priority_points",
        "priority_reasons",
    ]  # fmt: skip
    last = 0
    while batch := list(reports.filter(pk__gt=last).order_by("pk")[:_BATCH]):
        last = batch[-1].pk
        kev, epss = feeds_for(c for r in batch for c in r.cve_ids)
        moved = []
        for report in batch:
            before = (report.priority_points, report.in_kev, report.epss, report.ssvc_decision)
            score(report, kev, epss)
            if before != (report.priority_points, report.in_kev, report.epss, report.ssvc_decision):
                moved.append(report)
        Report.objects.bulk_update(moved, fields, batch_size=500)
        changed += len(moved)
    return changed


def _replace(
    user: User | None,
    path: Path,
    model: type[_Feed],
    rows: Sequence[_Feed],
    *,
    kind: str,
    version: str,
    summary_key: str,
) -> FeedImport:
    # One feed's stored rows give way to the file's, reports are re-scored, all audited.
    with audited():
        model.objects.all().delete()
        model.objects.bulk_create(rows, batch_size=2000)
        rescored = rescore(Report.objects.filter(has_cve=True))
        run = FeedImport.objects.create(
            kind=kind,
            source=str(path)[:1000],
            version=version[:100],
            entries=len(rows),
            rescored=rescored,
            imported_by=user,
        )
        record(
            actor=user,
            action=f"feed.{kind}_imported",
            subject=run,
            after={summary_key: run.version, "entries": run.entries, "rescored": rescored},
        )
    return run


def import_kev(user: User | None, path: Path) -> FeedImport:
    """Replace the stored KEV catalog with a file's, then re-score reports naming CVEs."""
    _require_feed_importer(user)
    try:
        catalog = load_kev_catalog(path)
    except (ScoringError, OSError) as error:
        raise InvalidInput.single("file", str(error)) from None
    rows = [
        KevListing(
            cve_id=entry.cve_id,
            vendor=entry.vendor[:200],
            product=entry.product[:200],
            vulnerability_name=entry.vulnerability_name[:500],
            date_added=entry.date_added,
            known_ransomware_campaign_use=entry.known_ransomware_campaign_use,
        )
        for entry in catalog.entries.values()
    ]
    return _replace(
        user,
        path,
        KevListing,
        rows,
        kind="kev",
        version=catalog.catalog_version,
        summary_key="version",
    )


def import_epss(user: User | None, path: Path) -> FeedImport:
    """Replace the stored EPSS scores with a daily file's, then re-score reports naming CVEs."""
    _require_feed_importer(user)
    try:
        scores = load_epss_scores(path)
    except (ScoringError, OSError) as error:
        raise InvalidInput.single("file", str(error)) from None
    rows = [
        EpssEntry(cve_id=s.cve_id, probability=s.probability, percentile=s.percentile)
        for s in scores.scores.values()
    ]
    date = scores.score_date.date().isoformat() if scores.score_date else ""
    return _replace(user, path, EpssEntry, rows, kind="epss", version=date, summary_key="date")
