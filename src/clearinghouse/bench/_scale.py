"""`bench dedup --scale`: the per-report cost of dedup as the store grows tenfold, and again.

The store is filled by bulk inserts with synthetic reports made from CISA's advisories: each
is a real item's text with a quarter of its words replaced by words drawn from the corpus at
their corpus frequency and a few numbers changed, under that item's vendors and products
(versions changed too, so fingerprints differ). Its postings and the store's term counts are
written by intake's own `index_stored`, each report weighed as it arrived, so the index is
the one intake would have built.

At each size, held-out real documents (scrubbed as the stream does) are submitted one at a
time through the real service, each in a transaction rolled back so the store keeps its
size; the dedup step (`link_duplicates`) is timed inside the submission, and the whole
submission too.
"""

from __future__ import annotations

import hashlib
import itertools
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

from clearinghouse.core.formats.csaf import read_csaf
from clearinghouse.core.scoring.dedup import (
    Report as DedupReport,
)
from clearinghouse.core.scoring.dedup import (
    fingerprint,
    report_from_csaf,
    strip_identifiers,
)

#: Share of a synthetic report's words replaced by corpus words, and of its numbers changed.
REPLACED = 0.25
RENUMBERED = 0.3
#: Reports written per chunk (one transaction, one index write), a multiple of PER_DOCUMENT.
CHUNK = 5001
#: Reports of one synthetic submission: about what one CISA advisory holds (2.5 on average).
PER_DOCUMENT = 3
_DIGITS = re.compile(r"\d+")


def corpus(paths: Sequence[Path]) -> list[DedupReport]:
    """The CISA items the synthetic reports are made from, identifiers stripped."""
    items = [item for path in paths for item in read_csaf(path, validate=False).items]
    return [strip_identifiers(report_from_csaf(item)) for item in items]


class Synthesiser:
    """Makes the n-th synthetic report from the corpus, the same one for the same n and seed."""

    def __init__(self, reports: Sequence[DedupReport], seed: int) -> None:
        self.reports = [r for r in reports if r.description]
        self.words = [word for r in self.reports for word in r.description.split()]
        self.seed = seed

    def _renumbered(self, text: str, chance: random.Random) -> str:
        def digits(match: re.Match[str]) -> str:
            if chance.random() >= RENUMBERED:
                return match.group()
            return str(chance.randrange(10 ** len(match.group())))

        return _DIGITS.sub(digits, text)

    def make(self, n: int) -> DedupReport:
        """The n-th report: a real item's prose and products, reworded and renumbered."""
        chance = random.Random(self.seed * 1_000_003 + n)  # noqa: S311 (reproducible text)
        base = self.reports[chance.randrange(len(self.reports))]
        words = [
            chance.choice(self.words) if chance.random() < REPLACED else word
            for word in base.description.split()
        ]
        products = tuple(
            replace(product, version=self._renumbered(product.version, chance))
            for product in base.products
        )
        return replace(
            base,
            report_id=str(n),
            title=self._renumbered(base.title, chance),
            description=self._renumbered(" ".join(words), chance),
            products=products,
        )


def grow(make: Callable[[int], DedupReport], start: int, stop: int, seeder: Any) -> None:
    """Store reports start..stop-1, `PER_DOCUMENT` a submission of `seeder`'s, indexed."""
    from django.db import transaction

    from clearinghouse.intake import services
    from clearinghouse.intake.models import Report, Submission
    from clearinghouse.intake.services import _rows

    for first in range(start, stop, CHUNK):
        numbers = range(first, min(first + CHUNK, stop))
        with transaction.atomic():
            documents = _rows.create(
                Submission,
                [
                    Submission(
                        organisation_id=seeder.organisation_id,
                        submitted_by=seeder,
                        format="native",
                        sha256=hashlib.sha256(f"synthetic {n}".encode()).hexdigest(),
                        original="{}",
                        reporter_kind="lab",
                        status=Submission.Status.COMPLETED,
                        total_items=PER_DOCUMENT,
                        processed_items=PER_DOCUMENT,
                    )
                    for n in numbers[::PER_DOCUMENT]
                ],
            )
            rows = [
                _row(make(n), documents[(n - first) // PER_DOCUMENT], n % PER_DOCUMENT)
                for n in numbers
            ]
            services.index_stored(_rows.create(Report, rows))


def _row(dedup: DedupReport, submission: Any, index: int) -> Any:
    from clearinghouse.intake.models import Report

    return Report(
        submission=submission,
        organisation_id=submission.organisation_id,
        index=index,
        source_format="native",
        reporter_kind=submission.reporter_kind,
        title=(dedup.title or "untitled")[:500],
        description=dedup.description,
        cwe=dedup.cwe.upper(),
        products=[{k: v for k, v in vars(p).items() if v} for p in dedup.products],
        fingerprint=fingerprint(dedup),
        cvss_vectors=list(dedup.cvss_vectors),
    )


@dataclass(frozen=True)
class Timed:
    """One size's figures: the dedup step and the whole submission, per new report."""

    stored: int
    dedup_ms: list[float]
    submission_ms: list[float]


class _RolledBack(Exception):
    """Raised to undo a timed submission, so the store keeps its size."""


def time_submissions(user: Any, documents: Sequence[bytes], stored: int) -> Timed:
    """Submit each document alone (rolled back); per report, the dedup step's and the whole's ms.

    The dedup step is timed by wrapping `link_duplicates` where the service calls it.
    """
    from django.db import transaction

    from clearinghouse.intake import services
    from clearinghouse.intake.services import _dedup, _reports

    original = _dedup.link_duplicates
    spent: list[tuple[int, float]] = []

    def timed(new: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(new)
        finally:
            spent.append((len(new), time.perf_counter() - started))

    dedup: list[float] = []
    whole: list[float] = []
    # Instrumentation, not a stand-in: the real step runs, wrapped where the service calls it.
    with patch.object(_reports, "link_duplicates", timed):
        for data in documents:
            spent.clear()
            started = time.perf_counter()
            try:
                with transaction.atomic():
                    services.submit(user, data, background=False)
                    raise _RolledBack
            except _RolledBack:
                pass
            seconds = time.perf_counter() - started
            reports = sum(count for count, _ in spent) or 1
            dedup.append(sum(took for _, took in spent) / reports * 1000)
            whole.append(seconds / reports * 1000)
    return Timed(stored, dedup, whole)


def sizes(text: str) -> list[int]:
    """Growing store sizes, e.g. `10000,100000,1000000` (`1e4,1e5` too)."""
    found = [int(float(part)) for part in text.split(",")]
    if not found or found[0] < 1 or any(b <= a for a, b in itertools.pairwise(found)):
        raise ValueError(text)
    return found


def median(values: Sequence[float]) -> float:
    """The median, 0.0 for none."""
    return statistics.median(values) if values else 0.0
