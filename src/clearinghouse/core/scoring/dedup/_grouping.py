"""Turns accepted duplicate pairs into groups, and measures groups against the truth."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from ._align import NEAR_CERTAIN
from ._candidate import DuplicateCandidate

#: The score at which a pair joins a duplicate group (an automatic link): near-certain only.
DEFAULT_GROUP_THRESHOLD = NEAR_CERTAIN


def group_duplicates(
    report_ids: Sequence[str],
    candidates: Iterable[DuplicateCandidate],
    *,
    threshold: float,
    sources: Mapping[str, str] | None = None,
) -> list[list[str]]:
    """Group reports joined by candidates scoring at least `threshold` (union-find).

    Best pairs merge first, and a merge that would put two reports of the same source in one
    group is refused: an advisory never lists one vulnerability twice, so such a merge means a
    chain of near-misses. Every report appears in exactly one group, singletons included.
    """
    parent = {report_id: report_id for report_id in report_ids}
    members_sources = {
        report_id: {sources[report_id]} if sources and sources.get(report_id) else set()
        for report_id in report_ids
    }

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]  # path halving keeps trees shallow
            node = parent[node]
        return node

    accepted = sorted(
        (c for c in candidates if c.score >= threshold), key=lambda c: (-c.score, c.left, c.right)
    )
    for candidate in accepted:
        left, right = root(candidate.left), root(candidate.right)
        if left == right or members_sources[left] & members_sources[right]:
            continue
        parent[right] = left
        members_sources[left] |= members_sources.pop(right)
    groups: dict[str, list[str]] = {}
    for report_id in report_ids:
        groups.setdefault(root(report_id), []).append(report_id)
    return list(groups.values())


@dataclass(frozen=True)
class PairwiseScores:
    """Pairwise precision, recall and F1 of predicted groups against true groups."""

    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int
    correct_pairs: int


def _pairs(groups: Iterable[Iterable[str]]) -> set[tuple[str, str]]:
    return {pair for group in groups for pair in combinations(sorted(set(group)), 2)}


def evaluate_groups(
    predicted: Iterable[Iterable[str]], truth: Iterable[Iterable[str]]
) -> PairwiseScores:
    """Score predicted groups by the pairs of reports they put together, the usual dedup metric.

    With nothing predicted precision is 1.0 (no wrong merge was made); with nothing to find,
    recall is 1.0.
    """
    predicted_pairs, true_pairs = _pairs(predicted), _pairs(truth)
    correct = len(predicted_pairs & true_pairs)
    precision = correct / len(predicted_pairs) if predicted_pairs else 1.0
    recall = correct / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(precision, recall, f1, len(predicted_pairs), len(true_pairs), correct)
