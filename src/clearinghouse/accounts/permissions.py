"""The one permission layer: every query for tenant data is filtered here, failing closed.

Each app declares, with `@visibility_rule(Model)`, which rows a user may see; views, API
handlers and commands obtain querysets only through `visible(...)`. A model with no rule
is visible to nobody but admins, so forgetting a rule hides data instead of leaking it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet

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
