"""`clearinghouse assess`: start an assessment run (its benchmark is `bench assess`).

`assess` queues a run against a server (`--server`/CLEARINGHOUSE_SERVER with the reviewer's
CLEARINGHOUSE_TOKEN) or the local database as a named reviewer (`--as-user`); a worker
(`clearinghouse worker`) runs it. `--wait` follows its progress to the end (exit 1 if it fails).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from ._client import api_request, required_server, server_url
from ._common import EXIT_FINDINGS, EXIT_OK, BadInput, field_errors, setup_django

_FINISHED = ("completed", "failed")


def add_verbs(verbs: Any, verb: Callable[..., Any], server_options: Callable[..., Any]) -> None:
    """`assess NOTICE_ID --suite NAME [--model PROVIDER/NAME]`, `assess --list`."""
    assess = server_options(verb(verbs, "assess", assess_verb, "assess a notice's model"))
    assess.add_argument("notice_id", type=int, nargs="?", metavar="NOTICE_ID")
    assess.add_argument(
        "--suite", help="cyber (all families), one family, or an optional suite (see --list)"
    )
    assess.add_argument(
        "--list", action="store_true", help="list the suites and whether they can run here"
    )
    assess.add_argument("--model", help="another model at the granted endpoint or provider")
    assess.add_argument("--wait", action="store_true", help="follow the run until it ends")
    assess.add_argument("--poll", type=float, default=2.0, help=argparse.SUPPRESS)


def _print_run(run: dict[str, Any]) -> None:
    line = f"assessment #{run['id']} [{run['status']}] suite {run['suite']}: {run['target']}"
    if run["samples_total"]:
        line += f" ({run['samples_done']}/{run['samples_total']} samples)"
    print(line)
    for family, level in sorted(run["levels"].items()):
        print(f"  {family}: score {run['scores'][family]:.3f}, capability level {level}")
    if run["failure_reason"]:
        print(f"  failed: {run['failure_reason']}")


def _local(username: str) -> tuple[Any, Callable[[str, str, Any], Any]]:
    """A reviewer on the local database, and a caller running the API's service functions."""
    setup_django()
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404

    from clearinghouse.accounts.models import User
    from clearinghouse.accounts.permissions import visible
    from clearinghouse.assessments import services
    from clearinghouse.assessments.api import RunOut
    from clearinghouse.assessments.inputs import StartRun
    from clearinghouse.assessments.models import AssessmentRun
    from clearinghouse.errors import Conflict, InvalidInput
    from clearinghouse.inputs import parse
    from clearinghouse.reviews.models import Notice

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise BadInput(f"no active user named {username!r}")

    def call(action: str, key: str, body: Any) -> Any:
        try:
            if action == "start":
                notice = visible(Notice, user).filter(pk=int(key)).first()
                if notice is None:
                    raise BadInput(f"no notice #{key} that {username} may see")
                run = services.start_run(user, notice, parse(StartRun, body))
            else:
                run = get_object_or_404(visible(AssessmentRun, user), pk=int(key))
        except InvalidInput as error:
            raise field_errors("assess", error.detail()) from None
        except (PermissionDenied, Conflict) as error:
            raise BadInput(str(error)) from None
        return RunOut.from_orm(run).model_dump(mode="json")

    return user, call


def _pause(seconds: float) -> None:
    """Wait between polls of a running assessment."""
    time.sleep(seconds)


def _remote(server: str) -> Callable[[str, str, Any], Any]:
    def call(action: str, key: str, payload: Any) -> Any:
        if action == "start":
            return api_request(server, "POST", f"/assessments/notices/{key}/runs", payload)
        return api_request(server, "GET", f"/assessments/runs/{key}")

    return call


def _print_suites(suites: list[dict[str, Any]]) -> None:
    for suite in suites:
        state = "available" if suite["available"] else f"unavailable: {suite['reason']}"
        kind = "optional" if suite["optional"] else "built-in"
        print(f"{suite['name']:<30} {kind:<9} {state}")
        print(f"  {suite['title']}")


def list_suites(args: argparse.Namespace) -> int:
    """Print the suites: from the server when one is given, else as they stand on this machine."""
    server = getattr(args, "server", None) or os.environ.get("CLEARINGHOUSE_SERVER")
    if server:
        suites = api_request(required_server(args), "GET", "/assessments/suites")
    else:
        from dataclasses import asdict

        from clearinghouse.assessments.availability import suites as local_suites

        suites = [asdict(suite) for suite in local_suites()]
    if args.json:
        print(json.dumps(suites, indent=2))
    else:
        _print_suites(suites)
    return EXIT_OK


def assess_verb(args: argparse.Namespace) -> int:
    """Queue an assessment of a notice's model; `--wait` follows it to the end."""
    if args.list:
        return list_suites(args)
    if args.notice_id is None or not args.suite:
        raise BadInput("give NOTICE_ID and --suite NAME (or --list to see the suites)")
    body = {"suite": args.suite, "model": args.model or ""}
    server = server_url(args, local_allowed=True)
    call: Callable[[str, str, Any], Any]
    if server:
        call = _remote(server)
    else:
        _, call = _local(args.as_user)
    run = call("start", str(args.notice_id), body)
    if not args.wait:
        if args.json:
            print(json.dumps(run, indent=2))
        else:
            _print_run(run)
            print("queued: a worker (`clearinghouse worker`) runs it")
        return EXIT_OK
    shown = None
    while run["status"] not in _FINISHED:
        progress = (run["status"], run["samples_done"], run["samples_total"])
        if progress != shown and not args.json:
            print(f"  {run['status']}: {run['samples_done']}/{run['samples_total']} samples")
            shown = progress
        _pause(args.poll)
        run = call("get", str(run["id"]), None)
    if args.json:
        print(json.dumps(run, indent=2))
    else:
        _print_run(run)
    if run["status"] == "failed":
        print(f"error: assessment #{run['id']} failed: {run['failure_reason']}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
