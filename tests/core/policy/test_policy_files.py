"""The shipped policies say what DESIGN.md §7 says, and broken policy files are refused clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from clearinghouse.core.policy import (
    BUILTIN_POLICY_DIR,
    PolicyError,
    load_policies,
    load_policy_file,
)


def test_shipped_policies_match_the_order_and_its_variants():
    policies = load_policies()
    assert set(policies) == {"eo-2026", "eo-2026-draft", "eo-2026-mandatory"}
    assert policies["eo-2026"].policy.notice_period_days == 30
    assert policies["eo-2026-draft"].policy.notice_period_days == 90
    assert policies["eo-2026-mandatory"].policy.participation == "mandatory"
    assert policies["eo-2026"].policy.participation == "voluntary"
    assert policies["eo-2026-mandatory"].policy.required_disclosures == [
        "training_data_summary",
        "stress_test_results",
    ]
    for policy in policies.values():
        assert policy.criteria.training_compute.threshold_flop == 1e26
        assert policy.review.tracks == ["national_security", "civilian"]


def _write(tmp_path: Path, replace: tuple[str, str]) -> Path:
    text = (BUILTIN_POLICY_DIR / "eo-2026.toml").read_text()
    assert replace[0] in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(*replace))
    return path


def _line(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("replace", "needle", "reason"),
    [
        (("notice_period_days = 30", "notice_period_days = -4"), "notice_period_days", "greater"),
        (("threshold_flop = 1e26", 'threshold_flop = "lots"'), "threshold_flop", "number"),
        (("threshold_level = 3", "threshold_level = 3\nsurprise = 1"), "surprise", "Extra"),
        (
            ('participation = "voluntary"', 'participation = "optional"'),
            "participation =",
            "voluntary",
        ),
        (("tracks = [", "tracks = = ["), "tracks = =", "Invalid"),
    ],
)
def test_broken_policy_file_is_refused_with_file_line_and_reason(
    tmp_path: Path, replace: tuple[str, str], needle: str, reason: str
):
    path = _write(tmp_path, replace)
    with pytest.raises(PolicyError) as caught:
        load_policies(tmp_path)
    error = caught.value
    assert error.path == path
    assert error.line == _line(path, needle)
    assert reason.lower() in error.reason.lower()
    assert str(error).startswith(f"{path}:{error.line}: ")


def test_two_files_with_one_id_are_refused(tmp_path: Path):
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text((BUILTIN_POLICY_DIR / "eo-2026.toml").read_text())
    with pytest.raises(PolicyError, match="defined twice"):
        load_policies(tmp_path)


def test_assessment_thresholds_default_to_the_suites_when_a_policy_omits_them(
    tmp_path: Path,
) -> None:
    from clearinghouse.core.policy import AssessmentRules

    source = (BUILTIN_POLICY_DIR / "eo-2026.toml").read_text()
    trimmed = source.split("\n[assessment.thresholds]")[0]
    path = tmp_path / "old.toml"
    path.write_text(trimmed)
    assert load_policy_file(path).assessment == AssessmentRules()


def test_decreasing_assessment_thresholds_are_refused_with_their_line(tmp_path: Path) -> None:
    source = (BUILTIN_POLICY_DIR / "eo-2026.toml").read_text()
    path = tmp_path / "bad.toml"
    path.write_text(
        source.replace("cyber_ctf = [0.1, 0.25, 0.5, 0.75]", "cyber_ctf = [0.5, 0.2, 0.6, 0.7]")
    )
    with pytest.raises(PolicyError, match="must not decrease") as caught:
        load_policy_file(path)
    assert caught.value.line is not None
    assert "cyber_ctf" in path.read_text().splitlines()[caught.value.line - 1]
