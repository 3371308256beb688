"""Intake pages: submit (form and bulk upload), submissions with progress, the triage queue,
a report's page with its original document, score breakdown and duplicate candidates, and
its duplicate group side by side with split and merge.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clearinghouse.accounts.models import SECTOR_CHOICES, User
from clearinghouse.accounts.permissions import can, require, signed_in, visible
from clearinghouse.audit.history import history_for
from clearinghouse.core.triage import ReportStatus
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.inputs import parse, show_errors
from clearinghouse.paging import page_of

from . import services
from .forms import BulkForm, MergeForm, SplitForm, SubmitForm, TriageForm, given
from .inputs import (
    MAX_BULK,
    BulkTriage,
    MergeCluster,
    ReportFilter,
    ReportSort,
    SplitCluster,
    SubmissionFilter,
    SubmissionSort,
    Triage,
    TriageAction,
)
from .models import SSVC_DECISIONS, Report, Submission
from .permissions import reports_shown_to
from .readers import formats

#: A list's filter: a typed input read from the page's URL.
F = TypeVar("F", ReportFilter, SubmissionFilter)
#: Candidates and duplicates a report page lists at most (best first).
_LINKED = 50
#: Members of a duplicate group shown side by side on one page.
_COLUMNS = 8
#: The report page's decisions, as its form offers them.
_ACTIONS = [
    (TriageAction.ACCEPT, "Accept"),
    (TriageAction.DECLINE, "Decline (give a reason)"),
    (TriageAction.DUPLICATE, "Confirm duplicate of…"),
    (TriageAction.MERGE, "Merge into… (its identifiers move over)"),
    (TriageAction.UNMERGE, "Unmerge"),
    (TriageAction.REOPEN, "Reopen"),
]


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
        {"form": form, "results": results, "formats": formats()},
    )


@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    """The submissions the user may see, filtered and ordered as the URL says, paged."""
    user = signed_in(request)
    filters = _from_url(request, SubmissionFilter)
    shown = visible(Submission, user).select_related("organisation")
    page = page_of(request, services.submissions_matching(shown, filters))
    desk = can(user, "intake.triage")
    context = {
        "page": page,
        "total": page.paginator.count,
        "filters": request.GET,
        "statuses": Submission.Status.choices,
        "formats": formats(),
        "sorts": [(sort.value, sort.value.capitalize()) for sort in SubmissionSort],
        # Only the desk sees several organisations' submissions, so only it picks one.
        "organisations": services.submitting_organisations(user) if desk else None,
    }
    return render(request, "intake/submissions.html", context)


def _submission(request: HttpRequest, submission_id: int) -> Submission:
    return get_object_or_404(
        visible(Submission, signed_in(request)).select_related("organisation"), pk=submission_id
    )


@login_required
def submission(request: HttpRequest, submission_id: int) -> HttpResponse:
    """A submission: status, progress while the worker runs, and its reports, paged."""
    user = signed_in(request)
    item = _submission(request, submission_id)
    reports = reports_shown_to(user).filter(submission=item).order_by("index")
    return render(
        request,
        "intake/submission.html",
        {
            "submission": item,
            "stalled": services.stalled(item),
            "page": page_of(request, reports),
            "history": history_for(user, item),
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


def _from_url(request: HttpRequest, kind: type[F]) -> F:
    """A list's filter from its URL; a value it cannot use is said and the filter left out."""
    chosen = {name: request.GET[name] for name in kind.model_fields if request.GET.get(name)}
    try:
        return parse(kind, chosen)
    except InvalidInput as error:
        messages.error(request, f"Filter not applied: {error}")
        return kind()


def _bulk(request: HttpRequest, filters: ReportFilter) -> HttpResponse | None:
    """Apply the bulk form's decision; a redirect when done, None when refused (said why)."""
    user = signed_in(request)
    require(user, "intake.triage")
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an action and what it applies to.")
        return None
    data = given(form.cleaned_data)
    confirmed = data.pop("confirmed", False)
    if data.pop("scope", "ticked") == "matching":
        data["matching"] = filters
        if not confirmed:
            return _confirm(request, data)
    else:
        data.pop("expected", None)
        data["report_ids"] = request.POST.getlist("report_ids") or None
    try:
        changed = services.bulk_triage(user, parse(BulkTriage, data))
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
        return None
    messages.success(request, f"{changed:,} reports changed.")
    return redirect(request.get_full_path())


