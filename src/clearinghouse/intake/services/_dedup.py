"""De-duplication at intake: blocking keys, the pool of stored reports to compare, and links.

New reports (one document's, or a whole batch's) are compared with the stored reports and the
earlier new ones that the store-wide index (`_index`) finds for them, with the store's word
weights, in one pass of the core's `find_duplicates`; then each is linked to a near-certain
earlier one that the identifier veto admits. One document sent alone or in a batch meets the
same candidates with the same scores, so batching does not change the groups.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import visible
from clearinghouse.core.scoring.dedup import (
    DEFAULT_GROUP_THRESHOLD,
    DEFAULT_MIN_SCORE,
    Linkable,
    ProductRef,
    find_duplicates,
    link_veto,
    text_of,
    word_counts,
)
from clearinghouse.core.scoring.dedup import DuplicateCandidate as CoreCandidate
from clearinghouse.core.scoring.dedup import Report as DedupReport

from ..models import DuplicateCandidate, Report
from ..readers import Item, formats
from . import _index, _links, _rows

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
#: What dedup reads of a stored report (in `_stored_dedup_report`'s order).
_DEDUP_FIELDS = (
    "pk", "title", "description", "aliases", "products", "cwe", "cvss_vectors",
    "source_format", "submission_id", "duplicate_of_id",
)  # fmt: skip
#: A found report's document comes whole into the pool up to this many items: an advisory's
#: (CISA's hold up to 83), not a 400-item bulk document each of whose items would be weighed
#: again for every report that finds one of them.
WHOLE_DOCUMENT_ITEMS = 100
#: Distinct by construction: the formats whose items are (a CSAF advisory's, a CVE record's).
_ONE_SOURCE = tuple(f.value for f in formats() if f.reader.distinct_items)


def _norm(text: str) -> str:
    return " ".join(_NON_ALNUM.sub(" ", text.casefold()).split())


def keys(report: Report) -> set[str]:
    """The blocking keys of a report: aliases, fingerprint, product names and package URLs."""
    found = {f"alias:{alias.casefold()}" for alias in report.aliases}
    if report.fingerprint:
        found.add(f"fp:{report.fingerprint}")
    for product in report.products:
        if name := _norm(product.get("product", "")):
            found.add(f"product:{name}"[:300])
        if purl := product.get("purl"):
            found.add(f"purl:{purl.split('@', 1)[0].casefold()}"[:300])
    return found


def item_dedup_report(item: Item) -> DedupReport:
    """An item not stored yet, as dedup sees it (for its fingerprint)."""
    return DedupReport(
        report_id="new",
        title=item.title,
        description=item.description,
        aliases=frozenset(item.aliases),
        products=item.products,
        cwe=item.cwe,
        cvss_vectors=item.cvss_vectors,
    )


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
    by_construction = source_format in _ONE_SOURCE
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


def _model_dedup_report(report: Report) -> DedupReport:
    return _stored_dedup_report(*(getattr(report, field) for field in _DEDUP_FIELDS))


def _pool(found: Iterable[int]) -> list[tuple[DedupReport, int | None]]:
    """The stored reports found for new ones, and the other items of their documents.

    Alignment ranks each report's matches among all items of the other document, so a CSAF
    advisory or CVE record found by one item comes whole. Read as rows (not models): each as
    dedup sees it, with its `duplicate_of` id.
    """
    ids = set(found)
    if not ids:
        return []
    documents = Report.objects.filter(
        pk__in=ids,
        source_format__in=_ONE_SOURCE,
        submission__total_items__lte=WHOLE_DOCUMENT_ITEMS,
    )
    # Two unordered arms of one UNION ALL, each read through its own index: an OR of the ids
    # and the sub-select (in the reports' default order) read the whole table, 0.45 s at 10⁶.
    found_rows = Report.objects.filter(pk__in=ids).order_by()
    siblings = Report.objects.filter(submission__in=documents.values("submission")).exclude(
        status=Report.Status.DECLINED
    )
    rows = found_rows.values_list(*_DEDUP_FIELDS).union(
        siblings.order_by().values_list(*_DEDUP_FIELDS), all=True
    )
    unique = {row[0]: row for row in rows}  # a found report can be a sibling too
    return [(_stored_dedup_report(*row), row[-1]) for row in unique.values()]


def _root(pk: int, parent: dict[int, int | None]) -> int:
    """Follow `duplicate_of` links from a report to its primary (stopping at a cycle)."""
    seen = set()
    while (up := parent[pk]) is not None and up not in seen:
        seen.add(pk)
        if up not in parent:
            break
        pk = up
    return pk


def _linkable(pk: int, aliases: Iterable[str], submission_id: int) -> Linkable:
    return Linkable(str(pk), frozenset(aliases), f"submission:{submission_id}")


def _groups(roots: set[int]) -> dict[int, list[Linkable]]:
    """The stored duplicate groups of these primaries, each with its primary, read whole.

    Through chains too (a primary marked a duplicate keeps its own): one query per level.
    """
    if not roots:
        return {}
    found = _links.linked_through(roots, _links.every_link())
    return {
        root: [_linkable(m.pk, m.aliases, m.submission_id) for m in members]
        for root, members in _links.by_start(roots, found).items()
    }


def _documents(new: Sequence[Report], entries: dict[int, _index.Entry]) -> list[list[_index.Entry]]:
    """The new reports' index entries by document, in arrival (id) order."""
    by_submission: dict[int, list[_index.Entry]] = {}
    for report in sorted(new, key=lambda report: report.pk):
        by_submission.setdefault(report.submission_id, []).append(entries[report.pk])
    return list(by_submission.values())


