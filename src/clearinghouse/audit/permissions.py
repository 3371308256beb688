"""Who may know who acted: the redaction rule that `history_for` applies to every event.

Government staff (admins, reviewers, coordinators) see every actor: they work the cases
together. Everyone else (labs, vendors, operators) sees the names of their own organisation's
people only; anyone else is shown as the kind of party that acted, so a lab never learns
which reviewer reviewed it and a reporter never learns which coordinator decided. Audit
events themselves have no visibility rule, so only admins read them directly.
"""

from __future__ import annotations

from clearinghouse.accounts.models import OrganisationKind, Role, User
from clearinghouse.accounts.permissions import has_role, member_of

from .models import AuditEvent

#: How an actor the viewer may not know is named, by the kind of their organisation.
PARTY = {
    OrganisationKind.AGENCY: "the review program",
    OrganisationKind.CLEARINGHOUSE: "the clearinghouse",
    OrganisationKind.LAB: "an AI lab",
    OrganisationKind.VENDOR: "a vendor",
    OrganisationKind.OPERATOR: "an operator",
}


def actor_shown(viewer: User, organisation_id: int | None) -> bool:
    """Whether `viewer` may know which user of organisation `organisation_id` acted."""
    return (
        viewer.is_program_admin
        or has_role(viewer, Role.REVIEWER, Role.COORDINATOR)
        or member_of(viewer, organisation_id)
    )


def actor_label(viewer: User, event: AuditEvent, kind: str | None) -> str:
    """The actor of `event` as `viewer` sees it; `kind` is the actor's organisation kind."""
    if event.actor_id is None and event.organisation_id_at_time is None:
        return "system"
    if actor_shown(viewer, event.organisation_id_at_time):
        return event.actor_label
    return PARTY.get(OrganisationKind(kind), "the clearinghouse") if kind else "the clearinghouse"
