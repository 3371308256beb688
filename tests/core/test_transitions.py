"""A lifecycle table allows exactly its edges and names the current state when it refuses."""

from __future__ import annotations

from enum import StrEnum

import pytest

from clearinghouse.core.review import NOTICE_LIFECYCLE, NoticeStatus
from clearinghouse.core.transitions import IllegalTransition, Lifecycle


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    OFF = "off"


LIGHT = Lifecycle(
    "light",
    {
        Light.RED: frozenset({Light.GREEN, Light.OFF}),
        Light.GREEN: frozenset({Light.RED}),
        Light.OFF: frozenset(),
    },
)


def test_only_the_listed_edges_are_allowed():
    for current in Light:
        for target in Light:
            if target in LIGHT.allowed(current):
                LIGHT.check(current, target)
            else:
                with pytest.raises(IllegalTransition):
                    LIGHT.check(current, target)


def test_a_refusal_names_the_current_state_and_what_is_allowed():
    with pytest.raises(IllegalTransition) as refused:
        NOTICE_LIFECYCLE.check(NoticeStatus.WITHDRAWN, NoticeStatus.DECIDED)
    assert str(refused.value) == (
        "a withdrawn notice cannot become decided; allowed: none (final state)"
    )
    with pytest.raises(IllegalTransition) as refused:
        NOTICE_LIFECYCLE.check(NoticeStatus.UNDER_REVIEW, NoticeStatus.RELEASED)
    assert refused.value.allowed == ["decided", "withdrawn"]
    assert str(refused.value).startswith("an under_review notice")


def test_a_table_naming_an_undeclared_state_is_refused():
    with pytest.raises(ValueError, match="undeclared"):
        Lifecycle("light", {Light.RED: frozenset({Light.GREEN})})


def test_final_states_have_no_way_out():
    assert LIGHT.is_final(Light.OFF) and not LIGHT.is_final(Light.RED)
    assert {s for s in NoticeStatus if NOTICE_LIFECYCLE.is_final(s)} == {
        NoticeStatus.RELEASED,
        NoticeStatus.WITHDRAWN,
    }
