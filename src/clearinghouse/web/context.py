"""Template context shared by every page: the navigation for the signed-in user's role."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from clearinghouse.accounts.models import Role, User


def navigation(request: HttpRequest) -> dict[str, object]:
    """Links the user's role can use; pages still check permissions themselves.

    `nav_links` are the work areas; `account_links` (tokens, webhooks, admin) sit in the
    header's secondary row so the primary row stays short on small screens.
    """
    user = getattr(request, "user", None)
    links: list[tuple[str, str]] = []
    account: list[tuple[str, str]] = []
    if isinstance(user, User) and user.is_authenticated:
        links.append(("Dashboard", reverse("home")))
        if user.is_program_admin or user.role in {Role.DEVELOPER, Role.REVIEWER}:
            links.append(("Models", reverse("frontier:list")))
            label = "Notices" if user.role == Role.DEVELOPER else "Review queue"
            links.append((label, reverse("reviews:queue")))
        if user.is_program_admin or user.role in {Role.OPERATOR, Role.COORDINATOR}:
            links.append(("Assets", reverse("assets:list")))
        if user.is_program_admin or user.role == Role.COORDINATOR:
            links.append(("Impact", reverse("assets:impact-list")))
            links.append(("Triage", reverse("intake:queue")))
        elif user.organisation_id is not None:
            links.append(("Report a vulnerability", reverse("intake:submit")))
        if user.is_program_admin or user.role in {Role.COORDINATOR, Role.REVIEWER}:
            links.append(("Model findings", reverse("assessments:candidates")))
        links.append(("Advisories", reverse("advisories:list")))
        links.append(("Policies", reverse("frontier:policies")))
        account.append(("API tokens", reverse("accounts:tokens")))
        if user.organisation_id is not None:
            account.append(("Webhooks", reverse("notifications:webhooks")))
        if user.is_program_admin:
            account.append(("Admin", reverse("admin:index")))
    return {"nav_links": links, "account_links": account}
