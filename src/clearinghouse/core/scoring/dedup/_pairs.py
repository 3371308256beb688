"""Scores pairs of reports as duplicate candidates: aliases, then fingerprint, then text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ._align import ALIGN_MIN, NEAR_CERTAIN, align
from ._candidate import DuplicateCandidate
from ._report import Report, affected_bounds, base_vectors, bounds_conflict, fingerprint
from ._text import Vector, Vocabulary, cosine, prefix, tfidf_vectors, word_counts

DEFAULT_MIN_SCORE = 0.5
# Evidence beside the prose moves the text score by at most these amounts. They are small on
# purpose: vendors reuse a weakness's stock wording across unrelated bugs, and a CWE or CVSS
# vector is shared by thousands of them, so none of them makes a duplicate on its own.
SAME_WEAKNESS = 0.1
OTHER_WEAKNESS = -0.1
SAME_VECTOR = 0.1
# Same products, versions and weakness: on CISA's advisories this mostly joins different bugs
# of one product line, so it is a nudge, not a verdict (a shared alias is the verdict).
SAME_FINGERPRINT = 0.05
# Two scorings of one bug share its base vector; scorings with no base vector in common are a
# different bug far more often than a re-scoring (on CISA's advisories, of the 311
# cross-advisory pairs with near-identical text, cosine >= 0.95, and no vector in common,
# 3 share a CVE).
OTHER_VECTOR = -0.2
# Stock wording ("an out-of-bounds write which may allow code execution") leaves a handful of
# distinctive words after the queue's stop words: a match on so few is capped below the group
# threshold, kept as a candidate for a coordinator but never merged on its own.
MIN_SHARED_WORDS = 3
THIN_TEXT_CAP = 0.9
# One product named with other affected-range bounds ("<= 5.6" against "<= 5.7") is a later
# bug of that product: vendors re-publish one text for each (on CISA's 2017-2020 advisories,
# of the 16 cross-advisory pairs with text similarity >= 0.7 and such a conflict, none shares
# a CVE). Large enough to outweigh the positive evidence above.
OTHER_FIX = -0.4
_MAX_BONUS = SAME_WEAKNESS + SAME_VECTOR + SAME_FINGERPRINT


@dataclass(frozen=True)
class _Prepared:
    report: Report
    aliases: frozenset[str]
    fingerprint: str
    vectors: frozenset[str]
    text: Vector
    bounds: dict[str, frozenset[tuple[str, str]]]


def text_of(report: Report) -> str:
    """The prose dedup compares: the title, then the description."""
    return f"{report.title}\n{report.description}"


def _prepare(reports: Sequence[Report], vocabulary: Vocabulary | None = None) -> list[_Prepared]:
    if vocabulary is None:
        texts = tfidf_vectors([text_of(r) for r in reports])
    else:
        texts = [vocabulary.vector(word_counts(text_of(r))) for r in reports]
    return [
        _Prepared(
            report=report,
            aliases=frozenset(alias.casefold() for alias in report.aliases),
            fingerprint=fingerprint(report),
            vectors=base_vectors(report),
            text=text,
            bounds=affected_bounds(report),
        )
        for report, text in zip(reports, texts, strict=True)
    ]


def _evidence(a: _Prepared, b: _Prepared) -> tuple[float, list[str]]:
    bonus, reasons = 0.0, []
    cwe_a, cwe_b = a.report.cwe.upper(), b.report.cwe.upper()
    if cwe_a and cwe_b:
        same = cwe_a == cwe_b
        bonus += SAME_WEAKNESS if same else OTHER_WEAKNESS
        reasons.append(f"same weakness {cwe_a}" if same else f"weakness {cwe_a} vs {cwe_b}")
    if shared := sorted(a.vectors & b.vectors):
        bonus += SAME_VECTOR
        reasons.append(f"same CVSS base vector {shared[0]}")
    elif a.vectors and b.vectors:
        bonus += OTHER_VECTOR
        reasons.append("no CVSS base vector in common")
    if a.fingerprint and a.fingerprint == b.fingerprint:
        bonus += SAME_FINGERPRINT
        reasons.append("same affected products, versions and weakness")
    if product := bounds_conflict(a.bounds, b.bounds):
        bonus += OTHER_FIX
        reasons.append(f"other affected versions of {product}")
    return bonus, reasons


def _score(a: _Prepared, b: _Prepared, floor: float = 0.0) -> DuplicateCandidate | None:
    """The pair's candidate, or None when even the largest bonus cannot lift it to `floor`."""
    left, right = a.report.report_id, b.report.report_id
    if shared := sorted(a.aliases & b.aliases):
        return DuplicateCandidate(left, right, 1.0, (f"shared identifier {', '.join(shared)}",))
    similarity = cosine(a.text, b.text)
    if similarity + _MAX_BONUS < floor:
        return None  # most blocked pairs: skip weighing the evidence
    bonus, reasons = _evidence(a, b)
    score = min(1.0, max(0.0, similarity + bonus))
    reasons = [f"text similarity {similarity:.2f}", *reasons]
    shared_words = len(a.text.keys() & b.text.keys())
    if shared_words < MIN_SHARED_WORDS and score > THIN_TEXT_CAP:
        score = THIN_TEXT_CAP
        reasons.append(f"only {shared_words} distinctive words in common")
    return DuplicateCandidate(left, right, round(score, 6), tuple(reasons))