def _scored(
    documents: Sequence[Sequence[_index.Entry]],
    store: _index.Counts,
    found: dict[int, list[int]],
    pool: Sequence[DedupReport],
    views: dict[int, DedupReport],
) -> list[CoreCandidate]:
    """Score each document's reports with their candidates, weighed as of its arrival.

    One pass of the core's `find_duplicates` per document, over its candidates and the rest
    of their documents (for alignment), so a batch scores as its documents sent one by one.
    """
    by_id = {int(dedup.report_id): dedup for dedup in pool} | views
    members: defaultdict[str, list[int]] = defaultdict(list)
    for pk, dedup in by_id.items():
        if dedup.source:
            members[dedup.source].append(pk)
    scored: list[CoreCandidate] = []
    for document, words in zip(documents, store.arrivals(documents), strict=True):
        mine = {entry.pk for entry in document}
        met = {pk for entry in document for pk in found[entry.pk]}
        met |= {member for pk in list(met) for member in members.get(by_id[pk].source, ())}
        compared = [by_id[pk] for pk in sorted(met - mine) if pk not in views or pk < min(mine)]
        scored += find_duplicates(
            [*compared, *(views[pk] for pk in sorted(mine))],
            min_score=DEFAULT_MIN_SCORE,
            involving={str(pk) for pk in mine},
            vocabulary=words,
            pairs=((str(pk), str(other)) for pk in mine for other in found[pk]),
        )
    return scored


def index_entries(
    new: Sequence[Report], views: Mapping[int, DedupReport] | None = None
) -> tuple[dict[int, _index.Entry], list[list[_index.Entry]]]:
    """New reports' index entries by id, and the same by document in arrival order.

    `views`: the reports as dedup sees them, when the caller has them already.
    """
    if views is None:
        views = {report.pk: _model_dedup_report(report) for report in new}
    entries = {report.pk: _index.entry(report, keys(report), views[report.pk]) for report in new}
    return entries, _documents(new, entries)


