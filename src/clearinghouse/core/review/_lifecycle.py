"""The notice lifecycle as a table of legal transitions that every interface enforces alike."""

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
