"""The dashboard each role lands on after signing in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clearinghouse.accounts.permissions import can, signed_in, visible
from clearinghouse.core.review import NoticeStatus
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.policies import active_policy
from clearinghouse.paging import first_page
from clearinghouse.reviews.models import Notice


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The user's organisation, the active policy, and the first open notices and models.

    Each list shows its first rows and its total, linking to the paged list.
    """
    user = signed_in(request)
    notices = models = None
    if can(user, "reviews.browse"):
        open_notices = visible(Notice, user).exclude(
            status__in=[NoticeStatus.RELEASED, NoticeStatus.WITHDRAWN]
        )
        notices = first_page(
            open_notices.select_related("ai_model", "organisation").order_by(
                "review_deadline", "id"
            )
        )
    if can(user, "frontier.browse"):
        models = first_page(
            visible(AIModel, user)
            .select_related("organisation")
            .order_by("organisation__name", "name", "version", "id")
        )
    context = {
        "models": models,
        "notices": notices,
        "policy": active_policy(),
        "files_notices": can(user, "reviews.file_notice"),
        "may_register": can(user, "frontier.register"),
        "may_triage": can(user, "intake.triage"),
        "may_report": can(user, "intake.submit"),
    }
    return render(request, "web/home.html", context)
