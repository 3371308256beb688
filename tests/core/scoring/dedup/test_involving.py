"""`find_duplicates(involving=…)`: only pairs touching new reports, as the full search has them."""

from __future__ import annotations

import pytest

from clearinghouse.core.formats.csaf import read_csaf
from clearinghouse.core.scoring.dedup import (
    NEAR_CERTAIN,
    Report,
    find_duplicates,
    find_duplicates_reference,
    report_from_csaf,
    strip_identifiers,
)
from tests.shared_data import shared_data


@pytest.mark.parametrize("min_score", [0.3, 0.9])
def test_involving_keeps_exactly_the_reference_pairs_that_touch_the_new_reports(
    min_score: float,
) -> None:
    paths = sorted(shared_data("csaf/cisa/2019").glob("*.json"))[:120]
    items = [item for path in paths for item in read_csaf(path, validate=False).items]
    reports = [strip_identifiers(report_from_csaf(item)) for item in items]
    new = {report.report_id for report in reports[-40:]}
    reference = [
        c
        for c in find_duplicates_reference(reports, min_score=min_score)
        if {c.left, c.right} & new
    ]
    assert reference
    assert find_duplicates(reports, min_score=min_score, involving=new) == reference


def test_involving_a_report_aligns_it_as_the_full_search_does() -> None:
    # Alignment between two sources rests on pairs that need not touch the new report: its
    # source's other report, already stored, holds the near-certain pair.
    vector = ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",)
    texts = (
        "Malformed HTTP request body in the admin API overflows a heap buffer of the license "
        "manager.",
        "XML payload with too many elements overflows a stack variable in the license manager "
        "parser.",
        "Too many XML elements crash the parser of the license manager with a stack overflow.",
    )
    reports = [
        Report(report_id, description=texts[text], cvss_vectors=vector, source=source)
        for report_id, text, source in (
            ("vendor/0", 0, "vendor"),
            ("vendor/1", 1, "vendor"),
            ("oem/0", 0, "oem"),
            ("oem/1", 2, "oem"),
        )
    ]
    reference = [
        c for c in find_duplicates_reference(reports, min_score=0.9) if "oem/1" in (c.left, c.right)
    ]
    assert [(c.left, c.right, c.score) for c in reference] == [("vendor/1", "oem/1", NEAR_CERTAIN)]
    assert find_duplicates(reports, min_score=0.9, involving={"oem/1"}) == reference
