"""Review pages: the queue, filing a notice, the notice page with its forms, the review report."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.audit.history import HistoryEntry, history_for
from clearinghouse.errors import Conflict, InvalidInput
from clearinghouse.frontier.models import AIModel

from . import services
from .forms import AccessGrantForm, DecisionForm, FindingForm, NoteForm, NoticeForm
from .models import AccessGrant, Finding, Notice, ReviewerNote, TrackReview
from .permissions import assignments_shown_to, track_reviews_of
from .report import report_context, report_pdf


def _notice(request: HttpRequest, notice_id: int) -> Notice:
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    return get_object_or_404(notices, pk=notice_id)


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """A lab's notices, or a reviewer's queue, soonest deadline first."""
    notices = visible(Notice, signed_in(request)).select_related("ai_model", "organisation")
    return render(request, "reviews/queue.html", {"notices": notices.order_by("review_deadline")})


@login_required
def file_notice(request: HttpRequest, model_id: int) -> HttpResponse:
    """A lab files a notice for one of its covered models."""
    model = get_object_or_404(visible(AIModel, signed_in(request)), pk=model_id)
    form = NoticeForm(
        request.POST or None, initial={"planned_release_date": model.planned_release_date}
    )
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.file_notice(signed_in(request), model, **form.cleaned_data)
        except InvalidInput as error:
            for item in error.errors:
                form.add_error(item.loc[-1] if item.loc[-1] in form.fields else None, item.msg)
        else:
            messages.success(
                request, "Notice filed as a draft: add access for reviewers, then submit."
            )
            return redirect("reviews:notice", notice_id=notice.pk)
    return render(request, "reviews/file.html", {"form": form, "model": model})


def _timeline(notice: Notice, user: User) -> list[HistoryEntry]:
    """The notice's history with its tracks, grants and the findings the user may see."""
    subjects: list[Model] = [notice, *notice.tracks.all(), *notice.access_grants.all()]
    subjects += visible(Finding, user).filter(track_review__notice=notice)
    return history_for(user, subjects)


