"""Who sees advisories: every signed-in user; anonymous visitors nothing (yet).

Imported OSV records are public reference data, so every role may read them and export
them for the offline scanner. No `public_rule` is declared: the clearinghouse's own
advisories will share this store under TLP markings, and what anonymous visitors may see
(TLP:CLEAR, published) is decided with them.

Actions: coordinators and admins load feeds (the instance's own command line may too, as
no user: `import_osv(actor=None)`).
"""

from __future__ import annotations

from django.db.models import Q

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import action_rule, is_program_admin, visibility_rule

from .models import Advisory, AffectedPackage


@visibility_rule(Advisory)
def _advisories(user: User) -> Q:
    return Q()


@visibility_rule(AffectedPackage)
def _packages(user: User) -> Q:
    return Q()


@action_rule("advisories.import", denied="only coordinators and admins import advisories")
def _import(user: User, obj: object) -> bool:
    return is_program_admin(user) or user.role == Role.COORDINATOR
