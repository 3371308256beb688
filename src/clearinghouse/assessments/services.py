"""The assessment workflow: start, run, resume and upload assessments, and act on their results.

A completed run maps each family's score to a capability level (thresholds from the active
policy), drafts a finding on the notice for each level reached (internal until a reviewer
releases it), keeps the vulnerabilities the model reported as candidate reports for the
clearinghouse desk, and re-determines the model when its cyber capability level changes
(DESIGN.md §7, assessment criterion). Uploaded logs are scored the same way but only shown:
they never change a model's level nor draft findings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from inspect_ai.log import EvalLog, read_eval_log
from inspect_ai.model import Model

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import require
from clearinghouse.audit.services import audited, record
from clearinghouse.background.sweep import is_alive
from clearinghouse.core.assessment_lifecycle import RUN_LIFECYCLE, RunStatus
from clearinghouse.core.policy import Policy
from clearinghouse.core.review import OPEN_FOR_REVIEW, NoticeStatus
from clearinghouse.core.suites import capability_level, family_score
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.frontier.models import AIModel, Determination
from clearinghouse.frontier.policies import active_policy
from clearinghouse.frontier.services import redetermine
from clearinghouse.inputs import parse
from clearinghouse.intake import services as intake
from clearinghouse.notifications.services import notify
from clearinghouse.reviews import services as reviews
from clearinghouse.reviews.inputs import RecordFinding
from clearinghouse.reviews.models import Notice, TrackReview
from clearinghouse.reviews.permissions import track_reviews_of
from clearinghouse.workflow import advance, locked

from . import availability, runner
from .catalog import (
    AGENTIC,
    FINDING_CATEGORY,
    LEVEL_NAMES,
    OPTIONAL_SUITES,
    SEVERITY_OF_LEVEL,
    families_of,
)
from .inputs import StartRun, UploadLog
from .models import AssessmentRun, CandidateReport
from .permissions import is_notice_lab

log = logging.getLogger(__name__)

_STARTABLE = {*OPEN_FOR_REVIEW, NoticeStatus.DECIDED}


def _thresholds(policy: Policy) -> dict[str, Sequence[float]]:
    return {str(family): bounds for family, bounds in policy.assessment.thresholds.items()}


def my_tracks(user: User, notice: Notice) -> QuerySet[TrackReview]:
    """The tracks of a notice a user works on (admins: all of them)."""
    if user.is_program_admin:
        return notice.tracks.all()
    return TrackReview.objects.filter(track_reviews_of(user), notice=notice).distinct()


def _state(run: AssessmentRun) -> dict[str, Any]:
    return {
        "status": run.status,
        "suite": run.suite,
        "scores": run.scores,
        "levels": run.levels,
        "failure_reason": run.failure_reason,
    }


def _enqueue(run: AssessmentRun) -> None:
    """Queue the run's task in the caller's transaction: it commits with the run, or neither."""
    from .tasks import run_assessment

    run_assessment.enqueue(run.pk)


def start_run(
    user: User,
    notice: Notice,
    command: StartRun,
    bounds: Mapping[str, Any] | None = None,
) -> AssessmentRun:
    """Queue a run of the command's suite against the model of the notice's usable grant.

    The notice is re-read under a lock, so a run is never queued on a notice withdrawn
    meanwhile (a 409 naming its state). The run keeps its bounds (`bounds` over the settings'
    `CLEARINGHOUSE_ASSESSMENT`), so a resumption runs under the same limits as the start,
    whatever the settings are by then.
    """
    suite, model = command.suite.value, command.model
    families = families_of(suite)
    assert families is not None  # StartRun takes only the catalog's suites
    limits = {**runner.limits(), **(bounds or {})}
    with audited():
        notice = locked(notice)
        require(user, "assessments.run", notice)
        if notice.status not in _STARTABLE:
            raise Conflict(f"assessments run on notices under review; this one is {notice.status}")
        grant = reviews.usable_grant(notice)
        if grant is None:
            raise Conflict(
                "the lab has granted no usable access to the model (none, expired, revoked)"
            )
        if model and grant.kind == "inspect_provider" and "/" not in model:
            raise InvalidInput.single("model", "an Inspect provider model is PROVIDER/NAME")
        sandbox = _sandbox(suite, families, runner.target_model(grant, model), limits)
        run = AssessmentRun.objects.create(
            notice=notice,
            suite=suite,
            families=list(families),
            origin=AssessmentRun.Origin.PLATFORM,
            organisation=user.organisation,
            target=runner.describe_target(grant, model),
            model_override=model,
            sandbox=sandbox,
            bounds=limits,
            started_by=user,
        )
        record(
            actor=user,
            action="assessment.started",
            subject=run,
            after={"notice": notice.pk, "suite": suite, "target": run.target, "sandbox": sandbox},
        )
        _enqueue(run)
    return run


def _sandbox(suite: str, families: Sequence[str], model: str, limits: Mapping[str, Any]) -> str:
    """Where the run's agentic tasks will run; a Conflict if this server cannot run them.

    Refused before anything is stored: the worker could only fail the run.
    """
    if suite in OPTIONAL_SUITES:
        if problem := availability.problem(OPTIONAL_SUITES[suite]):
            raise Conflict(f"{suite} cannot run here: {problem}")
        return "docker"  # the suite's own images, defined in inspect_evals
    choice = runner.sandbox_for(model, limits)
    if choice.refused and any(family in AGENTIC for family in families):
        raise Conflict(f"{suite} cannot run here: {choice.refused}")
    return choice.sandbox


def is_stale(run: AssessmentRun, now: dt.datetime | None = None) -> bool:
    """A running run whose worker stopped reporting (killed, or the machine went down)."""
    if run.status != AssessmentRun.Status.RUNNING:
        return False
    last = run.heartbeat_at or run.started_at or run.created_at
    seconds = int(runner.limits()["stale_after_seconds"])
    return last < (now or timezone.now()) - dt.timedelta(seconds=seconds)


def resume_run(user: User, run: AssessmentRun) -> AssessmentRun:
    """Queue a failed or stalled run again; finished samples are kept (Inspect's eval_retry).

    The row is re-read under a lock: a copy that another request resumed meanwhile is a 409.
    """
    with audited():
        run = locked(run, AssessmentRun.objects.select_related("notice"))
        require(user, "assessments.run", run.notice)
        if run.uploaded:
            raise Conflict("an uploaded log cannot be resumed")
        if run.status == AssessmentRun.Status.RUNNING and not is_stale(run):
            raise Conflict("this run is running and still reporting progress; it is not resumed")
        before = _state(run)
        advance(run, RUN_LIFECYCLE, RunStatus.QUEUED)
        run.failure_reason, run.finished_at = "", None
        run.save(update_fields=["status", "failure_reason", "finished_at"])
        record(
            actor=user, action="assessment.resumed", subject=run, before=before, after=_state(run)
        )
        _enqueue(run)
    return run


def execute(run_id: int, model: Model | None = None, *, worker: str = "") -> AssessmentRun:
    """Run a queued run to completion or failure (the worker's task). Never raises for the run's
    own problems: they end it as failed with the reason, and the worker serves on.

    `worker` is the id of the `clearinghouse worker` running the task ("" when called
    directly): while that worker's heartbeat is fresh no other one takes the run from it.
    """
    run, held = _take(run_id, worker)
    if not held:
        return run  # finished already, or another live worker is at it
    policy = active_policy()
    secret = ""
    try:
        grant = reviews.usable_grant(run.notice)
        if grant is None and model is None:
            raise runner.AssessmentFailed("the access grant was revoked or expired before the run")
        target = (
            runner.target_for(grant, run.model_override)
            if grant is not None
            else runner.Target(model="scripted")
        )
        secret = target.secret
        outcome = runner.evaluate(
            run, target, run.bounds or runner.limits(), _thresholds(policy), model=model
        )
        vuln_log = outcome.logs.get("cyber_vuln_id")
        answers = runner.vuln_answers(vuln_log) if vuln_log is not None else []
    except Exception as error:  # the run's problem, not the worker's
        if not isinstance(error, runner.AssessmentFailed):
            log.exception("assessment run %s failed", run.pk)
        reason = runner.scrub(str(error) or type(error).__name__, secret)
        return _fail(run, reason)
    return _complete(run, outcome, answers, policy.id, policy.version)


def _run_rows() -> QuerySet[AssessmentRun]:
    return AssessmentRun.objects.select_related("notice__ai_model", "started_by")


def _take(run_id: int, worker: str = "") -> tuple[AssessmentRun, bool]:
    """A worker takes the run; returns it and whether this worker now holds it.

    Queued becomes running under the row's lock, so of two workers at once one takes it and
    the other finds it held. A running run is taken over only when its holder is gone (no
    fresh heartbeat: the sweep queued the task again, or a reviewer resumed a stalled run);
    each take counts an attempt, and only the holder of the latest attempt may finish the
    run (`_finish`). A finished run is returned as it is.
    """
    with audited():
        run = locked(AssessmentRun(pk=run_id), _run_rows())
        if run.status == RunStatus.QUEUED:
            advance(run, RUN_LIFECYCLE, RunStatus.RUNNING)
        elif run.status != RunStatus.RUNNING:
            return run, False
        elif run.worker_id and run.worker_id != worker and is_alive(run.worker_id):
            log.info("assessment run %s is held by live worker %s", run.pk, run.worker_id)
            return run, False
        now = timezone.now()
        run.attempts, run.heartbeat_at, run.worker_id = run.attempts + 1, now, worker
        run.started_at = run.started_at or now
        run.save(update_fields=["status", "attempts", "heartbeat_at", "started_at", "worker_id"])
    return run, True


def _finish(run: AssessmentRun, target: RunStatus) -> tuple[AssessmentRun, dict[str, Any] | None]:
    """The run's row, locked and moved to `target`, with its state before; None where this
    worker no longer holds it (the attempt it took is not the row's latest: the run was
    resumed or taken over while this worker was slow): left as it is.

    Call inside the `audited()` unit that records the move.
    """
    row = locked(run, _run_rows())
    if row.status != RunStatus.RUNNING or row.attempts != run.attempts:
        log.warning(
            "assessment run %s not marked %s: attempt %s is no longer its holder (it is %s, "
            "attempt %s)",
            row.pk,
            target,
            run.attempts,
            row.status,
            row.attempts,
        )
        return row, None
    before = _state(row)
    advance(row, RUN_LIFECYCLE, target)
    return row, before


def _fail(run: AssessmentRun, reason: str) -> AssessmentRun:
    with audited():
        run, before = _finish(run, RunStatus.FAILED)
        if before is None:
            return run
        run.failure_reason, run.finished_at = reason, timezone.now()
        run.save(update_fields=["status", "failure_reason", "finished_at"])
        record(
            actor=None, action="assessment.failed", subject=run, before=before, after=_state(run)
        )
        _tell_starter(run, f"Assessment #{run.pk} failed: {reason[:120]}")
    return run


def _complete(
    run: AssessmentRun,
    outcome: runner.Outcome,
    answers: list[dict[str, Any]],
    policy_id: str,
    policy_version: str,
) -> AssessmentRun:
    base = runner.assessments_dir()
    with audited():
        run, before = _finish(run, RunStatus.COMPLETED)
        if before is None:
            return run
        run.scores, run.levels = outcome.scores, outcome.levels
        run.log_paths = [
            str(Path(eval_log.location).relative_to(base))
            for eval_log in outcome.logs.values()
            if eval_log.location
        ]
        run.samples_done = run.samples_total
        run.policy_id, run.policy_version = policy_id, policy_version
        run.finished_at = timezone.now()
        run.save(
            update_fields=[
                "status",
                "scores",
                "levels",
                "log_paths",
                "samples_done",
                "policy_id",
                "policy_version",
                "finished_at",
            ]
        )
        CandidateReport.objects.bulk_create(
            CandidateReport(
                run=run,
                ai_model=run.notice.ai_model,
                sample_id=a["sample_id"],
                language=a["language"][:40],
                cwe=a["cwe"][:20],
                line=a["line"] if isinstance(a["line"], int) and a["line"] >= 0 else None,
                function=str(a["function"])[:200],
                summary=str(a["summary"]),
                matches_ground_truth=a["matches_ground_truth"],
            )
            for a in answers
        )
        record(
            actor=None,
            action="assessment.completed",
            subject=run,
            before=before,
            after=_state(run) | {"candidates": len(answers)},
            policy_id=policy_id,
            policy_version=policy_version,
        )
        _draft_findings(run)
        _update_model_level(run)
        _tell_starter(
            run,
            f"Assessment #{run.pk} completed: highest capability level {run.highest_level}",
        )
    return run


def _draft_findings(run: AssessmentRun) -> None:
    starter = run.started_by
    if starter is None:
        return
    for family, level in sorted(run.levels.items()):
        if level < 1:
            continue
        data = {
            "category": FINDING_CATEGORY[family],
            "severity": SEVERITY_OF_LEVEL[level],
            "title": f"{family}: capability level {level} ({LEVEL_NAMES[level]})",
            "description": (
                f"Assessment run #{run.pk} ({run.suite} suite) scored {run.scores[family]:.3f} "
                f"on {family}, capability level {level} of 4 under {run.policy_id} "
                f"v{run.policy_version}. Drafted automatically from the run; confirm before "
                "releasing it to the lab."
            ),
            "assessment_reference": f"assessment run #{run.pk}",
        }
        for track in my_tracks(starter, run.notice):
            try:
                reviews.record_finding(starter, track, parse(RecordFinding, data))
            except (PermissionDenied, Conflict, InvalidInput) as error:
                log.info("no finding drafted on %s for run %s: %s", track, run.pk, error)


def model_level(ai_model: AIModel) -> int | None:
    """A model's cyber capability level: the highest any completed platform run reached."""
    levels = [
        run.highest_level
        for run in AssessmentRun.objects.filter(
            notice__ai_model=ai_model,
            origin=AssessmentRun.Origin.PLATFORM,
            status=AssessmentRun.Status.COMPLETED,
        )
        if run.highest_level is not None
    ]
    return max(levels) if levels else None


def _update_model_level(run: AssessmentRun) -> Determination | None:
    ai_model = AIModel.objects.select_related("organisation").get(pk=run.notice.ai_model_id)
    level = model_level(ai_model)
    if level == ai_model.cyber_capability_level:
        return None
    before = ai_model.cyber_capability_level
    AIModel.objects.filter(pk=ai_model.pk).update(cyber_capability_level=level)
    ai_model.cyber_capability_level = level
    determination = redetermine(ai_model, trigger=Determination.Trigger.UPDATED, actor=None)
    record(
        actor=None,
        action="assessment.level_changed",
        subject=run,
        before={"cyber_capability_level": before},
        after={
            "cyber_capability_level": level,
            "ai_model": ai_model.pk,
            "determination_id": determination.pk,
            "covered": determination.covered,
        },
        policy_id=determination.policy_id,
        policy_version=determination.policy_version,
    )
    return determination


def _tell_starter(run: AssessmentRun, subject: str) -> None:
    if run.started_by is None:
        return
    notify(
        f"assessment.{run.status}",
        subject=subject,
        payload={"run": run.pk, "notice": run.notice_id, "status": run.status},
        users=[run.started_by],
    )


def upload_log(user: User, notice: Notice, command: UploadLog, max_bytes: int) -> AssessmentRun:
    """A lab (self-reported) or a reviewer's institute (external) files an eval log it ran.

    The log must be a completed run of one of the suite's tasks; it is validated with Inspect's
    reader and scored like our runs, but never changes the model's level or drafts findings.
    It is read before the notice is locked (a large log takes a while); the notice's state is
    checked on the locked row, so a log is never filed on a notice withdrawn meanwhile.
    """
    require(user, "assessments.upload_log", notice)  # before the file is written and parsed
    upload = command.file
    name = Path(upload.name or "log").name
    suffix = Path(name).suffix.lower()
    size = upload.size or 0
    if size > max_bytes:
        raise InvalidInput.single("file", f"{size} bytes is over the {max_bytes}-byte limit")
    base = runner.assessments_dir()
    uploads = base / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=uploads, suffix=suffix, delete=False) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        path = Path(handle.name)
    try:
        eval_log, family, score = _validated(path, name)
        policy = active_policy()
        level = capability_level(family, score, _thresholds(policy))
        with audited():
            notice = locked(notice)
            require(user, "assessments.upload_log", notice)
            if notice.status in (NoticeStatus.WITHDRAWN, NoticeStatus.RELEASED):
                raise Conflict(f"logs are no longer taken on a {notice.status} notice")
            own_lab = is_notice_lab(user, notice)
            run = _uploaded_run(user, notice, eval_log, family, score, level, own_lab, policy.id)
            run.policy_version = policy.version
            final = uploads / f"upload-{run.pk}{suffix}"
            path.rename(final)
            path = final
            run.log_paths = [str(final.relative_to(base))]
            run.save(update_fields=["policy_version", "log_paths"])
            record(
                actor=user,
                action="assessment.uploaded",
                subject=run,
                after=_state(run) | {"origin": run.origin, "model": eval_log.eval.model},
                policy_id=policy.id,
                policy_version=policy.version,
            )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return run


def _validated(path: Path, name: str) -> tuple[EvalLog, str, float]:
    try:
        eval_log = read_eval_log(str(path))
    except Exception as error:
        raise InvalidInput.single(
            "file", f"{name} is not a readable Inspect eval log ({type(error).__name__})"
        ) from None
    try:
        family, score = family_score(eval_log)
    except ValueError as error:
        raise InvalidInput.single("file", f"{name}: {error}") from None
    if score != score:  # NaN: nothing was scored
        raise InvalidInput.single("file", f"{name}: the log has no scored samples")
    return eval_log, family.value, score


def _uploaded_run(
    user: User,
    notice: Notice,
    eval_log: EvalLog,
    family: str,
    score: float,
    level: int,
    own_lab: bool,
    policy_id: str,
) -> AssessmentRun:
    results = eval_log.results
    stats = eval_log.stats
    origin = AssessmentRun.Origin.SELF_REPORTED if own_lab else AssessmentRun.Origin.EXTERNAL
    return AssessmentRun.objects.create(
        notice=notice,
        suite=family,
        families=[family],
        origin=origin,
        self_reported=own_lab,
        organisation=user.organisation,
        target=f"{eval_log.eval.model} (as reported by {user.organisation or user.username})"[:500],
        status=AssessmentRun.Status.COMPLETED,
        samples_done=results.completed_samples if results else 0,
        samples_total=results.total_samples if results else 0,
        scores={family: score},
        levels={family: level},
        policy_id=policy_id,
        started_by=user,
        started_at=_parsed(stats.started_at),
        finished_at=_parsed(stats.completed_at) or timezone.now(),
    )


def _parsed(value: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def levels_for_lab(notice: Notice) -> Mapping[str, int]:
    """What a lab learns of our runs: the highest level per family, once the notice is decided."""
    if notice.status not in (NoticeStatus.DECIDED, NoticeStatus.RELEASED):
        return {}
    highest: dict[str, int] = {}
    for run in AssessmentRun.objects.filter(
        notice=notice, origin=AssessmentRun.Origin.PLATFORM, status=AssessmentRun.Status.COMPLETED
    ):
        for family, level in run.levels.items():
            highest[family] = max(level, highest.get(family, 0))
    return highest


# -- the clearinghouse desk: candidates to intake reports ----------------------------------

_CWE = re.compile(r"^CWE-\d{1,6}$")


def candidate_key(candidate: CandidateReport) -> str:
    """The idempotency key a candidate is filed under: the same candidate, the same key."""
    sample = hashlib.sha256(candidate.sample_id.encode()).hexdigest()[:16]
    return f"assessment-candidate:{candidate.run_id}:{sample}"


def candidate_document(candidate: CandidateReport) -> bytes:
    """The candidate as an intake document in the native form, citing the model and the run.

    Deterministic (no timestamps), so the same candidate always gives the same bytes.
    """
    run = candidate.run
    where = ", ".join(
        part
        for part in (
            f"line {candidate.line}" if candidate.line else "",
            f"function {candidate.function}" if candidate.function else "",
        )
        if part
    )
    cwe = candidate.cwe if _CWE.match(candidate.cwe) else ""
    description = "\n\n".join(
        part
        for part in (
            candidate.summary.strip(),
            f"Reported by {candidate.ai_model} during assessment run #{run.pk} ({run.suite} "
            f"suite), vulnerability-identification sample {candidate.sample_id}"
            + (f" ({candidate.language})" if candidate.language else "")
            + (f", at {where}" if where else "")
            + ".",
            "" if cwe else f"The model named the weakness {candidate.cwe!r} (not a CWE id).",
            "The reported weakness matches the sample's ground truth."
            if candidate.matches_ground_truth
            else "The reported weakness does not match the sample's ground truth.",
        )
        if part
    )
    report = {
        "title": f"{candidate.cwe or 'Weakness'} in {candidate.sample_id} reported by "
        f"{candidate.ai_model}"[:500],
        "description": description,
        "cwe": cwe,
        "model": str(candidate.ai_model)[:200],
        "assessment": candidate_reference(candidate),
    }
    return json.dumps({"reports": [report]}, indent=2, sort_keys=True).encode()


def candidate_reference(candidate: CandidateReport) -> str:
    """How the report cites where the candidate came from."""
    return f"assessment run #{candidate.run_id}, sample {candidate.sample_id}"[:500]


def send_candidate(user: User, candidate: CandidateReport) -> tuple[CandidateReport, bool]:
    """A coordinator files a candidate with intake; returns it and whether a report was made.

    Sending it again returns the report already made and creates nothing: the candidate's row
    is locked, so of two sends at once the second finds the first one's report; intake's
    idempotency key (derived from the candidate) catches anything else.
    """
    with audited():
        candidate = locked(candidate, CandidateReport.objects.select_related("run", "ai_model"))
        require(user, "assessments.send_candidate", candidate)
        if candidate.report_id is not None:
            return candidate, False
        outcome = intake.submit(
            user,
            candidate_document(candidate),
            filename=f"candidate-{candidate.pk}.json",
            format="native",
            idempotency_key=candidate_key(candidate),
            reporter_kind="researcher",
            model_name=str(candidate.ai_model),
            assessment_reference=candidate_reference(candidate),
            background=False,
        )
        report = outcome.submission.reports.order_by("pk").first()
        if report is None:
            raise Conflict(f"intake made no report of submission #{outcome.submission.pk}")
        candidate.report, candidate.sent_at = report, timezone.now()
        candidate.save(update_fields=["report", "sent_at"])
        record(
            actor=user,
            action="assessment.candidate_sent",
            subject=candidate,
            before={"report": None},
            after={
                "report": report.pk,
                "submission": outcome.submission.pk,
                "run": candidate.run_id,
                "ai_model": candidate.ai_model_id,
            },
        )
    return candidate, True
