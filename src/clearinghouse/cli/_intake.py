"""`clearinghouse intake FILE…`: submit vulnerability documents, through the API or locally.

Against a server (`--server`, token in CLEARINGHOUSE_TOKEN) each file is POSTed as it is;
with `--as-user` it goes straight to the local database. Either way the server's rules
apply: a file with any problem is refused whole, and a file sent again creates nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ._client import api_call, server_url
from ._common import EXIT_BAD_INPUT, EXIT_OK, BadInput, field_errors, setup_django

_MAX_FILE_BYTES = 20 * 1024 * 1024


def _options(args: argparse.Namespace) -> dict[str, str]:
    options = {
        "format": args.format or "",
        "reporter_kind": args.reporter_kind or "",
        "model": args.model or "",
        "assessment": args.assessment or "",
    }
    return {key: value for key, value in options.items() if value}


def _post(server: str, path: Path, data: bytes, options: dict[str, str]) -> dict[str, Any]:
    query = urllib.parse.urlencode(options | {"filename": path.name})
    is_yaml = path.suffix.lower() in {".yaml", ".yml"}
    status, content = api_call(
        server,
        "POST",
        f"/intake/submissions?{query}",
        data=data,
        content_type="application/yaml" if is_yaml else "application/json",
        source=str(path),
    )
    result: dict[str, Any] = json.loads(content)
    result["created"] = status == 201
    return result


def _local(username: str) -> Callable[[Path, bytes, dict[str, str]], dict[str, Any]]:
    setup_django()
    from clearinghouse.accounts.models import User
    from clearinghouse.errors import InvalidInput
    from clearinghouse.intake import services
    from clearinghouse.intake.api import SubmissionOut

    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise BadInput(f"--as-user: no active user {username!r}") from None

    def submit(path: Path, data: bytes, options: dict[str, str]) -> dict[str, Any]:
        try:
            outcome = services.submit(
                user,
                data,
                filename=path.name,
                format=options.get("format"),
                reporter_kind=options.get("reporter_kind"),
                model_name=options.get("model", ""),
                assessment_reference=options.get("assessment", ""),
                background=False,
            )
        except InvalidInput as error:
            raise field_errors(
                str(path), [{"loc": list(e.loc), "msg": e.msg} for e in error.errors]
            ) from None
        result: dict[str, Any] = SubmissionOut.from_orm(outcome.submission).dict()
        result["created"] = outcome.created
        return json.loads(json.dumps(result, default=str))  # type: ignore[no-any-return]

    return submit


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise BadInput(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
    return path.read_bytes()


@contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[], None]]:
    if total < 2 or quiet:
        yield lambda: None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task("submitting", total=total)
        yield lambda: bar.advance(task)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _summary(path: Path, result: dict[str, Any]) -> dict[str, Any]:
    return {
        "file": str(path),
        "submission": result["id"],
        "created": result["created"],
        "format": result["format"],
        "status": result["status"],
        "total_items": result["total_items"],
        "processed_items": result["processed_items"],
        "items": [
            {
                "index": report["index"],
                "report_id": report["id"],
                "duplicate_of": report["duplicate_of"],
                "status": report["status"],
                "title": report["title"],
            }
            for report in result["reports"]
        ],
    }


def intake(args: argparse.Namespace) -> int:
    """Submit OSV, CSAF 2.0, CVE JSON 5, SARIF 2.1.0 or native JSON files; exit 2 if any refused.

    Each file is one submission; every item is listed with its report id and, when dedup
    found an earlier report of the same vulnerability, `duplicate_of`.
    """
    paths = [Path(name) for name in args.files]
    server = server_url(args, local_allowed=True)
    send = (
        (lambda path, data, options: _post(server, path, data, options))
        if server
        else _local(args.as_user)
    )
    done: list[dict[str, Any]] = []
    refused: list[str] = []
    with _progress(len(paths), quiet=False) as advance:
        for path in paths:
            try:
                done.append(_summary(path, send(path, _read(path), _options(args))))
            except BadInput as error:
                refused += str(error).splitlines()
            advance()
    if args.json:
        print(json.dumps(done, indent=2))
    else:
        for entry in done:
            state = "new" if entry["created"] else "already submitted"
            print(
                f"{entry['file']}: submission #{entry['submission']} ({entry['format']}, {state}) "
                f"{entry['status']}, {entry['processed_items']}/{entry['total_items']} items"
            )
            for item in entry["items"]:
                duplicate = (
                    f"  duplicate of #{item['duplicate_of']}" if item["duplicate_of"] else ""
                )
                title = item["title"][:70]
                print(f"  [{item['index']}] report #{item['report_id']} {title}{duplicate}")
    for line in refused:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT if refused else EXIT_OK


def import_kev(args: argparse.Namespace) -> int:
    """Load CISA's KEV catalog (JSON, optionally gzipped) and re-score reports naming its CVEs."""
    return _import_feed(args, "kev")


