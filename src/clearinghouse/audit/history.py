"""The one door to audit history: the events about things a user may see, redacted for them.

Pages and the API never query audit events; they ask `history_for(user, subjects)`. It keeps
only events about subjects the permission layer lets the user see, names an event's actor
only to viewers who may know who acted (`permissions.actor_shown`), and lets the app that
owns a subject hide events or fields from a viewer with `@history_rule(Model)`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Model, Q

from clearinghouse.accounts.models import Organisation, User
from clearinghouse.accounts.permissions import visible

from .models import AuditEvent
from .permissions import actor_label

NEWEST_SHOWN = 100
"""How many events a timeline shows: the newest, so that no page reads a subject's whole history."""


@dataclass(frozen=True)
class HistoryEntry:
    """One audit event as a given viewer may see it."""

    sequence: int
    occurred_at: dt.datetime
    action: str
    #: Who acted, as this viewer may know it: a user name, or what kind of party acted.
    actor: str
    subject_type: str
    subject_id: str
    before: dict[str, Any]
    after: dict[str, Any]
    policy_id: str
    policy_version: str

    def without(self, *fields: str) -> HistoryEntry:
        """The entry with these keys left out of `before` and `after`."""
        return replace(
            self,
            before={k: v for k, v in self.before.items() if k not in fields},
            after={k: v for k, v in self.after.items() if k not in fields},
        )


#: An app's rule for its model's events: the entry as the user may see it, or None (hidden).
HistoryRule = Callable[[User, HistoryEntry], HistoryEntry | None]

_RULES: dict[str, HistoryRule] = {}


def history_rule(model: type[Model]) -> Callable[[HistoryRule], HistoryRule]:
    """Register how the events of `model`'s objects are shown (hidden events, redacted fields)."""

    def register(rule: HistoryRule) -> HistoryRule:
        _RULES[model._meta.label_lower] = rule
        return rule

    return register


def history_for(
    user: User, subjects: Model | Iterable[Model], *, newest: int = NEWEST_SHOWN
) -> list[HistoryEntry]:
    """The newest `newest` events about `subjects` that `user` may see, oldest first.

    Subjects the user may not see contribute nothing, whoever passed them in.
    """
    by_model: dict[type[Model], set[Any]] = defaultdict(set)
    for subject in [subjects] if isinstance(subjects, Model) else subjects:
        by_model[type(subject)].add(subject.pk)
    condition = Q(pk__in=[])
    for model, pks in by_model.items():
        shown = visible(model, user).filter(pk__in=pks).values_list("pk", flat=True)
        ids = [str(pk) for pk in shown]
        if ids:
            condition |= Q(object_type=model._meta.label_lower, object_id__in=ids)
    rows = list(AuditEvent.objects.filter(condition).order_by("-sequence")[:newest])
    rows.reverse()
    kinds = dict(
        Organisation.objects.filter(
            pk__in={row.organisation_id_at_time for row in rows} - {None}
        ).values_list("pk", "kind")
    )
    entries = []
    for row in rows:
        entry: HistoryEntry | None = HistoryEntry(
            sequence=row.sequence,
            occurred_at=row.occurred_at,
            action=row.action,
            actor=actor_label(user, row, kinds.get(row.organisation_id_at_time or 0)),
            subject_type=row.object_type,
            subject_id=row.object_id,
            before=_state(row.before),
            after=_state(row.after),
            policy_id=row.policy_id,
            policy_version=row.policy_version,
        )
        rule = _RULES.get(row.object_type)
        if rule is not None and entry is not None:
            entry = rule(user, entry)
        if entry is not None:
            entries.append(entry)
    return entries


def _state(text: str) -> dict[str, Any]:
    value = json.loads(text) if text else {}
    return value if isinstance(value, dict) else {"value": value}
