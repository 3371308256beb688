"""`clearinghouse bench intake`: intake throughput on CISA CSAF, through the real service.

The whole service path is timed on a scratch database: one large CSAF document, a stream of
small ones (one by one, then as batches), and an AI lab's flood without identifiers.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, scratch_django

from ._corpus import cisa_dir, product_ids


def _renamed(value: Any, ids: set[str], prefix: str) -> Any:
    if isinstance(value, dict):
        return {key: _renamed(item, ids, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, ids, prefix) for item in value]
    if isinstance(value, str) and value in ids:
        return prefix + value
    return value


def large_csaf(root: Path, count: int) -> dict[str, Any]:
    """One CSAF document with `count` real CISA vulnerabilities, their products renamed apart."""
    merged: dict[str, Any] | None = None
    seen_cves: set[str] = set()
    for number, path in enumerate(sorted(root.rglob("*.json"))):
        document = json.loads(path.read_bytes())
        tree = document.get("product_tree") or {}
        ids = set(product_ids(tree))
        document = _renamed(document, ids, f"D{number}-")
        if merged is None:
            merged = document
            merged["vulnerabilities"] = []
            merged["product_tree"] = {"branches": [], "relationships": [], "product_groups": []}
        fresh = [v for v in document.get("vulnerabilities") or [] if v.get("cve") not in seen_cves]
        if not fresh:
            continue
        seen_cves |= {v["cve"] for v in fresh if v.get("cve")}
        for key in ("branches", "relationships", "product_groups", "full_product_names"):
            merged["product_tree"].setdefault(key, []).extend(document["product_tree"].get(key, []))
        merged["vulnerabilities"].extend(fresh[: count - len(merged["vulnerabilities"])])
        if len(merged["vulnerabilities"]) >= count:
            break
    if merged is None or len(merged["vulnerabilities"]) < count:
        raise BadInput(f"{root}: fewer than {count} vulnerabilities")
    merged["product_tree"] = {k: v for k, v in merged["product_tree"].items() if v}
    merged["document"]["tracking"]["id"] = "BENCH-400"
    merged["document"]["title"] = f"{count} vulnerabilities from CISA advisories"
    return merged


def bench_intake(args: argparse.Namespace) -> int:
    """Reports/s of bulk intake with dedup, and one large CSAF document, on a scratch database.

    Without --database a temporary SQLite database is made; a PostgreSQL URL must name a
    dedicated, empty database (the benchmark adds submissions and audit events to it).
    """
    import secrets
    import time

    root = cisa_dir(args.csaf)
    scratch_django(args.database, "clearinghouse-bench-")
    from django.db import connection

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.intake import services
    from clearinghouse.intake.models import Report

    if Report.objects.exists():
        raise BadInput("the database already holds reports: point --database at an empty one")
    lab = Organisation.objects.create(name="Bench Lab", kind="lab")
    user = create_user(
        username="bench-lab",
        password=secrets.token_urlsafe(),
        role=Role.DEVELOPER,
        organisation=lab,
    )
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")

    big = json.dumps(large_csaf(root, args.items)).encode()
    started = time.perf_counter()
    outcome = services.submit(user, big, background=False)
    seconds = time.perf_counter() - started
    print(
        f"one CSAF document of {outcome.submission.total_items} vulnerabilities "
        f"({len(big) / 1e6:.1f} MB): {seconds:.2f} s including schema validation, scoring and dedup"
    )
    paths = sorted(root.rglob("*.json"))[: args.documents]
    documents = [path.read_bytes() for path in paths]
    stored = Report.objects.count()
    started = time.perf_counter()
    reports = 0
    for data in documents:
        reports += services.submit(user, data, background=False).submission.total_items
    seconds = time.perf_counter() - started
    print(
        f"bulk intake one by one: {len(documents):,} CISA documents, {reports:,} reports in "
        f"{seconds:.1f} s: {reports / seconds:,.0f} reports/s, "
        f"{seconds / len(documents) * 1000:.1f} ms a document (validation, scoring, dedup against "
        f"{stored:,} stored reports and each other)"
    )
    _bench_batches(user, documents, args.batch_size, keep={outcome.submission.pk})
    _bench_native(user, root, args.native_items)
    return EXIT_OK


def _bench_batches(user: Any, documents: list[bytes], size: int, keep: set[int]) -> None:
    """The same documents as bulk uploads of `size` documents each (`services.submit_many`).

    First by the same lab against the same store as the one-by-one run (its submissions are
    deleted first), then by a second lab, when every report's twin is stored already (the
    case with the most dedup work: a candidate and a link for every report).
    """
    import secrets
    import time

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.intake import services
    from clearinghouse.intake.models import Report, Submission

    if size < 1:
        raise BadInput("--batch-size: give at least 1")
    Submission.objects.filter(organisation=user.organisation).exclude(pk__in=keep).delete()
    second = create_user(
        username="bench-lab-2",
        password=secrets.token_urlsafe(),
        role=Role.DEVELOPER,
        organisation=Organisation.objects.create(name="Bench Lab 2", kind="lab"),
    )
    for who, case in ((user, "same store"), (second, "every report's twin stored")):
        stored = Report.objects.count()
        uploads = [services.Upload(data, f"{n}.json") for n, data in enumerate(documents)]
        started = time.perf_counter()
        results = []
        for start in range(0, len(uploads), size):
            results += services.submit_many(who, uploads[start : start + size], background=False)
        seconds = time.perf_counter() - started
        reports = sum(r.outcome.submission.total_items for r in results if r.outcome is not None)
        linked = Report.objects.filter(organisation=who.organisation, duplicate_of__isnull=False)
        print(
            f"bulk intake in batches of {size:,} ({case}): {len(uploads):,} documents, "
            f"{reports:,} reports in {seconds:.1f} s: {reports / seconds:,.0f} reports/s, "
            f"{seconds / len(uploads) * 1000:.1f} ms a document (dedup against {stored:,} "
            f"stored reports and each other; {linked.count():,} linked as duplicates)"
        )


def _bench_native(user: Any, root: Path, count: int) -> None:
    import time

    from clearinghouse.core.formats.csaf import read_csaf
    from clearinghouse.core.scoring.dedup import report_from_csaf, strip_identifiers
    from clearinghouse.intake import services
    from clearinghouse.intake.models import Report

    reports: list[dict[str, Any]] = []
    for path in sorted(root.rglob("*.json"), reverse=True):
        for item in read_csaf(path, validate=False).items:
            hidden = strip_identifiers(report_from_csaf(item))
            reports.append(
                {
                    "title": (hidden.title or item.cwe_name or "untitled")[:500],
                    "description": hidden.description[:100_000],
                    "cwe": hidden.cwe,
                    "products": [
                        {key: value[:200] for key, value in vars(p).items() if key != "purl"}
                        for p in hidden.products[:500]
                    ],
                    "cvss_vectors": [v for v in hidden.cvss_vectors if v][:10],
                }
            )
        if len(reports) >= count:
            break
    documents = [
        json.dumps({"reports": reports[start : start + 1000]}).encode()
        for start in range(0, min(count, len(reports)), 1000)
    ]
    started = time.perf_counter()
    total = sum(
        services.submit(user, data, background=False).submission.total_items for data in documents
    )
    seconds = time.perf_counter() - started
    print(
        f"AI-lab flood: {total:,} reports without identifiers in native documents of up to "
        f"1,000: {seconds:.1f} s, {total / seconds:,.0f} reports/s (dedup against "
        f"{Report.objects.count():,} stored reports)"
    )


def add_verb(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench intake`."""
    intake_bench = verb(benches, "intake", bench_intake, "bulk intake reports/s with dedup")
    intake_bench.add_argument("--database", help="postgres://… of a dedicated, empty database")
    intake_bench.add_argument("--csaf", metavar="DIR", help="CISA CSAF advisories")
    intake_bench.add_argument("--documents", type=int, default=300)
    intake_bench.add_argument("--items", type=int, default=400, help="items of the large document")
    intake_bench.add_argument(
        "--batch-size", type=int, default=300, help="documents per bulk upload"
    )
    intake_bench.add_argument("--native-items", type=int, default=3000, help="AI-lab flood size")
