"""Told inside an import's transaction which package keys changed, so scanning re-matches them.

Receivers write their follow-up work in that transaction (an outbox: django-tasks' database
backend makes a queued task a row), so a crash after the import commits loses none of it.

The advisory store does not know who consumes it; the assets app listens and re-matches.
"""

from django.dispatch import Signal

#: Sent with `keys` (a list of [ecosystem, normalised name]) and `advisory_ids`.
advisories_changed = Signal()