def import_epss(args: argparse.Namespace) -> int:
    """Load a daily EPSS CSV (optionally gzipped) and re-score reports naming its CVEs."""
    return _import_feed(args, "epss")


def _import_feed(args: argparse.Namespace, kind: str) -> int:
    path = Path(args.path)
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    setup_django()
    from django.core.exceptions import PermissionDenied

    from clearinghouse.accounts.models import User
    from clearinghouse.errors import InvalidInput
    from clearinghouse.intake import services

    user = None
    if args.as_user:
        user = User.objects.filter(username=args.as_user, is_active=True).first()
        if user is None:
            raise BadInput(f"--as-user: no active user {args.as_user!r}")
    importer = services.import_kev if kind == "kev" else services.import_epss
    try:
        run = importer(user, path)
    except InvalidInput as error:
        raise BadInput(str(error)) from None
    except PermissionDenied as error:
        raise BadInput(str(error)) from None
    label = f" {run.version}" if run.version else ""
    print(f"{kind.upper()}{label}: {run.entries:,} entries; {run.rescored:,} reports re-scored")
    return EXIT_OK


def add_verbs(verbs: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `intake` on the top level."""
    parser = verb(verbs, "intake", intake, "submit vulnerability reports (files)")
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--server", help="server URL (or CLEARINGHOUSE_SERVER); token in CLEARINGHOUSE_TOKEN"
    )
    parser.add_argument("--as-user", help="submit to the local database as this user instead")
    parser.add_argument("--json", action="store_true", help="print every item as JSON")
    parser.add_argument("--format", choices=["osv", "csaf", "cve5", "sarif", "native"])
    parser.add_argument("--reporter-kind", choices=["lab", "researcher", "vendor", "operator"])
    parser.add_argument("--model", help="the AI model that found the vulnerabilities")
    parser.add_argument("--assessment", help="the assessment that found them")


def add_feed_verbs(feeds: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `import kev` and `import epss` next to `import osv`."""
    for name, handler, text in (
        ("kev", import_kev, "import CISA's Known Exploited Vulnerabilities catalog"),
        ("epss", import_epss, "import a daily EPSS scores CSV"),
    ):
        parser = verb(feeds, name, handler, text)
        parser.add_argument("path", metavar="FILE")
        parser.add_argument("--as-user", help="the coordinator or admin doing it (audited)")


# --- benchmarks ------------------------------------------------------------------------------


def _cisa_dir(given: str | None) -> Path:
    default = Path(os.environ.get("CLEARINGHOUSE_SHARED_DATA", "../shared/data")) / "csaf/cisa"
    root = Path(given) if given else default
    if not root.is_dir():
        raise BadInput(f"{root}: no such directory (give --csaf DIR: CISA CSAF advisories)")
    return root


def bench_dedup(args: argparse.Namespace) -> int:
    """Regroup CISA's CSAF advisories with every identifier hidden; print pairwise P/R/F1."""
    from clearinghouse.core.scoring.dedup import benchmark_csaf

    paths = sorted(_cisa_dir(args.csaf).rglob("*.json"))
    if args.limit:
        paths = paths[: args.limit]
    result = benchmark_csaf(paths, threshold=args.threshold)
    scores = result.scores
    print(
        f"{result.documents:,} documents, {result.reports:,} vulnerability items, "
        f"threshold {result.threshold}, {result.seconds:.1f} s"
    )
    print(
        f"pairs: {scores.true_pairs:,} true (same CVE), {scores.predicted_pairs:,} predicted, "
        f"{scores.correct_pairs:,} correct"
    )
    print(f"precision {scores.precision:.3f}  recall {scores.recall:.3f}  F1 {scores.f1:.3f}")
    return EXIT_OK


def _renamed(value: Any, ids: set[str], prefix: str) -> Any:
    if isinstance(value, dict):
        return {key: _renamed(item, ids, prefix) for key, item in value.items()}
    if isinstance(value, list):
        return [_renamed(item, ids, prefix) for item in value]
    if isinstance(value, str) and value in ids:
        return prefix + value
    return value


def _product_ids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in {"product_id", "group_id"} and isinstance(item, str):
                yield item
            else:
                yield from _product_ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _product_ids(item)


def large_csaf(root: Path, count: int) -> dict[str, Any]:
    """One CSAF document with `count` real CISA vulnerabilities, their products renamed apart."""
    merged: dict[str, Any] | None = None
    seen_cves: set[str] = set()
    for number, path in enumerate(sorted(root.rglob("*.json"))):
        document = json.loads(path.read_bytes())
        tree = document.get("product_tree") or {}
        ids = set(_product_ids(tree))
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
    import tempfile
    import time

    root = _cisa_dir(args.csaf)
    url = args.database or os.environ.get("CLEARINGHOUSE_BENCH_DATABASE_URL")
    scratch = tempfile.mkdtemp(prefix="clearinghouse-bench-")
    os.environ["CLEARINGHOUSE_DATA_DIR"] = scratch
    if url:
        os.environ["CLEARINGHOUSE_DATABASE_URL"] = url
    else:
        os.environ.pop("CLEARINGHOUSE_DATABASE_URL", None)
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.intake import services
    from clearinghouse.intake.models import Report

    call_command("migrate", verbosity=0)
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
    started = time.perf_counter()
    reports = 0
    for data in documents:
        reports += services.submit(user, data, background=False).submission.total_items
    seconds = time.perf_counter() - started
    print(
        f"bulk intake: {len(documents):,} CISA documents, {reports:,} reports in {seconds:.1f} s: "
        f"{reports / seconds:,.0f} reports/s (validation, scoring, dedup against "
        f"{Report.objects.count():,} stored reports)"
    )
    _bench_native(user, root, args.native_items)
    return EXIT_OK


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


def add_bench_verbs(benches: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `bench intake` and `bench dedup`."""
    intake_bench = verb(benches, "intake", bench_intake, "bulk intake reports/s with dedup")
    intake_bench.add_argument("--database", help="postgres://… of a dedicated, empty database")
    intake_bench.add_argument("--csaf", metavar="DIR", help="CISA CSAF advisories")
    intake_bench.add_argument("--documents", type=int, default=300)
    intake_bench.add_argument("--items", type=int, default=400, help="items of the large document")
    intake_bench.add_argument("--native-items", type=int, default=3000, help="AI-lab flood size")
    dedup = verb(benches, "dedup", bench_dedup, "dedup precision/recall on CISA CSAF")
    dedup.add_argument("--csaf", metavar="DIR", help="CISA CSAF advisories")
    dedup.add_argument("--threshold", type=float, default=0.95)
    dedup.add_argument("--limit", type=int, default=0, help="only the first N documents")
