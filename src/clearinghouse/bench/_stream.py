"""`bench dedup --stream`: CISA's advisories through the real intake service, as reports arrive.

Each CSAF document is scrubbed as a reporter's would read before anyone assigned an id: its
items' `cve`, `ids` and `references` and the document's references are dropped, every
identifier quoted in any text is removed (the core's `scrub_identifiers`, as `bench dedup`
hides them), and its tracking id becomes `DOC-n`. The documents are sent in publication order
(`initial_release_date`) through `services.submit` (one per submission) or `submit_many`
(batches), on a scratch database; then the duplicate groups intake linked and the candidates
it stored are scored against the CVEs hidden: two items naming one CVE are a true pair.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clearinghouse.core.scoring.dedup import PairwiseScores, evaluate_groups, scrub_identifiers

from ._corpus import product_ids

#: The thresholds candidates are scored at (0.5: the least score stored, shown to coordinators).
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
_DROPPED = ("cve", "ids", "references")


@dataclass(frozen=True)
class Document:
    """One scrubbed advisory ready to send, and the CVE each of its items named (hidden)."""

    data: bytes
    cves: tuple[str | None, ...]
    released: str


def _scrubbed(value: Any, keep: set[str]) -> Any:
    if isinstance(value, dict):
        return {key: _scrubbed(item, keep) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, keep) for item in value]
    if isinstance(value, str) and value not in keep:
        # CSAF's texts must not be empty: a title that was only an id reads "(removed)".
        return scrub_identifiers(value) or "(removed)"
    return value


def scrubbed(document: dict[str, Any], number: int) -> Document:
    """The document as the stream sends it: identifiers removed, tracking id `DOC-<number>`.

    Product and group ids are kept as they are (the items refer to them).
    """
    vulnerabilities = document.get("vulnerabilities") or []
    cves = tuple(item.get("cve") for item in vulnerabilities)
    for item in vulnerabilities:
        for key in _DROPPED:
            item.pop(key, None)
    document["document"].pop("references", None)
    clean = _scrubbed(document, set(product_ids(document.get("product_tree") or {})))
    tracking = clean["document"]["tracking"]
    tracking["id"] = f"DOC-{number}"
    return Document(json.dumps(clean).encode(), cves, tracking.get("initial_release_date", ""))


def documents(paths: Iterable[Path]) -> list[Document]:
    """The advisories at `paths`, scrubbed, in publication order (then path)."""
    read = [(json.loads(path.read_bytes()), str(path)) for path in paths]
    read.sort(key=lambda pair: (pair[0]["document"]["tracking"]["initial_release_date"], pair[1]))
    return [scrubbed(document, number) for number, (document, _) in enumerate(read, 1)]


@dataclass(frozen=True)
class StreamResult:
    """What intake made of the stream: its groups and its candidates at each threshold."""

    reports: int
    seconds: float
    groups: PairwiseScores
    candidates: dict[float, PairwiseScores]


def send(user: Any, sent: Sequence[Document], batch: int) -> tuple[dict[int, int], float]:
    """Send the documents in order, `batch` a submission (1: one by one through `submit`).

    Returns each submission's position in `sent`, and the seconds taken.
    """
    from clearinghouse.intake import services

    position: dict[int, int] = {}
    started = time.perf_counter()
    for start in range(0, len(sent), batch):
        chunk = sent[start : start + batch]
        if batch == 1:
            position[services.submit(user, chunk[0].data, background=False).submission.pk] = start
            continue
        uploads = [services.Upload(d.data, f"{start + n}.json") for n, d in enumerate(chunk)]
        for n, result in enumerate(services.submit_many(user, uploads, background=False)):
            if result.outcome is None:
                raise RuntimeError(f"document {start + n} was refused: {result}")
            position[result.outcome.submission.pk] = start + n
    return position, time.perf_counter() - started


def score(sent: Sequence[Document], position: dict[int, int], seconds: float) -> StreamResult:
    """Score the groups and candidates stored against the CVEs hidden."""
    from clearinghouse.intake.models import DuplicateCandidate, Report

    truth: dict[str, list[str]] = {}
    parent: dict[int, int | None] = {}
    rows = Report.objects.values_list("pk", "submission_id", "index", "duplicate_of_id")
    for pk, submission, index, up in rows:
        parent[pk] = up
        cve = sent[position[submission]].cves[index]
        truth.setdefault(cve or f"report {pk}", []).append(str(pk))

    def root(pk: int) -> int:
        seen = {pk}
        while (up := parent[pk]) is not None and up not in seen:
            seen.add(pk := up)
        return pk

    groups: dict[int, list[str]] = {}
    for pk in parent:
        groups.setdefault(root(pk), []).append(str(pk))
    pairs = list(DuplicateCandidate.objects.values_list("report", "candidate", "score"))
    candidates = {
        threshold: evaluate_groups(
            [(str(a), str(b)) for a, b, found in pairs if found >= threshold], truth.values()
        )
        for threshold in THRESHOLDS
    }
    return StreamResult(
        len(parent), seconds, evaluate_groups(groups.values(), truth.values()), candidates
    )
