"""`clearinghouse bench assess`: the platform's cost over bare inspect_ai.eval.

The same suite on the same scripted mockllm model runs bare with `inspect_ai.eval` and through
Clearinghouse (queue, worker service, logs, scoring, findings, candidates), in one process on
a throwaway SQLite database.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from clearinghouse.cli._common import EXIT_OK, BadInput, setup_django

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


def add_verb(benches: Any, verb: Callable[..., Any]) -> None:
    """Register `bench assess`."""
    bench_assess = verb(benches, "assess", bench, "assessment overhead vs. bare inspect_ai.eval")
    bench_assess.add_argument("--suite", default="cyber")
    bench_assess.add_argument("--repeat", type=int, default=3)
    bench_assess.add_argument("--limit", type=int, default=None, help="samples per family")
