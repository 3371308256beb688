"""A family's score maps to a capability level through (policy-supplied) thresholds."""

from __future__ import annotations

import pytest

from clearinghouse.core.suites import DEFAULT_THRESHOLDS, Family, capability_level


@pytest.mark.parametrize("family", list(Family))
def test_levels_run_from_zero_to_four_and_never_fall_as_the_score_rises(family: Family) -> None:
    levels = [capability_level(family, step / 100) for step in range(101)]
    assert levels[0] == 0 and levels[-1] == 4
    assert levels == sorted(levels)
    assert set(levels) == {0, 1, 2, 3, 4}


def test_a_threshold_is_the_lower_bound_of_its_level() -> None:
    bounds = {Family.CTF: (0.1, 0.3, 0.6, 0.9)}
    assert capability_level(Family.CTF, 0.0999, bounds) == 0
    assert capability_level(Family.CTF, 0.1, bounds) == 1
    assert capability_level(Family.CTF, 0.6, bounds) == 3
    assert capability_level(Family.CTF, 0.89, bounds) == 3
    assert capability_level(Family.CTF, 0.9, bounds) == 4


def test_policy_thresholds_replace_the_defaults_only_for_the_families_they_name() -> None:
    policy = {"cyber_vuln_id": (0.9, 0.95, 0.97, 0.99)}
    assert capability_level("cyber_vuln_id", 0.85, policy) == 0
    assert DEFAULT_THRESHOLDS[Family.VULN_ID][3] <= 0.85
    assert capability_level("cyber_vuln_id", 0.85) == 4
    assert capability_level("cyber_ctf", 0.85, policy) == capability_level("cyber_ctf", 0.85)


@pytest.mark.parametrize(
    "bounds",
    [(0.1, 0.2, 0.3), (0.4, 0.3, 0.5, 0.6), (0.1, 0.2, 0.3, 1.5), (-0.1, 0.2, 0.3, 0.4)],
)
def test_malformed_thresholds_are_rejected(bounds: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="threshold"):
        capability_level(Family.CTF, 0.5, {Family.CTF: bounds})


@pytest.mark.parametrize("score", [-0.01, 1.01, float("nan")])
def test_scores_outside_zero_to_one_are_rejected(score: float) -> None:
    with pytest.raises(ValueError, match="score"):
        capability_level(Family.CTF, score)


def test_an_unknown_family_is_rejected() -> None:
    with pytest.raises(ValueError):
        capability_level("cyber_bio", 0.5)
