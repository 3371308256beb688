"""`find_duplicates(involving=…)`: only pairs touching new reports, as the full search has them."""

from __future__ import annotations

from clearinghouse.core.formats.csaf import read_csaf
from clearinghouse.core.scoring.dedup import (
    find_duplicates,
    find_duplicates_reference,
    report_from_csaf,
    strip_identifiers,
)
from tests.shared_data import shared_data


def test_involving_keeps_exactly_the_reference_pairs_that_touch_the_new_reports() -> None:
    paths = sorted(shared_data("csaf/cisa/2019").glob("*.json"))[:120]
    items = [item for path in paths for item in read_csaf(path, validate=False).items]
    reports = [strip_identifiers(report_from_csaf(item)) for item in items]
    new = {report.report_id for report in reports[-40:]}
    reference = [
        c for c in find_duplicates_reference(reports, min_score=0.3) if {c.left, c.right} & new
    ]
    assert reference
    assert find_duplicates(reports, min_score=0.3, involving=new) == reference
