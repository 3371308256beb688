"""`clearinghouse notices …`: the pre-deployment review workflow from a terminal, via the API.

Labs file, submit, grant access and withdraw; agency leads assign; reviewers record findings,
release them and decide. Each verb calls one API endpoint, so the server's rules apply.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from ._client import api_request, required_server
from ._common import EXIT_OK, BadInput, add_page_options, page_query, page_summary


def _call(args: argparse.Namespace, method: str, path: str, body: Any = None) -> Any:
    return api_request(required_server(args), method, path, body)


def _show(args: argparse.Namespace, result: Any) -> int:
    if args.json or not isinstance(result, dict) or "status" not in result:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    deadline = (
        result["review_deadline"].replace("T", " ").replace("+00:00", " UTC").replace("Z", " UTC")
    )
    print(
        f"notice #{result['id']} {result['model']} [{result['status']}] "
        f"deadline {deadline} ({result['days_remaining']} days left)"
    )
    for track in result["tracks"]:
        decision = track["decision"] or "undecided"
        print(
            f"  {track['track']} (track {track['id']}): {decision}; reviewers: "
            f"{', '.join(track['reviewers']) or 'none'}"
        )
    if result["overall_decision"]:
        print(f"  overall: {result['overall_decision']}")
    return EXIT_OK


def _text_file(path: str | None) -> str:
    if not path:
        return ""
    file = Path(path)
    if not file.is_file() or file.stat().st_size > 1024 * 1024:
        raise BadInput(f"{path}: not a readable file of at most 1 MiB")
    return file.read_text(encoding="utf-8")


def listing(args: argparse.Namespace) -> int:
    """List a page of the notices I may see, soonest deadline first, with the total."""
    page = _call(args, "GET", "/reviews/notices" + page_query(args))
    if args.json:
        print(json.dumps(page, indent=2))
        return EXIT_OK
    for notice in page["items"]:
        print(
            f"#{notice['id']:<5} {notice['status']:<13} {notice['review_deadline'][:16]} UTC "
            f"{notice['days_remaining']:>4} days  {notice['model']} ({notice['organisation']})"
        )
    print(page_summary(args, page))
    return EXIT_OK


def file(args: argparse.Namespace) -> int:
    """File a draft notice for one of my lab's covered models."""
    body = {
        "ai_model_id": args.model_id,
        "planned_release_date": args.release,
        "training_data_summary": _text_file(args.training_data_summary),
        "stress_test_results": _text_file(args.stress_test_results),
    }
    return _show(args, _call(args, "POST", "/reviews/notices", body))


def lifecycle(args: argparse.Namespace) -> int:
    """Submit, withdraw or record the release of a notice."""
    return _show(args, _call(args, "POST", f"/reviews/notices/{args.notice_id}/{args.step}"))


def show(args: argparse.Namespace) -> int:
    """Show one notice."""
    return _show(args, _call(args, "GET", f"/reviews/notices/{args.notice_id}"))


def grant(args: argparse.Namespace) -> int:
    """Give reviewers access; the key is read from CLEARINGHOUSE_MODEL_API_KEY, never argv."""
    body: dict[str, Any] = {"kind": args.kind, "model": args.model, "base_url": args.base_url}
    key = os.environ.get("CLEARINGHOUSE_MODEL_API_KEY")
    if key:
        body["api_key"] = key
    result = _call(args, "POST", f"/reviews/notices/{args.notice_id}/access-grants", body)
    print(json.dumps(result, indent=2))
    return EXIT_OK


def assign(args: argparse.Namespace) -> int:
    """Assign a reviewer to a track (admins and the track's agency lead)."""
    body = {"reviewer": args.reviewer}
    print(
        json.dumps(
            _call(args, "POST", f"/reviews/tracks/{args.track_id}/assignments", body), indent=2
        )
    )
    return EXIT_OK


def finding(args: argparse.Namespace) -> int:
    """Record a finding on a track I review."""
    body = {
        "category": args.category,
        "severity": args.severity,
        "title": args.title,
        "description": args.description,
        "assessment_reference": args.assessment or "",
    }
    print(
        json.dumps(_call(args, "POST", f"/reviews/tracks/{args.track_id}/findings", body), indent=2)
    )
    return EXIT_OK


def release_finding(args: argparse.Namespace) -> int:
    """Release a finding to the lab."""
    print(json.dumps(_call(args, "POST", f"/reviews/findings/{args.finding_id}/release"), indent=2))
    return EXIT_OK


def decide(args: argparse.Namespace) -> int:
    """Decide for a track I review."""
    body = {"decision": args.decision, "rationale": args.rationale, "conditions": args.condition}
    return _show(args, _call(args, "POST", f"/reviews/tracks/{args.track_id}/decision", body))


def report(args: argparse.Namespace) -> int:
    """Save the review report of a notice as a PDF."""
    content = api_request(
        required_server(args), "GET", f"/reviews/notices/{args.notice_id}/report.pdf", raw=True
    )
    Path(args.output).write_bytes(content)
    print(f"wrote {args.output} ({len(content)} bytes)")
    return EXIT_OK


def add_verbs(group: Any, verb: Any) -> None:
    """Register the `notices` verbs on the group (see cli/__init__.py)."""

    def with_server(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--server", help="server URL (or CLEARINGHOUSE_SERVER)")
        parser.add_argument("--json", action="store_true", help="print JSON")
        return parser

    add_page_options(with_server(verb(group, "list", listing, "list notices")))
    filed = with_server(verb(group, "file", file, "file a draft notice"))
    filed.add_argument("model_id", type=int)
    filed.add_argument("--release", required=True, help="planned release date, YYYY-MM-DD")
    filed.add_argument("--training-data-summary", metavar="FILE")
    filed.add_argument("--stress-test-results", metavar="FILE")
    with_server(verb(group, "show", show, "show a notice")).add_argument("notice_id", type=int)
    for step, text in (
        ("submit", "submit for review"),
        ("withdraw", "withdraw"),
        ("release", "record the public release"),
    ):
        parser = with_server(verb(group, step, lifecycle, text))
        parser.add_argument("notice_id", type=int)
        parser.set_defaults(step=step)
    granted = with_server(verb(group, "grant", grant, "grant reviewers access"))
    granted.add_argument("notice_id", type=int)
    granted.add_argument("--kind", required=True, choices=["openai_compatible", "inspect_provider"])
    granted.add_argument("--model", required=True)
    granted.add_argument("--base-url", default="")
    assigned = with_server(verb(group, "assign", assign, "assign a reviewer to a track"))
    assigned.add_argument("track_id", type=int)
    assigned.add_argument("reviewer", help="username")
    found = with_server(verb(group, "finding", finding, "record a finding"))
    found.add_argument("track_id", type=int)
    found.add_argument("--category", required=True)
    found.add_argument("--severity", required=True)
    found.add_argument("--title", required=True)
    found.add_argument("--description", required=True)
    found.add_argument("--assessment")
    with_server(
        verb(group, "release-finding", release_finding, "release a finding to the lab")
    ).add_argument("finding_id", type=int)
    decided = with_server(verb(group, "decide", decide, "decide for a track"))
    decided.add_argument("track_id", type=int)
    decided.add_argument("--decision", required=True)
    decided.add_argument("--rationale", required=True)
    decided.add_argument("--condition", action="append", default=[])
    reported = with_server(verb(group, "report", report, "save the review report as PDF"))
    reported.add_argument("notice_id", type=int)
    reported.add_argument("--output", required=True, metavar="FILE.pdf")
