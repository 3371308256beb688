"""Review pages: the queue, filing a notice, the notice page with its forms, the review report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can, require, signed_in, visible
from clearinghouse.audit.history import HistoryEntry, history_for
from clearinghouse.audit.services import audited
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.frontier.models import AIModel
from clearinghouse.inputs import parse, show_errors
from clearinghouse.paging import page_of

from . import services
from .forms import AccessGrantForm, AssignForm, DecisionForm, FindingForm, NoteForm, NoticeForm
from .inputs import (
    AddNote,
    AssignReviewer,
    DecideTrack,
    EditDraft,
    FileNotice,
    GrantAccess,
    RecordFinding,
)
from .models import AccessGrant, Finding, Notice, ReviewerNote, TrackReview
from .permissions import assignable_to, assignments_shown_to
from .report import report_context, report_pdf


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    return get_object_or_404(notices, pk=notice_id)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """A lab's notices, or a reviewer's queue, soonest deadline first, a page at a time."""
    user = signed_in(request)
    notices = visible(Notice, user).select_related("ai_model", "organisation")
    context = {
        "page": page_of(request, notices.order_by("review_deadline", "id")),
        "files_notices": can(user, "reviews.file_notice"),
    }
    return render(request, "reviews/queue.html", context)


@login_required
def file_notice(request: HttpRequest, model_id: int) -> HttpResponse:
    """A lab files a notice for one of its covered models (others get the rule's 403)."""
    model = get_object_or_404(visible(AIModel, signed_in(request)), pk=model_id)
    require(signed_in(request), "reviews.file_notice", model)
    form = NoticeForm(
        request.POST or None, initial={"planned_release_date": model.planned_release_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            command = parse(FileNotice, form.cleaned_data | {"ai_model_id": model.pk})
            notice = services.file_notice(signed_in(request), command)
        except InvalidInput as error:
            show_errors(form, error)
        else:
            messages.success(
                request, "Notice filed as a draft: add access for reviewers, then submit."
            )
            return redirect("reviews:notice", notice_id=notice.pk)
    return render(request, "reviews/file.html", {"form": form, "model": model})


#: The newest internal notes and access grants the notice page lists.
SHOWN_NOTES, SHOWN_GRANTS = 100, 50
#: The most reviewers the assignment list offers (the track's agencies' reviewers).
SHOWN_CANDIDATES = 200


def _timeline(notice: Notice, user: User) -> list[HistoryEntry]:
    """The notice's history with its tracks, grants and the findings the user may see."""
    subjects: list[Model] = [notice, *notice.tracks.all(), *notice.access_grants.all()]
    subjects += visible(Finding, user).filter(track_review__notice=notice).only("pk")
    return history_for(user, subjects)


def _track_ids(track_id: int) -> str:
    """Element ids of a track's forms: several tracks' forms share one page."""
    return f"track{track_id}_%s"


#: A form of the notice page, by what it is for (and, for a track's forms, the track).
FormKey = tuple[str, int]


def _render(
    request: HttpRequest, notice: Notice, bound: dict[FormKey, forms.Form] | None = None
) -> HttpResponse:
    """The notice page, with `bound` forms (a refused post, its errors shown) in their place."""
    user, bound = signed_in(request), bound or {}
    tracks = list(notice.tracks.prefetch_related(assignments_shown_to(user)))
    for track in tracks:
        track.mine = can(user, "reviews.record_finding", track)  # type: ignore[attr-defined]
        track.may_decide = track.mine and track.status == "open"  # type: ignore[attr-defined]
        track.can_assign = can(user, "reviews.assign", track)  # type: ignore[attr-defined]
        ids = _track_ids(track.pk)
        for name, form_class in (
            ("finding", FindingForm),
            ("decision", DecisionForm),
            ("note", NoteForm),
            ("assign", AssignForm),
        ):
            form = bound.get((name, track.pk)) or form_class(auto_id=ids)
            setattr(track, f"{name}_form", form)
        if track.can_assign:  # type: ignore[attr-defined]
            candidates = assignable_to(track).select_related("organisation")
            track.candidates = candidates[:SHOWN_CANDIDATES]  # type: ignore[attr-defined]
    context = {
        "notice": notice,
        "is_lab": can(user, "reviews.edit_notice", notice),
        "sees_staffing": can(user, "reviews.see_staffing", notice),
        "tracks": tracks,
        "page": page_of(
            request,
            visible(Finding, user)
            .filter(track_review__notice=notice)
            .select_related("track_review")
            .prefetch_related("evidence")
            .order_by("-created_at", "-id"),
        ),
        "notes": visible(ReviewerNote, user)
        .filter(track_review__notice=notice)
        .select_related("author", "track_review")
        .order_by("-created_at", "-id")[:SHOWN_NOTES],
        "grants": visible(AccessGrant, user).filter(notice=notice)[:SHOWN_GRANTS],
        "timeline": _timeline(notice, user),
        "grant_form": bound.get(("grant", notice.pk)) or AccessGrantForm(),
        "notice_form": bound.get(("notice", notice.pk))
        or NoticeForm(
            initial={
                "planned_release_date": notice.planned_release_date,
                "training_data_summary": notice.training_data_summary,
                "stress_test_results": notice.stress_test_results,
            }
        ),
    }
    return render(request, "reviews/notice.html", context, status=422 if bound else 200)


@login_required
def notice_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Everything about one notice that the user may see, with the forms their role uses."""
    return _render(request, _notice(request, notice_id))


def _act(
    request: HttpRequest, notice_id: int, action: Callable[[], object], done: str
) -> HttpResponse:
    """Run one service call for a button; show a refused input or state above the page.

    A role the action's rule refuses gets the 403 (with the rule's reason): the page offers
    the button only to those the rule allows, so only a forged request gets here.
    """
    try:
        action()
        messages.success(request, done)
    except (InvalidInput, Conflict) as error:
        messages.error(request, str(error))
    return redirect("reviews:notice", notice_id=notice_id)


def _submit(
    request: HttpRequest,
    notice_id: int,
    key: FormKey,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    done: str,
) -> HttpResponse:
    """Run one service call for a posted form: a refused input is shown next to its fields.

    The form only parses; `action` builds the command from the posted fields (`parse`) and
    calls the service. A conflict is a message above the page; a refusal of the role, the
    403 of the action's rule.
    """
    if form.is_valid():
        posted = {name: value for name, value in form.cleaned_data.items() if name in form.data}
        try:
            action(posted)
        except InvalidInput as error:
            show_errors(form, error)
        except Conflict as error:
            messages.error(request, str(error))
            return redirect("reviews:notice", notice_id=notice_id)
        else:
            messages.success(request, done)
            return redirect("reviews:notice", notice_id=notice_id)
    messages.error(request, "Nothing was saved: check the form.")
    return _render(request, _notice(request, notice_id), {key: form})


@login_required
@require_POST
def transition(request: HttpRequest, notice_id: int, action: str) -> HttpResponse:
    """Lab actions on its notice: submit, withdraw, mark released, save the draft."""
    notice, user = _notice(request, notice_id), signed_in(request)
    if action == "save":
        return _submit(
            request,
            notice.pk,
            ("notice", notice.pk),
            NoticeForm(request.POST),
            lambda posted: services.update_draft(user, notice, parse(EditDraft, posted)),
            "Draft saved.",
        )
    steps = {
        "submit": (services.submit_notice, "Notice submitted: the review clock has started."),
        "withdraw": (services.withdraw_notice, "Notice withdrawn."),
        "release": (services.mark_released, "Release recorded."),
    }
    if action not in steps:
        raise Http404("unknown action")
    step, done = steps[action]
    return _act(request, notice.pk, lambda: step(user, notice), done)


@login_required
@require_POST
def grant(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The lab adds an access grant."""
    notice, user = _notice(request, notice_id), signed_in(request)
    return _submit(
        request,
        notice.pk,
        ("grant", notice.pk),
        AccessGrantForm(request.POST),
        lambda posted: services.grant_access(user, notice, parse(GrantAccess, posted)),
        "Access granted; the key is stored encrypted.",
    )


@login_required
@require_POST
def revoke(request: HttpRequest, grant_id: int) -> HttpResponse:
    """The lab revokes an access grant."""
    item = get_object_or_404(
        visible(AccessGrant, signed_in(request)).select_related("notice"), pk=grant_id
    )
    return _act(
        request,
        item.notice_id,
        lambda: services.revoke_access(signed_in(request), item),
        "Access revoked.",
    )


def _track(request: HttpRequest, track_id: int) -> TrackReview:
    return get_object_or_404(
        visible(TrackReview, signed_in(request)).select_related("notice"), pk=track_id
    )


@login_required
@require_POST
def assign(request: HttpRequest, track_id: int) -> HttpResponse:
    """An admin or the track's lead assigns a reviewer."""
    track, user = _track(request, track_id), signed_in(request)
    form = AssignForm(request.POST, auto_id=_track_ids(track.pk))
    return _submit(
        request,
        track.notice_id,
        ("assign", track.pk),
        form,
        lambda posted: services.assign_reviewer(user, track, parse(AssignReviewer, posted)),
        f"{request.POST.get('reviewer') or 'The reviewer'} assigned.",
    )


@login_required
@require_POST
def add_finding(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer records a finding, with an optional evidence file."""
    track, user = _track(request, track_id), signed_in(request)
    form = FindingForm(request.POST, request.FILES, auto_id=_track_ids(track.pk))

    def record(posted: dict[str, Any]) -> None:
        evidence = posted.pop("evidence", None) or request.FILES.get("evidence")
        command = parse(RecordFinding, posted)
        with audited():  # one unit: a refused file leaves no finding behind
            finding = services.record_finding(user, track, command)
            if evidence:
                services.attach_evidence(
                    user, finding, evidence, settings.CLEARINGHOUSE_MAX_EVIDENCE_BYTES
                )

    return _submit(
        request,
        track.notice_id,
        ("finding", track.pk),
        form,
        record,
        "Finding recorded (not yet released to the lab).",
    )


@login_required
@require_POST
def release_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """A reviewer releases a finding to the lab."""
    finding = get_object_or_404(
        visible(Finding, signed_in(request)).select_related("track_review"), pk=finding_id
    )
    return _act(
        request,
        finding.track_review.notice_id,
        lambda: services.release_finding(signed_in(request), finding),
        "Finding released to the lab.",
    )


@login_required
@require_POST
def add_note(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer adds an internal note."""
    track, user = _track(request, track_id), signed_in(request)
    return _submit(
        request,
        track.notice_id,
        ("note", track.pk),
        NoteForm(request.POST, auto_id=_track_ids(track.pk)),
        lambda posted: services.add_note(user, track, parse(AddNote, posted)),
        "Note added.",
    )


@login_required
@require_POST
def decide(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer decides for their track."""
    track, user = _track(request, track_id), signed_in(request)

    def decide(posted: dict[str, Any]) -> None:
        conditions = str(posted.get("conditions") or "").splitlines()
        command = parse(DecideTrack, posted | {"conditions": conditions})
        services.decide_track(user, track, command)

    return _submit(
        request,
        track.notice_id,
        ("decision", track.pk),
        DecisionForm(request.POST, auto_id=_track_ids(track.pk)),
        decide,
        "Decision recorded.",
    )


@login_required
def report(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The review report as a page (what the user may see of it)."""
    notice = _notice(request, notice_id)
    return render(request, "reviews/report.html", report_context(notice, signed_in(request)))


@login_required
def report_as_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The same review report as a PDF."""
    notice = _notice(request, notice_id)
    response = HttpResponse(
        report_pdf(report_context(notice, signed_in(request))), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="review-report-notice-{notice.pk}.pdf"'
    return response
