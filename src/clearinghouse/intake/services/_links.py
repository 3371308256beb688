"""Duplicate groups as stored: a group's primary, all it holds through any chain, what may join.

A report's `duplicate_of` points at the report it duplicates, which may itself duplicate
another (a primary later marked a duplicate keeps its own duplicates), so a group is a tree
under its primary, and a chain deeper than one link is still one group. These walks read it
whole, one query per level. The rules for joining two groups live here once, for a
coordinator's decision (triage, the cluster page) as the core's `link_veto` holds them for
automatic links: never two items of one document in one group, and not two ids of one
namespace unless the coordinator insists, knowing the conflict.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

from clearinghouse.core.scoring.dedup import conflicting_identifiers
from clearinghouse.errors import Conflict

from ..models import Report

#: The link a walk follows: `reports_shown_to`'s annotation (a viewer's links) or the column.
LINK = "shown_duplicate_of"


class ConflictingIdentifiers(Conflict):
    """Two reports name different ids in one namespace: two vulnerabilities, unless insisted."""


@dataclass(frozen=True)
class Member:
    """What the joining rules read of a report: its id, ids named, document and link."""

    pk: int
    aliases: tuple[str, ...]
    submission_id: int
    duplicate_of_id: int | None


def every_link() -> QuerySet[Report]:
    """All reports, each with its stored link as `shown_duplicate_of` (for the rules' walks)."""
    return Report.objects.annotate(shown_duplicate_of=F("duplicate_of_id"))


def _members(rows: QuerySet[Report]) -> list[Member]:
    return [
        Member(pk, tuple(aliases), submission_id, up)
        for pk, aliases, submission_id, up in rows.values_list(
            "pk", "aliases", "submission_id", LINK
        )
    ]


def primary_of(pk: int, reports: QuerySet[Report]) -> int:
    """The primary of `pk`'s group among `reports`: its links followed up (stops at a cycle)."""
    seen = {pk}
    while (up := reports.filter(pk=pk).values_list(LINK, flat=True).first()) is not None:
        if up in seen:
            break
        seen.add(up)
        pk = up
    return pk


def linked_through(starts: Collection[int], reports: QuerySet[Report]) -> list[Member]:
    """The reports `starts` and every report linked to them through any chain, level by level.

    Each report once, in the order found (the starts first), even where stored links form a
    cycle; one query per level, the first two levels in one.
    """
    first = set(starts)
    # The starts and their direct duplicates in one query: most groups are one level deep.
    rows = _members(reports.filter(Q(pk__in=first) | Q(**{f"{LINK}__in": first})))
    found = [m for m in rows if m.pk in first] + [m for m in rows if m.pk not in first]
    seen = {member.pk for member in found}
    frontier = [member.pk for member in found if member.pk not in first]
    while frontier:
        linked = reports.filter(**{f"{LINK}__in": frontier})
        below = [member for member in _members(linked) if member.pk not in seen]
        seen.update(member.pk for member in below)
        found += below
        frontier = [member.pk for member in below]
    return found


def by_start(starts: Collection[int], members: Iterable[Member]) -> dict[int, list[Member]]:
    """`linked_through(starts)` split by the start each member hangs from (starts first)."""
    owner = {pk: pk for pk in starts}
    split: dict[int, list[Member]] = {pk: [] for pk in starts}
    for member in members:  # found level by level: a member's parent is owned before it
        mine = owner.get(member.pk)
        if mine is None and member.duplicate_of_id is not None:
            mine = owner.get(member.duplicate_of_id)
        if mine is not None:
            owner[member.pk] = mine
            split[mine].append(member)
    return split


@dataclass
class Group:
    """A group others may join, indexed by document and by the ids its members name.

    So that a decision on thousands of reports checks each against the group without reading
    every member again: a document in one look-up, ids once per distinct set of ids named.
    """

    primary: int
    documents: dict[int, list[int]] = field(default_factory=dict)
    named: dict[frozenset[str], list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, members: Sequence[Member]) -> Group:
        """The group of a primary's `linked_through`, the primary first."""
        group = cls(members[0].pk)
        group.add(members)
        return group

    def add(self, members: Iterable[Member]) -> None:
        """Count these reports in the group."""
        for member in members:
            self.documents.setdefault(member.submission_id, []).append(member.pk)
            if member.aliases:
                self.named.setdefault(frozenset(member.aliases), []).append(member.pk)

    def admit(self, joining: Sequence[Member], *, despite: bool) -> None:
        """Refuse `joining` (a report with all linked through it) where it may not join; or add it.

        409 when the primary is linked through the joining report (a cycle) or two items of
        one document would be in one group; `ConflictingIdentifiers` (a 409 naming each
        clash) when they name different ids of one namespace, unless the coordinator insists
        (`despite`). Members moving within the group (a link confirmed) are not counted
        against themselves.
        """
        moving = {member.pk for member in joining}
        if self.primary in moving:
            raise Conflict(
                f"report #{self.primary} is linked through report #{joining[0].pk}: a cycle"
            )
        for member in joining:
            other = _staying(self.documents.get(member.submission_id, ()), moving)
            if other is not None:
                raise Conflict(
                    f"report #{member.pk} and report #{other} are items of one document "
                    f"(submission #{member.submission_id}): distinct by construction, never "
                    "one group"
                )
        if not despite and (clashes := self.conflicts(joining, moving)):
            raise ConflictingIdentifiers(
                f"{'; '.join(clashes)}: they name different identifiers; confirm despite the "
                "identifier conflict if they are one vulnerability"
            )
        self.add(joining)

    def conflicts(self, joining: Iterable[Member], moving: Collection[int] = ()) -> list[str]:
        """Each joining report and a member naming other ids of one namespace, said in words.

        The first `_SAID` clashes: enough to see why, short enough to read.
        """
        found: list[str] = []
        for one in joining:
            for aliases, pks in self.named.items():
                other = _staying(pks, moving)
                if other is not None and (clashes := conflicting_identifiers(one.aliases, aliases)):
                    named = "; ".join(str(clash) for clash in clashes)
                    found.append(f"report #{one.pk} and report #{other} ({named})")
                    if len(found) == _SAID:
                        return found
        return found


#: Clashes a refusal names at most.
_SAID = 5


def _staying(pks: Iterable[int], moving: Collection[int]) -> int | None:
    return next((pk for pk in pks if pk not in moving), None)
