"""The intake workflow: submit documents (one, or many at once), turn their items into scored,
de-duplicated reports, triage them (accept, decline, mark duplicate, merge, unmerge), and load
the KEV/EPSS feeds.

Every state change is audited. A refused document stores nothing. Callers import this
package (`from clearinghouse.intake import services`), never its private modules:
`_submission` (one document, and the worker's part), `_batch` (many documents in one
transaction), `_reports` (items to scored reports), `_dedup` (blocking keys, the pool,
duplicate links), `_index` (dedup's store-wide index), `_triage` (coordinators' decisions),
`_search` (the report list's filter and order), `_desk` (the dashboard's triage
counts), `_feeds` (KEV and EPSS), `_limits`.
"""

from ._batch import BatchResult, Upload, submit_files, submit_many
from ._dedup import candidates_by_report, candidates_of
from ._desk import UNTRIAGED, Oldest, TriageCounts, triage_counts
from ._feeds import import_epss, import_kev, rescore
from ._limits import (
    DEFAULT_BACKGROUND_ITEMS,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ITEMS,
    background_items,
    max_batch_bytes,
    max_batch_documents,
    max_bytes,
    max_items,
)
from ._search import matching, submissions_matching, submitting_organisations
from ._submission import Outcome, process, read_upload, retry, stalled, submit
from ._triage import ConflictingIdentifiers, bulk_triage, triage

__all__ = [
    "DEFAULT_BACKGROUND_ITEMS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ITEMS",
    "UNTRIAGED",
    "BatchResult",
    "ConflictingIdentifiers",
    "Oldest",
    "Outcome",
    "TriageCounts",
    "Upload",
    "background_items",
    "bulk_triage",
    "candidates_by_report",
    "candidates_of",
    "import_epss",
    "import_kev",
    "matching",
    "max_batch_bytes",
    "max_batch_documents",
    "max_bytes",
    "max_items",
    "process",
    "read_upload",
    "rescore",
    "retry",
    "stalled",
    "submissions_matching",
    "submit",
    "submit_files",
    "submit_many",
    "submitting_organisations",
    "triage",
    "triage_counts",
]
