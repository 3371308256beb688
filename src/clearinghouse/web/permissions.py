"""Navigation to areas whose own app declares no action rule for opening them yet.

The header links ask `can()` like every page: the registry and the review queue ask their
apps' rules (`frontier.browse`, `reviews.browse`); the areas below are asked here until
their apps declare the same rule, when the link asks that one and the entry here goes.
"""

from __future__ import annotations

from clearinghouse.accounts.models import Role, User
from clearinghouse.accounts.permissions import action_rule, is_program_admin


def _coordinates(user: User) -> bool:
    return is_program_admin(user) or user.role == Role.COORDINATOR


@action_rule("web.triage", denied="only coordinators triage reports and weigh impact")
def _triage(user: User, obj: object) -> bool:
    return _coordinates(user)


@action_rule("web.report_vulnerability", denied="reports are sent on behalf of an organisation")
def _report_vulnerability(user: User, obj: object) -> bool:
    return user.organisation_id is not None and not _coordinates(user)


@action_rule("web.see_model_findings", denied="only coordinators and reviewers see model findings")
def _see_model_findings(user: User, obj: object) -> bool:
    return _coordinates(user) or user.role == Role.REVIEWER
