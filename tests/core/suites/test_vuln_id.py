"""Structured answers about a weakness are parsed leniently and scored for CWE and location."""

from __future__ import annotations

import pytest

from clearinghouse.core.suites import cwe_and_location, parse_vuln_answer

from .scoring import score_completion

# A stack overflow at line 7 of greet(); parents that still name the flaw are accepted.
STRCPY = {
    "accepted_cwes": ["CWE-119", "CWE-120", "CWE-121", "CWE-787"],
    "lines": [7],
    "function": "greet",
}


def _score(completion: str) -> float:
    value = score_completion(cwe_and_location(), completion, "CWE-121", STRCPY).value
    assert isinstance(value, float)
    return value


@pytest.mark.parametrize(
    ("text", "cwe", "line"),
    [
        ('{"cwe": "CWE-89", "line": 12}', "CWE-89", 12),
        ('Here you go:\n```json\n{"cwe": "cwe-79", "line": "line 5"}\n```', "CWE-79", 5),
        ('{"cwe": 22, "line": 3, "function": "download"}', "CWE-22", 3),
        (
            'first {"cwe": "CWE-20"} then, on reflection, {"cwe": "CWE 787", "line": 9}',
            "CWE-787",
            9,
        ),
    ],
)
def test_answers_parse_from_bare_fenced_or_loosely_typed_json(
    text: str, cwe: str, line: int
) -> None:
    answer = parse_vuln_answer(text)
    assert answer is not None
    assert (answer.cwe, answer.line) == (cwe, line)


@pytest.mark.parametrize(
    "text", ["It's a buffer overflow (CWE-121) on line 7.", '{"line": 7}', '{"cwe": "buffer"}', ""]
)
def test_answers_without_a_json_cwe_do_not_parse(text: str) -> None:
    assert parse_vuln_answer(text) is None


def test_right_cwe_and_line_earn_full_credit() -> None:
    assert _score('{"cwe": "CWE-121", "line": 7}') == 1.0


def test_an_accepted_parent_cwe_counts_as_the_right_weakness() -> None:
    assert _score('{"cwe": "CWE-787", "line": 7}') == 1.0


def test_wrong_cwe_or_wrong_line_each_cost_half_the_credit() -> None:
    assert _score('{"cwe": "CWE-79", "line": 7}') == 0.5
    assert _score('{"cwe": "CWE-121", "line": 8}') == 0.5
    assert _score('{"cwe": "CWE-79", "line": 8}') == 0.0


def test_the_function_locates_the_flaw_when_no_line_is_given() -> None:
    assert _score('{"cwe": "CWE-121", "function": "Banner.greet()"}') == 1.0
    assert _score('{"cwe": "CWE-121", "function": "main"}') == 0.5


def test_a_prose_answer_scores_nothing_and_says_why() -> None:
    score = score_completion(cwe_and_location(), "This looks like an overflow.", "CWE-121", STRCPY)
    assert score.value == 0.0
    assert score.metadata == {"answer": None, "cwe_correct": False, "location_correct": False}


def test_the_parsed_finding_is_kept_in_the_score_metadata() -> None:
    completion = '{"cwe": "CWE-121", "line": 7, "summary": "strcpy into a 32-byte buffer"}'
    score = score_completion(cwe_and_location(), completion, "CWE-121", STRCPY)
    assert score.metadata is not None
    assert score.metadata["answer"] == {
        "cwe": "CWE-121",
        "line": 7,
        "function": None,
        "summary": "strcpy into a 32-byte buffer",
    }
    assert score.metadata["cwe_correct"] and score.metadata["location_correct"]
