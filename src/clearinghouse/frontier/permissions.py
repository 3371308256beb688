"""Who sees which registered models: a lab its own; agency reviewers the whole registry.

Labs register models with the government, and agencies must see uncovered models too in
order to designate them. Notices and their review material are narrower (per track).

Actions: a lab's developers register and change its models; agency reviewers and admins
designate models; admins put a policy in force.
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import action_rule, is_program_admin, visibility_rule

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


def _lab_developer(user: User) -> bool:
    organisation = user.organisation
    return (
        user.role == Role.DEVELOPER
        and organisation is not None
        and organisation.kind == OrganisationKind.LAB
    )


@action_rule("frontier.browse", denied="only labs, agency reviewers and admins use the registry")
def _browse(user: User, obj: object) -> bool:
    return is_program_admin(user) or user.role in {Role.DEVELOPER, Role.REVIEWER}


@action_rule("frontier.register", denied="only developers of an AI lab register models")
def _register(user: User, obj: object) -> bool:
    return _lab_developer(user)


@action_rule("frontier.change_model", denied="a lab changes only its own models")
def _change_model(user: User, model: AIModel) -> bool:
    return _lab_developer(user) and model.organisation_id == user.organisation_id


@action_rule("frontier.designate", denied="only an authorised agency or an admin designates models")
def _designate(user: User, model: AIModel) -> bool:
    return is_program_admin(user) or user.role == Role.REVIEWER


@action_rule("frontier.activate_policy", denied="only admins change the active policy")
def _activate_policy(user: User, obj: object) -> bool:
    return is_program_admin(user)
