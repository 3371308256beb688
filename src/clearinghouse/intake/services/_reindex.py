"""Writing stored reports into dedup's store-wide index: for a store that predates it, after a
restore, or when deletions left its word counts stale.

`index_stored` writes what `link_duplicates` writes for new reports (postings and term
counts, each report weighed as it arrived, in id order) without comparing or linking;
`reindex` empties the index and rebuilds it from every stored report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from ..models import Report, ReportKey, TermFrequency
from . import _index
from ._dedup import index_entries

#: Reports read and indexed at a time.
CHUNK = 2000


def index_stored(reports: Sequence[Report]) -> None:
    """Add stored reports the index does not hold yet, weighed as they arrived (by id)."""
    entries, documents = index_entries(reports)
    store = _index.counts(term for entry in entries.values() for term in entry.counted)
    postings = {
        new.pk: _index.postings_of(new, words)
        for document, words in zip(documents, store.arrivals(documents), strict=True)
        for new in document
    }
    _index.add(list(entries.values()), postings)


@dataclass(frozen=True)
class Reindexed:
    """What a rebuild wrote."""

    reports: int
    postings: int
    terms: int


def reindex() -> Reindexed:
    """Rebuild the whole index from the stored reports, in one transaction.

    Run it while intake is stopped (a deployment step): reports stored meanwhile by another
    process would be indexed twice in the counts.
    """
    with transaction.atomic():
        ReportKey.objects.all().delete()
        TermFrequency.objects.all().delete()
        last = 0
        while chunk := list(Report.objects.filter(pk__gt=last).order_by("pk")[:CHUNK]):
            index_stored(chunk)
            last = chunk[-1].pk
        return Reindexed(
            reports=Report.objects.count(),
            postings=ReportKey.objects.count(),
            terms=TermFrequency.objects.exclude(term=TermFrequency.REPORTS).count(),
        )
