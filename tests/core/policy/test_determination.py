"""Coverage decisions around every criterion's threshold, under each shipped policy."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clearinghouse.core.policy import determine as decide
from clearinghouse.core.policy import load_policies, parse_description

POLICIES = load_policies()
TODAY = dt.date(2026, 11, 23)


def describe(**overrides: Any):
    base: dict[str, Any] = {
        "name": "M",
        "version": "1",
        "developer": "Lab",
        "training_compute_flop": 1e24,
        "planned_release_date": "2027-03-01",
    }
    return parse_description(base | overrides, today=TODAY)


def met(outcome, criterion: str) -> bool:
    return next(reason for reason in outcome.reasons if reason.criterion == criterion).met


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
@pytest.mark.parametrize(
    ("pretraining", "fine_tuning", "covered"),
    [
        (9.99e25, 0.0, False),
        (1e26, 0.0, True),
        (1.01e26, 0.0, True),
        (9.5e25, 5e24, True),  # the threshold counts pre-training plus fine-tuning
        (9.5e25, 4.9e24, False),
    ],
)
def test_training_compute_threshold_is_inclusive_and_sums_fine_tuning(
    policy_id: str, pretraining: float, fine_tuning: float, covered: bool
) -> None:
    outcome = decide(
        describe(training_compute_flop=pretraining, fine_tuning_compute_flop=fine_tuning),
        POLICIES[policy_id],
    )
    assert outcome.covered is covered
    assert met(outcome, "training_compute") is covered
    assert outcome.policy_id == policy_id


@pytest.mark.parametrize(
    ("capabilities", "covered"),
    [
        ([], False),
        (["advanced_reasoning"], False),
        (["autonomous_tool_use"], False),
        (["advanced_reasoning", "autonomous_tool_use"], True),
    ],
)
def test_reasoning_and_autonomy_must_both_be_declared(capabilities: list[str], covered: bool):
    outcome = decide(describe(capabilities=capabilities, tools=["shell"]), POLICIES["eo-2026"])
    assert outcome.covered is covered
    reason = next(r for r in outcome.reasons if r.criterion == "reasoning_and_autonomy")
    assert reason.values["tools"] == ["shell"]


def test_designation_covers_and_states_only_authority_reference_and_date():
    outcome = decide(
        describe(
            designation={
                "authority": "Office of National Cyber Review",
                "reference": "D-2026-014",
                "designated_on": "2026-11-01",
            }
        ),
        POLICIES["eo-2026"],
    )
    assert outcome.covered
    reason = next(r for r in outcome.reasons if r.criterion == "designation")
    assert reason.met
    assert set(reason.values) == {"authority", "reference", "designated_on"}
    assert "D-2026-014" in reason.detail


@pytest.mark.parametrize(("level", "covered"), [(None, False), (2, False), (3, True), (4, True)])
def test_cyber_assessment_level_against_policy_threshold(level: int | None, covered: bool):
    outcome = decide(describe(cyber_capability_level=level), POLICIES["eo-2026"])
    assert outcome.covered is covered
    assert POLICIES["eo-2026"].criteria.cyber_assessment.threshold_level == 3


def test_every_criterion_is_reported_with_compared_values():
    outcome = decide(describe(training_compute_flop=2e25), POLICIES["eo-2026-draft"])
    assert [r.criterion for r in outcome.reasons] == [
        "designation",
        "training_compute",
        "reasoning_and_autonomy",
        "cyber_assessment",
    ]
    compute = outcome.reasons[1]
    assert compute.values == {"training_compute_flop": 2e25, "threshold_flop": 1e26}
    assert "<" in compute.detail
    assert outcome.as_dict()["reasons"][1]["label"] == "Training compute"


def test_disabled_criterion_never_covers(tmp_path):
    text = (
        (POLICIES["eo-2026"].policy.id and _builtin_text("eo-2026"))
        .replace('id = "eo-2026"', 'id = "compute-only-off"')
        .replace(
            "[criteria.training_compute]\nenabled = true",
            "[criteria.training_compute]\nenabled = false",
        )
    )
    (tmp_path / "p.toml").write_text(text)
    policy = load_policies(tmp_path)["compute-only-off"]
    outcome = decide(describe(training_compute_flop=5e26), policy)
    assert not outcome.covered
    assert not outcome.reasons[1].enabled
    assert "disabled" in outcome.reasons[1].detail


def _builtin_text(policy_id: str) -> str:
    from clearinghouse.core.policy import BUILTIN_POLICY_DIR

    return (BUILTIN_POLICY_DIR / f"{policy_id}.toml").read_text()
