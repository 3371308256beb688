"""Track decisions and the policy rule that combines them into the notice's overall decision."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum


class Decision(StrEnum):
    """What a review track decides; advisory while participation is voluntary."""

    CLEARED = "cleared"
    CLEARED_WITH_CONDITIONS = "cleared_with_conditions"
    NOT_CLEARED = "not_cleared"


_RESTRICTIVENESS = {
    Decision.CLEARED: 0,
    Decision.CLEARED_WITH_CONDITIONS: 1,
    Decision.NOT_CLEARED: 2,
}


def overall_decision(
    decisions: Mapping[str, Decision | None], required_tracks: Iterable[str]
) -> Decision | None:
    """The most restrictive decision once every required track has decided; None before then."""
    required = list(required_tracks)
    if any(decisions.get(track) is None for track in required):
        return None
    return max((decisions[track] for track in required), key=_RESTRICTIVENESS.__getitem__)  # type: ignore[arg-type]


def combined_conditions(conditions: Mapping[str, list[str]]) -> list[str]:
    """Every track's conditions, each once, in track order: all of them apply."""
    seen: dict[str, None] = {}
    for track_conditions in conditions.values():
        for condition in track_conditions:
            seen.setdefault(condition.strip(), None)
    return [condition for condition in seen if condition]
