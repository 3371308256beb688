"""SARIF 2.1.0 logs: one finding per result, rules resolved, structure checked."""

from __future__ import annotations

import pytest

from clearinghouse.core.formats.sarif import SarifError, parse_sarif
from tests.intake.conftest import sarif_log


def test_results_become_findings_with_their_rules() -> None:
    log = sarif_log(
        {
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": "tainted input reaches execute()"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "ledger/db.py"},
                        "region": {"startLine": 42},
                    }
                }
            ],
        }
    )
    (finding,) = parse_sarif(log)
    assert (finding.rule_id, finding.title, finding.cwe) == ("sqli", "SQL injection", "CWE-89")
    assert finding.locations == ("ledger/db.py:42",)
    assert finding.repository == "https://git.example.com/harbor/ledger"
    assert finding.level == "error"


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda log: log.update(version="2.0.0"), "version"),
        (lambda log: log["runs"][0]["results"][0].pop("message"), "runs/0/results/0/message"),
        (lambda log: log["runs"][0]["results"][0].update(level="fatal"), "level"),
    ],
)
def test_broken_logs_are_refused_naming_the_place(change, where: str) -> None:
    log = sarif_log({"ruleId": "sqli", "message": {"text": "x"}})
    change(log)
    with pytest.raises(SarifError) as raised:
        parse_sarif(log)
    assert any(where in problem for problem in raised.value.problems)
