"""The OSV range-evaluation walk, written once for both the reference and the index compiler."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from clearinghouse.core.formats.osv import Event, EventKind, Range

# At equal versions a `fixed` is processed before an `introduced`, so "fixed 2.0, introduced
# 2.0" leaves 2.0 affected (two touching intervals); `last_affected` comes last, so
# "introduced 2.0, last_affected 2.0" affects exactly 2.0.
TIE_ORDER = {EventKind.FIXED: 0, EventKind.INTRODUCED: 1, EventKind.LAST_AFFECTED: 2}

ZERO = "0"
"""`introduced: "0"` means "from the first version", below every real version."""

UNLIMITED = "*"


def walk(sorted_events: Sequence[Event], sign: Callable[[str], int]) -> bool:
    """Decide one range: True when the version is inside it.

    `sorted_events` are the range's introduced/fixed/last_affected events in version order
    (ties by `TIE_ORDER`); `sign(x)` is -1, 0 or 1 as the version is below, at or above `x`.
    This is the algorithm of the OSV specification ("Evaluation").
    """
    affected = False
    for event in sorted_events:
        if event.kind is EventKind.INTRODUCED:
            if is_from_start(event) or sign(event.version) >= 0:
                affected = True
        elif event.kind is EventKind.FIXED:
            if sign(event.version) >= 0:
                affected = False
        elif sign(event.version) > 0:  # last_affected
            affected = False
    return affected


def is_from_start(event: Event) -> bool:
    """Whether an event is `introduced: "0"`, which names no version to parse or compare."""
    return event.kind is EventKind.INTRODUCED and event.version == ZERO


def naming_a_version(events: Iterable[Event]) -> list[Event]:
    """The events whose version must be parsed: all but `introduced: "0"` and `limit: "*"`."""
    return [e for e in events if not is_from_start(e) and e.version != UNLIMITED]


def before_limits(limits: Sequence[Event], sign: Callable[[str], int]) -> bool:
    """Whether the version is below some `limit` event (always, when a range has none)."""
    if not limits:
        return True
    return any(event.version == UNLIMITED or sign(event.version) < 0 for event in limits)


def split_limits(events: Sequence[Event]) -> tuple[list[Event], list[Event]]:
    """Separate a range's limit events from the ones the walk orders."""
    limits = [event for event in events if event.kind is EventKind.LIMIT]
    others = [event for event in events if event.kind is not EventKind.LIMIT]
    return others, limits


def describe(range_: Range) -> str:
    """A short human description of a range, for a match's reason."""
    events = ", ".join(f"{event.kind.value} {event.version}" for event in range_.events)
    return f"{range_.type.value} range: {events}"
