"""`{% can "app.verb" obj as allowed %}`: templates ask the permission layer, never the role."""

from __future__ import annotations

from typing import Any

from django import template

from clearinghouse.accounts import permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any = None) -> bool:
    """Whether the signed-in user of this page may take `action` (on `obj`)."""
    request = context.get("request")
    return permissions.can(getattr(request, "user", None), action, obj)
