"""Template context shared by every page: the navigation, by what the user may do."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from clearinghouse.accounts.models import User
from clearinghouse.accounts.permissions import can


def navigation(request: HttpRequest) -> dict[str, object]:
    """Links the action rules let the user use; pages still check permissions themselves.

    `nav_links` are the work areas; `account_links` (tokens, webhooks, admin) sit in the
    header's secondary row so the primary row stays short on small screens.
    """
    user = getattr(request, "user", None)
    links: list[tuple[str, str]] = []
    account: list[tuple[str, str]] = []
    if isinstance(user, User) and user.is_authenticated:
        links.append(("Dashboard", reverse("home")))
        if can(user, "frontier.browse"):
            links.append(("Models", reverse("frontier:list")))
        if can(user, "reviews.browse"):
            label = "Notices" if can(user, "reviews.file_notice") else "Review queue"
            links.append((label, reverse("reviews:queue")))
        if can(user, "assets.browse"):
            links.append(("Assets", reverse("assets:list")))
        if can(user, "assets.see_impact"):
            links.append(("Impact", reverse("assets:impact-list")))
        if can(user, "intake.triage"):
            links.append(("Triage", reverse("intake:queue")))
        if can(user, "intake.submit"):
            links.append(("Report a vulnerability", reverse("intake:submit")))
        if can(user, "assessments.browse_candidates"):
            links.append(("Model findings", reverse("assessments:candidates")))
        links.append(("Advisories", reverse("advisories:list")))
        links.append(("Policies", reverse("frontier:policies")))
        account.append(("API tokens", reverse("accounts:tokens")))
        if user.organisation_id is not None:
            account.append(("Webhooks", reverse("notifications:webhooks")))
        if can(user, "accounts.admin_site"):
            account.append(("Admin", reverse("admin:index")))
    return {"nav_links": links, "account_links": account}
