"""What vetoes an automatic duplicate link, whatever the score says.

A score is evidence; some facts are proof the other way. A report never joins a duplicate
group automatically when a member of that group names different ids of one namespace (two
CVEs are two vulnerabilities, however alike their text), or came in the same document (the
items of one advisory or scan are distinct by construction), or is the report itself. The
whole group counts, not only the report it scored best against, so that no chain of links
can join what one link could not. A coordinator may still decide otherwise, knowingly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ._identifiers import conflicting_identifiers


@dataclass(frozen=True)
class Linkable:
    """What the veto reads of a report: its id, its aliases and the document it came in."""

    report_id: str
    aliases: frozenset[str]
    document: str = ""


def link_veto(report: Linkable, group: Iterable[Linkable]) -> str:
    """Why `report` may not be linked automatically into `group`; "" when it may."""
    for member in group:
        if member.report_id == report.report_id:
            return f"report {member.report_id} is the report itself"
        if report.document and member.document == report.document:
            return f"report {member.report_id} is an item of the same document"
        if clashes := conflicting_identifiers(report.aliases, member.aliases):
            named = "; ".join(str(clash) for clash in clashes)
            return f"report {member.report_id} names different identifiers ({named})"
    return ""
