"""Invalid model descriptions are refused with a message per field."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from clearinghouse.core.policy import parse_description

TODAY = dt.date(2026, 11, 23)
VALID = {
    "name": "M",
    "version": "1",
    "developer": "Lab",
    "training_compute_flop": 1e25,
    "planned_release_date": "2027-01-10",
}


def errors_of(data: dict[str, object]) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_description(data, today=TODAY)
    return {".".join(map(str, e["loc"])): e["msg"] for e in caught.value.errors()}


def test_each_invalid_field_gets_its_own_message():
    found = errors_of(
        VALID
        | {
            "training_compute_flop": -1,
            "planned_release_date": "2026-11-22",
            "capabilities": ["mind_reading"],
        }
    )
    assert set(found) == {"training_compute_flop", "planned_release_date", "capabilities.0"}
    assert "greater than or equal to 0" in found["training_compute_flop"]
    assert "in the past" in found["planned_release_date"]
    assert "advanced_reasoning" in found["capabilities.0"]  # names the allowed values


def test_release_today_is_allowed_and_stored_models_keep_past_dates():
    assert parse_description(VALID | {"planned_release_date": "2026-11-23"}, today=TODAY)
    assert parse_description(VALID | {"planned_release_date": "2020-01-01"}, stored=True)


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_compute_must_be_a_finite_number(bad: float):
    assert "training_compute_flop" in errors_of(VALID | {"training_compute_flop": bad})


def test_unknown_fields_are_refused_not_ignored():
    assert "colour" in errors_of(VALID | {"colour": "blue"})