@login_required
def notice_page(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Everything about one notice that the user may see, with the forms their role uses."""
    notice = _notice(request, notice_id)
    user = signed_in(request)
    my_tracks = set(
        TrackReview.objects.filter(track_reviews_of(user), notice=notice).values_list(
            "pk", flat=True
        )
    )
    tracks = list(notice.tracks.prefetch_related(assignments_shown_to(user)))
    for track in tracks:
        track.mine = track.pk in my_tracks or user.is_program_admin  # type: ignore[attr-defined]
        track.can_assign = services.can_lead(user, track)  # type: ignore[attr-defined]
        ids = f"track{track.pk}_%s"  # several tracks' forms share one page: keep ids unique
        track.finding_form = FindingForm(auto_id=ids)  # type: ignore[attr-defined]
        track.decision_form = DecisionForm(auto_id=ids)  # type: ignore[attr-defined]
        track.note_form = NoteForm(auto_id=ids)  # type: ignore[attr-defined]
        track.candidates = User.objects.filter(  # type: ignore[attr-defined]
            role=Role.REVIEWER, is_active=True, organisation__track=track.track
        ).exclude(review_assignments__track_review=track)
    context = {
        "notice": notice,
        "is_lab": user.role == Role.DEVELOPER,
        "tracks": tracks,
        "findings": visible(Finding, user)
        .filter(track_review__notice=notice)
        .select_related("track_review")
        .prefetch_related("evidence"),
        "notes": visible(ReviewerNote, user)
        .filter(track_review__notice=notice)
        .select_related("author", "track_review"),
        "grants": visible(AccessGrant, user).filter(notice=notice),
        "timeline": _timeline(notice, user),
        "grant_form": AccessGrantForm(),
        "notice_form": NoticeForm(
            initial={
                "planned_release_date": notice.planned_release_date,
                "training_data_summary": notice.training_data_summary,
                "stress_test_results": notice.stress_test_results,
            }
        ),
    }
    return render(request, "reviews/notice.html", context)


def _act(
    request: HttpRequest, notice: Notice, action: Callable[[], object], done: str
) -> HttpResponse:
    """Run one service call for a form post; show its error instead of failing the page."""
    try:
        action()
        messages.success(request, done)
    except InvalidInput as error:
        messages.error(request, str(error))
    except Conflict as error:
        messages.error(request, str(error))
    except PermissionDenied as error:
        messages.error(request, str(error) or "Your role cannot do this.")
    return redirect("reviews:notice", notice_id=notice.pk)


@login_required
@require_POST
def transition(request: HttpRequest, notice_id: int, action: str) -> HttpResponse:
    """Lab actions on its notice: submit, withdraw, mark released, save the draft."""
    notice, user = _notice(request, notice_id), signed_in(request)
    if action == "save":
        form = NoticeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Check the release date.")
            return redirect("reviews:notice", notice_id=notice.pk)
        return _act(
            request,
            notice,
            lambda: services.update_draft(user, notice, form.cleaned_data),
            "Draft saved.",
        )
    steps = {
        "submit": (services.submit_notice, "Notice submitted: the review clock has started."),
        "withdraw": (services.withdraw_notice, "Notice withdrawn."),
        "release": (services.mark_released, "Release recorded."),
    }
    if action not in steps:
        raise PermissionDenied("unknown action")
    step, done = steps[action]
    return _act(request, notice, lambda: step(user, notice), done)


@login_required
@require_POST
def grant(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The lab adds an access grant."""
    notice = _notice(request, notice_id)
    data = {k: v for k, v in request.POST.items() if k in AccessGrantForm.base_fields and v}
    return _act(
        request,
        notice,
        lambda: services.grant_access(signed_in(request), notice, data),
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
        item.notice,
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
    track = _track(request, track_id)
    reviewer = get_object_or_404(User, pk=request.POST.get("reviewer") or 0, is_active=True)
    return _act(
        request,
        track.notice,
        lambda: services.assign_reviewer(signed_in(request), track, reviewer),
        f"{reviewer.username} assigned.",
    )


@login_required
@require_POST
def add_finding(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer records a finding, with an optional evidence file."""
    track, user = _track(request, track_id), signed_in(request)
    form = FindingForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "A finding needs a category, severity, title and description.")
        return redirect("reviews:notice", notice_id=track.notice_id)

    def record() -> None:
        finding = services.record_finding(user, track, form.cleaned_data)
        if form.cleaned_data.get("evidence"):
            services.attach_evidence(
                user,
                finding,
                form.cleaned_data["evidence"],
                settings.CLEARINGHOUSE_MAX_EVIDENCE_BYTES,
            )

    return _act(request, track.notice, record, "Finding recorded (not yet released to the lab).")


@login_required
@require_POST
def release_finding(request: HttpRequest, finding_id: int) -> HttpResponse:
    """A reviewer releases a finding to the lab."""
    finding = get_object_or_404(
        visible(Finding, signed_in(request)).select_related("track_review__notice"), pk=finding_id
    )
    return _act(
        request,
        finding.track_review.notice,
        lambda: services.release_finding(signed_in(request), finding),
        "Finding released to the lab.",
    )


@login_required
@require_POST
def add_note(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer adds an internal note."""
    track = _track(request, track_id)
    return _act(
        request,
        track.notice,
        lambda: services.add_note(signed_in(request), track, request.POST.get("body", "")),
        "Note added.",
    )


@login_required
@require_POST
def decide(request: HttpRequest, track_id: int) -> HttpResponse:
    """A reviewer decides for their track."""
    track = _track(request, track_id)
    conditions = request.POST.get("conditions", "").splitlines()
    return _act(
        request,
        track.notice,
        lambda: services.decide_track(
            signed_in(request),
            track,
            decision=request.POST.get("decision", ""),
            rationale=request.POST.get("rationale", ""),
            conditions=conditions,
        ),
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
