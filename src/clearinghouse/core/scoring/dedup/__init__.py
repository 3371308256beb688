"""De-duplication of vulnerability reports that have no CVE yet: aliases, fingerprint, text."""

from ._bench import DEFAULT_GROUP_THRESHOLD, DedupBenchmark, benchmark_csaf
from ._csaf import report_from_csaf, strip_identifiers
from ._grouping import PairwiseScores, evaluate_groups, group_duplicates
from ._pairs import (
    DEFAULT_MIN_SCORE,
    DuplicateCandidate,
    find_duplicates,
    find_duplicates_reference,
)
from ._report import ProductRef, Report, fingerprint

__all__ = [
    "DEFAULT_GROUP_THRESHOLD",
    "DEFAULT_MIN_SCORE",
    "DedupBenchmark",
    "DuplicateCandidate",
    "PairwiseScores",
    "ProductRef",
    "Report",
    "benchmark_csaf",
    "evaluate_groups",
    "find_duplicates",
    "find_duplicates_reference",
    "fingerprint",
    "group_duplicates",
    "report_from_csaf",
    "strip_identifiers",
]