def link_duplicates(new: Sequence[Report]) -> list[Report]:
    """Store duplicate candidates for new reports; link each to a near-certain earlier one.

    Returns the new reports linked. No link is made into a group a member of which names other
    ids of one namespace or came in the same document (the core's `link_veto`): the candidate
    is still stored, and its conflict shown to coordinators. Order of evidence (the core's
    `find_duplicates`): a shared identifier, then text similarity adjusted by weakness, CVSS
    vector and the products fingerprint. "Earlier" is by id, so within a batch a later
    document's report links to an earlier document's.
    """
    if not new:
        return []
    views = {report.pk: _model_dedup_report(report) for report in new}
    entries, documents = index_entries(new, views)
    store = _index.counts(term for entry in entries.values() for term in entry.counted)
    found, postings = _index.look_up(documents, store)
    stored = {pk for ids in found.values() for pk in ids if pk not in views}
    pool = _pool(stored)
    store.read(word for dedup, _ in pool for word in word_counts(text_of(dedup)))
    _index.add(list(entries.values()), postings)
    parent: dict[int, int | None] = {int(dedup.report_id): up for dedup, up in pool}
    parent |= {report.pk: report.duplicate_of_id for report in new}
    new_by_id = {report.pk: report for report in new}
    candidates = _scored(documents, store, found, [dedup for dedup, _ in pool], views)
    rows = []
    linkable: defaultdict[int, list[tuple[float, int]]] = defaultdict(list)
    for candidate in candidates:
        left, right = int(candidate.left), int(candidate.right)
        # The new one is the later (a stored report is earlier even with a larger id, as one
        # committed meanwhile by another process can have).
        later, earlier = (left, right) if left in new_by_id else (right, left)
        if left in new_by_id and right in new_by_id:
            later, earlier = max(left, right), min(left, right)
        rows.append((later, earlier, candidate.score, list(candidate.reasons)))
        if candidate.score >= DEFAULT_GROUP_THRESHOLD:
            linkable[later].append((candidate.score, earlier))
    _rows.insert(
        DuplicateCandidate, ["report", "candidate", "score", "reasons"], rows, ignore_conflicts=True
    )
    groups = _groups({_root(earlier, parent) for best in linkable.values() for _, earlier in best})
    linked: list[Report] = []
    # Earliest first, so a chain within the new reports resolves to its first report; each
    # to its best candidate whose whole group the veto admits it to.
    for later in sorted(linkable):
        report = new_by_id[later]
        joining = _linkable(report.pk, report.aliases, report.submission_id)
        for _, earlier in sorted(linkable[later], key=lambda pair: (-pair[0], pair[1])):
            root = _root(earlier, parent)
            group = groups[root]
            if root == later or link_veto(joining, group):
                continue
            parent[later] = new_by_id[later].duplicate_of_id = root
            group.append(joining)
            linked.append(new_by_id[later])
            break
    # One query either way; a plain update when all share a primary (cheaper than a CASE).
    if len(roots := {report.duplicate_of_id for report in linked}) == 1:
        Report.objects.filter(pk__in=[r.pk for r in linked]).update(duplicate_of_id=roots.pop())
    else:
        _rows.set_values(Report, "duplicate_of", ((r.pk, r.duplicate_of_id) for r in linked))
    return linked


def candidates_of(user: User, report: Report, limit: int) -> list[DuplicateCandidate]:
    """The candidates a user may see for one report, best first, each knowing the report.

    So that each candidate's `conflict` (the identifiers the two differ in) costs no query.
    """
    shown = visible(DuplicateCandidate, user).filter(report=report).select_related("candidate")
    found = list(shown[:limit])
    for candidate in found:
        candidate.report = report
    return found


def candidates_by_report(reports: Iterable[Report]) -> dict[int, list[DuplicateCandidate]]:
    """Each report's stored duplicate candidates, best first."""
    grouped: defaultdict[int, list[DuplicateCandidate]] = defaultdict(list)
    for candidate in DuplicateCandidate.objects.filter(report__in=list(reports)).select_related(
        "candidate"
    ):
        grouped[candidate.report_id].append(candidate)
    return dict(grouped)
