"""Assessment pages: start a run from a notice, follow it, read its samples, upload a log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.permissions import can, require, signed_in, visible
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse
from clearinghouse.paging import page_of
from clearinghouse.reviews.models import Notice

from . import runner, services
from .catalog import LEVEL_NAMES
from .forms import StartRunForm, UploadLogForm
from .inputs import StartRun, UploadLog
from .models import AssessmentRun, CandidateReport
from .transcripts import log_files, samples_of

#: Samples shown per page of a run: each carries its transcript.
SAMPLES_PER_PAGE = 20


def _run(request: HttpRequest, run_id: int) -> AssessmentRun:
    runs = visible(AssessmentRun, signed_in(request)).select_related(
        "notice__ai_model", "organisation", "started_by"
    )
    return get_object_or_404(runs, pk=run_id)


def _refused(request: HttpRequest, error: Exception) -> None:
    """A refused input or state, shown above the page (a refused role is the rule's 403)."""
    messages.error(request, str(error))


def _fields(form: forms.Form) -> dict[str, Any]:
    """The form's fields as given (every field is optional: the command judges them)."""
    form.is_valid()
    return form.cleaned_data


@login_required
@require_POST
def start(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A reviewer on the notice (or an admin) starts a suite against the granted model."""
    notice = get_object_or_404(visible(Notice, signed_in(request)), pk=notice_id)
    form = StartRunForm(request.POST)
    try:
        run = services.start_run(signed_in(request), notice, parse(StartRun, _fields(form)))
    except (InvalidInput, Conflict) as error:
        _refused(request, error)
        return redirect("reviews:notice", notice_id=notice.pk)
    messages.success(request, f"Assessment #{run.pk} queued: a worker runs it.")
    return redirect("assessments:run", run_id=run.pk)


@login_required
@require_POST
def upload(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The lab (self-reported) or a reviewer's institute uploads an Inspect eval log."""
    notice = get_object_or_404(visible(Notice, signed_in(request)), pk=notice_id)
    form = UploadLogForm(request.POST, request.FILES)
    try:
        limit = int(runner.limits()["max_upload_bytes"])
        command = parse(UploadLog, _fields(form))
        run = services.upload_log(signed_in(request), notice, command, limit)
    except (InvalidInput, Conflict) as error:
        _refused(request, error)
        return redirect("reviews:notice", notice_id=notice.pk)
    messages.success(request, f"Eval log uploaded as assessment #{run.pk}.")
    return redirect("assessments:run", run_id=run.pk)


@login_required
def run_page(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's progress (polled while it runs), scores, levels and per-sample transcripts."""
    run = _run(request, run_id)
    samples = samples_of(run) if run.status == AssessmentRun.Status.COMPLETED else []
    context = {
        "run": run,
        "page": page_of(request, samples, per_page=SAMPLES_PER_PAGE),
        "levels": _levels(run),
        "can_resume": can(signed_in(request), "assessments.run", run.notice)
        and not run.uploaded
        and (run.status == AssessmentRun.Status.FAILED or services.is_stale(run)),
        "candidates": visible(CandidateReport, signed_in(request)).filter(run=run),
        "log_count": len(log_files(run)),
    }
    return render(request, "assessments/run.html", context)


@login_required
def progress(request: HttpRequest, run_id: int) -> HttpResponse:
    """The progress fragment the run page polls with htmx."""
    run = _run(request, run_id)
    response = render(request, "assessments/_progress.html", {"run": run})
    if run.status in (AssessmentRun.Status.COMPLETED, AssessmentRun.Status.FAILED):
        response["HX-Refresh"] = "true"  # show the results once the run has ended
    return response


@login_required
@require_POST
def resume(request: HttpRequest, run_id: int) -> HttpResponse:
    """Queue a failed or stalled run again, keeping its finished samples."""
    run = _run(request, run_id)
    try:
        services.resume_run(signed_in(request), run)
        messages.success(request, "Run queued again: finished samples are kept.")
    except Conflict as error:
        _refused(request, error)
    return redirect("assessments:run", run_id=run.pk)


@login_required
def log_file(request: HttpRequest, run_id: int, index: int) -> FileResponse:
    """Download one of the run's eval logs (open it with `inspect view`)."""
    files = log_files(_run(request, run_id))
    if not 0 <= index < len(files):
        raise Http404("no such log")
    return FileResponse(files[index].open("rb"), as_attachment=True, filename=files[index].name)


@login_required
def candidates(request: HttpRequest) -> HttpResponse:
    """Vulnerabilities models reported during assessments, for the clearinghouse desk."""
    user = signed_in(request)
    require(user, "assessments.browse_candidates")
    rows = visible(CandidateReport, user).select_related("run", "ai_model")
    context = {"candidates": rows[:500], "can_send": can(user, "assessments.send_candidate")}
    return render(request, "assessments/candidates.html", context)


@login_required
@require_POST
def send_candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """The desk files a candidate with intake as a report citing the model and the run."""
    user = signed_in(request)
    candidate = get_object_or_404(visible(CandidateReport, user), pk=candidate_id)
    try:
        sent, created = services.send_candidate(user, candidate)
    except (InvalidInput, Conflict) as error:
        _refused(request, error)
        return redirect("assessments:candidates")
    if created:
        messages.success(request, f"Candidate filed with intake as report #{sent.report_id}.")
    else:
        messages.info(request, f"Already filed as report #{sent.report_id}; nothing new made.")
    return redirect("assessments:candidates")


def _levels(run: AssessmentRun) -> list[dict[str, object]]:
    return [
        {
            "family": family,
            "score": run.scores.get(family),
            "level": level,
            "name": LEVEL_NAMES.get(level, ""),
        }
        for family, level in sorted(run.levels.items())
    ]
