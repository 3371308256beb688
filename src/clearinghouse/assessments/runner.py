"""Run an assessment's suite on Inspect, inside the worker: the only place a model key is decrypted.

The target model comes from the notice's usable access grant: an OpenAI-compatible endpoint
(`clearinghouse-endpoint/<model>`, `endpoint.py`: the key is given to the model object and
lent to a resumed run's model through a context variable, never put in `os.environ`, so no
subprocess inherits it and it is never written to the eval log, the database or a page; its
requests go through the outbound policy) or an Inspect provider string as the lab gave it.
Agentic tasks run in docker, or in the scrubbed local sandbox (`core.sandboxes`) only for
scripted models or where an admin allows it. Retries, timeouts and limits come from
`settings.CLEARINGHOUSE_ASSESSMENT`, never Inspect's unbounded defaults. Logs go to the run's
own directory; a run whose worker died resumes with `eval_retry` on its unfinished logs, which
keeps the samples already done.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from inspect_ai import Task, eval, eval_retry, task_with
from inspect_ai._eval.task.constants import TASK_FILE_ATTR, TASK_RUN_DIR_ATTR
from inspect_ai.hooks import Hooks, SampleEnd, hooks
from inspect_ai.log import EvalLog, read_eval_log, read_eval_log_sample_summaries
from inspect_ai.model import GenerateConfig, Model, ModelAPI, get_model
from inspect_ai.model._providers.openai import OpenAIAPI
from inspect_ai.model._providers.openai_compatible import OpenAICompatibleAPI
from openai import DefaultAsyncHttpxClient

from clearinghouse.core import egress
from clearinghouse.core.review import AccessKind, provider_urls
from clearinghouse.core.sandboxes import (
    SCRUBBED_LOCAL,
    SandboxChoice,
    SandboxUser,
    commands_run_as,
    is_scripted,
    sandbox_choice,
    user_problem,
)
from clearinghouse.core.suites import SUITES, Family, capability_level, family_score
from clearinghouse.reviews.models import AccessGrant
from clearinghouse.sealed import reveal

from .availability import docker_problem
from .catalog import AGENTIC, OPTIONAL_SUITES, OptionalSuite
from .endpoint import PROVIDER, EndpointAPI, Grant, granted
from .models import AssessmentRun

log = logging.getLogger(__name__)

LOG_SUFFIXES = (".eval", ".json")


class AssessmentFailed(Exception):
    """The suite could not be run to completion; the message is the reason shown to reviewers."""


def limits() -> Mapping[str, Any]:
    """The bounds every run keeps (settings.CLEARINGHOUSE_ASSESSMENT)."""
    return dict(settings.CLEARINGHOUSE_ASSESSMENT)


def assessments_dir() -> Path:
    """Where runs keep their eval logs (under the data dir unless configured)."""
    configured = getattr(settings, "CLEARINGHOUSE_ASSESSMENT_DIR", None)
    return Path(configured or Path(settings.DATA_DIR) / "assessments")


def sandbox_for(model: str, bounds: Mapping[str, Any]) -> SandboxChoice:
    """Where agentic tasks against `model` (the provider string run) would run here, or why
    they are refused: the sandbox setting, the Docker engine and the admin's local setting."""
    setting = str(bounds["sandbox"])
    return sandbox_choice(
        setting,
        docker_problem=docker_problem() if setting == "auto" else None,
        scripted=is_scripted(model),
        allow_local=bool(settings.CLEARINGHOUSE_ASSESSMENT_ALLOW_LOCAL_SANDBOX),
    )


def sandbox_user(bounds: Mapping[str, Any]) -> SandboxUser | None:
    """The unprivileged user the local sandbox's commands run as (None: the worker's own);
    raises AssessmentFailed when the configured one cannot be used here."""
    name = str(bounds.get("sandbox_user") or "")
    if not name:
        return None
    problem = user_problem(name)
    if problem is not None:
        raise AssessmentFailed(f"the local sandbox's user cannot be used: {problem}")
    return SandboxUser.named(name)


