"""Lifecycles as tables of legal transitions, so every interface enforces one rule alike.

A workflow declares its table once, here in the core (`Lifecycle("notice", {...})`); the
Django side checks every state change against it on the row it re-read under a lock
(`clearinghouse.workflow.advance`), so a caller holding a stale copy gets the current state
named in the refusal instead of overwriting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class IllegalTransition(ValueError):
    """A transition the lifecycle does not allow; names the current state and the allowed ones."""

    def __init__(self, subject: str, current: StrEnum, target: StrEnum, allowed: Iterable[str]):
        self.subject, self.current, self.target = subject, current, target
        self.allowed = sorted(str(state) for state in allowed)
        listed = ", ".join(self.allowed) or "none (final state)"
        super().__init__(
            f"{_article(str(current))} {current} {subject} cannot become {target}; "
            f"allowed: {listed}"
        )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


@dataclass(frozen=True)
class Lifecycle(Generic[S]):
    """The states of one kind of thing and the transitions between them."""

    #: What the thing is called in messages ("notice", "report").
    subject: str
    edges: Mapping[S, frozenset[S]]

    def __post_init__(self) -> None:
        states = set(self.edges)
        for targets in self.edges.values():
            unknown = set(targets) - states
            if unknown:
                raise ValueError(f"{self.subject}: transitions to undeclared states {unknown}")

    def allowed(self, current: S) -> frozenset[S]:
        """The states `current` may move to."""
        return self.edges[current]

    def check(self, current: S, target: S) -> None:
        """Raise IllegalTransition unless `current → target` is in the table."""
        if target not in self.edges[current]:
            raise IllegalTransition(self.subject, current, target, self.edges[current])

    def is_final(self, state: S) -> bool:
        """Whether nothing follows `state`."""
        return not self.edges[state]
