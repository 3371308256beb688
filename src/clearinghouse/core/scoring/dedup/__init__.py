"""De-duplication of vulnerability reports that have no CVE yet: aliases, fingerprint, text."""

from ._align import ALIGN_MIN, NEAR_CERTAIN
from ._candidate import DuplicateCandidate
from ._csaf import report_from_csaf, scrub_identifiers, strip_identifiers
from ._grouping import DEFAULT_GROUP_THRESHOLD, PairwiseScores, evaluate_groups, group_duplicates
from ._identifiers import IdentifierConflict, conflicting_identifiers
from ._pairs import DEFAULT_MIN_SCORE, find_duplicates, find_duplicates_reference, text_of
from ._report import ProductRef, Report, affected_bounds, bounds_conflict, fingerprint
from ._text import Vocabulary, heaviest, word_counts
from ._veto import Linkable, link_veto

__all__ = [
    "ALIGN_MIN",
    "DEFAULT_GROUP_THRESHOLD",
    "DEFAULT_MIN_SCORE",
    "NEAR_CERTAIN",
    "DuplicateCandidate",
    "IdentifierConflict",
    "Linkable",
    "PairwiseScores",
    "ProductRef",
    "Report",
    "Vocabulary",
    "affected_bounds",
    "bounds_conflict",
    "conflicting_identifiers",
    "evaluate_groups",
    "find_duplicates",
    "find_duplicates_reference",
    "fingerprint",
    "group_duplicates",
    "heaviest",
    "link_veto",
    "report_from_csaf",
    "scrub_identifiers",
    "strip_identifiers",
    "text_of",
    "word_counts",
]
