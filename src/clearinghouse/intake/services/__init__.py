"""The intake workflow: submit documents (one, or many at once), turn their items into scored,
de-duplicated reports, triage them (accept, decline, mark duplicate, merge, unmerge), split
and merge duplicate groups, and load the KEV/EPSS feeds.

Every state change is audited. A refused document stores nothing. Callers import this
package (`from clearinghouse.intake import services`), never its private modules:
`_submission` (one document, and the worker's part), `_batch` (many documents in one
transaction), `_reports` (items to scored reports), `_dedup` (blocking keys, the pool,
duplicate links), `_index` (dedup's store-wide index), `_reindex` (writing stored reports
into the index), `_links` (stored groups, read whole, and the rules for joining one), `_triage`
(coordinators' decisions), `_cluster` (one group side by side, split and merge), `_search`
(the report list's filter and order), `_desk` (the dashboard's triage counts), `_feeds` (KEV
and EPSS), `_limits`.
"""

from ._batch import BatchResult, Upload, submit_files, submit_many
from ._cluster import Cluster, ClusterMember, Evidence, cluster, members, merge, split
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
from ._links import ConflictingIdentifiers
from ._reindex import Reindexed, index_stored, reindex
from ._search import matching, submissions_matching, submitting_organisations
from ._submission import Outcome, process, read_upload, retry, stalled, submit
from ._triage import bulk_triage, triage

__all__ = [
    "DEFAULT_BACKGROUND_ITEMS",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_ITEMS",
    "UNTRIAGED",
    "BatchResult",
    "Cluster",
    "ClusterMember",
    "ConflictingIdentifiers",
    "Evidence",
    "Oldest",
    "Outcome",
    "Reindexed",
    "TriageCounts",
    "Upload",
    "background_items",
    "bulk_triage",
    "candidates_by_report",
    "candidates_of",
    "cluster",
    "import_epss",
    "import_kev",
    "index_stored",
    "matching",
    "max_batch_bytes",
    "max_batch_documents",
    "max_bytes",
    "max_items",
    "members",
    "merge",
    "process",
    "read_upload",
    "reindex",
    "rescore",
    "retry",
    "split",
    "stalled",
    "submissions_matching",
    "submit",
    "submit_files",
    "submit_many",
    "submitting_organisations",
    "triage",
    "triage_counts",
]
