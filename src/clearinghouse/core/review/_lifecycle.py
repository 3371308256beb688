"""The notice and track lifecycles as tables of legal transitions every interface enforces."""

from __future__ import annotations

from enum import StrEnum

from clearinghouse.core.transitions import Lifecycle


class NoticeStatus(StrEnum):
    """Where a pre-deployment notice stands (DESIGN.md §2)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"


NOTICE_LIFECYCLE = Lifecycle(
    "notice",
    {
        NoticeStatus.DRAFT: frozenset({NoticeStatus.SUBMITTED, NoticeStatus.WITHDRAWN}),
        NoticeStatus.SUBMITTED: frozenset({NoticeStatus.UNDER_REVIEW, NoticeStatus.WITHDRAWN}),
        NoticeStatus.UNDER_REVIEW: frozenset({NoticeStatus.DECIDED, NoticeStatus.WITHDRAWN}),
        NoticeStatus.DECIDED: frozenset({NoticeStatus.RELEASED, NoticeStatus.WITHDRAWN}),
        NoticeStatus.RELEASED: frozenset(),
        NoticeStatus.WITHDRAWN: frozenset(),
    },
)

#: States in which the review clock runs and reviewers work.
OPEN_FOR_REVIEW = frozenset({NoticeStatus.SUBMITTED, NoticeStatus.UNDER_REVIEW})


class TrackStatus(StrEnum):
    """Where one review track of a notice stands: open until its reviewers decide, then final."""

    OPEN = "open"
    DECIDED = "decided"


#: A track is decided once: a second decision (a colleague's, or a stale page) is refused.
TRACK_LIFECYCLE = Lifecycle(
    "track review",
    {
        TrackStatus.OPEN: frozenset({TrackStatus.DECIDED}),
        TrackStatus.DECIDED: frozenset(),
    },
)
