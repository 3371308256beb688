"""Batching does not change dedup's answer: the same documents one by one, in batches, at once.

Each document's reports meet the candidates the store-wide index finds for them, weighed by
the store's word counts as of their arrival, so the stored candidates (with their scores) and
the duplicate groups are the same however the documents were grouped into submissions.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pytest
from django.db import transaction

from clearinghouse.intake import services
from clearinghouse.intake.models import DuplicateCandidate, Report, ReportKey, TermFrequency

pytestmark = pytest.mark.django_db

_VENDORS = ["Gridware", "Helios Controls", "Prairie Automation", "Northwind Devices", "Omnimeter"]
_PRODUCTS = ["RTU-9", "HMI Studio", "PLC-400", "Gateway X", "Meter Pro", "Relay 7"]
_WEAKNESS = [
    ("CWE-121", "a stack-based buffer overflow"),
    ("CWE-79", "cross-site scripting"),
    ("CWE-22", "a path traversal"),
    ("CWE-798", "hard-coded credentials"),
    ("CWE-306", "missing authentication"),
]
_PARTS = ["parser", "web server", "firmware updater", "login page", "Modbus handler", "logger"]


def _bug(rng: random.Random, n: int) -> dict[str, Any]:
    """An invented bug: its product, weakness and a few specific words only it has."""
    cwe, kind = rng.choice(_WEAKNESS)
    return {
        "vendor": rng.choice(_VENDORS),
        "product": rng.choice(_PRODUCTS),
        "version": f"{rng.randint(1, 9)}.{rng.randint(0, 20)}",
        "cwe": cwe,
        "kind": kind,
        "part": rng.choice(_PARTS),
        "words": [f"fn{n}x{rng.randint(100, 999)}", f"field{n}q", f"opcode{rng.randint(1, 99)}"],
    }


def _report(bug: dict[str, Any], rng: random.Random, rewording: bool) -> dict[str, Any]:
    sentences = [
        f"The {bug['part']} of {bug['product']} has {bug['kind']}.",
        f"A crafted request to {bug['words'][0]} with an oversized {bug['words'][1]} triggers it.",
        f"Successful exploitation through {bug['words'][2]} may allow an attacker to run code.",
        "The vendor recommends updating to the latest version.",
    ]
    if rewording:
        rng.shuffle(sentences)
        sentences = [*sentences[:-1], "Users should apply the fix."]
    return {
        "title": f"{bug['kind'].capitalize()} in {bug['product']} {bug['part']}",
        "description": " ".join(sentences),
        "cwe": bug["cwe"],
        "products": [
            {"vendor": bug["vendor"], "product": bug["product"], "version": bug["version"]}
        ],
    }


def _documents(count: int = 36, seed: int = 7) -> list[bytes]:
    """Documents of one to three invented reports; about a third re-report an earlier bug."""
    rng = random.Random(seed)
    bugs: list[dict[str, Any]] = []
    documents = []
    for _ in range(count):
        reports = []
        for _ in range(rng.randint(1, 3)):
            if bugs and rng.random() < 0.35:
                reports.append(_report(rng.choice(bugs), rng, rewording=True))
            else:
                bugs.append(_bug(rng, len(bugs)))
                reports.append(_report(bugs[-1], rng, rewording=False))
        documents.append(json.dumps({"reports": reports}).encode())
    return documents


def _outcome(
    user: Any, documents: Sequence[bytes], size: int
) -> tuple[set[tuple[Any, ...]], set[tuple[Any, ...]]]:
    """Send the documents in batches of `size`; the groups and candidates, by (document, item).

    Run inside a rolled-back transaction, so each batching starts from the same empty store.
    """
    with transaction.atomic():
        for start in range(0, len(documents), size):
            chunk = documents[start : start + size]
            if size == 1:
                services.submit(user, chunk[0], background=False)
            else:
                uploads = [
                    services.Upload(data, f"{start + n}.json") for n, data in enumerate(chunk)
                ]
                results = services.submit_many(user, uploads, background=False)
                assert all(result.outcome for result in results)
        place = {
            pk: (sha, index)
            for pk, sha, index in Report.objects.values_list("pk", "submission__sha256", "index")
        }
        groups = {
            (place[pk], place[up])
            for pk, up in Report.objects.filter(duplicate_of__isnull=False).values_list(
                "pk", "duplicate_of_id"
            )
            if up is not None
        }
        candidates = {
            (place[a], place[b], round(score, 6))
            for a, b, score in DuplicateCandidate.objects.values_list(
                "report", "candidate", "score"
            )
        }
        assert ReportKey.objects.filter(key__startswith="w:").exists()
        assert TermFrequency.objects.get(term=TermFrequency.REPORTS).reports == len(place)
        transaction.set_rollback(True)
    return groups, candidates


def test_one_by_one_in_batches_and_at_once_give_the_same_groups_and_scores(cast) -> None:
    documents = _documents()
    user = cast["lab1"]
    one_by_one = _outcome(user, documents, 1)
    groups, candidates = one_by_one
    # The invented re-reports are found: not a vacuous comparison.
    assert len(groups) >= 5 and len(candidates) >= len(groups)
    assert _outcome(user, documents, 5) == one_by_one
    assert _outcome(user, documents, len(documents)) == one_by_one


def test_a_declined_report_is_no_longer_a_candidate_and_a_restart_keeps_the_index(cast) -> None:
    documents = _documents(count=12, seed=3)
    services.submit_many(
        cast["lab1"], [services.Upload(d, f"{n}.json") for n, d in enumerate(documents)]
    )
    first = Report.objects.order_by("pk").first()
    assert first is not None
    twin = {"title": first.title, "description": first.description, "cwe": first.cwe}
    again = json.dumps({"reports": [twin | {"products": first.products}]}).encode()
    # The index is read from the database each time: what another process wrote counts.
    outcome = services.submit(cast["lab2"], again, background=False)
    (report,) = outcome.submission.reports.all()
    assert report.duplicate_of_id in {first.pk, first.duplicate_of_id}
    Report.objects.filter(pk__in=[first.pk, report.pk]).update(status=Report.Status.DECLINED)
    Report.objects.filter(duplicate_of=first).update(duplicate_of=None)
    later = services.submit(
        cast["lab2"], json.dumps({"reports": [twin | {"title": "again"}]}).encode()
    )
    (third,) = later.submission.reports.all()
    met = set(third.candidates.values_list("candidate", flat=True))
    assert first.pk not in met and report.pk not in met


def _index_rows() -> tuple[set[tuple[int, str]], set[tuple[str, int]]]:
    postings = set(ReportKey.objects.values_list("report", "key"))
    return postings, set(TermFrequency.objects.values_list("term", "reports"))


def test_a_rebuilt_index_is_the_one_intake_wrote_and_repairs_a_lost_one(cast) -> None:
    documents = _documents(count=15, seed=5)
    for data in documents:
        services.submit(cast["lab1"], data, background=False)
    written = _index_rows()
    assert services.reindex().reports == Report.objects.count()
    assert _index_rows() == written
    # A store from before the index (or restored without it): a rebuild makes it whole.
    ReportKey.objects.all().delete()
    TermFrequency.objects.all().delete()
    done = services.reindex()
    assert _index_rows() == written
    assert done.postings == len(written[0]) and done.terms == len(written[1]) - 1
    # And deleting a submission leaves counts a rebuild corrects.
    before = Report.objects.count()
    Report.objects.order_by("-pk").first().submission.delete()  # type: ignore[union-attr]
    assert TermFrequency.objects.get(term=TermFrequency.REPORTS).reports == before  # stale
    services.reindex()
    reports = TermFrequency.objects.get(term=TermFrequency.REPORTS).reports
    assert reports == Report.objects.count() < before


def test_postgresql_sessions_run_without_jit_compilation() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting (scripts/test runs this file on PostgreSQL too)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
