"""`{% scanning_summary user %}`: the dashboard's scanning section, without touching its view."""

from __future__ import annotations

from typing import Any

from django import template

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import visible

from .. import services
from ..models import Asset

register = template.Library()


@register.inclusion_tag("assets/_dashboard.html")
def scanning_summary(user: User) -> dict[str, Any]:
    """Assets and open findings by severity, for operators, coordinators and admins."""
    shown = user.is_program_admin or user.role in {Role.OPERATOR, Role.COORDINATOR}
    if not shown:
        return {"shown": False}
    return {
        "shown": True,
        "user": user,
        "assets": visible(Asset, user).select_related("organisation")[:20],
        "by_severity": services.open_by_severity(user),
    }