def target_model(grant: AccessGrant, override: str = "") -> str:
    """The provider string a run of the grant evaluates (no secret involved)."""
    name = override or grant.model
    return f"{PROVIDER}/{name}" if grant.kind == AccessKind.OPENAI_COMPATIBLE else name


@dataclass(frozen=True)
class Target:
    """How Inspect reaches the model; `secret` exists only inside the worker."""

    model: str
    base_url: str | None = None
    model_args: dict[str, Any] = field(default_factory=dict)
    secret: str = field(default="", repr=False)


def describe_target(grant: AccessGrant, override: str = "") -> str:
    """What the run page says was assessed: endpoint, model and key fingerprint, no secret."""
    name = override or grant.model
    if grant.kind == AccessKind.OPENAI_COMPATIBLE:
        return f"{name} at {grant.base_url} (OpenAI-compatible, key {grant.secret_fingerprint})"
    return f"{name} (Inspect provider)"


def target_for(grant: AccessGrant, override: str = "") -> Target:
    """The Inspect model of a grant; decrypts the key, so call it only inside the worker."""
    model = target_model(grant, override)
    if grant.kind == AccessKind.OPENAI_COMPATIBLE:
        _vet_endpoint(grant.base_url)
        secret = reveal(grant.secret_ciphertext) if grant.secret_ciphertext else ""
        return Target(model=model, base_url=grant.base_url, secret=secret)
    for url in provider_urls(grant.provider_args).values():
        _vet_endpoint(url)
    args = dict(grant.provider_args)
    return Target(model=model, base_url=args.pop("base_url", None), model_args=args)


def outbound_allow() -> egress.Allowlist:
    """The internal destinations the admin lets the server call (CLEARINGHOUSE_OUTBOUND_ALLOW)."""
    allow: egress.Allowlist = settings.CLEARINGHOUSE_OUTBOUND_ALLOW
    return allow


