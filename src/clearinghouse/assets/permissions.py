"""Who sees operators' assets and findings: the operator its own; coordinators all; nobody else.

An SBOM says what a critical-infrastructure operator runs: other operators, vendors, labs and
reviewers never see it. Coordinators see every asset for the per-sector impact view.

Actions: operators of an operator organisation register assets; the operator that owns an
asset (and the platform's admins) replace its SBOM and change its findings' statuses, one
rule for both; coordinators and admins weigh an advisory's impact across operators.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import action_rule, is_program_admin, visibility_rule

from .models import Asset, Component, Finding, FindingStatusChange


def _organisations(user: User, field: str) -> Q:
    if user.role == Role.COORDINATOR:
        return Q()
    if user.role == Role.OPERATOR and user.organisation_id is not None:
        return Q(**{field: user.organisation_id})
    return Q(pk__in=[])


@visibility_rule(Asset)
def _assets(user: User) -> Q:
    return _organisations(user, "organisation_id")


@visibility_rule(Component)
def _components(user: User) -> Q:
    return _organisations(user, "asset__organisation_id")


@visibility_rule(Finding)
def _findings(user: User) -> Q:
    return _organisations(user, "asset__organisation_id")


@visibility_rule(FindingStatusChange)
def _status_changes(user: User) -> Q:
    return _organisations(user, "finding__asset__organisation_id")


def _is_operator(user: User) -> bool:
    organisation = user.organisation if user.organisation_id is not None else None
    return (
        user.role == Role.OPERATOR
        and organisation is not None
        and organisation.kind == OrganisationKind.OPERATOR
    )


@action_rule("assets.browse", denied="operator scanning is for operators and coordinators")
def _browse(user: User, obj: object) -> bool:
    return is_program_admin(user) or user.role == Role.COORDINATOR or _is_operator(user)


@action_rule("assets.upload", denied="only operators of critical infrastructure register assets")
def _upload(user: User, obj: object) -> bool:
    return _is_operator(user)


@action_rule("assets.manage", denied="only the operator that owns the asset changes it")
def _manage(user: User, asset: Asset) -> bool:
    """Replace the SBOM, change a finding's status: the owning operator, or an admin."""
    return is_program_admin(user) or (
        _is_operator(user) and asset.organisation_id == user.organisation_id
    )


@action_rule("assets.see_impact", denied="the impact view is for coordinators")
def _see_impact(user: User, obj: object) -> bool:
    return is_program_admin(user) or user.role == Role.COORDINATOR


def operators_of(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """The active operators of these organisations: who is told of their new findings."""
    return User.objects.filter(
        organisation_id__in=list(organisation_ids), role=Role.OPERATOR, is_active=True
    )
