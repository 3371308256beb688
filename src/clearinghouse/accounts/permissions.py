"""The one permission layer: every query for tenant data is filtered here, failing closed.

Each app declares, with `@visibility_rule(Model)`, which rows a user may see; views, API
handlers and commands obtain querysets only through `visible(...)`. A model with no rule
is visible to nobody but admins, so forgetting a rule hides data instead of leaking it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from .models import User

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser
Rule = Callable[[User], Q]

_RULES: dict[type[Model], Rule] = {}
_PUBLIC_RULES: dict[type[Model], Q] = {}


def visibility_rule(model: type[Model]) -> Callable[[Rule], Rule]:
    """Register the function that says which rows of `model` a signed-in user may see."""

    def register(rule: Rule) -> Rule:
        _RULES[model] = rule
        return rule

    return register


def public_rule(model: type[Model], condition: Q) -> None:
    """Declare the rows of `model` that anyone, signed in or not, may see (e.g. TLP:CLEAR)."""
    _PUBLIC_RULES[model] = condition


def visible(source: type[M] | QuerySet[M], user: AnyUser | None) -> QuerySet[M]:
    """Return only the rows of `source` that `user` may see."""
    queryset = source._default_manager.all() if isinstance(source, type) else source
    public = _PUBLIC_RULES.get(queryset.model)
    if user is None or not user.is_authenticated or not isinstance(user, User):
        return queryset.filter(public) if public is not None else queryset.none()
    if not user.is_active:
        return queryset.none()
    if user.is_program_admin:
        return queryset
    rule = _RULES.get(queryset.model)
    condition = rule(user) if rule is not None else Q(pk__in=[])
    if public is not None:
        condition |= public
    return queryset.filter(condition)


def signed_in(request: HttpRequest) -> User:
    """The user behind a page request (session) or an API request (token or session).

    Views are wrapped in `login_required` and API routes require authentication, so anything
    else here is a wiring mistake, refused rather than served.
    """
    user = getattr(request, "auth", None) or request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("sign in first")
    return user