def _vet_endpoint(base_url: str) -> None:
    # The lab chose this URL (or the provider's default stands in for one): refuse an
    # internal literal, and a name that now resolves into the internal network, before any
    # work starts (the HTTP client vets it again on every request). The detail (which
    # address) goes to the log; the run says only that the policy refused it.
    try:
        egress.check_url(base_url, outbound_allow())
        parts = urlsplit(base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        egress.vet(parts.hostname or "", port, outbound_allow())
    except (ValueError, egress.Refused) as error:
        log.warning("granted endpoint %s refused: %s", base_url, error)
        raise AssessmentFailed(f"the granted endpoint was {egress.PUBLIC_REFUSED}") from None


def effective_base_url(api: ModelAPI) -> str | None:
    """The URL the provider will call: its SDK client's (which has applied the provider's
    default and any ``<SERVICE>_BASE_URL`` the operator set), else the one it was given."""
    url = getattr(getattr(api, "client", None), "base_url", None)
    return str(url) if url else api.base_url


def vetted_model(target: Target, bounds: Mapping[str, Any]) -> Model:
    """`build_model`, refused unless the URL the provider will call passes the outbound policy.

    Inspect's OpenAI-SDK providers (``openai/``, ``openai-api/``, ``ollama/``, ``vllm/`` on a
    server, …) are also given the vetting, pinning HTTP client, so a redirect or a changed DNS
    answer is checked on every request as for granted endpoints (which have it already).
    Call it where the grant is lent (`granted`): the endpoint provider takes its allow-list
    from there.
    """
    model = build_model(target, bounds)
    url = effective_base_url(model.api)
    if url:
        _vet_endpoint(url)
    api = model.api
    if isinstance(api, OpenAICompatibleAPI | OpenAIAPI) and not isinstance(api, EndpointAPI):
        api.http_client = DefaultAsyncHttpxClient(
            transport=egress.async_transport(outbound_allow()), trust_env=False
        )
        api.initialize()  # its SDK client rebuilt on the vetted HTTP client
    return model


def generate_config(bounds: Mapping[str, Any]) -> GenerateConfig:
    """Per-call bounds: retries, timeout, output tokens, connections."""
    return GenerateConfig(
        max_retries=bounds["max_retries"],
        timeout=bounds["timeout_seconds"],
        max_tokens=bounds["max_tokens"],
        max_connections=bounds["max_connections"],
    )


def build_model(target: Target, bounds: Mapping[str, Any]) -> Model:
    """The Inspect model for a target (not memoised: keys must not outlive the run)."""
    return get_model(
        target.model,
        config=generate_config(bounds),
        base_url=target.base_url,
        api_key=target.secret or None,
        memoize=False,
        **target.model_args,
    )


def task_for(family: str, bounds: Mapping[str, Any], sandbox: str) -> Task:
    """One family's (or optional suite's) Inspect task with the run's limits."""
    if family in OPTIONAL_SUITES:
        return optional_task(OPTIONAL_SUITES[family], bounds)
    args: dict[str, Any] = {"limit": bounds["sample_limit"], "token_limit": bounds["token_limit"]}
    if family in AGENTIC:
        # "local" (the setting's word, and older runs' record) is always the scrubbed sandbox
        sandbox = SCRUBBED_LOCAL if sandbox == "local" else sandbox
        args |= {"sandbox": sandbox, "message_limit": bounds["message_limit"]}
    return _by_name(SUITES[family](**args))


def _by_name(task: Task) -> Task:
    """The task without the source file Inspect pins on it when it does not see our package as
    installed (a source checkout on PYTHONPATH, a stray `src/*.egg-info`): its log would name
    the file, and `eval_retry` would load that file as a module named by its path, which our
    relative imports cannot survive. Without it the log names the task, found by registry name.
    """
    for attr in (TASK_FILE_ATTR, TASK_RUN_DIR_ATTR):
        if hasattr(task, attr):
            delattr(task, attr)
    return task


def optional_task(suite: OptionalSuite, bounds: Mapping[str, Any]) -> Task:
    """An `inspect_evals` task, built from its package data, with the run's limits.

    Its own sandbox (Docker images defined in the package), epochs and scorer are kept: they
    are what the published results were measured with.
    """
    module = importlib.import_module(suite.module)
    task: Task = getattr(module, suite.name)(**suite.args)
    limit = bounds["sample_limit"]
    return task_with(
        task,
        dataset=task.dataset[:limit] if limit else task.dataset,
        token_limit=bounds["token_limit"],
        message_limit=min(task.message_limit or bounds["message_limit"], bounds["message_limit"]),
    )


def sample_count(task: Task) -> int:
    """Samples the task will finish: each of its samples once per epoch."""
    return len(task.dataset) * (task.epochs or 1)


def eval_options(bounds: Mapping[str, Any]) -> dict[str, Any]:
    """Options shared by eval and eval_retry: quiet, bounded, failing fast on errors."""
    return {
        "display": "none",
        "max_retries": bounds["max_retries"],
        "timeout": bounds["timeout_seconds"],
        "max_connections": bounds["max_connections"],
        "fail_on_error": True,
        "retry_on_error": 0,
        "log_format": "eval",
        "ctl_server": False,  # no control socket in a worker (and none on long paths)
    }


# Progress: Inspect calls the hook as each sample ends; the run being evaluated in this
# context (a ContextVar, so concurrent evals in other workers are not confused) counts it.
_progress: ContextVar[Callable[[], Awaitable[None]] | None] = ContextVar(
    "clearinghouse_assessment_progress", default=None
)


@hooks(name="clearinghouse_assessment_progress", description="Count finished samples of a run.")
class ProgressHook(Hooks):
    """Reports each finished sample to the assessment run evaluating in this context."""

    async def on_sample_end(self, data: SampleEnd) -> None:
        """Count the sample for the current run, if any."""
        callback = _progress.get()
        if callback is not None:
            await callback()


def _save_progress(run_id: int, attempt: int, done: int) -> None:
    try:
        # only while this attempt holds the run: a slow worker it was taken from writes nothing
        AssessmentRun.objects.filter(pk=run_id, attempts=attempt).update(
            samples_done=done, heartbeat_at=timezone.now()
        )
    except DatabaseError as error:  # progress is best effort; the final count is exact
        log.warning("progress of assessment run %s not saved: %s", run_id, error)
    finally:
        connection.close()


@contextlib.contextmanager
def counting(run_id: int, attempt: int, already: int) -> Iterator[None]:
    """Count finished samples into the run's row while the block runs (and `attempt` holds it)."""
    done = already

    async def count() -> None:
        nonlocal done
        done += 1
        await anyio.to_thread.run_sync(_save_progress, run_id, attempt, done)

    token = _progress.set(count)
    try:
        yield
    finally:
        _progress.reset(token)


def family_of(eval_log: EvalLog) -> str:
    """The suite family an eval log ran (its task name)."""
    return eval_log.eval.task.rsplit("/", 1)[-1]


def logs_by_family(directory: Path) -> dict[str, EvalLog]:
    """The newest log header of each family in a run directory, successful ones first."""
    found: dict[str, EvalLog] = {}
    paths = sorted(p for p in directory.glob("*") if p.suffix in LOG_SUFFIXES)
    for path in paths:
        try:
            header = read_eval_log(str(path), header_only=True)
        except Exception as error:  # a log cut off mid-write by a killed worker
            log.warning("unreadable eval log %s skipped: %s", path, error)
            continue
        family = family_of(header)
        kept = found.get(family)
        if kept is None or kept.status != "success" or header.status == "success":
            found[family] = header
    return found


def _finished_samples(eval_log: EvalLog) -> int:
    try:
        summaries = read_eval_log_sample_summaries(eval_log.location)
    except Exception:
        return 0
    return sum(1 for summary in summaries if not summary.error)


_RAISED = re.compile(r"raised (\w+)|^(Refused)\(")
_EXPLAINED = {
    "APIConnectionError": "the model endpoint could not be reached (connection error)",
    "APITimeoutError": "the model endpoint did not answer in time",
    "OpenAIResponseError": "the endpoint's reply was not a valid model response",
    "AuthenticationError": "the endpoint refused the credentials (HTTP 401)",
    "JSONDecodeError": "the endpoint's reply was not a valid model response",
    # which address or port (a redirect hop, a changed DNS answer) goes to the log only
    "Refused": f"the model endpoint was {egress.PUBLIC_REFUSED}",
}


def failure_reason(eval_log: EvalLog, secret: str = "") -> str:
    """A reviewer-readable reason an eval did not complete, with any secret scrubbed."""
    family = family_of(eval_log)
    message = eval_log.error.message if eval_log.error else f"status {eval_log.status}"
    raised = _RAISED.search(message)
    name = (raised.group(1) or raised.group(2)) if raised else ""
    if name in _EXPLAINED:
        if name == "Refused":
            log.warning("assessment %s: %s", family, message)
        message = f"{_EXPLAINED[name]} ({name})"
    elif "Error code: 401" in message:
        message = f"{_EXPLAINED['AuthenticationError']}: {message}"
    return scrub(f"{family}: {message}", secret)


def scrub(text: str, secret: str) -> str:
    """Remove a secret from text that will be stored or shown."""
    text = text.strip()[:2000]
    return text.replace(secret, "[redacted]") if secret else text


@dataclass(frozen=True)
class Outcome:
    """A completed suite: the logs, and the score and level of each family."""

    logs: dict[str, EvalLog]
    scores: dict[str, float]
    levels: dict[str, int]


def evaluate(
    run: AssessmentRun,
    target: Target,
    bounds: Mapping[str, Any],
    thresholds: Mapping[str, Any],
    model: Model | None = None,
) -> Outcome:
    """Run (or resume) the run's families and score them; raises AssessmentFailed.

    `model` replaces the grant's model (tests and the benchmark pass a scripted mockllm).
    """
    run_as = None
    if any(family in AGENTIC for family in run.families) and run.sandbox != "docker":
        # checked again here: the admin setting may have changed since the run was queued
        choice = sandbox_for(target.model, {"sandbox": "local"})
        if choice.refused and model is None:
            raise AssessmentFailed(f"the local sandbox is refused: {choice.refused}")
        run_as = sandbox_user(bounds)
    directory = assessments_dir() / f"run-{run.pk}"
    directory.mkdir(parents=True, exist_ok=True)
    tasks = {family: task_for(family, bounds, run.sandbox) for family in run.families}
    previous = logs_by_family(directory)
    done = {family for family, header in previous.items() if header.status == "success"}
    to_retry = [
        header
        for family, header in previous.items()
        if family in tasks and family not in done and header.location
    ]
    fresh = [task for family, task in tasks.items() if family not in previous]
    already = sum(_finished_samples(h) for h in to_retry) + sum(
        sample_count(tasks[f]) for f in done if f in tasks
    )
    AssessmentRun.objects.filter(pk=run.pk).update(
        log_dir=str(directory.relative_to(assessments_dir())),
        samples_total=sum(sample_count(task) for task in tasks.values()),
        samples_done=already,
    )
    options = eval_options(bounds)
    with (
        granted(Grant(target.secret, outbound_allow())),
        counting(run.pk, run.attempts, already),
        commands_run_as(run_as),
    ):
        # built (and its URL vetted) before a retry too: a retry rebuilds it from its log
        chosen = model or vetted_model(target, bounds)
        if to_retry:
            eval_retry([h.location for h in to_retry], log_dir=str(directory), **options)
        if fresh:
            eval(
                fresh,
                model=chosen,
                log_dir=str(directory),
                time_limit=bounds["time_limit_seconds"],
                **options,
            )
    finished = logs_by_family(directory)
    for family in tasks:
        header = finished.get(family)
        if header is None:
            raise AssessmentFailed(f"{family}: the eval wrote no log")
        if header.status != "success":
            raise AssessmentFailed(failure_reason(header, target.secret))
    scores: dict[str, float] = {}
    levels: dict[str, int] = {}
    for family in tasks:
        score, level = scored(family, finished[family], thresholds)
        scores[family], levels[family] = score, level
    return Outcome(logs={f: finished[f] for f in tasks}, scores=scores, levels=levels)


def scored(family: str, eval_log: EvalLog, thresholds: Mapping[str, Any]) -> tuple[float, int]:
    """A finished log's headline score and capability level; raises AssessmentFailed."""
    suite = OPTIONAL_SUITES.get(family)
    if suite is None:
        _, score = family_score(eval_log)
        scored_as = Family(family)
    else:
        score, scored_as = _accuracy(eval_log), suite.scored_as
    if math.isnan(score):
        raise AssessmentFailed(f"{family}: the suite produced no score (no samples scored)")
    return score, capability_level(scored_as, score, thresholds)


def _accuracy(eval_log: EvalLog) -> float:
    for eval_score in eval_log.results.scores if eval_log.results else []:
        if "accuracy" in eval_score.metrics:
            return float(eval_score.metrics["accuracy"].value)
    raise AssessmentFailed(f"{family_of(eval_log)}: the log has no accuracy metric")


def vuln_answers(eval_log: EvalLog) -> list[dict[str, Any]]:
    """The structured answers (a CWE named) a model gave in a vulnerability-family log."""
    if family_of(eval_log) != Family.VULN_ID.value or not eval_log.location:
        return []
    full = read_eval_log(eval_log.location)
    answers = []
    for sample in full.samples or []:
        score = next(iter(sample.scores.values()), None) if sample.scores else None
        meta = (score.metadata or {}) if score else {}
        answer = meta.get("answer")
        if not answer or not answer.get("cwe"):
            continue
        answers.append(
            {
                "sample_id": str(sample.id),
                "language": str(sample.metadata.get("language", "")),
                "cwe": answer["cwe"],
                "line": answer.get("line"),
                "function": answer.get("function") or "",
                "summary": answer.get("summary") or "",
                "matches_ground_truth": bool(meta.get("cwe_correct")),
            }
        )
    return answers
