"""Told after an import commits: which package keys changed, so scanning can re-match them.

The advisory store does not know who consumes it; the assets app listens and re-matches.
"""

from django.dispatch import Signal

#: Sent with `keys` (a list of [ecosystem, normalised name]) and `advisory_ids`.
advisories_changed = Signal()
