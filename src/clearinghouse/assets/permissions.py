"""Who sees operators' assets and findings: the operator its own; coordinators all; nobody else.

An SBOM says what a critical-infrastructure operator runs: other operators, vendors, labs and
reviewers never see it. Coordinators see every asset for the per-sector impact view.
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import visibility_rule

from .models import Asset, Component, Finding


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
