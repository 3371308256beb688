"""Intake pages: submit (form and bulk upload), submissions with progress, the triage queue and
a report's page with its original document, score breakdown and duplicate candidates.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from clearinghouse.accounts.models import SECTOR_CHOICES
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.audit.history import history_for
from clearinghouse.errors import Conflict, InvalidInput

from . import services
from .api import ReportFilter, apply, filtered
from .documents import Format
from .forms import BulkForm, SubmitForm, TriageForm
from .models import DuplicateCandidate, Report, Submission

_QUEUE_SIZE = 200


@login_required
def submit(request: HttpRequest) -> HttpResponse:
    """Submit one pasted document or upload many files at once (one submission each)."""
    user = signed_in(request)
    posted = request.method == "POST"
    form = SubmitForm(request.POST if posted else None, request.FILES if posted else None)
    results: list[tuple[str, Submission | None, str]] = []
    if posted and form.is_valid():
        options = {
            "format": form.cleaned_data["format"] or None,
            "reporter_kind": form.cleaned_data["reporter_kind"] or None,
            "model_name": form.cleaned_data["model"],
            "assessment_reference": form.cleaned_data["assessment"],
        }
        pasted = form.cleaned_data["text"].strip()
        also = [services.Upload(pasted.encode("utf-8"), name="pasted document")] if pasted else []
        try:
            # One transaction for the lot, one submission each; a refused file stands alone.
            answers = services.submit_files(
                user, form.cleaned_data["documents"], also=also, **options
            )
        except InvalidInput as error:  # the batch as a whole (too many files, too large)
            answers = [services.BatchResult("the upload", error=error)]
        for answer in answers:
            if answer.outcome is None:
                results.append((answer.name, None, str(answer.error)))
            else:
                note = "" if answer.outcome.created else "already submitted: the earlier result"
                results.append((answer.name, answer.outcome.submission, note))
        if len(results) == 1 and results[0][1] is not None:
            submission = results[0][1]
            messages.success(
                request, f"Submission #{submission.pk}: {submission.total_items} items."
            )
            return redirect("intake:submission", submission_id=submission.pk)
    return render(
        request,
        "intake/submit.html",
        {"form": form, "results": results, "formats": list(Format)},
    )


@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    """The submissions the user may see, newest first."""
    rows = visible(Submission, signed_in(request)).select_related("organisation")[:200]
    return render(request, "intake/submissions.html", {"submissions": rows})


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    return get_object_or_404(
        visible(Submission, signed_in(request)).select_related("organisation"), pk=submission_id
    )


@login_required
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A submission: status, progress while the worker runs, and its reports."""
    item = _submission(request, submission_id)
    return render(
        request,
        "intake/submission.html",
        {
            "submission": item,
            "stalled": services.stalled(item),
            "reports": item.reports.select_related("duplicate_of").order_by("index"),
            "history": history_for(signed_in(request), item),
        },
    )


@login_required
def retry(request: HttpRequest, submission_id: int) -> HttpResponse:
    """Send a failed or stalled submission back to the worker (POST; the page's button)."""
    if request.method != "POST":
        return redirect("intake:submission", submission_id=submission_id)
    item = _submission(request, submission_id)
    try:
        services.retry(signed_in(request), item)
    except Conflict as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Submission #{item.pk} is queued again; it resumes where it stopped."
        )
    return redirect("intake:submission", submission_id=item.pk)


@login_required
def progress(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The progress fragment htmx polls while a large submission is processed."""
    return render(
        request, "intake/_progress.html", {"submission": _submission(request, submission_id)}
    )


@login_required
def original(request: HttpRequest, submission_id: int) -> HttpResponse:
    """The document exactly as submitted, as plain text (never rendered as HTML)."""
    item = _submission(request, submission_id)
    response = HttpResponse(item.original, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="submission-{item.pk}.txt"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _filters(request: HttpRequest) -> ReportFilter:
    def flag(name: str) -> bool | None:
        value = request.GET.get(name, "")
        return {"yes": True, "no": False}.get(value)

    return ReportFilter(
        status=request.GET.get("status") or None,
        sector=request.GET.get("sector") or None,
        ssvc=request.GET.get("ssvc") or None,
        kev=flag("kev"),
        source=request.GET.get("source") or None,
        has_cve=flag("has_cve"),
        reporter_kind=request.GET.get("reporter_kind") or None,
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Coordinators: the triage queue by priority, with filters and bulk actions.

    Reporters see their own organisation's reports here, without the actions.
    """
    user = signed_in(request)
    coordinator = services.is_coordinator(user)
    reports = filtered(visible(Report, user), _filters(request)).select_related("organisation")
    reports = reports.order_by("-priority_points", "pk")
    shown = list(reports[:_QUEUE_SIZE])
    bulk = BulkForm(
        request.POST or None, report_ids=[r.pk for r in visible(Report, user).only("pk")]
    )
    if request.method == "POST":
        if not coordinator:
            raise PermissionDenied("only coordinators triage reports")
        if bulk.is_valid():
            chosen = visible(Report, user).filter(pk__in=bulk.cleaned_data["report_ids"])
            of_id = bulk.cleaned_data.get("duplicate_of")
            of = get_object_or_404(visible(Report, user), pk=of_id) if of_id else None
            try:
                changed = services.bulk_triage(
                    user, chosen, action=bulk.cleaned_data["action"],
                    reason=bulk.cleaned_data["reason"], of=of,
                )  # fmt: skip
                messages.success(request, f"{changed} reports changed.")
                return redirect(request.get_full_path())
            except (InvalidInput, Conflict) as error:
                messages.error(request, str(error))
        else:
            messages.error(request, "Tick at least one report and choose an action.")
    candidates = services.candidates_by_report(shown) if coordinator else {}
    for row in shown:
        row.top_candidates = candidates.get(row.pk, [])[:3]  # type: ignore[attr-defined]
    context = {
        "reports": shown,
        "total": reports.count(),
        "coordinator": coordinator,
        "filters": request.GET,
        "sectors": SECTOR_CHOICES,
        "decisions": ["Act", "Attend", "Track*", "Track"],
        "formats": list(Format),
        "statuses": Report.Status.choices,
    }
    return render(request, "intake/queue.html", context)


@login_required
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report: what it says, its original document, score breakdown, candidates, triage."""
    user = signed_in(request)
    item = get_object_or_404(
        visible(Report, user).select_related("organisation", "submission", "duplicate_of"),
        pk=report_id,
    )
    form = TriageForm(request.POST or None)
    if request.method == "POST":
        if not services.is_coordinator(user):
            raise PermissionDenied("only coordinators triage reports")
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    item = apply(user, item, data["action"], data["reason"], data["duplicate_of"])
                messages.success(request, f"Report #{item.pk} is now {item.get_status_display()}.")
                return redirect("intake:report", report_id=item.pk)
            except (InvalidInput, Conflict) as error:
                messages.error(request, str(error))
    candidates = visible(DuplicateCandidate, user).filter(report=item).select_related("candidate")
    context = {
        "report": item,
        "item_json": json.dumps(item.item, indent=2, ensure_ascii=False),
        "candidates": candidates,
        "duplicates": visible(Report, user).filter(duplicate_of=item),
        "coordinator": services.is_coordinator(user),
        "history": history_for(user, item),
        "form": form,
    }
    return render(request, "intake/report.html", context)
