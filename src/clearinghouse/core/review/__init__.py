"""Pre-deployment review rules: the notice lifecycle, the clock, decisions and access grants."""

from ._access import AccessGrantRequest, AccessKind, provider_urls
from ._clock import (
    days_remaining,
    earliest_release_date,
    is_overdue,
    reminders_due,
    review_deadline,
)
from ._decisions import Decision, combined_conditions, overall_decision
from ._lifecycle import (
    NOTICE_LIFECYCLE,
    OPEN_FOR_REVIEW,
    TRACK_LIFECYCLE,
    NoticeStatus,
    TrackStatus,
)

__all__ = [
    "NOTICE_LIFECYCLE",
    "OPEN_FOR_REVIEW",
    "TRACK_LIFECYCLE",
    "AccessGrantRequest",
    "AccessKind",
    "Decision",
    "NoticeStatus",
    "TrackStatus",
    "combined_conditions",
    "days_remaining",
    "earliest_release_date",
    "is_overdue",
    "overall_decision",
    "provider_urls",
    "reminders_due",
    "review_deadline",
]
