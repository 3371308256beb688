from __future__ import annotations

import dataclasses

import pytest

from clearinghouse.core.formats.csaf import read_csaf
from clearinghouse.core.scoring.dedup import (
    ALIGN_MIN,
    DEFAULT_GROUP_THRESHOLD,
    NEAR_CERTAIN,
    DuplicateCandidate,
    ProductRef,
    Report,
    find_duplicates,
    find_duplicates_reference,
    report_from_csaf,
    strip_identifiers,
)
from tests.shared_data import shared_data

_OVERFLOW = Report(
    report_id="a",
    title="Heap overflow in the PNG decoder of imgkit",
    description="A crafted PNG with an oversized iCCP chunk overflows a heap buffer in imgkit.",
    cwe="CWE-122",
    cvss_vectors=("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",),
)
_REWORDED = Report(
    report_id="b",
    title="imgkit PNG decoder heap overflow",
    description="Oversized iCCP chunk in a PNG file overflows a heap buffer in the imgkit decoder.",
    cwe="CWE-122",
    cvss_vectors=("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H/E:P",),
)
_UNRELATED = Report(
    report_id="c",
    title="Heap overflow in the TLS record parser of netlib",
    description="A long TLS record overflows a heap buffer in the netlib handshake code.",
    cwe="CWE-122",
)


def _pair(candidates: list[DuplicateCandidate], left: str, right: str) -> DuplicateCandidate:
    return next(c for c in candidates if {c.left, c.right} == {left, right})


def test_a_reworded_report_of_the_same_bug_outscores_an_unrelated_bug_of_the_same_kind() -> None:
    candidates = find_duplicates_reference([_OVERFLOW, _REWORDED, _UNRELATED], min_score=0.0)
    assert _pair(candidates, "a", "b").score >= 0.6 > _pair(candidates, "a", "c").score


def test_each_candidate_explains_its_score() -> None:
    (candidate,) = find_duplicates([_OVERFLOW, _REWORDED], min_score=0.5)
    assert candidate.reasons[0].startswith("text similarity")
    # 3.0 and 3.1 vectors, one with temporal metrics, are one base vector.
    assert "same weakness CWE-122" in candidate.reason
    assert "same CVSS base vector AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H" in candidate.reason


def test_scorings_with_no_base_vector_in_common_lower_the_score() -> None:
    rescored = Report(
        report_id="d",
        title=_REWORDED.title,
        description=_REWORDED.description,
        cwe="CWE-122",
        cvss_vectors=("CVSS:3.1/AV:L/AC:H/PR:H/UI:N/S:U/C:L/I:N/A:N",),
    )
    candidates = find_duplicates_reference([_OVERFLOW, _REWORDED, rescored], min_score=0.0)
    same, other = _pair(candidates, "a", "b"), _pair(candidates, "a", "d")
    assert "no CVSS base vector in common" in other.reason
    assert other.score == pytest.approx(same.score - 0.3, abs=1e-6)  # -0.2 instead of +0.1


def test_identical_stock_wording_with_few_distinctive_words_is_never_merged_alone() -> None:
    # Two vendors' advisories for different bugs, both in a weakness's stock phrase (in a real
    # queue the template words around it are stop words, leaving about this much).
    stock = "Memory corruption."
    vector = ("CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",)
    one = Report(report_id="x", description=stock, cwe="CWE-787", cvss_vectors=vector)
    two = Report(report_id="y", description=stock, cwe="CWE-787", cvss_vectors=vector)
    (candidate,) = find_duplicates([one, two], min_score=0.5)
    assert candidate.score == 0.9 < DEFAULT_GROUP_THRESHOLD  # still a candidate to review
    assert candidate.reasons[0] == "text similarity 1.00"
    assert candidate.reasons[-1].endswith("distinctive words in common")
    longer = [
        Report(report_id=r.report_id, description=f"{stock} Parsing crafted XYZ project files "
               "in the ScreenEditor overflows the layout table.", cwe=r.cwe, cvss_vectors=vector)
        for r in (one, two)
    ]  # fmt: skip
    (candidate,) = find_duplicates(longer, min_score=0.5)
    assert candidate.score == 1.0


def test_a_shared_alias_is_a_certain_duplicate_whatever_the_text() -> None:
    one = Report(
        report_id="x", description="first wording", aliases=frozenset({"GHSA-abcd-efgh-ijkl"})
    )
    two = Report(
        report_id="y", description="nothing alike", aliases=frozenset({"ghsa-ABCD-efgh-ijkl"})
    )
    (candidate,) = find_duplicates([one, two])
    assert candidate.score == 1.0
    assert "shared identifier ghsa-abcd-efgh-ijkl" in candidate.reason


