"""`clearinghouse intake FILE…`: submit vulnerability documents, through the API or locally.

Against a server (`--server`, token in CLEARINGHOUSE_TOKEN) one file is POSTed as it is and
several go as batches (`POST /api/intake/submissions/batch`, each file still its own
submission); with `--as-user` they go straight to the local database (`submit_many`).
Either way the server's rules apply: a file with any problem is refused whole without
holding back the others, and a file sent again creates nothing. `--wait` follows
submissions the worker processes (large ones) until they are done.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ._client import api_call, api_request, server_url
from ._common import EXIT_BAD_INPUT, EXIT_OK, BadInput, field_errors, setup_django

_MAX_FILE_BYTES = 20 * 1024 * 1024
#: What one batch request carries at most (below the server's default limits).
_BATCH_FILES = 100
_BATCH_BYTES = 32 * 1024 * 1024
_POLL_SECONDS = 0.5
#: Reports read per request when listing a submission's items (the API's most).
_PAGE = 500
_FINAL = {"completed", "failed"}

#: A submission as the API shows it (plus `created`), or the refusal of one file.
Answer = dict[str, Any] | BadInput


@dataclass(frozen=True)
class _File:
    path: Path
    data: bytes


class _Backend(Protocol):
    def send(self, files: Sequence[_File], options: dict[str, str]) -> list[Answer]: ...

    def fetch(self, submission_id: int) -> dict[str, Any]: ...

    def retry(self, submission_id: int) -> dict[str, Any]: ...
    def reports(self, submission_id: int) -> list[dict[str, Any]]: ...


def _options(args: argparse.Namespace) -> dict[str, str]:
    options = {
        "format": args.format or "",
        "reporter_kind": args.reporter_kind or "",
        "model": args.model or "",
        "assessment": args.assessment or "",
    }
    return {key: value for key, value in options.items() if value}


def _multipart(files: Sequence[_File], fields: dict[str, str]) -> tuple[bytes, str]:
    """A multipart/form-data body with every file in the field `documents`."""
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        header = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{header}{value}\r\n".encode())
    for file in files:
        # As browsers do: no quote or line break can end the header early.
        filename = file.path.name.replace('"', "%22").replace("\r", "").replace("\n", "")
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="documents"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            + file.data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass(frozen=True)
class _Server:
    url: str

    def send(self, files: Sequence[_File], options: dict[str, str]) -> list[Answer]:
        if len(files) == 1:
            try:
                return [self._one(files[0], options)]
            except BadInput as error:
                return [error]
        body, content_type = _multipart(files, options)
        try:
            _, content = api_call(
                self.url,
                "POST",
                "/intake/submissions/batch",
                data=body,
                content_type=content_type,
                source=", ".join(str(file.path) for file in files),
            )
        except BadInput as error:
            return [error] * len(files)
        answers: list[Answer] = []
        for file, item in zip(files, json.loads(content), strict=True):
            if item["submission"] is None:
                answers.append(field_errors(str(file.path), item["errors"]))
            else:
                answers.append(item["submission"] | {"created": item["created"]})
        return answers

    def _one(self, file: _File, options: dict[str, str]) -> dict[str, Any]:
        query = urllib.parse.urlencode(options | {"filename": file.path.name})
        is_yaml = file.path.suffix.lower() in {".yaml", ".yml"}
        status, content = api_call(
            self.url,
            "POST",
            f"/intake/submissions?{query}",
            data=file.data,
            content_type="application/yaml" if is_yaml else "application/json",
            source=str(file.path),
        )
        result: dict[str, Any] = json.loads(content)
        result["created"] = status == 201
        return result

    def fetch(self, submission_id: int) -> dict[str, Any]:
        result: dict[str, Any] = api_request(
            self.url, "GET", f"/intake/submissions/{submission_id}"
        )
        return result

    def retry(self, submission_id: int) -> dict[str, Any]:
        result: dict[str, Any] = api_request(
            self.url, "POST", f"/intake/submissions/{submission_id}/retry"
        )
        return result

    def reports(self, submission_id: int) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = []
        while True:
            page = api_request(
                self.url,
                "GET",
                f"/intake/submissions/{submission_id}/reports?limit={_PAGE}&offset={len(listed)}",
            )
            listed += page["items"]
            if not page["items"] or len(listed) >= page["count"]:
                return listed


class _Local:
    """The local database, acting as one user (the submissions are processed in-process)."""

    def __init__(self, username: str) -> None:
        setup_django()
        from clearinghouse.accounts.models import User

        try:
            self.user = User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise BadInput(f"--as-user: no active user {username!r}") from None

    def send(self, files: Sequence[_File], options: dict[str, str]) -> list[Answer]:
        from clearinghouse.errors import InvalidInput
        from clearinghouse.intake import services

        try:
            results = services.submit_many(
                self.user,
                [services.Upload(file.data, filename=file.path.name) for file in files],
                format=options.get("format"),
                reporter_kind=options.get("reporter_kind"),
                model_name=options.get("model", ""),
                assessment_reference=options.get("assessment", ""),
                background=False,
            )
        except InvalidInput as error:
            return [_refusal(str(file.path), error) for file in files]
        answers: list[Answer] = []
        for file, result in zip(files, results, strict=True):
            if result.outcome is None:
                answers.append(_refusal(str(file.path), result.error))
            else:
                answers.append(
                    _shown(result.outcome.submission) | {"created": result.outcome.created}
                )
        return answers

    def fetch(self, submission_id: int) -> dict[str, Any]:
        from clearinghouse.intake.models import Submission

        return _shown(Submission.objects.select_related("organisation").get(pk=submission_id))

    def retry(self, submission_id: int) -> dict[str, Any]:
        from django.core.exceptions import PermissionDenied

        from clearinghouse.accounts.permissions import visible
        from clearinghouse.errors import Conflict
        from clearinghouse.intake import services
        from clearinghouse.intake.models import Submission

        submission = visible(Submission, self.user).filter(pk=submission_id).first()
        if submission is None:
            raise BadInput(f"no submission #{submission_id} that {self.user} may see")
        try:
            services.retry(self.user, submission)
        except (Conflict, PermissionDenied) as error:
            raise BadInput(str(error)) from None
        return self.fetch(submission_id)

    def reports(self, submission_id: int) -> list[dict[str, Any]]:
        from clearinghouse.intake.api import ReportBriefOut
        from clearinghouse.intake.permissions import reports_shown_to

        reports = reports_shown_to(self.user).filter(submission_id=submission_id)
        return [
            ReportBriefOut.from_orm(report).dict()
            for report in reports.order_by("index").iterator(chunk_size=_PAGE)
        ]


def _shown(submission: Any) -> dict[str, Any]:
    """A submission as the API shows it (JSON types)."""
    from clearinghouse.intake.api import SubmissionOut

    return json.loads(json.dumps(SubmissionOut.from_orm(submission).dict(), default=str))  # type: ignore[no-any-return]


def _refusal(source: str, error: Exception | None) -> BadInput:
    from clearinghouse.errors import InvalidInput

    if isinstance(error, InvalidInput):
        return field_errors(source, error.detail())
    return BadInput(f"{source}: {error}")


def _reason(error: Any) -> str:
    """A stored failure as a line: its message, after the place in the document if known."""
    if not isinstance(error, dict):
        return str(error)  # stored before failures were entries
    where = error.get("pointer") or ".".join(str(part) for part in error.get("loc") or [])
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise BadInput(f"{path}: no such file")
    if path.stat().st_size > _MAX_FILE_BYTES:
        raise BadInput(f"{path}: larger than {_MAX_FILE_BYTES} bytes")
    return path.read_bytes()


def _batches(files: Sequence[tuple[int, _File]]) -> Iterator[list[tuple[int, _File]]]:
    """The files (with their positions) in requests of at most _BATCH_FILES / _BATCH_BYTES."""
    batch: list[tuple[int, _File]] = []
    size = 0
    for position, file in files:
        if batch and (len(batch) >= _BATCH_FILES or size + len(file.data) > _BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append((position, file))
        size += len(file.data)
    if batch:
        yield batch


@contextmanager
def _progress(total: int, quiet: bool, what: str = "submitting") -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; the callable advances it (or sets it, for `processing`)."""
    if total < 2 or quiet:
        yield lambda _: None
        return
    from rich.progress import Progress

    with Progress(transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(what, total=total)
        if what == "submitting":
            yield lambda steps: bar.advance(task, steps)
        else:
            yield lambda done: bar.update(task, completed=done)


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _summary(path: Path, result: dict[str, Any], reports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "file": str(path),
        "submission": result["id"],
        "created": result["created"],
        "format": result["format"],
        "status": result["status"],
        "total_items": result["total_items"],
        "processed_items": result["processed_items"],
        "errors": result.get("errors", []),
        "items": [
            {
                "index": report["index"],
                "report_id": report["id"],
                "duplicate_of": report["duplicate_of"],
                "status": report["status"],
                "title": report["title"],
            }
            for report in reports
        ],
    }


def _wait(backend: _Backend, done: list[dict[str, Any]], timeout: float) -> list[str]:
    """Follow unfinished submissions until the worker is done with them; refusals as lines."""
    waiting = {entry["submission"]: entry for entry in done if entry["status"] not in _FINAL}
    if not waiting:
        return []
    total = sum(entry["total_items"] for entry in waiting.values())
    deadline = time.monotonic() + timeout if timeout > 0 else None
    latest: dict[int, dict[str, Any]] = {}
    with _progress(max(total, 2), quiet=False, what="processing") as show:
        while True:
            latest = {pk: backend.fetch(pk) for pk in waiting}
            show(sum(result["processed_items"] for result in latest.values()))
            if all(result["status"] in _FINAL for result in latest.values()):
                break
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(_POLL_SECONDS)
    problems = []
    for pk, result in latest.items():
        entry = waiting[pk]
        finished = result | {"created": entry["created"]}
        entry.update(_summary(Path(entry["file"]), finished, backend.reports(pk)))
        if result["status"] == "failed":
            reasons = "; ".join(map(_reason, result.get("errors") or [])) or "failed"
            problems.append(f"{entry['file']}: submission #{pk} failed: {reasons}")
        elif result["status"] not in _FINAL:
            problems.append(
                f"{entry['file']}: submission #{pk} still {result['status']} after {timeout:g} s"
            )
    return problems


def intake(args: argparse.Namespace) -> int:
    """Submit OSV, CSAF 2.0, CVE JSON 5, SARIF 2.1.0 or native JSON files; exit 2 if any refused.

    Each file is one submission; every item is listed with its report id and, when dedup
    found an earlier report of the same vulnerability that the user may see (their own
    organisation's; coordinators: any), `duplicate_of`. Several files are sent
    in batches, stored together. With --wait, submissions processed in the background are
    followed (progress bar) until the worker is done, then listed the same way.
    """
    paths = [Path(name) for name in args.files]
    server = server_url(args, local_allowed=True)
    backend: _Backend = _Server(server) if server else _Local(args.as_user)
    answers: dict[int, Answer] = {}
    files: list[tuple[int, _File]] = []
    for position, path in enumerate(paths):
        try:
            files.append((position, _File(path, _read(path))))
        except BadInput as error:
            answers[position] = error
    with _progress(len(paths), quiet=False) as advance:
        advance(len(answers))
        for batch in _batches(files):
            sent = backend.send([file for _, file in batch], _options(args))
            for (position, _), answer in zip(batch, sent, strict=True):
                answers[position] = answer
            advance(len(batch))
    done: list[dict[str, Any]] = []
    refused: list[str] = []
    for position, path in enumerate(paths):
        answer = answers[position]
        if isinstance(answer, BadInput):
            refused += str(answer).splitlines()
        else:
            done.append(_summary(path, answer, backend.reports(answer["id"])))
    if args.wait:
        refused += _wait(backend, done, args.wait_timeout)
    refused = list(dict.fromkeys(refused))  # a batch refused whole names its files once
    _print(done, args.json)
    for line in refused:
        print(f"error: {line}", file=sys.stderr)
    return EXIT_BAD_INPUT if refused else EXIT_OK


def _print(done: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(done, indent=2))
        return
    for entry in done:
        state = "new" if entry["created"] else "already submitted"
        print(
            f"{entry['file']}: submission #{entry['submission']} ({entry['format']}, {state}) "
            f"{entry['status']}, {entry['processed_items']}/{entry['total_items']} items"
        )
        for item in entry["items"]:
            duplicate = f"  duplicate of #{item['duplicate_of']}" if item["duplicate_of"] else ""
            title = item["title"][:70]
            print(f"  [{item['index']}] report #{item['report_id']} {title}{duplicate}")


def intake_retry(args: argparse.Namespace) -> int:
    """Send a failed or stalled submission back to the worker (it resumes where it stopped)."""
    server = server_url(args, local_allowed=True)
    backend: _Backend = _Server(server) if server else _Local(args.as_user)
    result = backend.retry(args.submission)
    if args.wait:
        entry = _summary(Path(f"submission #{args.submission}"), result | {"created": False}, [])
        refused = _wait(backend, [entry], args.wait_timeout)
        if refused:
            raise BadInput("\n".join(refused))
        result = backend.fetch(args.submission)
    print(
        f"submission #{result['id']}: {result['status']}, "
        f"{result['processed_items']}/{result['total_items']} items"
    )
    return EXIT_OK


def intake_reindex(args: argparse.Namespace) -> int:
    """Rebuild dedup's store-wide index from every stored report (a deployment step).

    For a store that predates the index, after a restore, or when deleted submissions left
    its word counts stale. Run it with intake stopped; it changes no report.
    """
    setup_django()
    from clearinghouse.intake import services

    done = services.reindex()
    print(
        f"dedup index rebuilt: {done.reports:,} reports, {done.postings:,} postings, "
        f"{done.terms:,} terms counted"
    )
    return EXIT_OK


def add_verbs(verbs: Any, verb: Callable[..., argparse.ArgumentParser]) -> None:
    """Register `intake`, `intake-retry` and `intake-reindex` on the top level."""
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
    parser.add_argument(
        "--wait",
        action="store_true",
        help="follow submissions processed in the background until they are done",
    )
    parser.add_argument(
        "--wait-timeout",
        type=float,
        default=0,
        metavar="SECONDS",
        help="with --wait: give up after this long (exit 2); 0: no limit",
    )
    again = verb(verbs, "intake-retry", intake_retry, "retry a failed or stalled submission")
    again.add_argument("submission", type=int, metavar="SUBMISSION_ID")
    again.add_argument(
        "--server", help="server URL (or CLEARINGHOUSE_SERVER); token in CLEARINGHOUSE_TOKEN"
    )
    again.add_argument("--as-user", help="act on the local database as this user instead")
    again.add_argument("--wait", action="store_true", help="follow it until it is done")
    again.add_argument("--wait-timeout", type=float, default=0, metavar="SECONDS")
    verb(verbs, "intake-reindex", intake_reindex, "rebuild dedup's store-wide index")