def _distinct_by_construction(a: _Prepared, b: _Prepared) -> bool:
    return bool(a.report.source) and a.report.source == b.report.source


def _scored(
    prepared: Sequence[_Prepared], pairs: Iterable[tuple[int, int]], floor: float
) -> list[DuplicateCandidate]:
    scored = []
    for i, j in pairs:
        a, b = prepared[i], prepared[j]
        if _distinct_by_construction(a, b):
            continue
        candidate = _score(a, b, floor)
        if candidate is not None and candidate.score >= floor:
            scored.append(candidate)
    return scored


def _finish(
    prepared: Sequence[_Prepared], scored: Sequence[DuplicateCandidate], min_score: float
) -> list[DuplicateCandidate]:
    sources = {entry.report.report_id: entry.report.source for entry in prepared}
    aligned = align(scored, sources)
    return sorted(
        (c for c in aligned if c.score >= min_score), key=lambda c: (-c.score, c.left, c.right)
    )


def find_duplicates_reference(
    reports: Sequence[Report], *, min_score: float = DEFAULT_MIN_SCORE
) -> list[DuplicateCandidate]:
    """Score every pair of reports: the plain definition `find_duplicates` must agree with.

    Costs N² scorings; use it to check the fast version, not on a real intake queue.
    """
    prepared = _prepare(reports)
    scored = _scored(prepared, _all_pairs(len(prepared)), min(min_score, ALIGN_MIN))
    return _finish(prepared, scored, min_score)


def _all_pairs(count: int) -> Iterator[tuple[int, int]]:
    return ((i, j) for i in range(count) for j in range(i + 1, count))


def _pairs_sharing(keys: Iterable[Iterable[str]]) -> Iterator[tuple[int, int]]:
    blocks: defaultdict[str, list[int]] = defaultdict(list)
    for index, values in enumerate(keys):
        for value in values:
            blocks[value].append(index)
    for members in blocks.values():
        yield from ((i, j) for n, i in enumerate(members) for j in members[n + 1 :])


