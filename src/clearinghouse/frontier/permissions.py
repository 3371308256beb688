"""Who sees which registered models: a lab its own; agency reviewers the whole registry.

Labs register models with the government, and agencies must see uncovered models too in
order to designate them. Notices and their review material are narrower (per track).
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import visibility_rule

from .models import AIModel, Designation, Determination


def _models(user: User) -> Q:
    if user.role == Role.DEVELOPER and user.organisation_id is not None:
        return Q(organisation_id=user.organisation_id)
    if user.role == Role.REVIEWER:
        return Q()
    return Q(pk__in=[])


@visibility_rule(AIModel)
def _ai_models(user: User) -> Q:
    return _models(user)


@visibility_rule(Determination)
def _determinations(user: User) -> Q:
    return Q(ai_model__in=AIModel.objects.filter(_models(user)))


@visibility_rule(Designation)
def _designations(user: User) -> Q:
    return Q(ai_model__in=AIModel.objects.filter(_models(user)))
