"""The review clock: windows, deadlines, days left, overdue and reminder points, all in UTC."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable


def earliest_release_date(today: dt.date, notice_period_days: int) -> dt.date:
    """The first release date a notice filed today may name."""
    return today + dt.timedelta(days=notice_period_days)


def review_deadline(release_date: dt.date) -> dt.datetime:
    """Reviews must be decided before release: the deadline is 00:00 UTC on the release date."""
    return dt.datetime.combine(release_date, dt.time.min, tzinfo=dt.UTC)


def days_remaining(deadline: dt.datetime, now: dt.datetime) -> int:
    """Whole days left, rounded up while time remains (so 'due today' shows 1); negative late."""
    seconds = (deadline - now).total_seconds()
    return math.ceil(seconds / 86400) if seconds > 0 else math.floor(seconds / 86400)


def is_overdue(deadline: dt.datetime, now: dt.datetime) -> bool:
    """True once the window has closed."""
    return now >= deadline


def reminders_due(
    deadline: dt.datetime, now: dt.datetime, points: Iterable[int], already_sent: Iterable[int]
) -> list[int]:
    """Reminder points (days left) that have been reached and not yet sent, largest first.

    A point is reached when no more than that many days remain; the points passed while the
    clock did not run are sent once each rather than skipped.
    """
    sent = set(already_sent)
    left = (deadline - now).total_seconds() / 86400
    if left <= 0:
        return []
    return sorted(
        (point for point in set(points) if left <= point and point not in sent), reverse=True
    )