def _blocked_pairs(prepared: Sequence[_Prepared], min_score: float) -> set[tuple[int, int]]:
    # A pair reaches min_score only by sharing an alias, or through text similarity of at
    # least min_score minus the largest bonus; such a pair shares a word of each one's prefix
    # (see `prefix`). Without a positive text threshold nothing can be pruned.
    text_threshold = min_score - _MAX_BONUS
    if text_threshold <= 0:
        return set(_all_pairs(len(prepared)))
    pairs = set(_pairs_sharing(entry.aliases for entry in prepared))
    postings: defaultdict[str, list[int]] = defaultdict(list)
    for index, entry in enumerate(prepared):
        for word in entry.text:
            postings[word].append(index)
    for i, entry in enumerate(prepared):
        for word in prefix(entry.text, text_threshold):
            pairs.update((i, j) for j in postings[word] if j > i)
    return pairs


def find_duplicates(
    reports: Sequence[Report],
    *,
    min_score: float = DEFAULT_MIN_SCORE,
    involving: Collection[str] | None = None,
    vocabulary: Vocabulary | None = None,
    pairs: Iterable[tuple[str, str]] | None = None,
) -> list[DuplicateCandidate]:
    """Find the pairs of reports scoring at least `min_score`, best first, each with reasons.

    Same result as `find_duplicates_reference`, but only pairs that share an alias, a
    heavy word are scored, so a queue of N reports does not cost N². With `involving`, only
    pairs with at least one of those report ids are scored (new reports against a store whose
    pairs were scored when they arrived). The words' weights come from `vocabulary` (intake's,
    of the whole store), else from all `reports`. With `pairs` (of report ids), only those are
    scored (and, for alignment, the pairs of two sources one of them links): the caller found
    them in its own index.
    """
    prepared = _prepare(reports, vocabulary)
    if pairs is None:
        blocked = _blocked_pairs(prepared, min(min_score, NEAR_CERTAIN))
    else:
        position = {entry.report.report_id: i for i, entry in enumerate(prepared)}
        blocked = {_ordered(position[a], position[b]) for a, b in pairs if a != b}
    if involving is not None:
        # Alignment between two sources needs all their pairs: so the other reports of a new
        # report's source are scored too, and the result is cut down to `involving` at the end.
        new_sources = {e.report.source for e in prepared if e.report.report_id in involving}
        wanted = {
            i
            for i, entry in enumerate(prepared)
            if entry.report.report_id in involving or entry.report.source in new_sources - {""}
        }
        blocked = {(i, j) for i, j in blocked if i in wanted or j in wanted}
    floor = min(min_score, ALIGN_MIN)
    scored = _scored(prepared, sorted(blocked), floor)
    if min_score > ALIGN_MIN:
        # Below min_score a pair counts only if alignment raises it, i.e. only between two
        # sources that share a near-certain pair: score all of those pairs, and no others.
        extra = _linked_pairs(prepared, scored) - blocked
        if involving is not None:
            extra = {(i, j) for i, j in extra if i in wanted or j in wanted}
        scored += _scored(prepared, sorted(extra), floor)
    found = _finish(prepared, scored, min_score)
    if involving is None:
        return found
    return [c for c in found if c.left in involving or c.right in involving]


def _ordered(i: int, j: int) -> tuple[int, int]:
    return (i, j) if i < j else (j, i)


def _linked_pairs(
    prepared: Sequence[_Prepared], scored: Iterable[DuplicateCandidate]
) -> set[tuple[int, int]]:
    """Every pair of reports of two sources that share a near-certain pair."""
    members: defaultdict[str, list[int]] = defaultdict(list)
    source_of: dict[str, str] = {}
    for index, entry in enumerate(prepared):
        source_of[entry.report.report_id] = entry.report.source
        if entry.report.source:
            members[entry.report.source].append(index)
    linked = {
        frozenset((source_of[c.left], source_of[c.right]))
        for c in scored
        if c.score >= NEAR_CERTAIN and source_of[c.left] and source_of[c.right]
    }
    pairs: set[tuple[int, int]] = set()
    for link in linked:
        one, other = sorted(link)
        pairs.update((min(i, j), max(i, j)) for i in members[one] for j in members[other])
    return pairs
