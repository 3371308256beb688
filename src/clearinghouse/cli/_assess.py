"""`clearinghouse assess` and `bench assess`: start an assessment run; measure the platform's cost.

`assess` queues a run against a server (`--server`/CLEARINGHOUSE_SERVER with the reviewer's
CLEARINGHOUSE_TOKEN) or the local database as a named reviewer (`--as-user`); a worker
(`clearinghouse worker`) runs it. `--wait` follows its progress to the end (exit 1 if it fails).
`bench assess` times the same suite on the same scripted mockllm model, run bare with
`inspect_ai.eval` and run through Clearinghouse (queue, worker service, logs, scoring,
findings, candidates), in one process on a throwaway SQLite database.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
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


def add_bench_verbs(benches: Any, verb: Callable[..., Any]) -> None:
    """`bench assess`: the platform's overhead over bare inspect_ai.eval."""
    bench_assess = verb(benches, "assess", bench, "assessment overhead vs. bare inspect_ai.eval")
    bench_assess.add_argument("--suite", default="cyber")
    bench_assess.add_argument("--repeat", type=int, default=3)
    bench_assess.add_argument("--limit", type=int, default=None, help="samples per family")


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


# -- bench ---------------------------------------------------------------------------------

_ANSWER = '{"cwe": "CWE-89", "line": 3, "summary": "user input reaches the SQL query"}'


def _bench_database() -> None:
    """A throwaway SQLite database: the bench never touches the configured one."""
    os.environ["CLEARINGHOUSE_DATA_DIR"] = tempfile.mkdtemp(prefix="clearinghouse-bench-")
    os.environ.pop("CLEARINGHOUSE_DATABASE_URL", None)
    os.environ["CLEARINGHOUSE_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _bench_notice() -> tuple[Any, Any]:
    """A lab, a covered model, a submitted notice with a grant and an assigned reviewer."""
    import datetime as dt

    from clearinghouse.accounts.models import Organisation, Role
    from clearinghouse.accounts.services import create_user
    from clearinghouse.core.review import AccessKind
    from clearinghouse.frontier.inputs import RegisterModel
    from clearinghouse.frontier.services import register_model
    from clearinghouse.reviews import services as reviews
    from clearinghouse.reviews.inputs import AssignReviewer, FileNotice, GrantAccess

    password = secrets.token_urlsafe()
    lab = Organisation.objects.create(name="Bench Lab", kind="lab")
    agency = Organisation.objects.create(name="Bench Agency", kind="agency", track="civilian")
    developer = create_user(
        username="bench-dev", password=password, role=Role.DEVELOPER, organisation=lab
    )
    lead = create_user(
        username="bench-lead", password=password, role=Role.REVIEWER, organisation=agency
    )
    lead.is_agency_lead = True
    lead.save()
    release = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    model = register_model(
        developer,
        RegisterModel(
            name="Bench",
            version="1",
            training_compute_flop=2e26,
            planned_release_date=dt.date.fromisoformat(release),
        ),
    )
    notice = reviews.file_notice(
        developer,
        FileNotice(ai_model_id=model.pk, planned_release_date=dt.date.fromisoformat(release)),
    )
    reviews.submit_notice(developer, notice)
    reviews.grant_access(
        developer, notice, GrantAccess(kind=AccessKind.INSPECT_PROVIDER, model="mockllm/model")
    )
    track = notice.tracks.get(track="civilian")
    reviews.assign_reviewer(lead, track, AssignReviewer(reviewer=lead.username))
    return lead, notice


def bench(args: argparse.Namespace) -> int:
    """Print the time of a suite run bare and through Clearinghouse, and the overhead."""
    if args.repeat < 1 or (args.limit is not None and args.limit < 1):
        raise BadInput("--repeat and --limit must be positive")
    _bench_database()
    from django.conf import settings
    from inspect_ai import eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from clearinghouse.assessments import runner, services
    from clearinghouse.assessments.catalog import SUITE_FAMILIES
    from clearinghouse.assessments.inputs import StartRun

    if args.suite not in SUITE_FAMILIES:
        raise BadInput(f"--suite: one of {', '.join(SUITE_FAMILIES)}")
    settings.CLEARINGHOUSE_ASSESSMENT = dict(settings.CLEARINGHOUSE_ASSESSMENT) | {
        "sandbox": "local",
        "sample_limit": args.limit,
        "max_retries": 0,
        "message_limit": 6,
    }
    settings.CLEARINGHOUSE_ASSESSMENT_DIR = os.path.join(
        os.environ["CLEARINGHOUSE_DATA_DIR"], "assessments"
    )
    bounds = runner.limits()

    def script(*_: Any) -> ModelOutput:
        output = ModelOutput.from_content("mockllm/model", _ANSWER)
        output.usage = ModelUsage(input_tokens=10, output_tokens=10, total_tokens=20)
        return output

    reviewer, notice = _bench_notice()
    families = SUITE_FAMILIES[args.suite]
    bare_times: list[float] = []
    platform_times: list[float] = []
    samples = 0
    for round_ in range(args.repeat):
        model = get_model("mockllm/model", custom_outputs=script, memoize=False)
        started = time.perf_counter()
        tasks = [runner.task_for(family, bounds, "local") for family in families]
        logs = eval(
            tasks,
            model=model,
            log_dir=os.path.join(os.environ["CLEARINGHOUSE_DATA_DIR"], f"bare-{round_}"),
            time_limit=bounds["time_limit_seconds"],
            **runner.eval_options(bounds),
        )
        bare_times.append(time.perf_counter() - started)
        if any(log.status != "success" for log in logs):
            raise BadInput("the bare eval did not complete")
        samples = sum(len(log.samples or []) for log in logs)

        model = get_model("mockllm/model", custom_outputs=script, memoize=False)
        started = time.perf_counter()
        run = services.start_run(reviewer, notice, StartRun(suite=args.suite))
        run = services.execute(run.pk, model=model)
        platform_times.append(time.perf_counter() - started)
        if run.status != "completed":
            raise BadInput(f"the Clearinghouse run failed: {run.failure_reason}")
    bare, platform = statistics.median(bare_times), statistics.median(platform_times)
    overhead = (platform - bare) / bare
    print(f"suite {args.suite}: {len(families)} tasks, {samples} samples, mockllm, local sandbox")
    print(f"bare inspect_ai.eval:   median {bare:.2f} s over {args.repeat} runs")
    print(f"through Clearinghouse:  median {platform:.2f} s over {args.repeat} runs")
    print(f"overhead: {overhead * 100:+.1f}% (target <= 10%)")
    return EXIT_OK
