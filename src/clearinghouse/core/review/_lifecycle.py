"""The notice lifecycle as a table of legal transitions that every interface enforces alike."""

from __future__ import annotations

from enum import StrEnum


class NoticeStatus(StrEnum):
    """Where a pre-deployment notice stands (DESIGN.md §2)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    DECIDED = "decided"
    RELEASED = "released"
    WITHDRAWN = "withdrawn"


TRANSITIONS: dict[NoticeStatus, frozenset[NoticeStatus]] = {
    NoticeStatus.DRAFT: frozenset({NoticeStatus.SUBMITTED, NoticeStatus.WITHDRAWN}),
    NoticeStatus.SUBMITTED: frozenset({NoticeStatus.UNDER_REVIEW, NoticeStatus.WITHDRAWN}),
    NoticeStatus.UNDER_REVIEW: frozenset({NoticeStatus.DECIDED, NoticeStatus.WITHDRAWN}),
    NoticeStatus.DECIDED: frozenset({NoticeStatus.RELEASED, NoticeStatus.WITHDRAWN}),
    NoticeStatus.RELEASED: frozenset(),
    NoticeStatus.WITHDRAWN: frozenset(),
}

#: States in which the review clock runs and reviewers work.
OPEN_FOR_REVIEW = frozenset({NoticeStatus.SUBMITTED, NoticeStatus.UNDER_REVIEW})


class IllegalTransition(ValueError):
    """A transition the lifecycle does not allow; names the ones that are."""

    def __init__(self, current: NoticeStatus, target: NoticeStatus) -> None:
        self.current, self.target = current, target
        self.allowed = sorted(TRANSITIONS[current])
        allowed = ", ".join(self.allowed) or "none (final state)"
        super().__init__(f"a {current} notice cannot become {target}; allowed: {allowed}")


def check_transition(current: NoticeStatus, target: NoticeStatus) -> None:
    """Raise IllegalTransition unless `current → target` is in the table."""
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)
