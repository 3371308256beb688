"""The dashboard each role lands on after signing in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clearinghouse.accounts.models import Role
from clearinghouse.accounts.permissions import signed_in, visible
from clearinghouse.frontier.models import AIModel
from clearinghouse.frontier.policies import active_policy
from clearinghouse.reviews.models import Notice


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Show the user's organisation, the active policy and the models they may see."""
    user = signed_in(request)
    sees_models = user.is_program_admin or user.role in {Role.DEVELOPER, Role.REVIEWER}
    models = visible(AIModel, user).select_related("organisation") if sees_models else None
    notices = None
    if sees_models:
        open_notices = visible(Notice, user).exclude(status__in=["released", "withdrawn"])
        notices = open_notices.select_related("ai_model", "organisation")
    context = {"models": models, "notices": notices, "policy": active_policy()}
    return render(request, "web/home.html", context)