def test_reports_from_the_same_source_are_never_candidates() -> None:
    one = Report(report_id="x", description="same words here", source="advisory-1")
    two = Report(report_id="y", description="same words here", source="advisory-1")
    assert find_duplicates_reference([one, two], min_score=0.0) == []
    assert find_duplicates([one, two], min_score=0.0) == []


@pytest.mark.parametrize("min_score", [0.1, 0.5, 0.8, 0.95])
def test_the_fast_finder_agrees_with_the_all_pairs_reference_on_real_advisories(
    min_score: float,
) -> None:
    paths = sorted(shared_data("csaf/cisa/2019").glob("*.json"))[:120]
    items = [item for path in paths for item in read_csaf(path, validate=False).items]
    reports = [strip_identifiers(report_from_csaf(item)) for item in items]
    reference = find_duplicates_reference(reports, min_score=min_score)
    assert len(reports) > 300 and reference
    assert find_duplicates(reports, min_score=min_score) == reference


_ADVISORY_BUGS = (
    ("Malformed HTTP request body in the admin API overflows a heap buffer of the license "
     "manager.", "CWE-122"),
    ("XML payload with too many elements overflows a stack variable in the license manager "
     "parser.", "CWE-121"),
)  # fmt: skip
_REPUBLISHED_BUGS = (
    (_ADVISORY_BUGS[0][0], "CWE-122"),
    ("Too many XML elements crash the parser of the license manager with a stack overflow.",
     "CWE-121"),
)  # fmt: skip
_DOS = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",)


def _advisory(source: str, bugs: tuple[tuple[str, str], ...]) -> list[Report]:
    return [
        Report(f"{source}/{n}", description=text, cwe=cwe, cvss_vectors=_DOS, source=source)
        for n, (text, cwe) in enumerate(bugs)
    ]


def test_the_mutual_best_match_of_two_advisories_sharing_a_certain_pair_is_raised() -> None:
    # A vendor's advisory and an OEM's re-publication list the same two bugs, one word for
    # word, the other in the OEM's own words.
    reports = [*_advisory("vendor", _ADVISORY_BUGS), *_advisory("oem", _REPUBLISHED_BUGS)]
    candidates = find_duplicates_reference(reports, min_score=0.5)
    assert _pair(candidates, "vendor/0", "oem/0").score == 1.0
    aligned = _pair(candidates, "vendor/1", "oem/1")
    assert aligned.score == NEAR_CERTAIN
    assert aligned.reasons[0] == "text similarity 0.52"
    assert aligned.reasons[-1].startswith("each other's best match")
    assert find_duplicates(reports, min_score=0.5) == candidates


def test_without_a_certain_pair_between_the_sources_nothing_is_raised() -> None:
    # The word-for-word item now comes from a third advisory: no pair links "vendor" and "oem".
    vendor = _advisory("vendor", _ADVISORY_BUGS)
    oem = _advisory("oem", _REPUBLISHED_BUGS)
    third = Report("third/0", description=_ADVISORY_BUGS[0][0], cwe="CWE-122", source="third")
    reports = [vendor[1], *oem, third]
    candidates = find_duplicates_reference(reports, min_score=0.5)
    plain = _pair(candidates, "vendor/1", "oem/1")
    assert ALIGN_MIN <= plain.score < NEAR_CERTAIN and len(plain.reasons) == 3
    # Reports with no source are no document: nothing to align them by.
    unsourced = [dataclasses.replace(r, source="") for r in _advisory("vendor", _ADVISORY_BUGS)]
    candidates = find_duplicates_reference([*unsourced, *oem], min_score=0.5)
    assert _pair(candidates, "vendor/1", "oem/1").score == plain.score


def test_one_product_with_other_affected_bounds_is_a_later_bug_not_a_duplicate() -> None:
    def release(report_id: str, version: str) -> Report:
        return dataclasses.replace(
            _OVERFLOW,
            report_id=report_id,
            products=(ProductRef(vendor="Example", product="imgkit", version=version),),
        )

    earlier, later, same = release("x", "<= 5.6"), release("y", "<= 5.7"), release("z", "<=5.6")
    candidates = find_duplicates_reference([earlier, later, same], min_score=0.0)
    assert _pair(candidates, "x", "z").score == 1.0
    other = _pair(candidates, "x", "y")
    assert other.score < DEFAULT_GROUP_THRESHOLD
    assert "other affected versions of imgkit" in other.reason
