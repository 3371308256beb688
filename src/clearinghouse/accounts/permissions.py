"""The one permission layer: what a user may see (`visible`) and what a user may do (`can`).

Each app declares in its `permissions.py`, with `@visibility_rule(Model)`, which rows a user
may see, and with `@action_rule("app.verb")`, who may take each action; views, API handlers,
commands, navigation and templates ask only `visible(...)` and `can(...)`/`require(...)`.
Both fail closed: a model with no rule is visible to admins only, and asking about an
action nobody declared is a programming error, never a yes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from .models import ApiToken, Role, User

M = TypeVar("M", bound=Model)
AnyUser = User | AnonymousUser
Rule = Callable[[User], Q]
#: Whether a signed-in, active user may take an action, on an object where it has one.
ActionRule = Callable[[User, Any], bool]

_RULES: dict[type[Model], Rule] = {}
_PUBLIC_RULES: dict[type[Model], Q] = {}


@dataclass(frozen=True)
class _Action:
    rule: ActionRule
    denied: str


_ACTIONS: dict[str, _Action] = {}


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
    if is_program_admin(user):
        return queryset
    rule = _RULES.get(queryset.model)
    condition = rule(user) if rule is not None else Q(pk__in=[])
    if public is not None:
        condition |= public
    return queryset.filter(condition)


def action_rule(name: str, *, denied: str) -> Callable[[ActionRule], ActionRule]:
    """Register who may take action `name` ("app.verb"); `denied` is the 403's reason."""

    def register(rule: ActionRule) -> ActionRule:
        if name in _ACTIONS:
            raise ValueError(f"action {name!r} is declared twice")
        _ACTIONS[name] = _Action(rule, denied)
        return rule

    return register


def can(user: AnyUser | None, action: str, obj: Any = None) -> bool:
    """May `user` take `action` (on `obj`)? Anonymous and inactive users may do nothing."""
    declared = _ACTIONS.get(action)
    if declared is None:
        raise LookupError(f"no action rule declares {action!r}")
    if user is None or not isinstance(user, User) or not user.is_active:
        return False
    return bool(declared.rule(user, obj))


def require(user: AnyUser | None, action: str, obj: Any = None) -> None:
    """Raise PermissionDenied (403, with the rule's reason) unless `can(user, action, obj)`."""
    if not can(user, action, obj):
        raise PermissionDenied(_ACTIONS[action].denied)


def actions() -> list[str]:
    """Every declared action, for the authorization matrix and the docs."""
    return sorted(_ACTIONS)


def is_program_admin(user: User) -> bool:
    """Admins of the platform (role admin or Django superuser) see everything and may do all."""
    return user.role == Role.ADMIN or user.is_superuser


def program_admins() -> QuerySet[User]:
    """The active platform admins (told of submissions, overdue reviews and decisions)."""
    return User.objects.filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)


def administers_platform(role: Role) -> bool:
    """Whether users of `role` run the platform: Django staff and superusers, no tenant needed."""
    return role == Role.ADMIN


def has_role(user: User, *roles: str) -> bool:
    """The role test the apps' rules are written with (nowhere else compares roles)."""
    return user.role in roles


def member_of(user: User, organisation_id: int | None) -> bool:
    """Whether the user belongs to this organisation (None belongs to nobody)."""
    return organisation_id is not None and user.organisation_id == organisation_id


def signed_in(request: HttpRequest) -> User:
    """The user behind a page request (session) or an API request (token or session).

    Views are wrapped in `login_required` and API routes require authentication, so anything
    else here is a wiring mistake, refused rather than served.
    """
    user = getattr(request, "auth", None) or request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise PermissionDenied("sign in first")
    return user


@action_rule("accounts.issue_token", denied="sign in first")
def _issue_token(user: User, obj: object) -> bool:
    return True


@action_rule("accounts.revoke_token", denied="only the token's owner revokes it")
def _revoke_token(user: User, token: ApiToken) -> bool:
    return token.user_id == user.pk


@action_rule("accounts.admin_site", denied="only administrators use the admin site")
def _admin_site(user: User, obj: object) -> bool:
    return is_program_admin(user)


@action_rule(
    "accounts.skip_second_factor",
    denied="administrators, coordinators and reviewers confirm sign-in with an authenticator",
)
def _skip_second_factor(user: User, obj: object) -> bool:
    """With CLEARINGHOUSE_TOTP_REQUIRED, the roles that decide and administer need TOTP."""
    if not settings.CLEARINGHOUSE_TOTP_REQUIRED:
        return True
    return not (is_program_admin(user) or has_role(user, Role.COORDINATOR, Role.REVIEWER))


@action_rule("accounts.enrol_second_factor", denied="your sign-in needs no authenticator")
def _enrol_second_factor(user: User, obj: object) -> bool:
    return not _skip_second_factor(user, obj)