def _confirm(request: HttpRequest, data: dict[str, Any]) -> HttpResponse | None:
    """The question before a decision on a whole filtered set: this many reports, really?

    The count asked about is the count now, and it goes back as `expected`: if the set
    changes before the answer, the decision is refused (409) and nothing changes.
    """
    user = signed_in(request)
    now = services.matching(visible(Report, user), data["matching"]).count()
    if not now:
        messages.error(request, "No report matches the filter: nothing to change.")
        return None
    if now > MAX_BULK:
        messages.error(
            request,
            f"{now:,} reports match; one bulk action changes at most {MAX_BULK:,}: "
            "narrow the filter.",
        )
        return None
    seen = data.get("expected")
    try:
        parse(BulkTriage, data | {"expected": now})  # refuse a bad command before asking
    except InvalidInput as error:
        messages.error(request, str(error))
        return None
    context = {
        "count": now,
        "seen": seen if seen != now else None,
        "action": data["action"],
        "reason": data.get("reason", ""),
        "duplicate_of": data.get("duplicate_of"),
        "despite_conflict": data.get("despite_conflict", False),
        "filters": [(name, value) for name, value in request.GET.items() if name != "page"],
    }
    return render(request, "intake/bulk_confirm.html", context)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Coordinators: the triage queue, one dense line per report, filtered and ordered as the
    URL says, with bulk actions on the ticked reports or (after a confirmation) on all that
    match, paged.

    Reporters see their own organisation's reports here, without the actions.
    """
    user = signed_in(request)
    filters = _from_url(request, ReportFilter)
    if request.method == "POST" and (done := _bulk(request, filters)) is not None:
        return done
    reports = services.matching(reports_shown_to(user).select_related("organisation"), filters)
    page = page_of(request, reports)
    coordinator = can(user, "intake.triage")
    candidates = services.candidates_by_report(page.object_list) if coordinator else {}
    for row in page.object_list:
        row.top_candidate = next(iter(candidates.get(row.pk, [])), None)
    context = {
        "page": page,
        "total": page.paginator.count,
        "coordinator": coordinator,
        "filters": request.GET,
        "sort": filters.sort.value,
        "sectors": SECTOR_CHOICES,
        "decisions": SSVC_DECISIONS,
        "formats": formats(),
        "statuses": [(status.value, status.label) for status in ReportStatus],
        "sorts": [(sort.value, sort.label) for sort in ReportSort],
        "max_bulk": MAX_BULK,
    }
    return render(request, "intake/queue.html", context)


@login_required
def report(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report: what it says, its original document, score breakdown, candidates, triage."""
    user = signed_in(request)
    item = get_object_or_404(
        reports_shown_to(user).select_related("organisation", "submission"), pk=report_id
    )
    form = TriageForm(request.POST or None)
    conflict = False
    if request.method == "POST":
        require(user, "intake.triage", item)
        if form.is_valid():
            try:
                item = services.triage(user, item, parse(Triage, given(form.cleaned_data)))
                messages.success(request, f"Report #{item.pk} is now {item.get_status_display()}.")
                return redirect("intake:report", report_id=item.pk)
            except InvalidInput as error:
                show_errors(form, error)
            except services.ConflictingIdentifiers as error:
                conflict = True
                messages.error(request, str(error))
            except Conflict as error:
                messages.error(request, str(error))
    context = {
        "report": item,
        "item_json": json.dumps(item.item, indent=2, ensure_ascii=False),
        "candidates": services.candidates_of(user, item, _LINKED),
        "duplicates": visible(Report, user).filter(duplicate_of=item).only("pk")[:_LINKED],
        "coordinator": can(user, "intake.triage", item),
        "history": history_for(user, item),
        "form": form,
        "conflict": conflict,
        "actions": [(action.value, label) for action, label in _ACTIONS],
    }
    return render(request, "intake/report.html", context)


@login_required
def cluster(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report's duplicate group side by side, a page of members at a time; the desk's split
    and merge forms (a refused merge comes back with `?merge=` to insist on a conflict)."""
    user = signed_in(request)
    found = services.cluster(user, report_id)
    page = page_of(request, found.tree, per_page=_COLUMNS)
    context = {
        "cluster": found,
        "page": page,
        "columns": services.members(user, found, list(page.object_list)),
        "coordinator": can(user, "intake.triage"),
        "merging": request.GET.get("merge", ""),
        "conflict": request.GET.get("conflict") == "1",
    }
    return render(request, "intake/cluster.html", context)


def _cluster_action(request: HttpRequest, report_id: int) -> tuple[User, services.Cluster]:
    """The signed-in coordinator and the group as it was before the change."""
    user = signed_in(request)
    found = services.cluster(user, report_id)  # 404 for a report the user may not see
    require(user, "intake.triage")
    return user, found


@login_required
@require_POST
def split(request: HttpRequest, report_id: int) -> HttpResponse:
    """Take a member (with all linked through it) out of the group (POST; a column's button)."""
    user, found = _cluster_action(request, report_id)
    form = SplitForm(request.POST)
    try:
        command = parse(SplitCluster, given(form.cleaned_data) if form.is_valid() else {})
        member = services.split(user, report_id, command)
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
    else:
        along = "".join(f", #{pk}" for pk in found.carried(member.pk))
        messages.success(
            request, f"Report #{member.pk}{along} left the group: #{member.pk} is a primary now."
        )
    return redirect("intake:cluster", report_id=found.primary)


@login_required
@require_POST
def merge(request: HttpRequest, report_id: int) -> HttpResponse:
    """Bring a report (or its group) into this group (POST; the page's merge form)."""
    user, found = _cluster_action(request, report_id)
    primary = found.primary
    form = MergeForm(request.POST)
    try:
        command = parse(MergeCluster, given(form.cleaned_data) if form.is_valid() else {})
        primary = services.merge(user, report_id, command).pk
    except services.ConflictingIdentifiers as error:
        messages.error(request, str(error))
        query = f"?merge={command.report}&conflict=1"
        return redirect(reverse("intake:cluster", kwargs={"report_id": primary}) + query)
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Report #{command.report} joined the group of #{primary}.")
    return redirect("intake:cluster", report_id=primary)
