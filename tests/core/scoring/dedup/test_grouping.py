from __future__ import annotations

import pytest

from clearinghouse.core.scoring.dedup import DuplicateCandidate, evaluate_groups, group_duplicates


def _c(left: str, right: str, score: float) -> DuplicateCandidate:
    return DuplicateCandidate(left, right, score, ())


def test_pairs_at_or_above_the_threshold_join_groups_transitively() -> None:
    groups = group_duplicates(
        ["a", "b", "c", "d"],
        [_c("a", "b", 0.9), _c("b", "c", 0.8), _c("c", "d", 0.5)],
        threshold=0.8,
    )
    assert sorted(map(sorted, groups)) == [["a", "b", "c"], ["d"]]


def test_a_merge_that_puts_two_reports_of_one_source_together_is_refused() -> None:
    # a1 and a2 come from one advisory; b looks like both, but more like a1.
    groups = group_duplicates(
        ["a1", "a2", "b"],
        [_c("a1", "b", 0.95), _c("a2", "b", 0.9)],
        threshold=0.8,
        sources={"a1": "advisory-a", "a2": "advisory-a", "b": "advisory-b"},
    )
    assert sorted(map(sorted, groups)) == [["a1", "b"], ["a2"]]


def test_pairwise_scores_count_pairs_inside_groups() -> None:
    # Truth pairs: ab, ac, bc, de (4). Predicted pairs: ab, cd (2), one of them right.
    scores = evaluate_groups([["a", "b"], ["c", "d"], ["e"]], [["a", "b", "c"], ["d", "e"]])
    assert (scores.correct_pairs, scores.predicted_pairs, scores.true_pairs) == (1, 2, 4)
    assert scores.precision == 0.5
    assert scores.recall == 0.25
    assert scores.f1 == pytest.approx(1 / 3)


def test_predicting_nothing_is_precise_but_recalls_nothing() -> None:
    scores = evaluate_groups([["a"], ["b"]], [["a", "b"]])
    assert (scores.precision, scores.recall, scores.f1) == (1.0, 0.0, 0.0)
